"""MLflow for real: a sqlite: store in a temporary folder, runs and nested runs read back with
MlflowClient; and every failure of the backend as one warning line, the work going on."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cnnquiz.train.tracking import FIX, Tracking, explain

HAS_MLFLOW = importlib.util.find_spec("mlflow") is not None
_skip = pytest.mark.skipif(
    not HAS_MLFLOW, reason="mlflow is not installed: pip install -e '.[mlflow]' (.ci/run does)"
)


def needs_mlflow(test):
    """The real mlflow: skipped with the reason where absent; slow (a sqlite store is created,
    with MLflow's migrations, in seconds)."""
    return pytest.mark.slow(_skip(test))


EPOCHS = [
    {"epoch": 1, "train_loss": 1.2, "val_accuracy": 0.5, "lr": 0.003},
    {"epoch": 2, "train_loss": 0.7, "val_accuracy": 0.75, "lr": 0.001},
]
SUMMARY = {"test_accuracy": 0.8, "params": 292, "cancelled": False, "device": "cpu", "x": None}


def _store(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'mlflow.db'}"


def _run_dir(tmp_path: Path, name: str = "run1") -> Path:
    folder = tmp_path / "runs" / name
    folder.mkdir(parents=True)
    (folder / "operative.gin").write_text("train.lr = 0.003\n")
    (folder / "metrics.json").write_text(json.dumps(EPOCHS))
    return folder


def _client(uri: str):
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=uri)


def _runs(uri: str) -> dict:
    client = _client(uri)
    experiment = client.get_experiment_by_name("cnnquiz")
    return {r.info.run_name: r for r in client.search_runs([experiment.experiment_id])}


def test_without_a_uri_nothing_is_tracked(monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    said = []
    tracking = Tracking.from_env(None, warn=said.append)
    assert not tracking.active and not tracking.check()
    assert tracking.log_training("r", Path("."), {}, EPOCHS, SUMMARY) is False
    with tracking.run("nothing") as run:
        run.log_metrics({"a": 1.0})  # logs nothing, raises nothing
        assert run.run_id is None
    assert said == []


def test_the_uri_comes_from_the_option_else_the_environment(monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:///env.db")
    assert Tracking.from_env().uri == "sqlite:///env.db"
    assert Tracking.from_env("sqlite:///option.db").uri == "sqlite:///option.db"


@needs_mlflow
def test_a_training_run_logs_params_metrics_per_epoch_and_artifacts(tmp_path):
    uri = _store(tmp_path)
    folder = _run_dir(tmp_path)
    tracking = Tracking(uri, warn=pytest.fail)
    params = {"train.lr": "0.003", "cnn.filters": "(8, 16)", "cnn.name": None}
    assert tracking.log_training("run1", folder, params, EPOCHS, SUMMARY) is True
    run = _runs(uri)["run1"]
    assert run.info.status == "FINISHED"
    assert run.data.params == {"train.lr": "0.003", "cnn.filters": "(8, 16)"}
    assert run.data.tags["cnnquiz.run_dir"] == str(folder.resolve())
    client = _client(uri)
    history = client.get_metric_history(run.info.run_id, "val_accuracy")
    assert [(m.step, m.value) for m in history] == [(1, 0.5), (2, 0.75)]
    test = client.get_metric_history(run.info.run_id, "test_accuracy")
    assert [(m.step, m.value) for m in test] == [(2, 0.8)]  # the summary, at the last epoch
    assert "cancelled" not in run.data.metrics and "device" not in run.data.metrics
    assert sorted(a.path for a in client.list_artifacts(run.info.run_id)) == [
        "metrics.json",
        "operative.gin",
    ]
    assert "mlflow.parentRunId" not in run.data.tags
    # the files beside the database, not in ./mlruns of wherever the test runs
    assert run.info.artifact_uri.startswith((tmp_path / "mlruns").as_uri())
    assert (tmp_path / "mlruns").is_dir()


def test_a_sqlite_store_keeps_artifacts_beside_its_file(tmp_path, monkeypatch):
    from cnnquiz.train.tracking import artifact_location

    monkeypatch.chdir(tmp_path)
    assert artifact_location("sqlite:///mlflow.db") == (tmp_path / "mlruns").as_uri()
    assert artifact_location("sqlite:////data/x/m.db") == "file:///data/x/mlruns"
    assert artifact_location("sqlite:///:memory:") is None
    assert artifact_location("http://127.0.0.1:5000") is None


@needs_mlflow
def test_a_sweep_is_a_parent_run_with_one_nested_run_per_trial(tmp_path):
    uri = _store(tmp_path)
    tracking = Tracking(uri, warn=pytest.fail)
    with tracking.run("sweep", params={"grid": "train.lr=0.01,0.003"}) as parent:
        for i, lr in enumerate(("0.01", "0.003"), 1):
            folder = _run_dir(tmp_path, f"trial{i}")
            assert tracking.log_training(f"trial{i}", folder, {"train.lr": lr}, EPOCHS, {})
        parent.log_metrics({"best_val_accuracy": 0.75})
    found = _runs(uri)
    assert set(found) == {"sweep", "trial1", "trial2"}
    sweep = found["sweep"]
    assert sweep.info.status == "FINISHED" and sweep.data.metrics["best_val_accuracy"] == 0.75
    assert sweep.data.params == {"grid": "train.lr=0.01,0.003"}
    for trial in ("trial1", "trial2"):
        assert found[trial].data.tags["mlflow.parentRunId"] == parent.run_id
    assert found["trial2"].data.params == {"train.lr": "0.003"}


@needs_mlflow
def test_a_run_whose_block_fails_ends_failed_and_the_error_goes_on(tmp_path):
    uri = _store(tmp_path)
    tracking = Tracking(uri, warn=pytest.fail)
    with pytest.raises(ValueError, match="boom"), tracking.run("broken"):
        raise ValueError("boom")
    with pytest.raises(KeyboardInterrupt), tracking.run("stopped"):
        raise KeyboardInterrupt
    found = _runs(uri)
    assert found["broken"].info.status == "FAILED" and found["stopped"].info.status == "KILLED"
    assert tracking.active  # the block's failure is not the backend's


@needs_mlflow
def test_a_plain_folder_is_one_warning_and_tracking_turns_off(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_ALLOW_FILE_STORE", raising=False)
    said = []
    tracking = Tracking(str(tmp_path / "mlruns"), warn=said.append)
    assert tracking.check() is False
    assert tracking.log_training("r", _run_dir(tmp_path), {"a": 1}, EPOCHS, {}) is False
    with tracking.run("again") as run:
        run.log_metrics({"a": 1.0})
    assert len(said) == 1 and "\n" not in said[0]  # once, however often it is used after
    assert "refuses a plain folder" in said[0] and FIX in said[0]
    assert "the run folder is kept" in said[0]


@needs_mlflow
def test_an_unreachable_server_is_one_warning_after_short_retries(tmp_path, monkeypatch):
    for name in ("MAX_RETRIES", "BACKOFF_FACTOR", "TIMEOUT"):
        monkeypatch.setenv(f"MLFLOW_HTTP_REQUEST_{name}", "")  # restored to unset afterwards
        monkeypatch.delenv(f"MLFLOW_HTTP_REQUEST_{name}")
    said = []
    tracking = Tracking("http://127.0.0.1:9", warn=said.append)
    assert tracking.log_training("r", _run_dir(tmp_path), {}, EPOCHS, {}) is False
    assert len(said) == 1 and "cannot reach the MLflow server at http://127.0.0.1:9" in said[0]
    import os

    assert os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] == "1"  # not mlflow's 7


def _hidden(module: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """Tracking in a fresh interpreter where ``module`` cannot be imported (as if absent)."""
    code = textwrap.dedent(
        f"""
        import sys
        sys.modules[{module!r}] = None  # import {module} now fails, as when it is not installed
        from pathlib import Path
        from cnnquiz.train.tracking import Tracking
        folder = Path({str(tmp_path)!r})
        print(Tracking({_store(tmp_path)!r}).log_training("r", folder, {{}}, [], {{}}))
        """
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_mlflow_absent_is_one_warning_naming_the_extra(tmp_path):
    done = _hidden("mlflow", tmp_path)
    assert done.returncode == 0 and done.stdout == "False\n"
    assert done.stderr.count("\n") == 1
    assert "mlflow is not installed; pip install 'cnnquiz[mlflow]'" in done.stderr


@needs_mlflow
def test_mlflow_skinny_with_sqlite_is_one_warning_naming_the_full_package(tmp_path):
    done = _hidden("sqlalchemy", tmp_path)  # mlflow-skinny has no sqlalchemy
    assert done.returncode == 0 and done.stdout == "False\n"
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "cannot open a database store" in done.stderr and "pip install mlflow" in done.stderr


def test_each_cause_is_explained_in_one_line_with_its_fix():
    missing = ModuleNotFoundError("No module named 'mlflow'", name="mlflow")
    assert "pip install 'cnnquiz[mlflow]'" in explain(missing, "sqlite:///x.db")
    no_sql = ModuleNotFoundError("No module named 'sqlalchemy'", name="sqlalchemy")
    assert "(no sqlalchemy)" in explain(no_sql, "sqlite:///x.db")
    refused = Exception("Max retries exceeded with url: /api/2.0/mlflow/experiments")
    assert "cannot reach the MLflow server at http://h:5000" in explain(refused, "http://h:5000")
    other = RuntimeError("something\nodd " + "x" * 300)
    line = explain(other, "weird://")
    assert "\n" not in line and "RuntimeError: something odd" in line and FIX in line
    assert len(line) < 400
