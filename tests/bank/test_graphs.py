"""Computed questions on graphs (issue 11): a graph template is parsed whole per distinct draw,
never at load, and its variants are the networks a whole parse gives, each proven by torch."""

from __future__ import annotations

import textwrap

import pytest

from cnnquiz.bank import check_banks, computed, load_bank, load_banks, read_banks
from cnnquiz.bank import variants as variants_module
from cnnquiz.net.spec import parse_network
from tests.conftest import ROOT

BANKS = sorted((ROOT / "questions").glob("*.yaml"))

RESIDUAL = """\
    title: t
    questions:
      - id: block
        type: computed
        prompt: "A basic block on {h}x{h}x{c}: how many trainable parameters?"
        hint: Two convs and two batch norms.
        explanation: by the formula
        vars: {h: [8, 16], c: [4, 8, -1]}
        network:
          input: "{h}x{h}x{c}"
          blocks:
            basic:
              args: {filters: 4}
              layers:
                - conv: {filters: $filters, kernel: 3, padding: same, bias: false}
                - batchnorm: {}
                - relu: {}
                - conv: {filters: $filters, kernel: 3, padding: same, bias: false}
                - batchnorm: {}
                - add: {}
                  from: [input, -1]
                - relu: {}
          layers:
            - basic: {filters: "{c}"}
        ask: trainable_params
"""


@pytest.fixture
def residual(tmp_path):
    path = tmp_path / "bank.yaml"
    path.write_text(textwrap.dedent(RESIDUAL), encoding="utf-8")
    return path


@pytest.fixture
def parses(monkeypatch) -> list[int]:
    """One entry per whole or per-layer parse the templates make."""
    calls: list[int] = []
    real = variants_module.parse_network
    monkeypatch.setattr(
        variants_module, "parse_network", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    return calls


def test_loading_a_graph_template_parses_no_network(residual, parses):
    """Bank loading stays as fast with graphs in it: the network is parsed at the first draw."""
    q = load_bank(residual).questions[0]
    assert parses == []
    q.draw(0)
    assert len(parses) >= 1


def test_a_graph_is_parsed_whole_once_per_distinct_draw(residual, parses):
    q = load_bank(residual).questions[0]
    items = [q.draw(seed) for seed in range(40)]
    assert {item.values["c"] for item in items} == {4, 8}  # c = -1 is redrawn
    # whole parses only: one per distinct (h, c), the refused c = -1 once per h
    assert len(parses) <= 2 * 3, len(parses)
    network = q.variant(0).network
    assert network.is_graph and network.inputs[5] == (0, 5)  # the add reads the input and bn2


def test_graph_variants_differ_and_are_the_figures_of_their_draw(residual):
    q = load_bank(residual).questions[0]
    keys = {}
    for seed in range(40):
        item = q.draw(seed)
        h, c = item.values["h"], item.values["c"]
        keys[(h, c)] = item.answer_text
        assert item.answer_text.replace(",", "").startswith(str(2 * 9 * c * c + 4 * c))
    assert len(set(keys.values())) == 2  # h changes no parameter, c does


def test_each_bundled_graph_variant_is_the_network_a_whole_parse_gives():
    graphs = 0
    for q in (q for b in load_banks(BANKS) for q in b.questions if q.is_computed):
        template = q.template.network
        if not variants_module._is_graph(template.raw):
            continue
        graphs += 1
        for seed in range(10):
            variant = q.variant(seed)
            whole = parse_network(computed.substitute(template.raw, variant.values), str(q.path))
            assert variant.network == whole and whole.is_graph, (q.id, seed)
    assert graphs >= 12


def test_at_least_twelve_graph_templates_whose_figures_change_with_their_vars():
    """Issue 11: at least 12 computed templates on graphs, each with more than one answer."""
    templates: dict[str, set[str]] = {}
    for q in (q for b in load_banks(BANKS) for q in b.questions if q.is_computed):
        if q.variant(0).network.is_graph:
            answers = templates.setdefault(q.group or q.id, set())
            answers.update(q.draw(seed).answer_text for seed in range(20))
    assert len(templates) >= 12, sorted(templates)
    assert [t for t, answers in templates.items() if len(answers) < 2] == []


@pytest.mark.slow  # builds every variant's network in torch
def test_bank_check_proves_the_graph_questions_with_torch():
    pytest.importorskip("torch")
    names = ("architectures.yaml", "conv1x1.yaml", "memory.yaml", "receptive-fields.yaml")
    paths = [ROOT / "questions" / n for n in names]
    report = check_banks(paths, verify=True, samples=5)
    assert report.exit_status == 0, report.problems
    assert not report.problems
    assert report.counts["verified_by_torch"] > 0


NAMED = """\
    title: t
    questions:
      - id: shortcut
        type: numeric
        prompt: The projection's parameters?
        answer: 8192
        hint: kh·kw·C_in·filters.
        explanation: 1·1·64·128.
        network:
          input: 16x16x64
          layers:
            - conv: {filters: 128, kernel: 3, stride: 2, padding: same, bias: false}
              name: main
            - conv: {filters: 128, kernel: 1, stride: 2, bias: false}
              name: projection
              from: input
            - add: {}
              from: [main, projection]
        ask: params
        layer: projection
      - id: typo
        type: numeric
        prompt: The projection's parameters?
        answer: 8192
        hint: kh·kw·C_in·filters.
        explanation: 1·1·64·128.
        network:
          input: 16x16x64
          layers:
            - conv: {filters: 128, kernel: 1, stride: 2, bias: false}
              name: projection
        ask: params
        layer: projektion
"""


def test_a_layer_is_asked_about_by_its_name_on_a_graph(tmp_path):
    path = tmp_path / "bank.yaml"
    path.write_text(textwrap.dedent(NAMED), encoding="utf-8")
    banks, problems = read_banks([path])
    # the line of ``layer: projektion``, not the question's
    assert [(p.line, p.message) for p in problems] == [
        (33, "no layer is named 'projektion'; the named layers are projection")
    ]
    (q,) = banks[0].questions
    assert q.recomputed.options.layer_name == "projection"
    assert q.recomputed.solution.value == 8192  # layer 2's; the whole network has 81,920
    assert any("layer 2" in step for step in q.recomputed.solution.steps)


ZOO = """\
    title: t
    questions:
      - id: resnet18
        type: numeric
        prompt: ResNet-18's trainable parameters?
        answer: 11689512
        hint: Count the stages.
        explanation: torchvision's figure.
        network: resnet18
        ask: trainable_params
      - id: typo
        type: numeric
        prompt: ResNet-18's trainable parameters?
        answer: 11689512
        hint: Count the stages.
        explanation: torchvision's figure.
        network: resnet81
        ask: trainable_params
"""


def test_a_fixed_question_names_a_zoo_network(tmp_path):
    path = tmp_path / "bank.yaml"
    path.write_text(textwrap.dedent(ZOO), encoding="utf-8")
    banks, problems = read_banks([path])
    assert [(p.line, p.message.split(";")[0]) for p in problems] == [
        (17, "no zoo network or spec file named 'resnet81' (did you mean resnet18?)")
    ]
    (q,) = banks[0].questions
    assert q.network.is_graph and q.recomputed.solution.value == 11_689_512


@pytest.fixture(scope="module")
def bundled():
    return {q.id: q for b in load_banks(BANKS) for q in b.questions}


@pytest.mark.parametrize("seed", range(6))
def test_a_residual_blocks_prediction_peak_holds_its_input_beside_the_layer(bundled, seed):
    """Three tensors at once with the shortcut, two without it, the same parameters."""
    for qid, tensors in (("ram-c-residual-peak", 3), ("ram-c-plain-peak", 2)):
        variant = bundled[qid].variant(seed)
        h, c = variant.values["h"], variant.values["c"]
        params = 2 * 9 * c * c + 2 * 4 * c  # two convs, two batch norms of 4C stored values
        assert variant.solution.value == tensors * h * h * c * 4 + params * 4, (qid, h, c)
    steps = bundled["ram-c-residual-peak"].variant(seed).solution.steps
    assert any(step.startswith("the input: ") for step in steps), steps


def test_the_chain_rule_on_a_residual_block_is_a_named_mistake(bundled):
    variant = bundled["ram-c-residual-peak"].variant(0)
    h, c = variant.values["h"], variant.values["c"]
    chain = 2 * h * h * c * 4 + (18 * c * c + 8 * c) * 4
    (trap,) = [t for t in variant.solution.traps if t.value == chain]
    assert "chain rule" in trap.feedback


@pytest.mark.parametrize("seed", range(6))
def test_the_receptive_field_of_stacked_inception_modules_is_the_widest_path(bundled, seed):
    variant = bundled["rf-c-inception-stack"].variant(seed)
    n, k = variant.values["n"], variant.values["k"]
    field = 1 + n * (k - 1)  # the 1×1 and 3×3 branches are shorter paths, not extra layers
    assert variant.solution.value == (field, field)
