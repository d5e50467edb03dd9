"""gin files and bindings to a checked LabConfig: the configurable CNN, the settings, the
operative config, and every mistake as one line with its file:line or --bind argument."""

from __future__ import annotations

from pathlib import Path

import pytest

from cnnquiz.errors import SpecError
from cnnquiz.lab import experiment
from cnnquiz.lab.cnn import cnn_spec
from cnnquiz.lab.gin_config import BUNDLED, OPERATIVE, LabConfig, configure, resolve_gin
from cnnquiz.net.arithmetic import analyze
from cnnquiz.train.config import TrainConfig
from cnnquiz.train.networks import demo_network


def _gin(tmp_path: Path, text: str, name: str = "exp.gin") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_bundled_lab_gin_is_the_demo_network_and_its_settings():
    lab = configure([resolve_gin("lab")])
    assert resolve_gin("lab.gin") == BUNDLED
    assert lab.network.layers == demo_network().layers
    assert analyze(lab.network).params == 24_292  # the demo's figure (docs/training.md)
    assert lab.train == TrainConfig()  # the demo spec's train: settings are the defaults
    assert lab.name == "lab" and lab.sources[0][0] == str(BUNDLED)


def test_no_files_gives_the_defaults_and_bindings_change_them():
    assert configure([]).network.layers == demo_network().layers
    lab = configure([], ["train.lr = 0.01", "cnn.filters = (8, 16)", "train.lr = 0.02"])
    assert lab.train.lr == 0.02  # the later binding wins
    assert lab.params["cnn.filters"] == (8, 16) and lab.params["train.lr"] == 0.02
    assert list(lab.params) == [
        "cnn.filters", "cnn.kernel", "cnn.pooling", "cnn.dense_units", "cnn.dropout",
        "cnn.batchnorm", "cnn.name", "train.epochs", "train.batch_size", "train.lr",
        "train.optimizer", "train.momentum", "train.weight_decay", "train.schedule", "train.seed",
        "train.size",
    ]  # fmt: skip
    assert lab.params_text()["cnn.pooling"] == "gap"
    assert lab.params_text()["cnn.filters"] == "(8, 16)"


def test_a_file_then_bindings_then_a_second_call_that_starts_clean(tmp_path):
    path = _gin(tmp_path, "train.batch_size = 32\ncnn.pooling = 'max'\ncnn.dense_units = (64,)\n")
    lab = configure([path], ["train.epochs = 2"])
    assert (lab.train.batch, lab.train.epochs) == (32, 2)
    again = configure([], ["train.epochs = 3"])  # gin's state of the first call is gone
    assert (again.train.batch, again.train.epochs) == (64, 3)
    assert again.params["cnn.pooling"] == "gap"


def test_the_operative_config_repeats_the_run_exactly(tmp_path):
    first = configure([resolve_gin("lab")], ["cnn.filters = (8, 16)", "train.lr = 0.01"])
    assert "cnn.filters = (8, 16)" in first.operative and "train.lr = 0.01" in first.operative
    again = configure([_gin(tmp_path, first.operative, OPERATIVE)])
    assert again.params == first.params and again.network == first.network
    assert again.train == first.train


def test_pooling_max_flattens_and_dropout_comes_before_each_dense_layer():
    values = {
        "filters": (8,), "kernel": 3, "pooling": "max", "dense_units": (32,),
        "dropout": 0.5, "batchnorm": False, "name": "x",
    }  # fmt: skip
    spec = cnn_spec(values, (32, 32, 3), 4)
    kinds = [next(iter(layer)) for layer in spec["layers"]]
    assert kinds == ["conv", "relu", "maxpool", "flatten", "dropout", "dense", "dropout", "dense"]
    lab = configure([], ["cnn.filters = (8,)", "cnn.pooling = 'max'", "cnn.dense_units = (32,)"])
    # conv (3*3*3 + 1) * 8 + batch norm 4 * 8; flatten 16*16*8; dense (2048 + 1) * 32 + (32 + 1) * 4
    assert analyze(lab.network).params == 224 + 32 + 2049 * 32 + 33 * 4


def test_the_network_reads_the_input_and_classes_given():
    lab = configure([], [], input_shape=(64, 48, 1), classes=3)
    assert lab.network.input.dims == (64, 48, 1)
    assert analyze(lab.network).output_shape.dims == (3,)


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("cnn.filters = (8, 16)\n\ncnn.poolng = 'max'\n", "exp.gin:3", "doesn't have a parameter named 'poolng'"),
        ("cnn.filters = (8, 16\ntrain.lr = 1\n", "exp.gin:2", "gin syntax error"),
        ("# a comment\ncnnx.filters = 3\n", "exp.gin:2", "No configurable matching 'cnnx'"),
        ("cnn.pooling = 'avg'\n", "exp.gin:1", "cnn.pooling must be 'max' or 'gap', got 'avg'"),
        ("cnn.pooling = max\n", "exp.gin:1", "cannot read 'max' as a value (text needs quotes"),
        ("cnn.filters = (8, 0)\n", "exp.gin:1", "cnn.filters must be a tuple of filter counts"),
        ("cnn.dropout = 1.5\n", "exp.gin:1", "cnn.dropout must be a number from 0 to below 1"),
        ("cnn.batchnorm = 'yes'\n", "exp.gin:1", "cnn.batchnorm must be True or False"),
        ("\ntrain.lr = -1\n", "exp.gin:2", ": train.lr must be above 0, got -1"),
        ("train.optimizer = 'adamw'\n", "exp.gin:1", "optimizer must be one of sgd, momentum, adam"),
        ("train.batch_size = 2.5\n", "exp.gin:1", "train.batch_size must be a positive integer"),
        ("train.size = 4\n", "exp.gin:1", "size must be a whole number of pixels from 8 to 1024"),
        ("import os\ntrain.lr = 0.1\n", "exp.gin:1", "import statements are not read"),
        ("train.lr = (0.1\n", "exp.gin", "a bracket or quote is never closed"),
    ],
)  # fmt: skip
def test_bad_gin_is_one_line_naming_file_and_line(tmp_path, text, where, message):
    path = _gin(tmp_path, text)
    with pytest.raises(SpecError) as err:
        configure([path])
    assert str(err.value).startswith(f"{tmp_path / where}:") or str(err.value).startswith(
        f"{tmp_path / where} "
    )
    assert message in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("binding", "message"),
    [
        ("train.lrr = 0.1", "doesn't have a parameter named 'lrr'"),
        ("train.lr = x", "cannot read 'x' as a value"),
        ("train.epochs = 0", "epochs must be a positive integer"),
        ("cnn.kernel = 99", "cnn.kernel must be a whole number from 1 to 15"),
    ],
)
def test_a_bad_binding_names_the_bind_argument(binding, message):
    with pytest.raises(SpecError) as err:
        configure([resolve_gin("lab")], [binding])
    assert str(err.value).startswith(f"--bind {binding!r}") and message in str(err.value)


def test_a_missing_gin_file_and_a_local_lab_gin(tmp_path, monkeypatch):
    with pytest.raises(SpecError, match="no such gin file"):
        resolve_gin(tmp_path / "nope.gin")
    monkeypatch.chdir(tmp_path)
    _gin(tmp_path, "train.lr = 0.5\n", "lab.gin")
    assert resolve_gin("lab.gin") == Path("lab.gin")  # the student's copy wins
    assert resolve_gin("lab") == BUNDLED


def test_command_line_settings_become_bindings_and_the_machine_stays_options():
    bindings, rest = experiment.as_bindings(
        {"lr": 0.01, "batch": 16, "optimizer": "sgd", "threads": 2, "size": None, "device": "cpu"}
    )
    assert bindings == ["train.lr = 0.01", "train.batch_size = 16", "train.optimizer = 'sgd'"]
    assert rest == {"threads": 2, "device": "cpu"}
    lab = configure([], bindings)
    assert (lab.train.lr, lab.train.batch, lab.train.optimizer) == (0.01, 16, "sgd")
    assert experiment.settings(lab, rest).threads == 2


def test_run_files_keep_each_gin_file_and_the_operative_config(tmp_path):
    a = _gin(tmp_path, "train.lr = 0.1\n", "a.gin")
    (tmp_path / "sub").mkdir()
    b = _gin(tmp_path / "sub", "train.lr = 0.2\n", "a.gin")
    c = _gin(tmp_path, "train.lr = 0.3\n", OPERATIVE)
    lab = configure([a, b, c])
    files = experiment.run_files(lab)
    assert list(files) == ["a.gin", "2-a.gin", "3-operative.gin", OPERATIVE]
    assert files["2-a.gin"] == "train.lr = 0.2\n" and "train.lr = 0.3" in files[OPERATIVE]
    assert isinstance(lab, LabConfig) and lab.train.lr == 0.3
