"""A computed question's network is parsed once per question, and its variants are the ones a
whole parse gives: the same layers, the same lines, the same errors."""

from __future__ import annotations

import pickle
import textwrap
from pathlib import Path

import pytest

from cnnquiz.bank import check_banks, computed, load_bank, read_banks
from cnnquiz.bank import variants as variants_module
from cnnquiz.errors import SpecError
from cnnquiz.net.spec import parse_network
from tests.conftest import ROOT

BANKS = [ROOT / "questions", Path(__file__).parents[1] / "fixtures" / "banks"]

TEMPLATE = """\
    title: t
    questions:
      - id: conv
        type: computed
        prompt: "A {h}x{h}x3 image, conv with {f} filters: how many parameters?"
        explanation: by the formula
        vars: {h: [32, 64], f: [8, 16, -1]}
        network:
          input: "{h}x{h}x3"
          layers:
            - conv: {filters: "{f}", kernel: 3}
            - maxpool: {size: 2}
            - flatten: {}
            - dense: {units: 10}
        ask: params
"""


def _whole(raw, values, source):
    try:
        return parse_network(computed.substitute(raw, values), source), None
    except SpecError as exc:
        return None, str(exc)


@pytest.mark.parametrize("folder", BANKS, ids=["bundled", "fixtures"])
def test_each_variant_is_the_network_a_whole_parse_gives(folder):
    banks, _ = read_banks([folder])
    for q in (q for b in banks for q in b.questions if q.is_computed):
        template = q.template.network
        for seed in range(30):
            values = computed.draw(q.template.var_lists, computed.rng_for(q.id, seed))
            whole, error = _whole(template.raw, values, str(q.path))
            try:
                network = template.network(values, str(q.path))
            except SpecError as exc:
                assert (None, str(exc)) == (whole, error), (q.id, seed)
                continue
            assert error is None and network == whole, (q.id, seed)
            assert [getattr(x, "where", None) for x in network.layers] == [
                getattr(x, "where", None) for x in whole.layers
            ]
            assert (network.source, network.train) == (whole.source, whole.train)


def test_the_network_is_parsed_once_per_question_not_per_draw(tmp_path, monkeypatch):
    path = tmp_path / "bank.yaml"
    path.write_text(textwrap.dedent(TEMPLATE), encoding="utf-8")
    q = load_bank(path).questions[0]
    calls = []
    real = variants_module.parse_network
    monkeypatch.setattr(
        variants_module, "parse_network", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    items = [q.draw(seed) for seed in range(40)]
    assert {item.values["f"] for item in items} == {8, 16}  # f = -1 is redrawn
    # one whole parse, then the conv layer once per filter count (8, 16 and the refused -1),
    # the input once per size; the maxpool, flatten and dense layers never again
    assert len(calls) <= 1 + 3 + 2, len(calls)


def test_an_invalid_layer_gives_the_whole_networks_error(tmp_path):
    path = tmp_path / "bank.yaml"
    path.write_text(textwrap.dedent(TEMPLATE), encoding="utf-8")
    template = load_bank(path).questions[0].template.network
    template.network({"h": 32, "f": 8}, str(path))  # the whole parse, remembered
    with pytest.raises(SpecError) as fast:
        template.network({"h": 64, "f": -1}, str(path))
    assert str(fast.value) == _whole(template.raw, {"h": 64, "f": -1}, str(path))[1]


def test_a_loaded_bank_pickles_without_its_memo_and_draws_the_same(tmp_path):
    path = tmp_path / "bank.yaml"
    path.write_text(textwrap.dedent(TEMPLATE), encoding="utf-8")
    bank = load_bank(path)
    before = [bank.questions[0].draw(seed) for seed in range(5)]
    again = pickle.loads(pickle.dumps(bank))
    after = [again.questions[0].draw(seed) for seed in range(5)]
    assert [(i.prompt, i.answer_text, i.explanation) for i in before] == [
        (i.prompt, i.answer_text, i.explanation) for i in after
    ]


def test_a_constant_invalid_option_still_fails_the_self_test_not_the_load(tmp_path):
    """Options no var changes are read once for all draws; one that cannot be read is refused
    at the draw as before, so ``bank check`` reports a failed self-test (exit 1)."""
    path = tmp_path / "bank.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            title: t
            questions:
              - id: c1
                type: computed
                prompt: "{f} filters"
                vars: {f: [1, 2]}
                network: {input: 8x8x1, layers: [conv: {filters: "{f}"}]}
                ask: ram_train
                optimizer: lion
                explanation: e
            """
        ),
        encoding="utf-8",
    )
    assert read_banks([path])[1] == []
    report = check_banks([path], verify=False)
    assert [(p.kind, p.message.split(";")[0]) for p in report.errors] == [
        ("selftest", "c1: unknown optimizer 'lion'")
    ]
    assert report.exit_status == 1


def test_a_network_that_is_not_a_mapping_fails_its_self_test_with_the_reason(tmp_path):
    path = tmp_path / "bank.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            title: t
            questions:
              - id: c1
                type: computed
                prompt: "{f} filters"
                vars: {f: [1, 2]}
                network: "conv {f}"
                ask: params
                explanation: e
              - id: c2
                type: computed
                prompt: "{f} filters"
                vars: {f: [1, 2]}
                network: {input: 8x8x1, layers: "conv {f} k3"}
                ask: params
                explanation: e
            """
        ),
        encoding="utf-8",
    )
    report = check_banks([path], verify=False)
    assert [(p.line, p.message.split("; the last")[0]) for p in report.errors] == [
        (3, "c1: no valid variant in 200 draws")
    ]
    assert "expected a network: a mapping with input and layers" in report.errors[0].message
    assert report.counts["variants"] == 20  # the inline layers of c2 parse whole, and work
