"""Snapshots of every screen at 80x24 and 120x40 (pytest-textual-snapshot).

Deterministic: the mini bank, a fixed seed, a clock that stands still, a fake progress store
with fixed statistics (no dates from today), and no blinking cursor. Regenerate after an
intended change with ``pytest tests/app/test_snapshots.py --snapshot-update`` and look at the
SVGs in ``tests/app/__snapshots__/test_snapshots/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, TextArea

from cnnquiz.app import make_app
from cnnquiz.app.registry import SCREENS
from tests.fakes import FakeProgress, calculator_settled

pytestmark = pytest.mark.slow  # renders every screen with Textual: seconds a test

MINI = Path(__file__).parents[1] / "fixtures" / "app" / "mini.yaml"
RESNET_BLOCK = Path(__file__).parents[2] / "examples" / "resnet-block.yaml"
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture(autouse=True)
def _still_cursor(monkeypatch):
    """The cursor stays on: a blink caught mid-way would make the snapshot flaky."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)


@pytest.fixture(autouse=True)
def _built_in_screens_only(monkeypatch):
    """Screens added later (the training demo's) would change the help and the footer."""
    for name in [n for n in SCREENS if n not in ("home", "calculator", "stats")]:
        monkeypatch.delitem(SCREENS, name)


def snap_app():
    progress = FakeProgress(due=["mini-pool"])
    progress.record("mini-params", "Mini", ["convolution", "parameters"], "correct", "2800")
    progress.record("mini-loss", "Mini", ["losses"], "wrong", "a")
    return make_app([MINI], progress=progress, seed=1, clock=lambda: 0.0)


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
class TestScreens:
    def test_home(self, snap_compare, size):
        assert snap_compare(snap_app(), terminal_size=size, run_before=_settle)

    def test_question(self, snap_compare, size):
        assert snap_compare(snap_app(), press=["c"], terminal_size=size, run_before=_settle)

    def test_question_hint_and_invalid(self, snap_compare, size):
        async def run_before(pilot) -> None:
            await pilot.press("c")
            while pilot.app.screen.session.question.id != "mini-params":
                await pilot.press("ctrl+s")
            await pilot.press("ctrl+g", *"2.8 bananas", "enter")
            await _settle(pilot)

        assert snap_compare(snap_app(), terminal_size=size, run_before=run_before)

    def test_question_wrong_with_feedback(self, snap_compare, size):
        async def run_before(pilot) -> None:
            await pilot.press("c")
            while pilot.app.screen.session.question.id != "mini-loss":
                await pilot.press("ctrl+s")
            await pilot.press("a", "enter")
            await _settle(pilot)

        assert snap_compare(snap_app(), terminal_size=size, run_before=run_before)

    def test_question_correct(self, snap_compare, size):
        async def run_before(pilot) -> None:
            await pilot.press("c")
            while pilot.app.screen.session.question.id != "mini-params":
                await pilot.press("ctrl+s")
            await pilot.press(*"2800", "enter")
            await _settle(pilot)

        assert snap_compare(snap_app(), terminal_size=size, run_before=run_before)

    def test_exam_setup(self, snap_compare, size):
        assert snap_compare(snap_app(), press=["e"], terminal_size=size, run_before=_settle)

    def test_results(self, snap_compare, size):
        async def run_before(pilot) -> None:
            await pilot.press("e", "enter")
            session = pilot.app.screen.session
            while not session.finished:
                item = session.item
                if item.kind in ("choice", "truefalse"):
                    await pilot.press("enter")  # the first choice
                elif item.kind == "multi":
                    await pilot.press("space", "enter")  # the first choice alone: wrong
                else:
                    await pilot.press(*item.answer_text, "enter")
            await _settle(pilot)

        assert snap_compare(snap_app(), terminal_size=size, run_before=run_before)

    def test_calculator(self, snap_compare, size):
        async def run_before(pilot) -> None:
            await pilot.press("f3")
            await calculator_settled(pilot)

        assert snap_compare(snap_app(), terminal_size=size, run_before=run_before)

    def test_calculator_error(self, snap_compare, size):
        async def run_before(pilot) -> None:
            await pilot.press("f3")
            await calculator_settled(pilot)
            pilot.app.screen.query_one("#calc-layers", TextArea).text = "conv 100 k3 s2 same\ndense"
            await calculator_settled(pilot)

        assert snap_compare(snap_app(), terminal_size=size, run_before=run_before)

    def test_calculator_graph(self, snap_compare, size):
        """Two ResNet basic blocks opened from their file: a heading per block use, the From
        column, and the tensors alive at the prediction peak."""

        async def run_before(pilot) -> None:
            await pilot.press("f3")
            await calculator_settled(pilot)
            pilot.app.screen.open_network(str(RESNET_BLOCK))
            await calculator_settled(pilot)

        assert snap_compare(snap_app(), terminal_size=size, run_before=run_before)

    def test_stats(self, snap_compare, size):
        assert snap_compare(snap_app(), press=["f4"], terminal_size=size, run_before=_settle)

    def test_help(self, snap_compare, size):
        assert snap_compare(snap_app(), press=["f1"], terminal_size=size, run_before=_settle)
