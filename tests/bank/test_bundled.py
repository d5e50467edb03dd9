"""The banks that ship with cnnquiz: enough of them, covering the syllabus, every key proven."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cnnquiz.bank import bundled_bank_paths, check_banks, grade, load_banks

DATA = Path(__file__).parents[1] / "fixtures" / "banks"


@pytest.fixture(scope="module")
def questions():
    return [q for bank in load_banks(bundled_bank_paths()) for q in bank.questions]


def test_at_least_150_questions_and_30_computed_templates(questions):
    assert len(questions) >= 150
    templates = {q.group or q.id for q in questions if q.is_computed}
    assert len(templates) >= 30


def test_every_question_explains_itself(questions):
    for q in questions:
        assert q.draw(0).explanation.strip(), q.id


@pytest.mark.parametrize(
    "topic",
    ["tensors", "dense layers", "universal approximation", "gradient descent", "batches",
     "activation functions", "loss functions", "optimizers", "regularization", "batch norm",
     "overfitting", "data splits", "hyperparameters", "problem types", "convolution", "padding",
     "stride", "multiplications", "pooling", "flatten", "1x1 convolution", "receptive field",
     "memory", "scaling", "architectures", "transfer learning", "keras", "gin", "mlflow", "history",
     "data preparation", "scaling inputs", "resizing images", "learning rate", "improving a CNN",
     "data augmentation"],
)
def test_the_syllabus_is_covered(questions, topic):
    assert any(topic in q.topics for q in questions), f"no question on {topic}"


@pytest.mark.slow  # bank check in a subprocess
def test_bank_check_proves_every_key_with_torch():
    pytest.importorskip("torch")
    report = check_banks(bundled_bank_paths(), verify=True, samples=5)
    assert report.exit_status == 0, report.problems
    assert not report.problems


@pytest.mark.slow  # bank check in a subprocess
def test_installed_package_finds_its_banks(tmp_path):
    """Run from a folder outside the repository: the package's own copy of the banks is used."""
    out = subprocess.run(
        [sys.executable, "-m", "cnnquiz", "bank", "check", "--no-verify", "--json"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["counts"]["questions"] >= 150


# --------------------------------------------------------------------------------------------
# Hints: every question with a figure to find has one, and none gives the figure away

HINT_SEEDS = range(20)  # the variants of a computed question a hint is checked against
_NUMBER = re.compile(r"\d{1,3}(?:[,\u202f\u2009]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_SHAPE = re.compile(r"\d+(?:\s*[x×]\s*\d+)+")
_UNIT_AFTER = re.compile(r"\s*(bytes|byte|[kKMG]i?B)\b")


_OPERATOR = "+-−·*/×^"


def _operand(hint: str, start: int, end: int) -> bool:
    """A number written next to an arithmetic operator is a term of a formula (the 1 of
    ``(out − 1)·stride``), not a figure the hint states."""
    before, after = hint[:start].rstrip()[-1:], hint[end:].lstrip()[:1]
    return bool(before and before in _OPERATOR or after and after in _OPERATOR)


def _figures_in(hint: str, kind: str) -> list[str]:
    """Every figure a student could copy from ``hint`` as an answer to a ``kind`` question."""
    numbers = [m for m in _NUMBER.finditer(hint) if not _operand(hint, m.start(), m.end())]
    if kind == "shape":
        return [m.group(0) for m in _SHAPE.finditer(hint)] + [m.group(0) for m in numbers]
    out = []
    for m in numbers:
        out.append(m.group(0))
        unit = _UNIT_AFTER.match(hint, m.end())
        if unit:
            out.append(f"{m.group(0)} {unit.group(1)}")
    return out


def _leaks(item) -> list[str]:
    """The hints of ``item`` that contain a figure the grader marks correct."""
    return [
        f"{item.question.id} (seed {item.seed}): hint {hint!r} contains {figure!r}, the answer "
        f"{item.answer_text}"
        for hint in item.hints
        for figure in _figures_in(hint, item.kind)
        if grade(item, figure).status == "correct"
    ]


def test_every_figure_question_has_a_hint(questions):
    """A numeric, shape or computed question (or part) gets a hint that points at the method."""
    missing = [
        f"{q.where} {q.id}"
        for q in questions
        if (q.kind in ("numeric", "shape") or q.is_computed) and not q.hints
    ]
    assert not missing, f"{len(missing)} without a hint:\n" + "\n".join(missing)


def test_no_hint_gives_the_answer_away(questions):
    leaks = []
    for q in questions:
        if q.kind not in ("numeric", "shape") or not q.hints:
            continue
        for seed in HINT_SEEDS if q.is_computed else (0,):
            leaks += _leaks(q.draw(seed))
    assert not leaks, "\n".join(leaks)


def test_the_hint_leak_check_catches_a_leak():
    """The check above is not vacuous: a hint that states the key is caught, in any spelling."""
    bank = load_banks([DATA / "hint-leaks.yaml"])[0]
    found = {q.id: _leaks(q.draw(0)) for q in bank.questions}
    assert {qid for qid, leaks in found.items() if leaks} == {
        "leak-count", "leak-grouped", "leak-size", "leak-shape", "leak-computed"
    }, found


@pytest.mark.parametrize("computed", [False, True])
def test_multiplications_are_asked_with_valid_padding_too(questions, computed):
    """Learning goal: the multiplications of a conv with `valid` padding (the notes' "dimension − n"),
    not only with `same`: both as a fixed question and as a computed template."""

    def valid_macs(q) -> bool:
        network = q.variant(0).network if q.is_computed else q.network
        convs = [layer for layer in network.layers if getattr(layer, "kind", "") == "conv"]
        return bool(convs) and all(c.padding == "valid" and c.kernel != (1, 1) for c in convs)

    assert any(
        q.ask == "macs" and q.is_computed == computed and valid_macs(q)
        for q in questions
    )
