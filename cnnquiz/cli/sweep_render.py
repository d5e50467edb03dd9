"""Rich output of ``tune`` and ``runs --sweep``: progress per trial, the table best first."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

from cnnquiz.cli.common import console, print_json, print_table
from cnnquiz.cli.train_render import ProgressReporter
from cnnquiz.lab import record
from cnnquiz.lab.sweep import SweepReporter
from cnnquiz.net.units import fmt_count, fmt_int
from cnnquiz.textsafe import printable

if TYPE_CHECKING:
    from cnnquiz.lab.record import TrialRecord
    from cnnquiz.lab.space import Trial
    from cnnquiz.lab.sweep import Sweep

_console = console()


def _pct(x: Any) -> str:
    return f"{100 * x:.1f}%" if isinstance(x, int | float) else "-"


def header(sweep: Sweep) -> None:
    d = sweep.data
    n = len(sweep.trials)
    what = "Grid search" if sweep.kind == "grid" else "Random search"
    source = "the embedded shapes" if d.source == "demo" else printable(d.source)
    test = len(d.test) if d.test is not None else 0
    _console.print(
        f"[bold]{what}[/]: {fmt_count(n, 'trial')} on {source}. Each trains on the "
        f"{fmt_int(len(d.train))} training images and is compared on the "
        f"{fmt_int(len(d.valid))} validation images; "
        + (
            f"the {fmt_int(test)} test images wait for the best trial alone."
            if test
            else "this data has no test split."
        ),
        highlight=False,
    )


class SweepProgress(SweepReporter):
    """``trial k of n`` with the best so far, each trial's epochs, and Ctrl+C between trials."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.stop = False
        self.epochs: ProgressReporter | None = None

    def interrupt(self, _signum: int, _frame: Any) -> None:
        """The first Ctrl+C stops after this trial; the second stops the trial now."""
        if self.stop:
            raise KeyboardInterrupt
        self.stop = True
        print(
            "cnnquiz: stopping after this trial (Ctrl+C again stops it now)",
            file=sys.stderr,
            flush=True,
        )

    def stop_requested(self) -> bool:
        return self.stop

    def trial_start(self, k: int, n: int, trial: Trial, best: TrialRecord | None) -> None:
        if self.quiet:
            return
        so_far = f"best so far: trial {best.trial}, {_pct(best.val_accuracy)}" if best else ""
        _console.print(
            Text.assemble(
                (f"Trial {k} of {n}", "bold"),
                f"  {printable(', '.join(trial.bindings))}",
                (f"   {so_far}" if so_far else "", "dim"),
            )
        )

    def loop_reporter(self) -> ProgressReporter | None:
        self.close()
        if self.quiet:
            return None
        self.epochs = ProgressReporter()
        return self.epochs

    def trial_end(self, done: TrialRecord, best: TrialRecord | None) -> None:
        self.close()
        if self.quiet:
            return
        result = (
            f"validation accuracy {_pct(done.val_accuracy)}"
            if done.status == "finished"
            else done.status
        )
        _console.print(f"  trial {done.trial}: {result} ({done.seconds:.1f} s)")

    def close(self) -> None:
        if self.epochs is not None:
            self.epochs.progress.stop()
            self.epochs = None


def sweep_table(data: dict[str, Any]) -> None:
    """The trials best first: their settings, validation accuracy, parameters and seconds."""
    t = record.table(data)
    _console.print(
        f"[bold]Sweep {printable(str(data.get('id', '?')))}[/]: "
        f"{fmt_count(len(t.rows), 'trial')}, best first ({printable(str(data.get('status')))})",
        highlight=False,
    )
    table = Table(box=None, pad_edge=False)
    table.add_column("#", justify="right")
    table.add_column("trial", justify="right")
    for title in t.short:
        table.add_column(printable(title))
    for col in ("val acc", "params", "time"):
        table.add_column(col, justify="right")
    rank = 0
    for row in t.rows:
        finished = row.get("status") == "finished"
        rank += finished
        table.add_row(
            str(rank) if finished else "",
            str(row.get("trial", "?")),
            *(Text(printable(row["values"].get(name, "-"))) for name in t.names),
            _pct(row.get("val_accuracy")) if finished else printable(str(row.get("status"))),
            fmt_int(int(row.get("parameters") or 0)),
            f"{float(row.get('seconds') or 0):.1f} s",
        )
    print_table(_console, table, optional=("time", "params"))


def footer(data: dict[str, Any], folder: Path) -> None:
    """The best trial, its one look at the test split, and where the sweep is kept."""
    for line in record.verdict(data):
        _console.print(Text(line))
    _console.print(f"[bold]Sweep[/] {printable(str(folder))}", highlight=False)


def show_sweep(target: str, root: Path, as_json: bool) -> int:
    """``cnnquiz runs --sweep LAST|ID``: the table again, or the record as JSON."""
    folder = record.resolve(target, root)
    data = record.load(folder)
    if as_json:
        print_json(data | {"folder": str(folder), "trials": record.ranked(data["trials"])})
        return 0
    sweep_table(data)
    footer(data, folder)
    return 0
