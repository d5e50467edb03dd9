"""Issue 9 ("Trust") as a student meets the app: each test drives the app with keys (Pilot)."""

from __future__ import annotations

from pathlib import Path

from app_fakes import FakeProgress, sync
from textual import events

from cnnquiz.app import make_app

MINI = Path(__file__).parent / "data" / "app" / "mini.yaml"


def app_with(path: Path = MINI, progress=None, **kw):  # noqa: ANN001, ANN201
    return make_app(
        [path],
        progress=progress if progress is not None else FakeProgress(),
        seed=1,
        clock=lambda: 0.0,
        **kw,
    )


def send_at_once(app, *keys: str) -> None:  # noqa: ANN001
    """Keys as a fast typist or a terminal's buffered input sends them: no pause in between
    (``pilot.press`` waits for the app to settle after each key)."""
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(app)
        app._driver.send_message(event)


@sync
async def test_palette_then_pagedown_at_once_does_not_crash():
    """Textual 8.2.8's OptionList._move_page raised KeyError: 0 and took the app down."""
    app = app_with()
    async with app.run_test(size=(80, 24)) as pilot:
        send_at_once(app, "ctrl+p", "pagedown")
        await pilot.pause()
        await pilot.pause()
        assert type(app.screen).__name__ == "CommandPalette"
        await pilot.press("pagedown")  # laid out now: the page move works
        await pilot.press("escape")
        assert type(app.screen).__name__ == "HomeScreen"
    assert app.return_code in (None, 0) and not app._exit_renderables


def text_of(widget) -> str:  # noqa: ANN001
    return str(widget.render())


async def _cram_until(pilot, qid: str) -> None:  # noqa: ANN001
    await pilot.press("c")
    while pilot.app.screen.session.question.id != qid:
        await pilot.press("ctrl+s")


@sync
async def test_multi_answer_letters_move_and_space_ticks():
    """``b Space c Space Enter`` answers B and C (it gave "Invalid: empty answer")."""
    progress = FakeProgress()
    app = app_with(progress=progress)
    async with app.run_test(size=(100, 30)) as pilot:
        await _cram_until(pilot, "mini-trainable")
        choices = app.screen.query_one("#q-choices")
        await pilot.press("c")
        assert choices.highlighted == 2
        await pilot.press("space")
        assert choices.selected == [2]  # C, not A
        await pilot.press("space", "b", "space", "c", "space", "enter")
        verdict = text_of(app.screen.query_one("#q-verdict"))
        assert "Wrong" in verdict and "Invalid" not in verdict
    assert [(r[0], r[1], r[2]) for r in progress.records] == [("mini-trainable", "wrong", "B, C")]


@sync
async def test_multi_answer_by_letters_can_be_right_in_any_order():
    progress = FakeProgress()
    app = app_with(progress=progress)
    async with app.run_test(size=(100, 30)) as pilot:
        await _cram_until(pilot, "mini-trainable")
        await pilot.press("B", "space", "a", "space", "enter")
        assert "Correct" in text_of(app.screen.query_one("#q-verdict"))
    assert [r[2] for r in progress.records] == ["A, B"]


@sync
async def test_single_choice_letter_still_only_moves_then_enter_answers():
    progress = FakeProgress()
    app = app_with(progress=progress)
    async with app.run_test(size=(100, 30)) as pilot:
        await _cram_until(pilot, "mini-loss")
        await pilot.press("c")
        assert app.screen.query_one("#q-verdict").render().plain == ""
        await pilot.press("enter")
        assert "Correct" in text_of(app.screen.query_one("#q-verdict"))
    assert [r[2] for r in progress.records] == ["Categorical cross-entropy"]
