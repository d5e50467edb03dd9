"""``--language`` for the app and the quiz, its default from the locale, and the bundled banks
each language asks."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from cnnquiz import i18n
from cnnquiz.bank import bundled_bank_paths
from cnnquiz.cli import build_parser, language

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _english_afterwards():
    """Each test leaves the process speaking English, as it found it."""
    yield
    i18n.use("en")


@pytest.mark.parametrize("command", [["app"], ["quiz"]])
def test_both_faces_take_the_option(command):
    args = build_parser().parse_args([*command, "--language", "nl"])
    assert args.language == "nl"
    assert build_parser().parse_args(command).language is None


def test_an_unknown_language_is_a_one_line_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(["quiz", "--language", "fr"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert "argument --language: invalid choice: 'fr'" in err


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LANG": "nl_NL.UTF-8"}, "nl"),
        ({"LANG": "nl_BE"}, "nl"),
        ({"LANG": "nl_BE.UTF-8@euro"}, "nl"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        ({"LANG": "C"}, "en"),
        ({}, "en"),
        ({"LC_ALL": "nl_NL.UTF-8", "LANG": "en_US.UTF-8"}, "nl"),
        ({"LANGUAGE": "en", "LANG": "nl_NL.UTF-8"}, "en"),
    ],
)
def test_the_default_comes_from_the_locale(monkeypatch, env, expected):
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert language.choose(argparse.Namespace(language=None)) == expected
    assert i18n.current() == expected


def test_the_option_wins_over_the_locale(monkeypatch):
    monkeypatch.setenv("LC_ALL", "nl_NL.UTF-8")
    assert language.choose(argparse.Namespace(language="en")) == "en"
    monkeypatch.setenv("LC_ALL", "C")
    assert language.choose(argparse.Namespace(language="nl")) == "nl"
    assert i18n.current() == "nl"


def test_the_english_banks_never_include_a_translation():
    english = bundled_bank_paths()
    assert english == bundled_bank_paths("en")
    assert english, "the English banks are bundled"
    assert all(p.parent.name == "questions" for p in english)
    assert all(p.name != "goals.yaml" for p in english)


def test_dutch_banks_are_the_nl_folder_without_its_goals():
    dutch = bundled_bank_paths("nl")
    assert all(p.parent.name == "nl" and p.parent.parent.name == "questions" for p in dutch)
    assert all(p.name != "goals.yaml" for p in dutch)
    assert dutch == sorted(
        p for p in (ROOT / "questions" / "nl").glob("*.y*ml") if p.name != "goals.yaml"
    )


@pytest.mark.parametrize("odd", ["", "../questions", "nl/..", "en_US", "."])
def test_a_language_is_never_a_path(odd):
    assert bundled_bank_paths(odd) == []


def test_a_language_without_bundled_banks_asks_the_english_ones(monkeypatch, capsys):
    from cnnquiz.bank import files

    real = files.bundled_bank_paths
    monkeypatch.setattr(
        files, "bundled_bank_paths", lambda lang="en": [] if lang == "nl" else real(lang)
    )
    assert language.bundled_banks("nl") == real("en")
    assert capsys.readouterr().err == (
        "cnnquiz: warning: no Dutch banks are bundled; asking the English ones\n"
    )
    assert language.bundled_banks("en") == real("en")
    assert capsys.readouterr().err == ""


def test_quiz_language_through_the_command_line(cli, tmp_path):
    out = cli("quiz", "--plain", "--language", "xx", "--no-record")
    assert out.returncode == 2
    assert out.stderr.startswith("cnnquiz quiz: error: argument --language: invalid choice")
    out = cli("--language", "xx")  # the app, through `cnnquiz --option`
    assert out.returncode == 2
    assert "argument --language: invalid choice: 'xx'" in out.stderr


DUTCH = str(ROOT / "tests" / "fixtures" / "banks" / "grading-nl.yaml")


def test_a_dutch_quiz_accepts_numbers_as_the_notes_write_them(cli):
    out = cli(
        "quiz", "--plain", "--language", "nl", "--all", "--seed", "1", "--no-record", DUTCH,
        input="2,800\n2.800\n3,6 MB\n12,6\n150.528\n0,5\n100x150x100\nnee\n",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert (  # the quiz in Dutch too (nl-ui's catalog)
        "> 2,800\nGeen antwoord: '2,800' lees ik als 2,8 (in deze vraag is de komma het "
        "decimaalteken en groepeert een punt de duizendtallen); voor 2800 schrijf je 2800 of "
        "2.800. Probeer opnieuw.\n"
        "> 2.800\nJuist: 2.800\n"
    ) in text
    assert "Juist: 3,6 MB\n" in text
    assert "Juist: 12,6 MB\n" in text
    assert "Juist: 150.528\n" in text
    assert "Juist: 0,5\n" in text
    assert "Juist: onwaar\n" in text
