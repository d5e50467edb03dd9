"""The app driven by key presses (Textual's Pilot): answers, the stored history and schedule,
an exam to the end, the calculator's worked example, tiny terminals, a corrupt database."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from textual.widgets import DataTable, Static

from cnnquiz.app import make_app
from cnnquiz.progress import Progress
from tests.fakes import FakeProgress, agreeing_verdict, calculator_settled, cram_until, sync

pytestmark = pytest.mark.slow  # drives the app with Textual's Pilot: seconds a test


def text_of(widget: Static) -> str:
    return str(widget.render())


MINI = Path(__file__).parents[1] / "fixtures" / "app" / "mini.yaml"


def app_with(progress=None, **kw):
    """The mini bank through the real bank engine; a fixed seed and a clock that stands still."""
    return make_app(
        [MINI],
        progress=progress if progress is not None else Progress(),
        seed=1,
        clock=lambda: 0.0,
        **kw,
    )


@sync
async def test_right_wrong_invalid_are_stored_with_the_schedule():
    progress = Progress()
    app = app_with(progress)
    async with app.run_test(size=(100, 30)) as pilot:
        assert type(app.screen).__name__ == "HomeScreen"
        await pilot.press("p")
        screen = app.screen
        assert type(screen).__name__ == "QuestionScreen"
        assert screen.session.question.id == "mini-params"
        assert "question 1 of 5" in text_of(screen.query_one("#q-status"))
        # a hint, one at a time
        await pilot.press("ctrl+g")
        assert "Each filter spans all 3 channels" in text_of(screen.query_one("#q-hints"))
        assert "bias" not in text_of(screen.query_one("#q-hints"))
        # invalid: nothing stored, same question
        await pilot.press(*"2.8 bananas", "enter")
        assert "Invalid" in text_of(screen.query_one("#q-verdict"))
        assert progress.attempts() == []
        assert screen.session.question.id == "mini-params"
        # right
        await pilot.press("ctrl+a", "ctrl+k", *"2,800", "enter")
        verdict = text_of(screen.query_one("#q-verdict"))
        assert "Correct" in verdict
        assert "score 1/1" in text_of(screen.query_one("#q-status"))
        assert screen.query_one("#q-explanation").display
        await pilot.press("e")  # Easy instead of Good
        await pilot.press("enter")
        # new questions take the topics in turn: pooling next; skipped, it is not stored
        assert screen.session.question.id == "mini-pool"
        await pilot.press("ctrl+s")
        # wrong: a choice by its letter, then Enter; the distractor's own feedback shows
        assert screen.session.question.id == "mini-loss"
        await pilot.press("a", "enter")
        verdict = text_of(screen.query_one("#q-verdict"))
        assert "Wrong" in verdict and "Categorical cross-entropy" in verdict
        assert "regression target" in verdict
        await pilot.press("h")  # Hard is refused after a wrong answer
        await pilot.press("enter")
        assert "score 1/2" in text_of(screen.query_one("#q-status"))
        assert screen.session.question.id == "mini-trainable"
    attempts = progress.attempts()
    assert [(a.question_id, a.verdict, a.answer) for a in attempts] == [
        ("mini-params", "correct", "2,800"),
        ("mini-loss", "wrong", "Mean squared error"),
    ]
    assert [a.rating for a in attempts] == ["easy", "again"]
    now = datetime.now(UTC)
    right, wrong = progress.card("mini-params"), progress.card("mini-loss")
    assert right.reps == 1 and wrong.reps == 1
    assert right.due > wrong.due  # Easy pushes the review further than a wrong answer
    assert right.due - now > timedelta(days=1)
    assert wrong.due - now < timedelta(hours=1)
    assert progress.card("mini-pool") is None
    ids = ["mini-params", "mini-loss", "mini-pool", "mini-conv-shape"]
    assert progress.due(ids, now=now + timedelta(hours=1)) == ["mini-loss"]
    assert progress.new(ids) == ["mini-pool", "mini-conv-shape"]


@sync
async def test_exam_to_the_end_with_its_score():
    progress = Progress()
    app = app_with(progress)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("e")
        assert type(app.screen).__name__ == "ExamSetupScreen"
        await pilot.press("ctrl+a", "ctrl+k", "5", "enter")
        screen = app.screen
        session = screen.session
        assert session.mode == "exam" and session.total == 5
        for _ in range(5):
            qid = session.question.id
            if qid == "mini-params":
                await pilot.press(*"2800", "enter")
            elif qid == "mini-loss":
                await pilot.press("c", "enter")
            elif qid == "mini-pool":
                await pilot.press("enter")  # True, highlighted first: wrong
            elif qid == "mini-trainable":
                await pilot.press("space", "down", "space", "enter")
            else:
                await pilot.press(*session.item.answer_text, "enter")
            # no feedback in an exam: the verdict line stays empty
            if not session.finished:
                assert text_of(app.screen.query_one("#q-verdict")) == ""
        await pilot.pause()
        results = app.screen
        assert type(results).__name__ == "ResultsScreen"
        assert "4 / 5" in text_of(results.query_one("#results-score"))
        table = results.query_one("#results-topics", DataTable)
        rows = {
            str(table.get_row_at(i)[0]): str(table.get_row_at(i)[1]) for i in range(table.row_count)
        }
        assert rows == {
            "convolution": "2/2",
            "losses": "1/1",
            "parameters": "2/2",
            "pooling": "0/1",
            "shapes": "1/1",
        }
        assert "Missed (1)" in text_of(results.query_one("#results-missed-title"))
        await pilot.press("r")  # retry the missed one, with feedback this time
        assert app.screen.session.mode == "missed"
        assert [q.id for q in app.screen.session.questions] == ["mini-pool"]
    assert sorted(a.verdict for a in progress.attempts()) == ["correct"] * 4 + ["wrong"]


@sync
async def test_exam_time_limit_ends_it():
    clock = {"now": 0.0}
    app = make_app([MINI], progress=FakeProgress(), seed=1, clock=lambda: clock["now"])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("e", "tab", "1", "enter")
        screen = app.screen
        assert screen.session.time_limit == 60
        assert "1:00 left" in text_of(screen.query_one("#q-status"))
        await pilot.press(*"2800", "enter")
        clock["now"] = 61.0
        await screen._tick()
        await pilot.pause()
        assert type(app.screen).__name__ == "ResultsScreen"
        assert "answered 1 of 5" in text_of(app.screen.query_one("#results-score"))


@sync
async def test_calculator_reproduces_the_worked_example():
    app = app_with(FakeProgress())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        await calculator_settled(pilot)
        screen = app.screen
        assert type(screen).__name__ == "CalculatorScreen"
        table = screen.query_one("#calc-table", DataTable)
        params = [str(table.get_row_at(i)[3]) for i in range(table.row_count)]
        assert params == ["2,800", "180,200", "720,400", "903,400"]
        ram = text_of(screen.query_one("#calc-ram"))
        assert "3,613,600 bytes" in ram
        assert "6 MB + 3 MB + 3.61 MB = 12.6 MB" in ram
        assert "526 MB" in ram and "36 MB" in ram
        # live: change the last layer and the total follows at once
        layers = screen.query_one("#calc-layers")
        layers.text = "conv 100 k3 s2 same\nconv 200 k3 s2 same"
        await calculator_settled(pilot)
        assert str(table.get_row_at(table.row_count - 1)[3]) == "183,000"
        # a typo is one line naming the layer, and the last good figures stay
        layers.text = "conv 100 k3 s2 same\nconv banana"
        await calculator_settled(pilot)
        assert "layer 2" in text_of(screen.query_one("#calc-error"))
        assert str(table.get_row_at(table.row_count - 1)[3]) == "183,000"
        await pilot.press("ctrl+l")
        await calculator_settled(pilot)
        assert str(table.get_row_at(table.row_count - 1)[3]) == "903,400"


@sync
async def test_calculator_torch_check_agrees():
    pytest.importorskip("torch")
    app = app_with(FakeProgress())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3", "ctrl+r")
        screen = app.screen
        await calculator_settled(pilot)
        await app.workers.wait_for_complete()
        await pilot.pause()
        verdict = text_of(screen.query_one("#calc-verify"))
        assert "torch agrees" in verdict and "903,400" in verdict


@sync
async def test_calculator_stays_live_while_torch_checks(monkeypatch):
    """A slow check (torch importing) must not freeze typing: it runs in a thread worker."""
    release = threading.Event()

    def slow_verify(network, figures):
        release.wait(10)
        return agreeing_verdict(figures)

    monkeypatch.setitem(sys.modules, "cnnquiz.torchcheck.verify", SimpleNamespace(verify=slow_verify))
    app = app_with(FakeProgress())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        # the check is about the worked example's figures: wait for them (a Ctrl+R pressed
        # before they are ready would check whatever is typed by then instead)
        await calculator_settled(pilot)
        await pilot.press("ctrl+r")
        screen = app.screen
        assert "Checking" in text_of(screen.query_one("#calc-verify"))
        # the screen stays live meanwhile: the figures follow the typing
        screen.query_one("#calc-layers").text = "conv 100 k3 s2 same"
        await calculator_settled(pilot)
        table = screen.query_one("#calc-table", DataTable)
        assert str(table.get_row_at(table.row_count - 1)[3]) == "2,800"
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        # the verdict was about the old text: it says so instead of passing for the new one
        assert "changed" in text_of(screen.query_one("#calc-verify"))
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        verdict = text_of(screen.query_one("#calc-verify"))
        assert "torch agrees" in verdict and "2,800" in verdict


@pytest.mark.parametrize("keys", [(), ("p",), ("f3",), ("f4",), ("f5",), ("f1",), ("e",)])
@sync
async def test_tiny_terminal_does_not_crash(keys):
    app = app_with(FakeProgress())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*keys)
        for size in ((20, 8), (10, 3), (120, 40)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
        assert app.is_running


@sync
async def test_corrupt_database_is_moved_aside_with_a_notification(_isolated_home):
    db = _isolated_home / "progress.sqlite3"
    db.write_bytes(b"this is not a database" * 100)
    app = make_app([MINI], seed=1)
    assert app.progress.warning
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert any(
            "moved" in n.message or "corrupt" in n.message.lower() for n in app._notifications
        )
        await pilot.press("p", *"2800", "enter")
        assert "Correct" in text_of(app.screen.query_one("#q-verdict"))
    assert [a.verdict for a in app.progress.attempts()] == ["correct"]
    assert any(p.name != "progress.sqlite3" for p in _isolated_home.iterdir())


@sync
async def test_palette_has_an_entry_per_screen():
    from cnnquiz.app.commands import ScreensProvider

    app = app_with(FakeProgress())
    async with app.run_test(size=(100, 30)) as pilot:
        provider = ScreensProvider(app.screen)
        titles = [hit.text async for hit in provider.discover()]
        assert {"Open Home", "Open Calculator", "Open Stats", "Open Help", "Start Exam"} <= set(
            titles
        )
        hits = [hit async for hit in provider.search("calcul")]
        hits[0].command()
        await pilot.pause()
        assert type(app.screen).__name__ == "CalculatorScreen"


@sync
async def test_help_lists_the_keys_of_every_screen():
    app = app_with(FakeProgress())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f1")
        text = text_of(app.screen.query_one("#help-text"))
        for needle in (
            "Ctrl+G",
            "Hint",
            "Ctrl+R",
            "Verify in torch",
            "Retry the missed",
            "Practice",
        ):
            assert needle in text
        await pilot.press("escape")
        assert type(app.screen).__name__ == "HomeScreen"


def test_first_screen_does_not_import_torch(tmp_path):
    code = """
import asyncio, sys
from cnnquiz.app import make_app

async def main():
    app = make_app(seed=1)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen", app.screen
        await pilot.press("p")
        await pilot.pause()
asyncio.run(main())
print("torch" in sys.modules)
"""
    env = {**os.environ, "CNNQUIZ_HOME": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "False"


@sync
async def test_topic_filter_narrows_the_session():
    app = app_with(FakeProgress())
    async with app.run_test(size=(100, 30)) as pilot:
        assert "5 of 5 questions" in text_of(app.screen.query_one("#home-summary"))
        await pilot.press("t", "a")  # topics list, then none selected
        assert app.topic_filter == set()
        await pilot.press("down", "down", "down", "space")  # the 4th topic: pooling
        assert app.topic_filter == {"pooling"}
        assert "1 of 5 questions" in text_of(app.screen.query_one("#home-summary"))
        await pilot.press("c")
        assert [q.id for q in app.screen.session.questions] == ["mini-pool"]


@sync
async def test_multi_answer_space_ticks_enter_submits():
    progress = Progress()
    app = app_with(progress)
    async with app.run_test(size=(100, 30)) as pilot:
        await cram_until(pilot, "mini-trainable")
        await pilot.press("space", "down", "space", "enter")
        assert "Correct" in text_of(app.screen.query_one("#q-verdict"))
    assert [(a.question_id, a.verdict, a.answer) for a in progress.attempts()] == [
        ("mini-trainable", "correct", "A, B")
    ]


@sync
async def test_new_variant_of_a_computed_question():
    app = app_with(FakeProgress())
    async with app.run_test(size=(100, 30)) as pilot:
        await cram_until(pilot, "mini-conv-shape")
        screen = app.screen
        seen = {screen.session.item.prompt}
        for _ in range(6):
            await pilot.press("ctrl+n")
            seen.add(screen.session.item.prompt)
        assert len(seen) > 1  # 6 variables combinations: some redraw differs
        await pilot.press(*screen.session.item.answer_text, "enter")
        assert "Correct" in text_of(screen.query_one("#q-verdict"))
        await pilot.press("ctrl+n")  # no new variant once answered
        assert screen.answered


@sync
async def test_theme_switch_opens_the_theme_picker():
    app = app_with(FakeProgress())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert type(app.screen).__name__ == "CommandPalette"


@sync
async def test_time_up_under_the_help_screen_still_shows_the_results():
    clock = {"now": 0.0}
    app = make_app([MINI], progress=FakeProgress(), seed=1, clock=lambda: clock["now"])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("e", "tab", "1", "enter")
        question = app.screen
        await pilot.press(*"2800", "enter", "f1")
        assert type(app.screen).__name__ == "HelpScreen"
        clock["now"] = 61.0
        await question._tick()
        await pilot.pause()
        assert type(app.screen).__name__ == "ResultsScreen"
        await pilot.press("escape")
        assert type(app.screen).__name__ == "HomeScreen"


@sync
async def test_calculator_reads_yaml_too():
    app = app_with(FakeProgress())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        await calculator_settled(pilot)
        screen = app.screen
        table = screen.query_one("#calc-table", DataTable)
        layers = screen.query_one("#calc-layers")
        layers.text = (
            "input: 28x28x1\nlayers:\n  - conv: {filters: 32, kernel: 5}\n  - maxpool: {size: 2}"
        )
        await calculator_settled(pilot)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert [r[2] for r in rows[:2]] == ["24x24x32", "12x12x32"]
        assert rows[-1][3] == "832"
        # a YAML list of layers takes the input shape typed above it
        screen.query_one("#calc-input").value = "32x32x3"
        layers.text = (
            "- conv: {filters: 16, kernel: 3, padding: same}\n- gap: {}\n- dense: {units: 10}"
        )
        await calculator_settled(pilot)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert [r[2] for r in rows[:3]] == ["32x32x16", "16", "10"]
        assert rows[-1][3] == "618"  # (27 + 1)·16 + (16 + 1)·10


@sync
async def test_missed_mode_asks_what_was_wrong_last_time():
    progress = Progress()
    app = app_with(progress)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("m")  # nothing missed yet: a notice, no session
        assert type(app.screen).__name__ == "HomeScreen"
        await cram_until(pilot, "mini-params")
        await pilot.press(*"2700", "enter", "enter", "escape")  # wrong, next, end session
        assert type(app.screen).__name__ == "ResultsScreen"
        await pilot.press("escape")
        assert "1 to retry" in str(app.screen.query_one("#modes").get_option("missed").prompt)
        await pilot.press("m")
        assert [q.id for q in app.screen.session.questions] == ["mini-params"]
        await pilot.press(*"2800", "enter")
        assert "Correct" in text_of(app.screen.query_one("#q-verdict"))
    assert progress.missed_last_time() == []


@sync
async def test_cnnquiz_quiz_opens_its_questions_and_closes_after_the_results():
    """``cnnquiz quiz`` on a terminal: the chosen questions at once, no home screen first, and
    leaving the results closes the app with the session kept for the printed score."""
    from cnnquiz.bank import load_bank

    bank = load_bank(MINI)
    chosen = [q for q in bank.questions if q.id in ("mini-pool", "mini-params")]
    progress = Progress()
    app = make_app(banks=[bank], progress=progress, seed=3, clock=lambda: 0.0, quiz=chosen)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert type(screen).__name__ == "QuestionScreen"
        assert screen.session is app.quiz and screen.session.mode == "cram"
        assert [q.id for q in screen.session.questions] == ["mini-params", "mini-pool"]
        await pilot.press(*"2.8k", "enter")
        assert "Correct" in text_of(screen.query_one("#q-verdict"))
        await pilot.press("enter")
        await pilot.press("enter")  # True: wrong
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "ResultsScreen"
        assert app.is_running
        shown = {key: b.binding.description for key, b in app.active_bindings.items()}
        assert shown["escape"] == "Done" and shown["r"] == "Retry"
        await pilot.press("escape")
        await pilot.pause()
        assert not app.is_running
    assert (app.quiz.correct, len(app.quiz.answers)) == (1, 2)
    assert [(a.question_id, a.verdict) for a in progress.attempts()] == [
        ("mini-params", "correct"),
        ("mini-pool", "wrong"),
    ]


@sync
async def test_cnnquiz_quiz_without_recording_stores_nothing():
    from cnnquiz.bank import load_bank

    bank = load_bank(MINI)
    app = make_app(banks=[bank], record=False, seed=3, clock=lambda: 0.0, quiz=bank.questions[:1])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.progress is None
        await pilot.press("escape")  # quit before answering: home is not shown, the app closes
        await pilot.pause()
        assert not app.is_running
    assert app.quiz.answers == []


@sync
async def test_ticks_read_without_colour():
    """An unticked topic or choice shows an empty box, a ticked one an X: not colour alone."""
    app = app_with(FakeProgress())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("t", "space")  # untick the first topic
        topics = app.screen.query_one("#topics")
        first, second = (topics.render_line(i).text for i in (0, 1))
        assert first.startswith("▐ ▌") and second.startswith("▐X▌")


@sync
async def test_an_answer_the_store_refuses_is_announced_and_the_session_goes_on():
    from tests.fakes import held_write_lock

    progress = Progress()
    app = app_with(progress)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("p")
        with held_write_lock(progress):
            await pilot.press(*"2800", "enter")
            await pilot.pause()
        assert "Correct" in text_of(app.screen.query_one("#q-verdict"))
        assert any("answer not saved" in n.message for n in app._notifications)
        await pilot.press("enter", "b", "enter")  # the next answer (False) is stored again
        assert "score 2/2" in text_of(app.screen.query_one("#q-status"))
    assert [a.question_id for a in progress.attempts()] == ["mini-pool"]
