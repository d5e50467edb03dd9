"""Regressions found by using the lab as a student would (issue 15's QA pass)."""

from __future__ import annotations

import pytest

from cnnquiz.errors import SpecError
from cnnquiz.lab.gin_config import configure, resolve_gin


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("cnn.filters = %width\n", 1, "%width is used but never set: add a line `width = <value>`"),
        ("# uses %k\ncnn.kernel = %k  # %k\n", 2, "%k is used but never set"),
        ("cnn.filters = @gin.singleton()\n", 1, "singleton() missing 1 required positional"),
    ],
)  # fmt: skip
def test_what_fails_while_gin_makes_the_values_is_one_line(tmp_path, text, line, message):
    path = tmp_path / "odd.gin"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as err:
        configure([path])
    assert str(err.value).startswith(f"{path}:{line}: ")
    assert message in str(err.value) and "\n" not in str(err.value)


def test_an_unset_macro_in_a_binding_names_the_bind_argument():
    with pytest.raises(SpecError) as err:
        configure([resolve_gin("lab")], ["cnn.kernel = %kk"])
    assert (
        str(err.value)
        == "--bind 'cnn.kernel = %kk': %kk is used but never set: add a line `kk = <value>`"
    )


def test_a_set_macro_still_works(tmp_path):
    path = tmp_path / "macro.gin"
    path.write_text("k = 5\ncnn.kernel = %k\n", encoding="utf-8")
    assert configure([path]).params["cnn.kernel"] == 5


@pytest.mark.slow
def test_an_unset_macro_on_the_command_line_is_exit_2_not_a_traceback(cli, tmp_path):
    path = tmp_path / "m.gin"
    path.write_text("cnn.filters = %f\n", encoding="utf-8")
    result = cli("train", "--demo", "--gin", str(path), "--dry-run")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert (
        result.stderr
        == f"cnnquiz: error: {path}:1: %f is used but never set: add a line `f = <value>`\n"
    )


def _tiny_plan():
    from cnnquiz.lab.experiment import make_plan
    from cnnquiz.train.data import demo_dataset

    lab = configure([], ["cnn.filters = (4,)", "train.epochs = 1", "train.size = 8"])
    return make_plan(lab, demo_dataset(0, split=(64, 32, 32), size=8))


def _pressing_ctrl_c(real):
    """``real`` that Ctrl+C interrupts while it runs, as a student's key press does."""
    import os
    import signal

    def pressed(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)
        return real(*args, **kwargs)

    return pressed


@pytest.mark.slow  # trains
def test_ctrl_c_while_testing_keeps_the_finished_run_as_cancelled(tmp_path, monkeypatch):
    import json

    from cnnquiz.train import loop
    from cnnquiz.train.run import execute

    calls = []
    real = loop.evaluate

    def evaluate(*args, **kwargs):  # the epoch's validation, then the test split: Ctrl+C there
        calls.append(1)
        return (_pressing_ctrl_c(real) if len(calls) == 2 else real)(*args, **kwargs)

    monkeypatch.setattr(loop, "evaluate", evaluate)
    outcome = execute(_tiny_plan(), tmp_path, measure=False)
    assert len(calls) == 2 and outcome.result.cancelled
    assert len(outcome.result.epochs) == 1 and outcome.result.test_accuracy is not None
    assert (outcome.run_dir / "weights.safetensors").is_file()
    info = json.loads((outcome.run_dir / "run.json").read_text(encoding="utf-8"))
    assert info["status"] == "cancelled"


@pytest.mark.slow  # trains
def test_ctrl_c_while_measuring_memory_still_saves_the_weights(tmp_path, monkeypatch):
    from cnnquiz.torchcheck import autograd
    from cnnquiz.train.run import execute

    monkeypatch.setattr(autograd, "measure_saved", _pressing_ctrl_c(autograd.measure_saved))
    outcome = execute(_tiny_plan(), tmp_path)
    assert outcome.result.cancelled and (outcome.run_dir / "weights.safetensors").is_file()


@pytest.mark.slow  # trains
def test_ctrl_c_while_validating_ends_the_run_with_the_epochs_before(tmp_path, monkeypatch):
    from cnnquiz.train import loop
    from cnnquiz.train.run import execute

    monkeypatch.setattr(loop, "evaluate", _first_raises(loop.evaluate))
    outcome = execute(_tiny_plan(), tmp_path, measure=False)
    assert outcome.result.cancelled and outcome.result.epochs == []


def _first_raises(real):
    calls = []

    def evaluate(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    return evaluate


@pytest.mark.slow  # starts an interpreter
@pytest.mark.parametrize("args", [["train", "--demo", "--gin", "lab", "--dry-run"], ["runs"]])
def test_a_reader_that_stops_early_is_exit_0_without_a_traceback(args, tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "CNNQUIZ_HOME": str(tmp_path), "NO_COLOR": "1"}
    command = [sys.executable, "-m", "cnnquiz", *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert process.stdout is not None
    process.stdout.close()  # as `| head -0` does: every write meets a closed pipe
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0 and b"Traceback" not in err


def test_a_network_bigger_than_the_machine_is_refused_before_anything_is_made(
    tmp_path, monkeypatch
):
    from cnnquiz.errors import CnnquizError
    from cnnquiz.train import run

    plan = _tiny_plan()
    monkeypatch.setattr(run, "physical_memory", lambda: plan.ram.total - 1)
    with pytest.raises(CnnquizError) as err:
        run.execute(plan, tmp_path / "runs")
    assert "training needs about" in str(err.value) and "of memory" in str(err.value)
    assert not (tmp_path / "runs").exists()
    monkeypatch.setattr(run, "physical_memory", lambda: plan.ram.total)
    run.check_fits(plan)  # exactly enough: no complaint
    monkeypatch.setattr(run, "physical_memory", lambda: None)
    run.check_fits(plan)  # a system that does not say: no complaint


@pytest.mark.slow  # starts an interpreter
def test_an_escape_sequence_in_a_grid_argument_never_reaches_the_terminal(cli):
    result = cli("tune", "--demo", "--grid", "cnn.na\x1b[2Jme=1")
    assert result.returncode == 2 and "\x1b" not in result.stderr
    assert result.stderr.startswith("cnnquiz: error: --grid cnn.na")
    assert result.stderr.count("\n") == 1
