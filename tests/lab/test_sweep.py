"""Sweeps on a tiny slice of the embedded set: trials compared on validation, the test split
evaluated once for the best, a record that survives a stop."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from cnnquiz.errors import CnnquizError
from cnnquiz.lab import record
from cnnquiz.lab.setups import gin_setup
from cnnquiz.lab.space import grid, parse_grid
from cnnquiz.lab.sweep import SweepReporter, plan_sweep, run_sweep
from cnnquiz.train.data import demo_dataset

BASE = ["train.epochs = 1"]


@pytest.fixture(scope="module")
def tiny():
    return demo_dataset(0, split=(256, 96, 64), size=16)


def _sweep(tmp_path: Path, tiny, *grids: str, base: list[str] = BASE):
    trials = grid([parse_grid(g) for g in grids])
    return plan_sweep(
        "grid",
        trials,
        gin_setup([], base, {"threads": 1}),
        demo=True,
        data_dir=None,
        runs_root=tmp_path,
        settings={"grid": list(grids)},
        data=tiny,
    )


class Recorder(SweepReporter):
    def __init__(self, stop_after: int | None = None) -> None:
        self.lines: list[str] = []
        self.stop_after = stop_after

    def trial_start(self, k, n, trial, best) -> None:
        self.lines.append(f"start {k}/{n} best={best.trial if best else None}")

    def trial_end(self, done, best) -> None:
        self.lines.append(f"end {done.trial} best={best.trial if best else None}")

    def stop_requested(self) -> bool:
        return self.stop_after is not None and len(self.lines) >= 2 * self.stop_after


@pytest.mark.slow  # trains
def test_grid_compares_on_validation_and_tests_only_the_best(tmp_path: Path, tiny) -> None:
    sweep = _sweep(tmp_path, tiny, "train.lr=0.03,0.003", "train.batch_size=32,64")
    reporter = Recorder()
    result = run_sweep(sweep, reporter)
    assert result["status"] == "finished"
    assert [t["trial"] for t in result["trials"]] == [1, 2, 3, 4]
    assert reporter.lines[:3] == ["start 1/4 best=None", "end 1 best=1", "start 2/4 best=1"]
    finished = [t for t in result["trials"] if t["status"] == "finished"]
    best = max(finished, key=lambda t: (t["val_accuracy"], -t["trial"]))
    assert result["best"] == best["trial"]
    assert record.ranked(result["trials"])[0]["trial"] == best["trial"]
    assert 0 <= result["test_accuracy"] <= 1
    assert sum(map(sum, result["test_confusion"])) == len(tiny.test)
    for t in result["trials"]:
        info = json.loads((sweep.folder / t["run"] / "run.json").read_text())
        assert info["images"]["test"] == 0  # no trial ever held the test split
        assert info["status"] == "finished"
        assert t["val_curve"] == [round(info["val_accuracy"], 4)]
        if t["trial"] == best["trial"]:
            assert info["test_accuracy"] == result["test_accuracy"]
            assert info["chosen_by_sweep"] == sweep.id
        else:
            assert info["test_accuracy"] is None
    assert t["bindings"] == ["train.lr = 0.003", "train.batch_size = 64"]
    assert t["params"] == {"train.lr": 0.003, "train.batch_size": 64}
    assert record.load(record.resolve("LAST", tmp_path)) == result


@pytest.mark.slow  # trains
def test_stop_keeps_what_finished(tmp_path: Path, tiny) -> None:
    sweep = _sweep(tmp_path, tiny, "train.lr=0.03,0.01,0.003")
    result = run_sweep(sweep, Recorder(stop_after=1))
    assert result["status"] == "stopped"
    assert [t["trial"] for t in result["trials"]] == [1]
    assert result["best"] == 1 and result["test_accuracy"] is not None


@pytest.mark.slow  # trains
def test_a_diverged_trial_is_kept_but_never_best(tmp_path: Path, tiny) -> None:
    base = [*BASE, "train.optimizer = 'sgd'", "train.schedule = 'constant'"]
    sweep = _sweep(tmp_path, tiny, "train.lr=1e30,0.01", base=base)
    result = run_sweep(sweep)
    first, second = result["trials"]
    assert first["status"] == "diverged" and "learning rate" in first["error"]
    assert result["best"] == 2
    info = json.loads((sweep.folder / first["run"] / "run.json").read_text())
    assert info["status"] == "diverged"


def test_bad_value_stops_before_anything_is_made(tmp_path: Path, tiny) -> None:
    with pytest.raises(CnnquizError, match=r"lr must be above 0") as info:
        _sweep(tmp_path, tiny, "train.lr=0.1,-1")
    assert info.value.where == "trial 2 (train.lr = -1)"
    assert not (tmp_path / record.SWEEPS).exists()


@pytest.mark.parametrize("name", ["seed", "size"])
def test_settings_that_change_the_data_stay_outside(tmp_path: Path, tiny, name: str) -> None:
    with pytest.raises(CnnquizError, match=f"train.{name} changes the data"):
        _sweep(tmp_path, tiny, f"train.{name}=16,24")


def test_resolve_and_damaged_records(tmp_path: Path) -> None:
    with pytest.raises(CnnquizError, match="no sweeps yet"):
        record.resolve("LAST", tmp_path)
    folder = tmp_path / record.SWEEPS / "s1"
    folder.mkdir(parents=True)
    (folder / record.SWEEP_FILE).write_text('{"trials": 3}')
    assert record.resolve("s1", tmp_path) == folder
    with pytest.raises(CnnquizError, match="list of trials"):
        record.load(folder)
    (folder / record.SWEEP_FILE).write_text("{\n nope")
    with pytest.raises(CnnquizError, match=r"sweep.json:2: not JSON"):
        record.load(folder)


def test_ranked_puts_unfinished_last() -> None:
    trials = [
        {"trial": 1, "status": "diverged", "val_accuracy": None},
        {"trial": 2, "status": "finished", "val_accuracy": 0.5},
        {"trial": 3, "status": "finished", "val_accuracy": 0.7},
        {"trial": 4, "status": "finished", "val_accuracy": 0.5},
        {"trial": 5, "status": "cancelled", "val_accuracy": 0.9},
    ]
    assert [t["trial"] for t in record.ranked(trials)] == [3, 2, 4, 1, 5]


HAS_MLFLOW = importlib.util.find_spec("mlflow") is not None


@pytest.mark.slow
@pytest.mark.skipif(
    not HAS_MLFLOW, reason="mlflow is not installed: pip install -e '.[mlflow]' (.ci/run does)"
)
def test_mlflow_parent_run_with_a_nested_run_per_trial(tmp_path: Path, tiny, monkeypatch) -> None:
    from mlflow import MlflowClient

    monkeypatch.chdir(tmp_path)  # a sqlite: store keeps artifacts in ./mlruns

    from cnnquiz.train.tracking import Tracking

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    warnings: list[str] = []
    sweep = _sweep(tmp_path, tiny, "train.lr=0.03,0.003")
    result = run_sweep(sweep, tracking=Tracking(uri, warn=warnings.append))
    assert warnings == []
    client = MlflowClient(tracking_uri=uri)
    experiment = client.get_experiment_by_name("cnnquiz")
    found = {r.info.run_name: r for r in client.search_runs([experiment.experiment_id])}
    parent = found.pop(f"sweep-{sweep.id}")
    assert parent.data.params["kind"] == "grid" and parent.data.params["trials"] == "2"
    assert parent.data.metrics["test_accuracy"] == pytest.approx(result["test_accuracy"])
    assert parent.data.metrics["best_val_accuracy"] == pytest.approx(result["best_val_accuracy"])
    assert len(found) == 2
    for run in found.values():
        assert run.data.tags["mlflow.parentRunId"] == parent.info.run_id
        assert run.data.params["train.lr"] in ("0.03", "0.003")
    lrs = sorted(r.data.params["train.lr"] for r in found.values())
    assert lrs == ["0.003", "0.03"]
