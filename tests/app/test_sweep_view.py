"""The Train screen's sweep view: the table best first, a sparkline per trial, older/newer."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from cnnquiz.app import make_app
from cnnquiz.app.screens.sweep import SweepScreen, sparkline
from tests.fakes import FakeProgress, sync

MINI = Path(__file__).parents[1] / "fixtures" / "app" / "mini.yaml"
RUNS = Path(__file__).parents[1] / "fixtures" / "app" / "runs"


def test_sparkline_scales_from_0_to_1() -> None:
    assert sparkline([0.0, 0.5, 1.0, 1.5, -1]) == "▁▅██▁"
    assert sparkline([]) == ""


def _cells(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


@pytest.mark.slow
@sync
async def test_sweep_view_from_the_train_screen(monkeypatch) -> None:
    monkeypatch.setenv("CNNQUIZ_HOME", str(RUNS.parent))  # its runs/ holds two sweeps
    app = make_app([MINI], progress=FakeProgress(), seed=1)
    async with app.run_test(size=(100, 30)) as pilot:
        app.switch_mode("train")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SweepScreen)
        rows = _cells(screen.query_one("#sweep-table", DataTable))
        # best first: trial 4 (70.2%), then 2, 3, 1; each with its three-epoch curve
        assert [r[:5] for r in rows] == [
            ["1", "4", "0.003", "(32, 64)", "70.2%"],
            ["2", "2", "0.01", "(32, 64)", "66.7%"],
            ["3", "3", "0.003", "(16, 32)", "55.5%"],
            ["4", "1", "0.01", "(16, 32)", "40.9%"],
        ]
        assert rows[0][5] == sparkline([0.466, 0.544, 0.702]) and len(rows[0][5]) == 3
        verdict = str(screen.query_one("#sweep-verdict", Static).render())
        assert "Best: trial 4, validation accuracy 70.2%. Test accuracy 66.4%" in verdict
        await pilot.press("left_square_bracket")  # the older, stopped random search
        await pilot.pause()
        rows = _cells(screen.query_one("#sweep-table", DataTable))
        assert rows == [
            ["1", "1", "0.0123", "50.0%", sparkline([0.3, 0.5]), "24,292", "9.5 s"],
            ["", "2", "1.5", "diverged", "", "24,292", "1.2 s"],
        ]
        verdict = str(screen.query_one("#sweep-verdict", Static).render())
        assert verdict.startswith("Stopped after 2 of 3 trials")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "TrainScreen"


@pytest.mark.slow
@sync
async def test_no_sweeps_yet_says_how_to_make_one(tmp_path: Path) -> None:
    app = make_app([MINI], progress=FakeProgress(), seed=1)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(SweepScreen(tmp_path))
        await pilot.pause()
        title = str(app.screen.query_one("#sweep-title", Static).render())
        assert "No sweeps yet" in title and "cnnquiz tune --demo" in title
        assert app.screen.query_one("#sweep-table", DataTable).row_count == 0


@pytest.mark.slow
def test_snapshot_80x24(snap_compare) -> None:
    app = make_app([MINI], progress=FakeProgress(), seed=1, clock=lambda: 0.0)

    async def open_view(pilot) -> None:
        app.push_screen(SweepScreen(RUNS))
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_view)
