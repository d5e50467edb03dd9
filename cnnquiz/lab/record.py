"""A sweep's record on disk, ``sweep.json``: its settings, each trial's figures, the best's test.

Rewritten whole after every trial (to a temporary file, then renamed), so a sweep stopped by
Ctrl+C or a crash keeps every trial that finished, and says how it ended (``status``).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cnnquiz.errors import CnnquizError
from cnnquiz.lab.space import Trial
from cnnquiz.train import runs

if TYPE_CHECKING:
    from cnnquiz.train.run import Outcome, Plan

SWEEPS = "sweeps"  # under the runs folder
SWEEP_FILE = "sweep.json"
LAST = "LAST"


@dataclass(frozen=True)
class TrialRecord:
    trial: int  # 1-based, in the order the search ran them
    params: dict[str, Any]  # binding name -> value (JSON: tuples become lists)
    bindings: list[str]  # the same as gin text: train.lr = 0.003
    status: str  # finished | cancelled | diverged
    val_accuracy: float | None  # the last epoch's: the network the trial ends with
    val_curve: list[float]  # validation accuracy after each epoch (the app's sparkline)
    epochs: int
    parameters: int  # the network's parameter count
    seconds: float  # the whole trial: building, training, validation, writing
    run: str  # the trial's run folder, inside the sweep's
    error: str | None = None


def trial_record(
    k: int, trial: Trial, plan: Plan, outcome: Outcome | None, seconds: float
) -> TrialRecord:
    epochs = outcome.result.epochs if outcome else []
    status = "finished"
    if outcome is not None and outcome.result.cancelled:
        status = "cancelled"
    return TrialRecord(
        trial=k,
        params=json.loads(json.dumps(trial.as_dict())),
        bindings=trial.bindings,
        status=status,
        val_accuracy=epochs[-1].val_accuracy if epochs else None,
        val_curve=[round(e.val_accuracy, 4) for e in epochs],
        epochs=len(epochs),
        parameters=plan.figures.params,
        seconds=round(seconds, 2),
        run=outcome.run_dir.name if outcome else "",
    )


def write_json(path: Path, data: Any) -> None:
    """``data`` as indented JSON, replacing ``path`` in one step (never half written)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def write(folder: Path, header: dict[str, Any], trials: list[TrialRecord]) -> None:
    write_json(folder / SWEEP_FILE, header | {"trials": [asdict(t) for t in trials]})


def load(folder: Path) -> dict[str, Any]:
    """``sweep.json``, checked to be an object with a list of trials."""
    data, _ = runs.read_json(folder / SWEEP_FILE, "sweep file")
    if not isinstance(data, dict) or not isinstance(data.get("trials"), list):
        raise CnnquizError("expected a JSON object with a list of trials", str(folder / SWEEP_FILE))
    if not all(isinstance(t, dict) for t in data["trials"]):
        raise CnnquizError("every trial must be a JSON object", str(folder / SWEEP_FILE))
    return data


def list_sweeps(root: Path) -> list[Path]:
    """The sweep folders under ``root/sweeps``, oldest first (their names start with the time)."""
    base = root / SWEEPS
    if not base.is_dir():
        return []
    return sorted(p for p in base.iterdir() if (p / SWEEP_FILE).is_file())


def resolve(target: str, root: Path) -> Path:
    """``LAST``, a sweep's id (its folder's name under ``root/sweeps``) or its folder."""
    if target.upper() == LAST:
        found = list_sweeps(root)
        if not found:
            raise CnnquizError(
                f"no sweeps yet in {root / SWEEPS} (cnnquiz tune makes one)", "--sweep"
            )
        return found[-1]
    path = Path(target).expanduser()
    for candidate in (root / SWEEPS / target, path):
        if (candidate / SWEEP_FILE).is_file():
            return candidate
    raise CnnquizError(f"no such sweep (sweeps are in {root / SWEEPS})", f"--sweep {target}")


def ranked(trials: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Best first: finished trials by validation accuracy (ties: the earlier trial), then the
    cancelled and diverged ones in their order."""

    def key(t: dict[str, Any]) -> tuple[int, float, int]:
        acc = t.get("val_accuracy")
        if t.get("status") == "finished" and isinstance(acc, int | float):
            return (0, -float(acc), int(t.get("trial") or 0))
        return (1, 0.0, int(t.get("trial") or 0))

    return sorted(trials, key=key)


@dataclass(frozen=True)
class Table:
    """A sweep's trials as both faces show them: best first, one column per parameter."""

    names: list[str]  # the parameters' binding names, in the order the trials bind them
    short: list[str]  # their column titles: ``lr`` for ``train.lr`` unless two would clash
    rows: list[dict[str, Any]]  # the trials, ranked, each with ``values``: name -> gin text


def table(data: dict[str, Any]) -> Table:
    trials = ranked(data["trials"])
    names: list[str] = []
    rows = []
    for t in trials:
        values = {}
        for binding in t.get("bindings") or []:
            name, _, value = str(binding).partition(" = ")
            values[name] = value
            if name not in names:
                names.append(name)
        rows.append(t | {"values": values})
    last = [n.rpartition(".")[2] for n in names]
    short = [s if last.count(s) == 1 else n for n, s in zip(names, last, strict=True)]
    return Table(names, short, rows)


def best_of(data: dict[str, Any]) -> dict[str, Any] | None:
    """The trial the sweep chose (its ``best``), or None when none finished."""
    return next((t for t in data["trials"] if t.get("trial") == data.get("best")), None)


def _pct(x: Any) -> str:
    return f"{100 * x:.1f}%" if isinstance(x, int | float) else "-"


def verdict(data: dict[str, Any]) -> list[str]:
    """What the sweep found, in sentences: how it ended, the best trial, its one test."""
    lines = []
    done = len(data["trials"])
    if data.get("status") == "stopped":
        planned = data.get("trials_planned", "?")
        lines.append(f"Stopped after {done} of {planned} trials: the finished ones are kept.")
    best = best_of(data)
    if best is None:
        return [*lines, "No trial finished: nothing to test."]
    chose = f"Best: trial {best['trial']}, validation accuracy {_pct(best.get('val_accuracy'))}."
    if data.get("test_accuracy") is None:
        return [
            *lines,
            f"{chose} This data has no test split, so that is the only figure, and it is "
            "optimistic: the trial was chosen because it scored well on it.",
        ]
    images = int((data.get("images") or {}).get("test") or 0)
    return [
        *lines,
        f"{chose} Test accuracy {_pct(data['test_accuracy'])} on {images:,} test images, "
        "measured once, for this trial only, after the choice: the honest estimate (the "
        "validation figure chose the winner, so it flatters it).",
    ]
