"""Screens return values and the app decides what comes next: each screen works on its own,
pushed by a bare Textual app with a callback, with no other screen of cnnquiz around it."""

from __future__ import annotations

from textual.app import App
from textual.screen import Screen

from cnnquiz.app.screens.question import QuestionScreen
from cnnquiz.app.screens.results import ResultsScreen
from cnnquiz.study.session import Session
from tests.fakes import FakeProgress, fake_grade, fake_questions, sync


class Harness(App[None]):
    """Pushes one screen and keeps what it is dismissed with."""

    def __init__(self, screen: Screen[object]) -> None:
        super().__init__()
        self.first = screen
        self.returned: list[object] = []

    def on_mount(self) -> None:
        self.push_screen(self.first, self.returned.append)


def session() -> Session:
    questions = [q for q in fake_questions() if q.id in ("q1", "q3")]
    return Session("cram", questions, fake_grade, FakeProgress(), seed=1, clock=lambda: 0.0)


@sync
async def test_the_question_screen_returns_its_session_when_it_is_over():
    s = session()
    app = Harness(QuestionScreen(s))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        first = s.question.id
        await pilot.press(*("2800" if first == "q1" else "b"), "enter", "enter")
        assert not app.returned  # one question left
        await pilot.press("escape")  # end the session here
        await pilot.pause()
        assert app.returned == [s]
        assert s.finished and len(s.answers) == 1


@sync
async def test_the_results_screen_returns_the_retry_session_or_none():
    s = session()
    s.submit("0" if s.item.kind == "numeric" else "true")  # wrong
    s.advance()
    s.finish()
    app = Harness(ResultsScreen(s))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        (retry,) = app.returned
        assert isinstance(retry, Session) and retry.mode == "missed"
        assert [q.id for q in retry.questions] == [a.question.id for a in s.missed() + s.skipped()]

    app = Harness(ResultsScreen(s))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.returned == [None]
