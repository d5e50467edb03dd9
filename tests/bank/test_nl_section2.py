"""The Dutch banks for the exam's learning goals 2.1-2.13 (issue 14): enough of them, in Dutch, every
figure question with a hint and a worked explanation, every `mirrors:` naming an English question,
number keys written as YAML numbers, and every goal of section 2 practised by questions that exist."""

from __future__ import annotations

import pytest
import yaml

from cnnquiz.bank import bundled_bank_paths, check_banks, load_banks
from tests.bank.test_bundled import HINT_SEEDS, _leaks
from tests.conftest import ROOT

NL = ROOT / "questions" / "nl"
SECTION_2 = [
    NL / f"{name}.yaml"
    for name in (
        "verliesfuncties-keuze",
        "schaling",
        "convolutie",
        "geheugen",
        "pooling",
        "stride-padding",
        "conv1x1",
        "architecturen",
        "overfitting",
        "configureerbaar-cnn",
        "mlflow-gin",
        "probleemtypes",
        "dimensies",
    )
]


@pytest.fixture(scope="module")
def banks():
    return load_banks(SECTION_2)


@pytest.fixture(scope="module")
def questions(banks):
    return [q for bank in banks for q in bank.questions]


def _raw_items() -> list[dict]:
    """The items as written, before the loader merges defaults and parts."""
    return [q for path in SECTION_2 for q in yaml.safe_load(path.read_text("utf-8"))["questions"]]


def test_at_least_80_questions_and_18_computed_templates_all_in_dutch(banks):
    items = _raw_items()
    assert len(items) >= 80
    assert sum(q["type"] == "computed" for q in items) >= 18
    assert {bank.language for bank in banks} == {"nl"}
    assert all(q["id"].startswith("nl-") for q in items)


def test_every_mirror_names_an_english_question(questions):
    english = {q.id for bank in load_banks(bundled_bank_paths()) for q in bank.questions}
    mirrors = [q.mirrors for q in questions if q.mirrors]
    assert len(mirrors) >= 80  # parts included: most questions have an English twin
    assert sorted(set(mirrors) - english) == []


def test_every_figure_question_has_a_hint_and_a_worked_explanation(questions):
    bare = [
        q.id
        for q in questions
        if (q.kind in ("numeric", "shape") or q.is_computed)
        and not (q.hints and q.draw(0).explanation.strip())
    ]
    assert bare == []


def test_no_hint_gives_the_answer_away(questions):
    leaks = []
    for q in questions:
        if q.kind in ("numeric", "shape") and q.hints:
            for seed in HINT_SEEDS if q.is_computed else (0,):
                leaks += _leaks(q.draw(seed))
    assert leaks == []


def test_number_keys_are_yaml_numbers_not_dutch_strings():
    """``answer: 3.6`` with ``unit: MB``, never ``"3,6 MB"`` or ``"2.800"``: the key must not depend
    on which convention reads it."""
    written = [
        (q["id"], part.get("id"), part["answer"])
        for q in _raw_items()
        for part in [q, *q.get("parts", [])]
        if part.get("type", q["type"]) == "numeric" and "answer" in part
    ]
    assert len(written) >= 30
    assert [w for w in written if not isinstance(w[2], int | float)] == []


def test_goals_2_1_to_2_13_are_practised_by_questions_that_exist():
    goals = yaml.safe_load((NL / "goals.yaml").read_text("utf-8"))["goals"]
    section_2 = {g["number"]: g["questions"] for g in goals if g["number"].startswith("2.")}
    assert sorted(section_2, key=lambda n: int(n.split(".")[1])) == [f"2.{i}" for i in range(1, 14)]
    ids = {
        q["id"]
        for path in NL.glob("*.yaml")
        if path.name != "goals.yaml"
        for q in yaml.safe_load(path.read_text("utf-8"))["questions"]
    }
    assert {n: [] for n, qs in section_2.items() if not qs} == {}
    assert {n: sorted(set(qs) - ids) for n, qs in section_2.items() if set(qs) - ids} == {}
    practised = {qid for qs in section_2.values() for qid in qs}
    assert sorted({q["id"] for q in _raw_items()} - practised) == []


@pytest.mark.slow  # builds every network of every variant in torch
def test_bank_check_proves_every_key_with_torch():
    pytest.importorskip("torch")
    report = check_banks(SECTION_2, verify=True, samples=5)
    assert report.exit_status == 0, report.problems
    assert not report.problems
