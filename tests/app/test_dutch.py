"""The app in Dutch (``cnnquiz --language nl``): snapshots of the home and question screens at
80x24 and a Pilot run through a Dutch bank. The language is chosen before the app is made, as
the command line does; bindings made at import in English are labelled in Dutch when shown.

Regenerate the snapshots with ``pytest tests/app/test_dutch.py --snapshot-update``."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static

from cnnquiz import i18n
from cnnquiz.app import make_app
from cnnquiz.app.registry import SCREENS
from tests.fakes import FakeProgress, sync

pytestmark = pytest.mark.slow  # renders and drives the app with Textual: seconds a test

MINI_NL = Path(__file__).parents[1] / "fixtures" / "app" / "mini-nl.yaml"


@pytest.fixture(autouse=True)
def _dutch():
    i18n.use("nl")
    yield
    i18n.use("en")


@pytest.fixture(autouse=True)
def _still_cursor(monkeypatch):
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


@pytest.fixture(autouse=True)
def _built_in_screens_only(monkeypatch):
    for name in [n for n in SCREENS if n not in ("home", "calculator", "stats")]:
        monkeypatch.delitem(SCREENS, name)


def dutch_app(progress=None):
    if progress is None:
        progress = FakeProgress(due=["mini-nl-pooling"])
        progress.record("mini-nl-parameters", "Mini", ["convolutie"], "correct", "2800")
    return make_app([MINI_NL], progress=progress, seed=1, clock=lambda: 0.0)


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.pause()


async def _to(pilot, question_id: str) -> None:
    await pilot.press("c")
    while pilot.app.screen.session.question.id != question_id:
        await pilot.press("ctrl+s")


def test_home(snap_compare):
    assert snap_compare(dutch_app(), terminal_size=(80, 24), run_before=_settle)


def test_question(snap_compare):
    async def run_before(pilot) -> None:
        await _to(pilot, "mini-nl-parameters")
        await _settle(pilot)

    assert snap_compare(dutch_app(), terminal_size=(80, 24), run_before=run_before)


def test_question_wrong_with_the_calculators_feedback(snap_compare):
    async def run_before(pilot) -> None:
        await _to(pilot, "mini-nl-parameters")
        await pilot.press("ctrl+g", *"2700", "enter")
        await _settle(pilot)

    assert snap_compare(dutch_app(), terminal_size=(80, 24), run_before=run_before)


def text_of(widget: Static) -> str:
    return str(widget.render())


@sync
async def test_answering_dutch_questions():
    progress = FakeProgress()
    app = dutch_app(progress)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("c")
        await _settle(pilot)
        screen = app.screen
        session = screen.session
        assert text_of(screen.query_one("#q-status")).startswith(
            "Stampen · vraag 1 van 4 · score 0/0"
        )
        while not session.finished:
            await ANSWER[session.question.id](pilot, screen)
        results = app.screen
        assert type(results).__name__ == "ResultsScreen"
        headline = text_of(results.query_one("#results-score"))
        assert headline.startswith("Resultaten Stampen  3 / 4  (75%)  ·  tijd 0:00")
        assert text_of(results.query_one("#results-missed-title")) == "Gemist (1)"
    assert sorted((r[0], r[1]) for r in progress.records) == [
        ("mini-nl-parameters", "wrong"),
        ("mini-nl-pooling", "correct"),
        ("mini-nl-uitvoervorm", "correct"),
        ("mini-nl-verlies", "correct"),
    ]
    assert [r[1] for r in progress.rerated] == ["easy"]


async def _parameters(pilot, screen) -> None:
    """Invalid, then the forgotten bias: the calculator's trap, said in Dutch."""
    assert screen.query_one("#q-input", Input).placeholder == "een getal, bv. 2800, 2,8k of 3,6 MB"
    await pilot.press(*"2.8 bananen", "enter")
    verdict = text_of(screen.query_one("#q-verdict"))
    assert verdict.startswith("Ongeldig: ") and verdict.endswith(" (kost niets: probeer opnieuw)")
    await pilot.press("ctrl+a", "ctrl+k", *"2700", "enter")
    verdict = text_of(screen.query_one("#q-verdict"))
    assert verdict.startswith("✘ Fout  verwacht ")
    assert (
        "je bent de bias vergeten: 2.700 + 100 = 2.800 (één bias per filter of neuron)" in verdict
    )
    await pilot.press("enter")  # Volgende


async def _loss(pilot, screen) -> None:
    await pilot.press("c", "enter")
    verdict = text_of(screen.query_one("#q-verdict"))
    assert verdict.startswith("✔ Juist  C) Categorische kruisentropie")
    assert "h Moeilijk · e Makkelijk · Enter volgende" in verdict
    await pilot.press("e", "enter")  # Makkelijk, then Volgende


async def _pooling(pilot, screen) -> None:
    choices = screen.query_one("#q-choices")
    assert [str(choices.get_option_at_index(i).prompt) for i in range(2)] == [
        "A) Waar",
        "B) Onwaar",
    ]
    await pilot.press("b", "enter")  # Onwaar: graded as false
    assert text_of(screen.query_one("#q-verdict")).startswith("✔ Juist")
    await pilot.press("enter")


async def _shape(pilot, screen) -> None:
    assert screen.query_one("#q-input", Input).placeholder == "een vorm, bv. 100x150x100"
    await pilot.press(*screen.session.item.answer_text, "enter")
    assert text_of(screen.query_one("#q-verdict")).startswith("✔ Juist")
    await pilot.press("enter")


ANSWER = {
    "mini-nl-parameters": _parameters,
    "mini-nl-verlies": _loss,
    "mini-nl-pooling": _pooling,
    "mini-nl-uitvoervorm": _shape,
}
