"""The plain quiz in Dutch: its own sentences, the command words in Dutch (the English ones still
work), the calculator's targeted feedback translated when it is shown, the score."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from cnnquiz import i18n
from cnnquiz.bank import load_bank
from cnnquiz.cli.quiz import run_plain

MINI_NL = Path(__file__).parents[1] / "fixtures" / "app" / "mini-nl.yaml"


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.use("en")


def _quiz(typed: str) -> str:
    questions = load_bank(MINI_NL).questions
    out = io.StringIO()
    run_plain(questions, 1, None, io.StringIO(typed), out)
    return out.getvalue()


def test_a_dutch_quiz_speaks_dutch():
    i18n.use("nl")
    text = _quiz("2700\n?\nc\nonwaar\noverslaan\n")
    assert text.startswith(
        "cnnquiz quiz: 4 vragen (seed 1: --seed 1 herhaalt deze quiz)\n"
        "Typ je antwoord. ? toont een hint, overslaan toont het antwoord, stop (of Ctrl-D) stopt.\n"
    )
    assert "Vraag 1 van 4 · Minibank voor de app-tests · convolutie, parameters\n" in text
    # the trap was made in English when the bank was parsed; it is read, and said, in Dutch
    assert (
        "Waarom: je bent de bias vergeten: 2.700 + 100 = 2.800 (één bias per filter of neuron)\n"
        in text
    )
    assert "Uitleg:\n  (3·3·3 + 1) · 100 = 2.800.\n" in text
    assert "Deze vraag heeft geen hint.\n" in text
    assert "Juist: C) Categorische kruisentropie\n" in text
    assert "Overgeslagen. Het antwoord: " in text
    assert "Score: 2 van 4 juist (50%, 1 overgeslagen)\n" in text


def test_the_english_command_words_work_in_dutch_too():
    i18n.use("nl")
    text = _quiz("hint\nhint\nhint\nskip\nquit\n")
    assert "Hint: Elke filter loopt over alle 3 kanalen.\n" in text
    assert "Hint: Vergeet de bias per filter niet.\n" in text
    assert "Geen hints meer.\n" in text
    assert "Score: 0 van 1 juist (0%, 1 overgeslagen)\n" in text


def test_in_english_the_dutch_words_are_answers():
    """``stop`` quits only in Dutch: in English it is an answer like any other."""
    text = _quiz("stop\nquit\n")
    assert "Not an answer: " in text
    assert "No questions answered.\n" in text


@pytest.mark.slow  # the quiz in a subprocess
def test_language_nl_on_the_command_line(cli):
    out = cli(
        "quiz",
        str(MINI_NL),
        "--plain",
        "--language",
        "nl",
        "--all",
        "--seed",
        "1",
        "--no-record",
        input="2700\n",
    )
    assert out.returncode == 0, out.stderr
    assert "Waarom: je bent de bias vergeten: 2.700 + 100 = 2.800" in out.stdout
    assert "\nScore: 0 van 1 juist (0%)\n  convolutie  0/1    0%\n" in out.stdout
