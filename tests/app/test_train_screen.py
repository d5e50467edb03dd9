"""The app's Train screen: a tiny run in the worker, live curves, the epoch table, cancel, predict."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from textual.widgets import DataTable, Sparkline, Static

from cnnquiz.app import make_app
from cnnquiz.train import data
from tests.fakes import FakeProgress, sync

pytestmark = pytest.mark.slow  # trains in the app

MINI = Path(__file__).parents[1] / "fixtures" / "app" / "mini.yaml"


@pytest.fixture(autouse=True)
def _tiny_demo(monkeypatch):
    monkeypatch.setattr(data, "DEMO_SPLIT", (320, 64, 64))
    torch.set_num_threads(2)


async def _until(pilot, condition, seconds=60.0):
    for _ in range(int(seconds * 20)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("timed out")


async def _open_train(pilot, app):
    app.switch_mode("train")
    await pilot.pause()
    screen = app.screen
    screen.query_one("#train-epochs").value = "2"
    screen.query_one("#train-batch").value = "32"
    return screen


@sync
async def test_training_runs_in_a_worker_and_predicts():
    app = make_app([MINI], progress=FakeProgress(), seed=1)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_train(pilot, app)
        await pilot.press("ctrl+r")
        await _until(
            pilot,
            lambda: (
                screen.outcome is not None
                or "Error" in str(screen.query_one("#train-status", Static).render())
            ),
        )
        assert screen.outcome is not None
        table = screen.query_one("#train-epochs-table", DataTable)
        assert table.row_count == 2
        assert len(screen.query_one("#train-loss", Sparkline).data) >= 2
        summary = str(screen.query_one("#train-summary", Static).render())
        assert "test accuracy" in summary and str(screen.outcome.run_dir) in summary
        assert (screen.outcome.run_dir / "weights.safetensors").is_file()
        await pilot.press("ctrl+o")
        prediction = screen.query_one("#train-prediction", Static)
        await _until(pilot, lambda: "%" in str(prediction.render()))
        text = str(prediction.render())
        assert "Grad-CAM" in text and "▀" in text


@sync
async def test_cancel_stops_the_run():
    app = make_app([MINI], progress=FakeProgress(), seed=1)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_train(pilot, app)
        screen.query_one("#train-epochs").value = "50"
        await pilot.press("ctrl+r")
        await _until(pilot, lambda: len(screen.losses) >= 1)
        await pilot.press("escape")
        await _until(pilot, lambda: not screen.running)
        assert screen.outcome.result.cancelled
        assert "cancelled" in str(screen.query_one("#train-summary", Static).render())
        assert screen.query_one("#train-epochs-table", DataTable).row_count < 50


@sync
async def test_bad_settings_are_shown_not_raised():
    app = make_app([MINI], progress=FakeProgress(), seed=1)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_train(pilot, app)
        screen.query_one("#train-data").value = "/nonexistent/cars"
        await pilot.press("ctrl+r")
        status = screen.query_one("#train-status", Static)
        await _until(pilot, lambda: "no such folder" in str(status.render()))
        assert not screen.running
