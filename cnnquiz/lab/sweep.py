"""A search that teaches the splits: trials train on the training split, are compared on the
validation split, and only the best one ever meets the test split, once, at the end.

Why: the validation split is used to choose, so the best trial's validation accuracy is
optimistic (it won a contest on those very images). The test split, untouched until the choice
is made, says how the chosen network does on images nobody chose with.

The data are read or drawn once for every trial (the slow part of a short run on a folder);
each trial is an ordinary run folder (``cnnquiz.train.runs``) inside the sweep's folder::

    runs/sweeps/20261201-190512-grid/
        sweep.json                       settings, the trials and their figures, the best's test
        20261201-190512-demo-cnn-t01/    a normal run folder: config.yaml, metrics, weights
        20261201-190520-demo-cnn-t02/
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cnnquiz.errors import CnnquizError
from cnnquiz.lab import record
from cnnquiz.lab.experiment import load_data, make_plan
from cnnquiz.lab.gin_config import LabConfig
from cnnquiz.lab.record import TrialRecord
from cnnquiz.lab.space import Trial
from cnnquiz.train import runs
from cnnquiz.train.config import TrainConfig
from cnnquiz.train.data import Dataset
from cnnquiz.train.run import Plan, execute

if TYPE_CHECKING:
    from cnnquiz.train.run import Outcome
    from cnnquiz.train.tracking import Tracking


@dataclass(frozen=True)
class TrialSetup:
    """What one trial's bindings make: the gin configuration (network, params, operative
    config) and the settings it trains with."""

    lab: LabConfig
    config: TrainConfig


Setup = Callable[[list[str]], TrialSetup]  # a trial's gin bindings -> its setup


class SweepReporter:
    """What the faces override to show a sweep; the defaults show nothing."""

    def trial_start(self, k: int, n: int, trial: Trial, best: TrialRecord | None) -> None: ...

    def trial_end(self, done: TrialRecord, best: TrialRecord | None) -> None: ...

    def loop_reporter(self) -> Any:
        """The training loop's reporter (``train.loop.Reporter``'s methods) for the trial
        starting now; None: silent."""
        return None

    def stop_requested(self) -> bool:
        """Asked between trials: True ends the sweep with what finished (Ctrl+C, Cancel)."""
        return False


@dataclass
class Sweep:
    folder: Path
    kind: str  # grid | random
    trials: list[Trial]
    setups: list[TrialSetup]
    data: Dataset
    settings: dict[str, Any]  # how it was asked: data, the base gin files and bindings, seed...

    @property
    def id(self) -> str:
        return self.folder.name


def plan_sweep(
    kind: str,
    trials: Sequence[Trial],
    setup: Setup,
    *,
    demo: bool,
    data_dir: str | None,
    runs_root: Path,
    settings: dict[str, Any],
    data: Dataset | None = None,
) -> Sweep:
    """Every trial's setup checked first (a bad value stops before anything trains), then the
    data read once (``data``: already read, as the tests pass a small slice), then the
    sweep's folder made."""
    if demo == (data_dir is not None):
        raise CnnquizError("give either --demo or --data DIR", "tune")
    setups = []
    for k, trial in enumerate(trials, 1):
        try:
            setups.append(setup(trial.bindings))
        except CnnquizError as exc:
            said = f"trial {k} ({'; '.join(trial.bindings)})"
            if any(str(exc.where).startswith(f"--bind {b!r}") for b in trial.bindings):
                exc.where = said  # the trial's own value: name the trial, not a --bind
            else:
                exc.message = f"{said}: {exc.message}"
            raise
    base = setups[0]
    _same_data(setups, "--grid" if kind == "grid" else str(settings.get("space", "--space")))
    data = data or load_data(base.config, demo, data_dir)
    folder = runs.new_run_dir(runs_root / record.SWEEPS, kind)
    sweep = Sweep(folder, kind, list(trials), setups, data, settings)
    record.write(sweep.folder, _header(sweep, "running"), [])
    return sweep


def _same_data(setups: list[TrialSetup], where: str) -> None:
    """The data are read once, so every trial must read the same: the seed draws the demo's
    images and splits a folder, the size sets their pixels (a sweep over either is a sweep
    over data: run those apart)."""
    for name in ("seed", "size"):
        first = getattr(setups[0].config, name)
        if any(getattr(s.config, name) != first for s in setups[1:]):
            raise CnnquizError(
                f"train.{name} changes the data, which a sweep reads once for all trials; "
                "set it outside the search",
                where,
            )


def _plan(sweep: Sweep, k: int, threads: tuple[int, str]) -> Plan:
    """Trial ``k``'s plan: its network fitted to the data, which has no test split for it."""
    s = sweep.setups[k - 1]
    data = replace(sweep.data, test=None)  # a trial never sees the test images
    plan = make_plan(s.lab, data, replace(s.config, threads=threads[0]))
    network = replace(plan.network, name=f"{plan.network.name or 'run'}-t{k:02d}")
    return replace(plan, network=network, config=s.config, threads_why=threads[1])


def run_sweep(
    sweep: Sweep, reporter: SweepReporter | None = None, tracking: Tracking | None = None
) -> dict[str, Any]:
    """Each trial in turn, the record rewritten after each; then the best one on the test split.

    With MLflow (``tracking``; None: ``MLFLOW_TRACKING_URI``'s) the sweep is a parent run and
    each trial a run nested under it. Returns the sweep's record (what ``sweep.json`` holds).
    """
    from cnnquiz.train.tracking import Tracking

    tracking = tracking if tracking is not None else Tracking.from_env()
    params = {"kind": sweep.kind, "trials": len(sweep.trials)} | {
        k: v if isinstance(v, str | int | float) else json.dumps(v)
        for k, v in sweep.settings.items()
    }
    tags = {"cnnquiz.sweep_dir": str(sweep.folder.resolve())}
    with tracking.run(f"sweep-{sweep.id}", params, tags) as parent:
        header = _trials(sweep, reporter or SweepReporter(), tracking)
        parent.log_metrics({k: header.get(k) for k in ("best_val_accuracy", "test_accuracy")})
    return header


def _trials(sweep: Sweep, reporter: SweepReporter, tracking: Tracking) -> dict[str, Any]:
    threads = sweep.setups[0].config.thread_choice()
    done: list[TrialRecord] = []
    best: tuple[TrialRecord, Outcome] | None = None
    stopped = False
    n = len(sweep.trials)
    for k, trial in enumerate(sweep.trials, 1):
        if reporter.stop_requested():
            stopped = True
            break
        reporter.trial_start(k, n, trial, best[0] if best else None)
        outcome, rec = _trial(sweep, k, trial, threads, reporter, tracking)
        done.append(rec)
        if outcome is not None and (best is None or _better(rec, best[0])):
            best = (rec, outcome)
        record.write(sweep.folder, _header(sweep, "running"), done)
        reporter.trial_end(rec, best[0] if best else None)
        if rec.status == "cancelled":
            stopped = True
            break
    header = _header(sweep, "stopped" if stopped else "finished")
    if best is not None:
        header |= _final_test(sweep, *best)
    record.write(sweep.folder, header, done)
    return record.load(sweep.folder)


def _better(new: TrialRecord, old: TrialRecord) -> bool:
    return (new.val_accuracy or 0.0) > (old.val_accuracy or 0.0)


def _trial(
    sweep: Sweep,
    k: int,
    trial: Trial,
    threads: tuple[int, str],
    reporter: SweepReporter,
    tracking: Tracking,
) -> tuple[Outcome | None, TrialRecord]:
    """One trial trained and recorded; a diverged one is kept as a record, not a candidate."""
    from cnnquiz.train.loop import Diverged

    plan = _plan(sweep, k, threads)
    started = time.perf_counter()
    before = set(sweep.folder.iterdir())
    try:
        outcome = execute(plan, sweep.folder, reporter.loop_reporter(), False, tracking)
    except Diverged as exc:  # its run folder says so too, and holds no weights
        rec = record.trial_record(k, trial, plan, None, time.perf_counter() - started)
        made = sorted(p.name for p in set(sweep.folder.iterdir()) - before)
        return None, replace(rec, status="diverged", error=exc.message, run=made[0] if made else "")
    rec = record.trial_record(k, trial, plan, outcome, time.perf_counter() - started)
    if outcome.result.cancelled:  # a shorter run than the others: not a fair candidate
        return None, rec
    return outcome, rec


def _header(sweep: Sweep, status: str) -> dict[str, Any]:
    return {
        "id": sweep.id,
        "kind": sweep.kind,
        "status": status,
        "trials_planned": len(sweep.trials),
        "classes": list(sweep.data.classes),
        "images": {
            "train": len(sweep.data.train),
            "valid": len(sweep.data.valid),
            "test": len(sweep.data.test) if sweep.data.test else 0,
        },
        "settings": sweep.settings,
    }


def _final_test(sweep: Sweep, best: TrialRecord, outcome: Outcome) -> dict[str, Any]:
    """The best trial's one look at the test split, written into its run folder too."""
    test = sweep.data.test
    if test is None:
        return {"best": best.trial, "best_val_accuracy": best.val_accuracy, "test_accuracy": None}
    from cnnquiz.train.data import Split
    from cnnquiz.train.loop import evaluate, logits_of

    model = outcome.result.model
    device = next(model.parameters()).device
    net = logits_of(model, outcome.plan.network)
    _, accuracy, confusion = evaluate(
        net, Split(test.x.to(device), test.y.to(device)), len(sweep.data.classes)
    )
    info = runs.load_run(outcome.run_dir).info | {
        "test_accuracy": accuracy,
        "confusion": confusion,
        "confusion_split": "test",
        "chosen_by_sweep": sweep.id,
    }
    record.write_json(outcome.run_dir / runs.RUN_FILE, info)
    return {
        "best": best.trial,
        "best_val_accuracy": best.val_accuracy,
        "test_accuracy": accuracy,
        "test_confusion": confusion,
    }
