"""Training settings that cannot work are refused up front; a run that diverges stops unsaved;
the default thread count leaves the busy cores alone (issue 9 items 14 and 28)."""

from __future__ import annotations

import json

import pytest

from cnnquiz.errors import SpecError
from cnnquiz.train import config

pytestmark = pytest.mark.slow  # trains with torch and runs the command line in subprocesses

TINY = """\
input: 8x8x3
layers:
  - conv: {filters: 4, kernel: 3, activation: relu}
  - gap: {}
  - dense: {units: 4, activation: softmax}
"""
FAST = ["--size", "8", "--epochs", "1", "--threads", "1"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lr", "inf"], "argument --lr: expected a finite number above 0, got 'inf'"),
        (["--lr", "nan"], "argument --lr: expected a finite number above 0, got 'nan'"),
        (["--lr", "0"], "argument --lr: expected a number above 0, got '0'"),
        (["--lr=-0.1"], "argument --lr: expected a number above 0, got '-0.1'"),
        (["--momentum", "NaN"], "argument --momentum: expected a finite number from 0 to below 1"),
        (["--momentum", "1"], "argument --momentum: expected a number from 0 to below 1, got '1'"),
        (["--weight-decay", "1e999"], "argument --weight-decay: expected a finite number"),
        (["--weight-decay=-1"], "argument --weight-decay: expected a number of at least 0"),
        # a negative value after a space is a value too, not an unknown option
        (["--weight-decay", "-inf"], "argument --weight-decay: expected a finite number"),
        (["--lr", "-0.1"], "argument --lr: expected a number above 0, got '-0.1'"),
        (["--threads", "many"], "argument --threads: expected auto or a whole number"),
    ],
)
def test_settings_that_cannot_work_are_refused_at_parsing(cli, args, message):
    out = cli("train", "--demo", *args)
    assert out.returncode == 2
    assert message in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("lr: .inf", "lr must be a finite number"),
        ("lr: .nan", "lr must be a finite number"),
        ("momentum: .nan", "momentum must be a finite number"),
        ("weight_decay: -.inf", "weight_decay must be a finite number"),
        ("threads: -1", "threads must be a whole number of at least 0 or auto"),
    ],
)
def test_a_spec_with_settings_that_cannot_work_names_its_line(cli, tmp_path, line, message):
    spec = tmp_path / "net.yaml"
    spec.write_text(TINY + "train:\n  epochs: 1\n  " + line + "\n", encoding="utf-8")
    out = cli("train", "--demo", "--config", str(spec))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert f"{spec}:8: {message}" in out.stderr


def test_threads_auto_in_a_spec_and_on_the_command_line():
    assert config.from_mapping({"threads": "auto"}, "net.yaml").threads is None
    base = config.TrainConfig(threads=3)
    assert config.with_overrides(base, threads="auto").threads is None
    assert config.with_overrides(base, threads=0).threads == 0
    with pytest.raises(SpecError, match="--lr: lr must be a finite number"):
        config.with_overrides(base, lr=float("nan"))


def test_a_run_whose_loss_becomes_nan_stops_unsaved_with_the_batch(cli, tmp_path):
    spec = tmp_path / "tiny.yaml"
    spec.write_text(TINY, encoding="utf-8")
    runs = tmp_path / "runs"
    out = cli(
        "train", "--demo", "--config", str(spec), *FAST, "--optimizer", "sgd", "--lr", "1e30",
        "--runs-dir", str(runs),
    )  # fmt: skip
    assert out.returncode == 2 and "Traceback" not in out.stderr
    (line,) = out.stderr.strip().splitlines()
    assert "the loss became NaN in epoch 1, batch 2 of 94" in line
    assert "try a smaller --lr, such as 0.003" in line
    (run,) = runs.iterdir()
    info = json.loads((run / "run.json").read_text())
    assert info["status"] == "diverged" and "batch 2 of 94" in info["error"]
    assert not (run / "weights.safetensors").exists()
    listed = cli("runs", "--runs-dir", str(runs))
    assert "diverged" in listed.stdout


# -- the thread count --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("usable", "online", "load", "threads"),
    [
        (2, 2, 0.0, 2),  # an idle machine: every core
        (2, 2, 1.0, 1),  # one busy process on two cores: the other core
        (2, 2, 0.4, 2),  # a little background work is not a core
        (2, 2, 0.6, 1),
        (2, 2, 9.0, 1),  # overloaded: still one
        (8, 8, 3.2, 5),
        (4, 16, 8.0, 2),  # 4 of 16 cores usable: a quarter of the load falls on them
        (4, 16, 0.0, 4),
        (1, 1, 0.0, 1),
        (0, 0, 0.0, 1),  # nonsense from the system: one thread
    ],
)
def test_choose_threads_leaves_the_busy_cores(usable, online, load, threads):
    assert config.choose_threads(usable, online, load) == threads


def test_thread_choice_says_why(monkeypatch):
    monkeypatch.setattr(config, "usable_cores", lambda: 4)
    monkeypatch.setattr(config, "system_load", lambda: 1.0)
    monkeypatch.setattr(config.os, "cpu_count", lambda: 4)
    assert config.TrainConfig().thread_choice() == (3, "auto: 4 usable cores, load 1.0")
    assert config.TrainConfig(threads=0).thread_choice() == (4, "every usable core (4)")
    assert config.TrainConfig(threads=2).thread_choice() == (2, "as asked")


def test_system_load_counts_the_other_runnable_processes(tmp_path, monkeypatch):
    loadavg = tmp_path / "loadavg"
    loadavg.write_text("13.81 15.00 11.16 3/172 28884\n")  # 3 runnable: this one and 2 more
    assert config.system_load(samples=3, interval=0, source=str(loadavg)) == 2.0
    monkeypatch.setattr(config.os, "getloadavg", lambda: (1.5, 1.0, 1.0))
    assert config.system_load(source=str(tmp_path / "absent")) == 1.5  # macOS: the average


def test_the_training_header_prints_the_threads_used(cli, tmp_path):
    spec = tmp_path / "tiny.yaml"
    spec.write_text(TINY, encoding="utf-8")
    runs = tmp_path / "runs"
    out = cli("train", "--demo", "--config", str(spec), *FAST, "--runs-dir", str(runs))
    assert out.returncode == 0, out.stderr
    assert "threads 1 (as asked)" in out.stdout
    auto = cli(
        "train", "--demo", "--config", str(spec), "--size", "8", "--epochs", "1", "--json",
        "--runs-dir", str(runs),
    )  # fmt: skip
    assert auto.returncode == 0, auto.stderr
    assert 1 <= json.loads(auto.stdout)["threads"] <= config.usable_cores()


def test_every_training_setting_has_a_check():
    """A field added to TrainConfig without a check would raise KeyError, not a one-line error."""
    from dataclasses import fields

    assert set(config._CHECKS) == {f.name for f in fields(config.TrainConfig)}


@pytest.mark.parametrize("name", sorted(config.RATES))
def test_the_command_line_and_the_spec_hold_a_rate_to_one_range(name):
    """``--lr`` and a spec's ``lr:`` read the same ``RATES`` range: what one refuses, so does the
    other, and what one takes, so does the other."""
    import argparse

    from cnnquiz.cli.train import finite_float

    parse = finite_float(config.RATES[name])
    for text in ("-1", "0", "0.5", "0.999", "1", "3"):
        try:
            parse(text)
            cli_takes = True
        except argparse.ArgumentTypeError:
            cli_takes = False
        try:
            config._check(name, float(text), "here")
            spec_takes = True
        except SpecError:
            spec_takes = False
        assert cli_takes == spec_takes, (name, text)
