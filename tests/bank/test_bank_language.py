"""A bank's ``language`` reaches each of its questions and items, its own answer strings are read
in it, and a folder's ``goals.yaml`` is not a bank."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from cnnquiz.bank import grade, load_bank, read_banks
from cnnquiz.bank.files import expand_paths
from cnnquiz.bank.keys import NumberKey
from cnnquiz.bank.loader import language_code
from tests.conftest import settled

FIXTURES = Path(__file__).parents[1] / "fixtures" / "banks"

BANK = """\
title: Getallen
language: {language}
questions:
  - id: params
    type: numeric
    prompt: Hoeveel parameters?
    answer: "2.800"
    feedback: {{"2.700": "de bias"}}
    explanation: (3·3·3 + 1)·100
  - id: size
    type: numeric
    prompt: Hoeveel MB?
    answer: "3,6 MB"
    explanation: ongeveer
  - id: tf
    type: truefalse
    prompt: Pooling leert gewichten.
    answer: nee
    explanation: nee
  - id: parts
    type: numeric
    prompt: Twee delen.
    explanation: samen
    parts:
      - {{id: a, answer: "1.500", prompt: Eerste?}}
      - {{id: b, answer: "0,25", prompt: Tweede?}}
"""


def _bank(tmp_path: Path, language: str = "nl"):
    path = tmp_path / "getallen.yaml"
    path.write_text(BANK.format(language=language), encoding="utf-8")
    return load_bank(path)


def _number(question) -> Decimal:
    assert isinstance(question.key, NumberKey)
    return question.key.number


def test_every_question_and_item_has_the_bank_s_language(tmp_path):
    bank = _bank(tmp_path)
    assert bank.language == "nl"
    assert [q.id for q in bank.questions] == ["params", "size", "tf", "parts/a", "parts/b"]
    assert {q.language for q in bank.questions} == {"nl"}
    assert {q.draw(3).question.language for q in bank.questions} == {"nl"}
    english = load_bank(FIXTURES / "grading.yaml")
    assert {q.language for q in english.questions} == {"en"}


def test_a_dutch_bank_s_answers_are_read_the_dutch_way(tmp_path):
    bank = {q.id: q for q in _bank(tmp_path).questions}
    key = bank["params"].key
    assert isinstance(key, NumberKey) and key.number == Decimal(2800)
    assert [t.value for t in bank["params"].traps] == [Decimal(2700)]
    size = bank["size"].key
    assert isinstance(size, NumberKey) and size.number == Decimal(3600000) and size.size
    assert _number(bank["parts/a"]) == Decimal(1500)
    assert _number(bank["parts/b"]) == Decimal("0.25")
    item = bank["params"].draw(0)
    assert item.answer_text == "2.800"
    assert grade(item, "2.700").feedback == "de bias"
    assert grade(item, "2,800").status == "invalid"
    assert bank["tf"].draw(0).answer_text == "onwaar"


def test_the_same_bank_in_english_reads_its_answers_the_english_way(tmp_path):
    bank = {q.id: q for q in _bank(tmp_path, "en").questions}
    assert _number(bank["params"]) == Decimal("2.8")
    assert [t.value for t in bank["params"].traps] == [Decimal("2.7")]
    assert _number(bank["parts/a"]) == Decimal("1.5")
    assert bank["params"].draw(0).answer_text == "2.8"


@pytest.mark.parametrize(
    ("written", "code"),
    [("nl", "nl"), ("NL", "nl"), ("nl-BE", "nl"), ("nl_NL", "nl"), (" en ", "en"), ("", "en")],
)
def test_a_language_tag_is_read_as_its_language(written, code):
    assert language_code(written) == code


def test_a_bank_written_as_nl_be_grades_dutch(tmp_path):
    bank = _bank(tmp_path, "nl-BE")
    assert bank.language == "nl"
    assert _number(bank.questions[0]) == Decimal(2800)


GOALS = """\
# not a bank: the learning goals and the questions that practise them
goals:
  - number: "1.1"
    description: Tensoren
    questions: [params]
"""


def test_a_folder_s_goals_yaml_is_not_a_bank(tmp_path):
    (tmp_path / "getallen.yaml").write_text(BANK.format(language="nl"), encoding="utf-8")
    (tmp_path / "goals.yaml").write_text(GOALS, encoding="utf-8")
    files, problems = expand_paths([tmp_path])
    assert [f.name for f in files] == ["getallen.yaml"]
    assert problems == []
    banks, problems = read_banks([tmp_path])
    assert [b.title for b in banks] == ["Getallen"]
    assert [p for p in problems if p.severity == "error"] == []
    # a shell glob (questions/nl/*.yaml) names it too
    files, problems = expand_paths(sorted(tmp_path.glob("*.yaml")))
    assert [f.name for f in files] == ["getallen.yaml"]


def test_bank_check_on_a_folder_with_goals(cli, tmp_path):
    settled(tmp_path / "getallen.yaml", BANK.format(language="nl"))
    settled(tmp_path / "goals.yaml", GOALS)
    out = cli("bank", "check", "--no-verify", str(tmp_path))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "checked 1 bank: 5 questions" in out.stdout


def test_the_dutch_fixture_passes_bank_check(cli):
    out = cli("bank", "check", "--no-verify", str(FIXTURES / "grading-nl.yaml"))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "OK: 0 errors, 0 warnings" in out.stdout


def test_a_cached_dutch_bank_keeps_its_language(tmp_path):
    from cnnquiz.study.load import load_for_study

    path = settled(tmp_path / "getallen.yaml", BANK.format(language="nl"))
    for _ in range(2):  # parsed, then from the cache
        banks, warnings = load_for_study([path])
        assert warnings == []
        assert {q.language for q in banks[0].questions} == {"nl"}
        assert banks[0].questions[0].draw(0).answer_text == "2.800"
