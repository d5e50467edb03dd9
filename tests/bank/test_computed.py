"""Computed questions: the worked example, reproducible variants, redraws, parts, a property test."""

from __future__ import annotations

import tempfile
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnnquiz.bank import check_banks, grade, load_bank, read_banks
from cnnquiz.bank.asks import ASKS
from cnnquiz.bank.check import perturb

DATA = Path(__file__).parents[1] / "fixtures" / "banks"


def _bank_from(text: str, tmp: Path):
    path = tmp / "bank.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_bank(path)


def test_worked_example_as_a_computed_question():
    bank = load_bank(DATA / "worked.yaml")
    items = {q.id.split("/")[-1]: q.draw(7) for q in bank.questions if q.group == "worked-computed"}
    answers = {k: v.answer_text for k, v in items.items()}
    assert answers == {
        "params": "903,400",
        "param-bytes": "3.61 MB",
        "shape1": "100x150x100",
        "shape3": "25x38x400",
        "out3": "1.52 MB",
        "input": "0.72 MB",
        "predict": "12.6 MB",
        "outputs": "526 MB",
        "train": "569 MB",
        "rf": "15x15",
    }
    assert items["params"].key.number == 903_400
    assert items["predict"].key.number == 12_613_600  # 6 MB + 3 MB + 3,613,600 bytes
    assert items["outputs"].key.number == 526_000_000
    assert items["train"].key.number == 526_000_000 + 36_000_000 + 2 * 3_613_600
    assert grade(items["param-bytes"], "3.6 MB").status == "correct"
    assert grade(items["predict"], "12.6").status == "correct"
    assert "do not add them up" in grade(items["predict"], "14.1 MB").feedback


def test_generated_explanation_uses_the_calculators_steps():
    bank = load_bank(DATA / "worked.yaml")
    item = next(q for q in bank.questions if q.id == "worked-computed/params").draw(0)
    assert item.explanation.startswith("The course's RAM example.")
    assert "(3·3·3 + 1)·100 = 2,800" in item.explanation
    assert "2,800 + 180,200 + 720,400 = 903,400" in item.explanation
    assert item.explanation.rstrip().endswith("**Answer:** 903,400")


def test_parts_are_grouped_in_order():
    bank = load_bank(DATA / "worked.yaml")
    parts = [q for q in bank.questions if q.group == "worked-computed"]
    assert [q.part_index for q in parts] == list(range(1, 11))
    assert parts[0].prompt.startswith("A {h}x{w}x3 image")
    assert parts[0].draw(0).prompt.endswith("How many parameters?")
    assert parts[0].topics == ("ram",)


COMPUTED = """\
    title: t
    questions:
      - id: c-params
        type: computed
        prompt: "Conv2D({f}, {k}) on {h}x{h}x{c}: parameters?"
        vars: {h: {range: [2, 64], step: 1}, c: [1, 3, 16], f: [8, 16, 32], k: [3, 5, 7]}
        network: {input: "{h}x{h}x{c}", layers: [conv: {filters: "{f}", kernel: "{k}"}]}
        ask: params
        explanation: "({k}·{k}·{c} + 1)·{f}"
        parts:
          - {id: a, ask: params, prompt: "Parameters?"}
          - {id: b, ask: output_shape, prompt: "Shape?"}
"""


def test_same_seed_same_variant_and_parts_share_it(tmp_path):
    bank = _bank_from(COMPUTED, tmp_path)
    a, b = bank.questions
    assert a.draw(5).prompt == a.draw(5).prompt
    assert a.draw(5).values == b.draw(5).values  # one seed, one variant for the whole item
    prompts = {a.draw(s).prompt for s in range(20)}
    assert len(prompts) > 5
    assert a.draw(5).explanation.startswith(f"({a.draw(5).values['k']}·")


def test_invalid_variants_are_redrawn_deterministically(tmp_path):
    bank = _bank_from(COMPUTED, tmp_path)
    q = bank.questions[1]
    for seed in range(40):
        item = q.draw(seed)
        v = item.values
        assert v["h"] >= v["k"]  # a kernel larger than its input is never asked
        assert item.answer_text == f"{v['h'] - v['k'] + 1}x{v['h'] - v['k'] + 1}x{v['f']}"
        assert q.draw(seed).values == v


def test_a_template_without_a_valid_variant_fails_check(tmp_path):
    path = tmp_path / "never.yaml"
    path.write_text(
        textwrap.dedent("""\
        title: t
        questions:
          - id: never
            type: computed
            prompt: "{h}?"
            vars: {h: [1, 2]}
            network: {input: "{h}x{h}x1", layers: [conv: {filters: 1, kernel: 5}]}
            ask: params
            explanation: never works
        """),
        encoding="utf-8",
    )
    report = check_banks([path], verify=False, samples=3)
    assert report.exit_status == 1
    assert [p.line for p in report.errors] == [3]
    assert "no valid variant in 200 draws" in report.errors[0].message


def test_unused_var_is_a_warning(tmp_path):
    text = COMPUTED.replace("c: [1, 3, 16],", "c: [1, 3, 16], unused: [1, 2],")
    (tmp_path / "w.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    _banks, problems = read_banks([tmp_path / "w.yaml"])
    assert [(p.severity, p.line) for p in problems] == [("warning", 6)]
    assert "var unused is never used" in problems[0].message


# --------------------------------------------------------------------------------------------
# Property: whatever the template and the seed, the key grades correct and a perturbed key wrong.

ASK_LIST = [a for a in ASKS if a != "non_trainable_params"]


@st.composite
def computed_question(draw):
    ask = draw(st.sampled_from(ASK_LIST))
    padding = draw(st.sampled_from(["same", "valid", "1"]))
    pool = draw(st.booleans())
    layers = [{"conv": {"filters": "{f}", "kernel": "{k}", "stride": "{s}", "padding": padding}}]
    if pool:
        layers.append({"maxpool": {"size": 2}})
    layers.append({"conv": {"filters": "{g}", "kernel": 3, "padding": "same"}})
    if draw(st.booleans()):
        layers += [{"gap": {}}, {"dense": {"units": "{u}"}}]
    q = {
        "id": "prop",
        "type": "computed",
        "prompt": "{h} {w} {c} {f} {k} {s} {g} {u}",
        "vars": {
            "h": {"range": [1, 300]},
            "w": {"range": [1, 300], "step": 3},
            "c": [1, 3, 64],
            "f": [1, 16, 100],
            "k": [1, 3, 5, 7],
            "s": [1, 2, 3],
            "g": [8, 200],
            "u": [1, 10, 1000],
        },
        "network": {"input": "{h}x{w}x{c}", "layers": layers},
        "ask": ask,
        "explanation": "generated",
    }
    if ASKS[ask].answer == "size":
        q["unit"] = draw(st.sampled_from(["MB", "bytes", "kB", "MiB", "GB"]))
    if ask in ("ram_train", "ram_train_outputs"):
        q["batch"] = draw(st.sampled_from([1, 32, 50]))
        q["optimizer"] = draw(st.sampled_from(["sgd", "momentum", "adam"]))
    if ask not in ("ram_predict", "ram_train") and draw(st.booleans()):
        q["layer"] = draw(st.integers(1, 2))
    return {"title": "property", "questions": [q]}


@pytest.mark.slow  # draws many variants of the bundled banks
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bank=computed_question(), seed=st.integers(0, 10**6))
def test_computed_questions_grade_their_own_key_correct(bank, seed):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "prop.yaml"
        path.write_text(yaml.safe_dump(bank), encoding="utf-8")
        (q,) = load_bank(path).questions
        item = q.draw(seed)
        verdict = grade(item, item.answer_text)
        assert verdict.status == "correct", (item.answer_text, verdict)
        wrong = perturb(item)
        assert grade(item, wrong).status == "wrong", (item.answer_text, wrong)


def test_a_var_the_prompt_never_shows_is_a_warning(tmp_path):
    text = COMPUTED.replace('prompt: "Conv2D({f}, {k}) on', 'prompt: "Conv2D({f}, 3x3) on')
    (tmp_path / "hidden.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    _banks, problems = read_banks([tmp_path / "hidden.yaml"])
    assert {(p.severity, p.line) for p in problems} == {("warning", 5)}
    assert "var k changes the network but the prompt never shows it" in problems[0].message
