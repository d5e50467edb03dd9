"""Rich output of ``tune`` and ``runs --sweep``: progress per trial, the table best first."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

from cnnquiz.cli.common import console, print_json, print_table
from cnnquiz.cli.train_render import ProgressReporter
from cnnquiz.lab.record import ranked
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


def _short_names(names: list[str]) -> dict[str, str]:
    """``train.lr`` -> ``lr``, unless two parameters would then read the same."""
    last = {n: n.rpartition(".")[2] for n in names}
    counts = list(last.values())
    return {n: (short if counts.count(short) == 1 else n) for n, short in last.items()}


def sweep_table(record: dict[str, Any]) -> None:
    """The trials best first: their settings, validation accuracy, parameters and seconds."""
    trials = ranked(record["trials"])
    names: list[str] = []
    for t in trials:
        for binding in t.get("bindings") or []:
            name = str(binding).partition(" = ")[0]
            if name not in names:
                names.append(name)
    short = _short_names(names)
    _console.print(
        f"[bold]Sweep {printable(str(record.get('id', '?')))}[/]: "
        f"{fmt_count(len(trials), 'trial')}, best first ({printable(str(record.get('status')))})",
        highlight=False,
    )
    table = Table(box=None, pad_edge=False)
    table.add_column("#", justify="right")
    table.add_column("trial", justify="right")
    for name in names:
        table.add_column(printable(short[name]))
    for col in ("val acc", "params", "s"):
        table.add_column(col, justify="right")
    for rank, t in enumerate(trials, 1):
        values = dict(str(b).partition(" = ")[::2] for b in t.get("bindings") or [])
        status = t.get("status")
        table.add_row(
            str(rank) if status == "finished" else "",
            str(t.get("trial", "?")),
            *(Text(printable(values.get(name, "-"))) for name in names),
            _pct(t.get("val_accuracy")) if status == "finished" else printable(str(status)),
            fmt_int(int(t.get("parameters") or 0)),
            f"{float(t.get('seconds') or 0):.1f}",
        )
    print_table(_console, table, optional=("s", "params"))


def footer(record: dict[str, Any], folder: Path) -> None:
    """The best trial, its one look at the test split, and where the sweep is kept."""
    trials = ranked(record["trials"])
    best = next((t for t in trials if t.get("trial") == record.get("best")), None)
    if record.get("status") == "stopped":
        _console.print(
            f"Stopped after {fmt_count(len(trials), 'trial')} of "
            f"{record.get('trials_planned', '?')}: the finished ones are kept."
        )
    if best is None:
        _console.print("No trial finished: nothing to test.")
    elif record.get("test_accuracy") is None:
        _console.print(
            f"[bold]Best[/]: trial {best['trial']}, validation accuracy "
            f"{_pct(best.get('val_accuracy'))}. This data has no test split, so that is the only "
            "figure, and it is optimistic: the trial was chosen because it scored well on it."
        )
    else:
        images = (record.get("images") or {}).get("test", 0)
        _console.print(
            f"[bold]Best[/]: trial {best['trial']}, validation accuracy "
            f"{_pct(best.get('val_accuracy'))}. [bold]Test accuracy {_pct(record['test_accuracy'])}"
            f"[/] on {fmt_int(int(images or 0))} test images, measured once, for this trial only, "
            "after the choice: the honest estimate (the validation figure chose the winner, so "
            "it flatters it)."
        )
    _console.print(f"[bold]Sweep[/] {printable(str(folder))}", highlight=False)


def show_sweep(target: str, root: Path, as_json: bool) -> int:
    """``cnnquiz runs --sweep LAST|ID``: the table again, or the record as JSON."""
    from cnnquiz.lab import record

    folder = record.resolve(target, root)
    data = record.load(folder)
    if as_json:
        print_json(data | {"folder": str(folder), "trials": record.ranked(data["trials"])})
        return 0
    sweep_table(data)
    footer(data, folder)
    return 0
