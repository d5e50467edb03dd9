"""``cnnquiz calc code`` and ``.py`` files in ``calc model``: model code read (never run) and
reported as ``calc model`` reports a spec, headed by what was read; ``--emit yaml``, ``--json``,
stdin, and the mismatched ``Linear`` as a one-line error with exit status 2."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest

from cnnquiz.cli import main
from cnnquiz.net.arithmetic import analyze
from cnnquiz.net.layers import Conv
from cnnquiz.net.spec import parse_network
from cnnquiz.yamlio import loads

FIXTURES = Path(__file__).parents[1] / "fixtures" / "code"
NET = str(FIXTURES / "torch_tutorial_net.py")  # the PyTorch tutorial's Net: 62,006 on 32x32x3


def _calc(capsys, monkeypatch, *argv: str) -> tuple[int, str, str]:
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
    try:
        status = main(["calc", *argv])
    except SystemExit as exc:
        status = exc.code
    out = capsys.readouterr()
    return status, out.out, out.err


def test_calc_code_reports_the_tutorial_net_headed_by_what_was_read(capsys, monkeypatch):
    status, out, err = _calc(capsys, monkeypatch, "code", NET, "--in", "32x32x3", "--no-verify")
    assert status == 0, err
    first = out.splitlines()[0]
    assert re.fullmatch(
        r"Network: PyTorch Net at .*torch_tutorial_net\.py:\d+ \(forward at :\d+\)", first
    )
    assert re.search(r"Total\s+62,006\s", out)
    assert "Parameters: 62,006" in out
    assert "RAM for training on a batch of 32" in out


def test_calc_model_takes_a_py_file_where_a_spec_goes(capsys, monkeypatch):
    status, out, _ = _calc(capsys, monkeypatch, "model", NET, "--in", "32x32x3", "--no-verify")
    assert status == 0
    assert out.splitlines()[0].startswith("Network: PyTorch Net at ")
    assert re.search(r"Total\s+62,006\s", out)


def test_code_from_stdin_names_stdin(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(Path(NET).read_text(encoding="utf-8")))
    status, out, _ = _calc(capsys, monkeypatch, "code", "-", "--in", "32x32x3", "--no-verify")
    assert status == 0
    assert re.match(r"Network: PyTorch Net at <stdin>:\d+", out)


def test_emit_yaml_is_a_spec_that_reads_back_to_the_same_network(capsys, monkeypatch):
    status, out, _ = _calc(capsys, monkeypatch, "code", NET, "--in", "32x32x3", "--emit", "yaml")
    assert status == 0
    network = parse_network(loads(out, "emitted"), "emitted")
    assert str(network.input) == "32x32x3"
    assert analyze(network, "float32").params == 62_006
    assert network.layers[0] == Conv(
        6, kernel=(5, 5), padding=(0, 0), where=network.layers[0].where
    )


def test_json_carries_every_figure(capsys, monkeypatch):
    status, out, _ = _calc(
        capsys, monkeypatch, "code", NET, "--in", "32x32x3", "--json", "--no-verify"
    )
    assert status == 0
    doc = json.loads(out)
    assert doc["name"].startswith("PyTorch Net at ")
    assert doc["totals"]["params"] == 62_006


def test_a_mismatched_linear_is_one_line_exit_2(capsys, monkeypatch, tmp_path):
    bad = tmp_path / "net.py"
    bad.write_text(
        Path(NET).read_text(encoding="utf-8").replace("nn.Conv2d(6, 16, 5)", "nn.Conv2d(6, 16, 3)"),
        encoding="utf-8",
    )
    status, out, err = _calc(
        capsys, monkeypatch, "code", str(bad), "--in", "32x32x3", "--no-verify"
    )
    assert status == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "receives 576 = 16·6·6 features" in err
    assert "(1x576 and 400x120)" in err
    assert re.search(r"net\.py:\d+:\d+", err)


def test_pytorch_code_without_in_asks_for_it(capsys, monkeypatch):
    status, _, err = _calc(capsys, monkeypatch, "code", NET, "--no-verify")
    assert status == 2
    assert "--in" in err


def test_code_is_never_run(capsys, monkeypatch, tmp_path):
    marker = tmp_path / "ran"
    evil = tmp_path / "evil.py"
    evil.write_text(
        f"import os\nos.system('touch {marker}')\n" + Path(NET).read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    _calc(capsys, monkeypatch, "code", str(evil), "--in", "32x32x3", "--no-verify")
    assert not marker.exists()


@pytest.mark.slow  # torch builds the layers and measures autograd
def test_the_tutorial_net_is_verified_in_torch(capsys, monkeypatch):
    status, out, err = _calc(capsys, monkeypatch, "code", NET, "--in", "32x32x3")
    assert status == 0, err
    assert "mismatch" not in err
    assert "autograd" in out


def test_keras_code_states_its_own_input(capsys, monkeypatch):
    tutorial = str(FIXTURES / "keras_tf_cnn_tutorial.py")  # the TensorFlow CNN tutorial: 122,570
    status, out, err = _calc(capsys, monkeypatch, "code", tutorial, "--no-verify")
    assert status == 0, err
    assert re.fullmatch(
        r"Network: Keras Sequential at .*keras_tf_cnn_tutorial\.py:\d+, 8 layers",
        out.splitlines()[0],
    )
    assert re.search(r"Total\s+122,570\s", out)
    status, out, _ = _calc(capsys, monkeypatch, "model", tutorial, "--no-verify")
    assert status == 0 and re.search(r"Total\s+122,570\s", out)
