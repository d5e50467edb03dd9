"""The Dutch banks for section 1 of the exam's learning goals (1.1-1.12) and the Flemish notes:
enough of them, Dutch ids, every mirror an English question, every goal of section 1 practised."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cnnquiz.bank import bundled_bank_paths, check_banks, load_banks
from tests.conftest import ROOT

NL = ROOT / "questions" / "nl"
SECTION1 = [
    NL / f"{name}.yaml"
    for name in (
        "tensoren",
        "dense-lagen",
        "gradient-descent",
        "datastreamer",
        "activatiefuncties",
        "verliesfuncties",
        "data-splitsen",
        "gin",
        "geschiedenis",
        "training",
        "vlaamse-notities",
    )
]


@pytest.fixture(scope="module")
def banks():
    return load_banks(SECTION1)


@pytest.fixture(scope="module")
def questions(banks):
    return [q for bank in banks for q in bank.questions]


@pytest.fixture(scope="module")
def english_ids() -> set[str]:
    return {q.id for bank in load_banks(bundled_bank_paths()) for q in bank.questions}


def test_at_least_80_questions_and_16_computed_templates(questions):
    items = {q.group or q.id for q in questions}
    templates = {q.group or q.id for q in questions if q.is_computed}
    assert len(items) >= 80
    assert len(templates) >= 16


def test_the_banks_are_dutch_and_their_ids_say_so(banks, questions):
    assert all(bank.language == "nl" for bank in banks)
    assert all(q.id.startswith("nl-") for q in questions)


def test_every_mirror_names_an_english_question(questions, english_ids):
    mirrored = [q for q in questions if q.mirrors]
    assert len(mirrored) >= 40
    for q in mirrored:
        assert q.mirrors in english_ids, f"{q.id} mirrors {q.mirrors}, which no English bank has"


def test_every_number_or_shape_has_a_hint_and_a_worked_explanation(questions):
    for q in questions:
        if q.kind in ("numeric", "shape"):
            assert q.hints, f"{q.id}: no hint"
            assert q.draw(0).explanation.strip(), f"{q.id}: no explanation"


def test_answer_keys_are_numbers_not_dutch_strings():
    """Keys are YAML numbers (3.6 with unit MB), never '3,6 MB' or '2.800': the language decides
    how a student's answer is read, not how the key is written."""
    for path in SECTION1:
        for q in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            for item in [q, *q.get("parts", [])]:
                if item.get("type", q["type"]) == "numeric" and "answer" in item:
                    assert isinstance(item["answer"], int | float), f"{path.name}: {item['id']}"


def test_goals_of_section_1_are_all_practised(questions):
    goals = yaml.safe_load((NL / "goals.yaml").read_text(encoding="utf-8"))["goals"]
    numbers = [g["number"] for g in goals]
    assert numbers == [f"1.{i}" for i in range(1, 13)] + [f"2.{i}" for i in range(1, 14)]
    ids = {q.group or q.id for q in questions}
    for goal in goals[:12]:
        assert goal["description"].strip()
        assert goal["questions"], f"goal {goal['number']} has no question"
        for qid in goal["questions"]:
            assert qid in ids, f"goal {goal['number']} names {qid}, which no bank has"


@pytest.mark.slow  # builds every network in torch
def test_bank_check_proves_every_key_with_torch():
    pytest.importorskip("torch")
    report = check_banks([Path(p) for p in SECTION1], verify=True, samples=5)
    assert report.exit_status == 0, report.problems
    assert not report.problems
