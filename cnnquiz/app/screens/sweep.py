"""The sweep view: a ``cnnquiz tune`` sweep's trials best first, each with its learning curve.

Opened from the Train screen (Ctrl+S) on the newest sweep; ``[`` and ``]`` step to older and
newer ones. The table is the one ``cnnquiz runs --sweep`` prints (``cnnquiz.lab.record.table``),
with a sparkline per trial: its validation accuracy after each epoch, on one scale from 0 to
100 % so that trials compare at a glance. Reads ``sweep.json`` only: no torch.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from cnnquiz.errors import CnnquizError
from cnnquiz.lab import record
from cnnquiz.textsafe import printable

BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float], low: float = 0.0, high: float = 1.0) -> str:
    """One block per value, its height where the value lies from ``low`` to ``high``."""
    span = high - low
    out = []
    for v in values:
        level = 0 if span <= 0 else round((min(max(v, low), high) - low) / span * (len(BARS) - 1))
        out.append(BARS[level])
    return "".join(out)


def _pct(x: Any) -> str:
    return f"{100 * x:.1f}%" if isinstance(x, int | float) else "-"


def _right(text: str) -> Text:
    return Text(printable(text), justify="right")


class SweepScreen(Screen):
    """A sweep's table, best first, with a validation-accuracy sparkline per trial."""

    CSS_PATH = "sweep.tcss"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("left_square_bracket", "step(-1)", "Older"),
        Binding("right_square_bracket", "step(1)", "Newer"),
    ]

    def __init__(self, root: Path, folder: Path | None = None) -> None:
        super().__init__()
        self.root = root  # the runs folder: its sweeps/ holds the sweeps
        self.folder = folder  # None: the newest

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="sweep-title")
        yield DataTable(id="sweep-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="sweep-verdict")
        yield Footer()

    def on_mount(self) -> None:
        found = record.list_sweeps(self.root)
        if self.folder is None and found:
            self.folder = found[-1]
        self.show()

    def action_step(self, delta: int) -> None:
        found = record.list_sweeps(self.root)
        if not found:
            return
        at = found.index(self.folder) if self.folder in found else len(found) - 1
        self.folder = found[max(0, min(len(found) - 1, at + delta))]
        self.show()

    def show(self) -> None:
        title = self.query_one("#sweep-title", Static)
        table = self.query_one("#sweep-table", DataTable)
        verdict = self.query_one("#sweep-verdict", Static)
        table.clear(columns=True)
        if self.folder is None:
            title.update(
                Text(
                    "No sweeps yet. On the command line: cnnquiz tune --demo "
                    "--grid 'train.lr=0.01,0.003' --epochs 3",
                    style="italic",
                )
            )
            verdict.update("")
            return
        try:
            data = record.load(self.folder)
        except CnnquizError as exc:
            title.update(Text(str(exc), style="bold red"))
            verdict.update("")
            return
        self._fill(table, data)
        found = record.list_sweeps(self.root)
        where = f"{found.index(self.folder) + 1} of {len(found)}" if self.folder in found else ""
        title.update(
            Text.assemble(
                (f"Sweep {printable(str(data.get('id', self.folder.name)))}", "bold"),
                f"  {data.get('kind', '?')}, {len(data['trials'])} trials, "
                f"{printable(str(data.get('status', '?')))}",
                (f"   ({where})" if where else "", "dim"),
            )
        )
        verdict.update(Text("\n".join(record.verdict(data))))

    @staticmethod
    def _fill(table: DataTable, data: dict[str, Any]) -> None:
        t = record.table(data)
        table.add_columns("#", "trial", *(printable(s) for s in t.short))
        table.add_columns("val acc", "curve", "params", "time")
        rank = 0
        for row in t.rows:
            finished = row.get("status") == "finished"
            rank += finished
            curve = [float(v) for v in row.get("val_curve") or [] if isinstance(v, int | float)]
            table.add_row(
                str(rank) if finished else "",
                str(row.get("trial", "?")),
                *(printable(row["values"].get(n, "-")) for n in t.names),
                _right(_pct(row.get("val_accuracy")) if finished else str(row.get("status"))),
                Text(sparkline(curve), style="green"),
                _right(f"{int(row.get('parameters') or 0):,}"),
                _right(f"{float(row.get('seconds') or 0):.1f} s"),
            )
