"""The Dutch banks against the exam's learning goals (``questions/nl/goals.yaml``) and against the
English banks they mirror.

The goal numbers are those of the exam's list of learning goals (the course's seeds/002, sections
1 and 2), copied here: the list is not part of the repository.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from cnnquiz import yamlio
from cnnquiz.bank import bundled_bank_paths, load_banks

ROOT = Path(__file__).resolve().parents[2]
GOALS_FILE = ROOT / "questions" / "nl" / "goals.yaml"
EXAM_GOALS = [f"1.{n}" for n in range(1, 13)] + [f"2.{n}" for n in range(1, 14)]


@cache
def _banks(language: str) -> list:
    """The bundled banks in ``language``, read once for this module (seconds for all of them)."""
    return load_banks(bundled_bank_paths(language))


def _ids(language: str) -> set[str]:
    """Every question id of these banks, and the id of every multi-part item (its group)."""
    questions = [q for bank in _banks(language) for q in bank.questions]
    return {q.id for q in questions} | {q.group for q in questions if q.group}


@pytest.fixture(scope="module")
def goals() -> list:
    if not GOALS_FILE.is_file():
        pytest.skip("questions/nl/goals.yaml is not written yet")
    data = yamlio.load(GOALS_FILE)
    assert isinstance(data, dict) and isinstance(data.get("goals"), list), (
        "goals.yaml holds `goals:`, a list of {number, description, questions}"
    )
    return data["goals"]


def test_the_exam_goals_are_copied_in_full():
    assert len(EXAM_GOALS) == 25
    assert EXAM_GOALS[11] == "1.12" and EXAM_GOALS[-1] == "2.13"


def test_every_goal_of_the_exam_is_practised(goals):
    practised = {str(g.get("number")): list(g.get("questions") or []) for g in goals}
    missing = [n for n in EXAM_GOALS if n not in practised]
    assert missing == [], f"goals.yaml lacks the goals {missing}"
    empty = [n for n in EXAM_GOALS if not practised[n]]
    assert empty == [], f"no question practises the goals {empty}"


def test_every_goal_has_a_description(goals):
    assert all(str(g.get("description") or "").strip() for g in goals)


@pytest.mark.slow
def test_every_id_a_goal_names_is_a_dutch_question(goals):
    known = _ids("nl")
    unknown = sorted(
        {f"{g['number']}: {qid}" for g in goals for qid in g.get("questions") or []}
        - {
            f"{g['number']}: {qid}"
            for g in goals
            for qid in g.get("questions") or []
            if qid in known
        }
    )
    assert unknown == [], f"goals.yaml names ids no Dutch bank has: {unknown}"


@pytest.mark.slow
def test_every_mirrors_names_an_english_question():
    if not bundled_bank_paths("nl"):
        pytest.skip("no Dutch banks bundled yet")
    english = _ids("en")
    wrong = sorted(
        f"{q.where}: {q.id} mirrors {q.mirrors!r}"
        for bank in _banks("nl")
        for q in bank.questions
        if q.mirrors and q.mirrors not in english
    )
    assert wrong == [], f"mirrors naming no English question: {wrong}"


@pytest.mark.slow
def test_dutch_banks_are_dutch_and_english_banks_english():
    for bank in _banks("nl"):
        assert bank.language == "nl", bank.path
    for bank in _banks("en"):
        assert bank.language == "en", bank.path
