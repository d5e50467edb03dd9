"""``cnnquiz train --gin/--bind/--mlflow/--dry-run`` as a student types them (subprocesses)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from cnnquiz.lab.gin_config import BUNDLED
from tests.conftest import run_cli

pytestmark = pytest.mark.slow  # every test starts cnnquiz in a subprocess, most train

TINY = ["--bind", "cnn.filters = (4, 8)", "--epochs", "1", "--size", "8", "--threads", "1"]


def test_a_dry_run_shows_the_figures_and_the_operative_config(tmp_path):
    done = run_cli(
        "train", "--demo", "--gin", "lab", "--dry-run", "--runs-dir", str(tmp_path / "r")
    )
    assert done.returncode == 0, done.stderr
    assert "24,292 parameters" in done.stdout  # the demo's network, from the bundled lab.gin
    assert "cnn.filters = (16, 32, 64)" in done.stdout and "train.lr = 0.003" in done.stdout
    assert not (tmp_path / "r").exists()  # nothing trained, no run folder
    as_json = run_cli("train", "--demo", "--bind", "cnn.pooling = 'max'", "--dry-run", "--json")
    report = json.loads(as_json.stdout)
    assert report["params"] == 4 * 4 * 64 * 4 + 4 + 24_292 - 260  # flatten 4x4x64 into dense 4
    assert report["gin"]["cnn.pooling"] == "max"


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One tiny run from the bundled lab.gin, logged to MLflow when it is installed."""
    root = tmp_path_factory.mktemp("lab")
    store = f"sqlite:///{root / 'mlflow.db'}"
    mlflow = ["--mlflow", store] if importlib.util.find_spec("mlflow") else []
    done = run_cli(
        "train",
        "--demo",
        "--gin",
        "lab",
        *TINY,
        *mlflow,
        "--json",
        "--runs-dir",
        str(root / "runs"),
    )
    return root, store, done


def test_the_run_folder_keeps_the_gin_file_and_the_operative_config(trained):
    root, _, done = trained
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    run = Path(report["run_dir"])
    assert (run / "lab.gin").read_text() == BUNDLED.read_text()
    operative = (run / "operative.gin").read_text()
    assert "cnn.filters = (4, 8)" in operative and "train.epochs = 1" in operative
    assert "train.size = 8" in operative  # --size is part of the experiment
    assert report["gin"]["cnn.filters"] == "(4, 8)" and report["epochs"] == 1


def test_the_operative_config_repeats_the_run_exactly(trained, tmp_path):
    root, _, done = trained
    first = json.loads(done.stdout)
    operative = Path(first["run_dir"]) / "operative.gin"
    again = run_cli(
        "train", "--demo", "--gin", str(operative), "--threads", "1", "--json",
        "--runs-dir", str(tmp_path),
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    second = json.loads(again.stdout)
    assert second["gin"] == first["gin"] and second["params"] == first["params"]
    assert second["val_accuracy"] == first["val_accuracy"]  # seeded: the same run
    assert second["test_accuracy"] == first["test_accuracy"]


@pytest.mark.skipif(
    importlib.util.find_spec("mlflow") is None,
    reason="mlflow is not installed: pip install -e '.[mlflow]' (.ci/run does)",
)
def test_the_run_is_in_mlflow_with_the_gin_values_as_params(trained):
    from mlflow import MlflowClient

    root, store, done = trained
    assert "warning" not in done.stderr
    client = MlflowClient(tracking_uri=store)
    experiment = client.get_experiment_by_name("cnnquiz")
    (run,) = client.search_runs([experiment.experiment_id])
    assert run.data.params["cnn.filters"] == "(4, 8)" and run.data.params["train.lr"] == "0.003"
    assert len(run.data.params) == 16
    assert [m.step for m in client.get_metric_history(run.info.run_id, "val_loss")] == [1]
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id)}
    assert {"lab.gin", "operative.gin", "weights.safetensors", "config.yaml"} <= artifacts


def test_a_plain_folder_as_mlflow_store_warns_once_and_the_run_is_kept(tmp_path):
    done = run_cli(
        "train", "--demo", *TINY, "--json", "--runs-dir", str(tmp_path / "runs"),
        env={"MLFLOW_TRACKING_URI": str(tmp_path / "mlruns")},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("cnnquiz: warning: MLflow: ")
    assert "sqlite:///mlflow.db" in done.stderr or "pip install" in done.stderr
    assert (Path(json.loads(done.stdout)["run_dir"]) / "weights.safetensors").is_file()


@pytest.mark.parametrize(
    ("args", "start", "message"),
    [
        (["--bind", "train.lr = fast"], "--bind 'train.lr = fast'", "cannot read 'fast'"),
        (["--bind", "cnn.pooling = 'avg'"], "--bind \"cnn.pooling = 'avg'\"", "'max' or 'gap'"),
        (["--gin", "lab", "--config", "examples/demo.yaml"], "--config", "not both"),
        (["--gin", "nope.gin"], "nope.gin", "no such gin file"),
    ],
)
def test_bad_gin_on_the_command_line_is_one_line_and_exit_2(args, start, message):
    done = run_cli("train", "--demo", *args, "--dry-run")
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"cnnquiz: error: {start}") and message in done.stderr


def test_a_gin_file_error_names_its_line(tmp_path):
    gin = tmp_path / "exp.gin"
    gin.write_text("# my experiment\ncnn.filters = (8, 16)\ncnn.dropot = 0.2\n")
    done = run_cli("train", "--demo", "--gin", str(gin), "--dry-run")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr == (
        f"cnnquiz: error: {gin}:3: Configurable 'cnn' doesn't have a parameter named 'dropot'\n"
    )
