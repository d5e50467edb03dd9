"""``cnnquiz calc model`` on graphs: the From column, the block headings, the tensors that make
the prediction peak, the JSON's sources and names, and one-line errors."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from cnnquiz.cli import main
from cnnquiz.net.units import fmt_mb
from tests.conftest import run_cli

BLOCK = "examples/resnet-block.yaml"
GOLDEN = Path(__file__).parents[1] / "golden" / "calc_model_resnet_block.txt"
TENSOR = 56 * 56 * 64 * 4  # 802,816 bytes: every tensor of the blocks
PARAMS = 4 * 36_864 + 4 * 256  # four 3x3 convs 64 -> 64 without bias, four batch norms


def _calc(capsys, monkeypatch, *argv: str) -> tuple[int, str, str]:
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
    try:
        status = main(["calc", *argv])
    except SystemExit as exc:
        status = exc.code
    out = capsys.readouterr()
    return status, out.out, out.err


def test_the_table_has_a_from_column_and_a_heading_per_block_use(capsys, monkeypatch):
    status, out, _ = _calc(capsys, monkeypatch, "model", BLOCK, "--no-verify")
    assert status == 0
    lines = out.splitlines()
    assert re.fullmatch(r"\s*#\s+Layer\s+From\s+Shape\s+Params\s+MACs\s+Output", lines[2])
    assert [line.strip() for line in lines if line.strip() in ("basic1", "basic2")] == [
        "basic1",
        "basic2",
    ]
    add = next(line for line in lines if re.match(r"\s*6\s+Add", line))
    assert re.search(r"Add 56x56x64 \+ 56x56x64\s+input, 5\s+56x56x64\s+0\s+0", add)
    second = next(line for line in lines if re.match(r"\s*13\s+Add", line))
    assert re.search(r"\s7, 12\s+56x56x64", second)  # basic2's input: basic1's last layer
    assert re.search(rf"Total\s+{PARAMS:,}\s", out)


def test_the_prediction_peak_names_the_tensors_held_for_the_shortcut(capsys, monkeypatch):
    status, out, _ = _calc(capsys, monkeypatch, "model", BLOCK, "--no-verify")
    assert status == 0
    # the first batch norm: the conv's output, its own, and the block's input held for the add
    assert "peak at layer 2 (BatchNorm, basic1): 3 tensors alive while it runs" in out
    assert re.search(r"layer 1 \(Conv2D, basic1\)\s+0\.803 MB\s+its input\n", out)
    assert re.search(r"the input\s+0\.803 MB\s+the input of basic1, kept for layer 6 \(Add", out)
    assert f"(parameters) = {fmt_mb(3 * TENSOR + 4 * PARAMS)}" in out


def test_json_has_each_layers_sources_names_and_the_held_tensors(capsys, monkeypatch):
    status, out, _ = _calc(capsys, monkeypatch, "model", BLOCK, "--no-verify", "--json")
    assert status == 0
    doc = json.loads(out)
    add = doc["layers"][5]
    assert (add["layer"], add["sources"], add["scope"]) == ("Add", [0, 5], "basic1")
    assert add["input_shapes"] == ["56x56x64", "56x56x64"]
    ram = doc["prediction_ram"]
    assert [t["bytes"] for t in ram["held"]] == [TENSOR] * 3
    assert ram["held"][0]["producer"] == 0
    assert ram["total"] == sum(t["bytes"] for t in ram["held"]) + ram["param_bytes"]


def test_a_merge_of_two_shapes_is_one_line_naming_both(tmp_path, capsys, monkeypatch):
    spec = tmp_path / "bad.yaml"
    spec.write_text(
        "input: 56x56x64\nlayers:\n  - conv: {filters: 64, kernel: 3, stride: 2, padding: same}\n"
        "  - add: {}\n    from: [input, -1]\n",
        encoding="utf-8",
    )
    status, out, err = _calc(capsys, monkeypatch, "model", str(spec), "--no-verify")
    assert status == 2 and not out
    [line] = err.strip().splitlines()
    assert "bad.yaml:4" in line and "56x56x64" in line and "28x28x64" in line


@pytest.mark.slow  # the command line in a subprocess, verified in torch
def test_the_block_golden_text_verified_in_torch():
    result = run_cli("calc", "model", BLOCK, "--batch", "32")
    assert result.returncode == 0, result.stderr
    text = "\n".join(line.rstrip() for line in result.stdout.splitlines()).strip() + "\n"
    text = re.sub(r"torch \d+\.\d+(\.\d+)?", "torch X", text)
    if os.environ.get("CNNQUIZ_UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")
    assert f"shapes, {PARAMS - 4 * 128:,} trainable parameters" in text
