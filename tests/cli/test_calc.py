"""``cnnquiz calc`` as a student and a script use it: figures, working, JSON, errors, exit codes.

Subprocesses where the whole program matters (golden text, bad input without a traceback,
torch never imported); in-process ``main`` for the rest, to keep the file fast.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cnnquiz.cli import main
from tests.conftest import ROOT, run_cli

WORKED = "conv 100 k3 s2 same; conv 200 k3 s2 same; conv 400 k3 s2 same"
GOLDEN = Path(__file__).parents[1] / "golden" / "calc_model_worked.txt"


# the first layer of the course's worked example, as a student types it
WORKED_CONV = (
    "conv",
    "--in",
    "200x300x3",
    "--filters",
    "100",
    "--stride",
    "2",
    "--padding",
    "same",
)


def _normalise(text: str) -> str:
    """Trailing blanks and the torch version vary between machines; the figures may not."""
    text = re.sub(r"torch \d+\.\d+(\.\d+)?", "torch X", text)
    return "\n".join(line.rstrip() for line in text.splitlines()).strip() + "\n"


def _calc(capsys, monkeypatch, *argv: str) -> tuple[int, str, str]:
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
    try:
        status = main(["calc", *argv])
    except SystemExit as exc:  # argparse's usage errors
        status = exc.code
    out = capsys.readouterr()
    return status, out.out, out.err


@pytest.mark.slow  # the command line in a subprocess
def test_worked_example_golden_text():
    result = run_cli("calc", "model", "examples/worked.yaml", "--batch", "50")
    assert result.returncode == 0, result.stderr
    text = _normalise(result.stdout)
    if os.environ.get("CNNQUIZ_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


@pytest.mark.slow  # the command line in a subprocess
def test_worked_example_figures_in_the_text(capsys, monkeypatch):
    status, out, _ = _calc(
        capsys, monkeypatch, "model", "--in", "200x300x3", WORKED, "--batch", "50"
    )
    assert status == 0
    rows = [line.split() for line in out.splitlines() if re.match(r"^\d+\s+Conv2D", line)]
    assert [(r[6], r[7], r[8], " ".join(r[9:])) for r in rows] == [
        ("100x150x100", "2,800", "40,500,000", "6 MB"),
        ("50x75x200", "180,200", "675,000,000", "3 MB"),
        ("25x38x400", "720,400", "684,000,000", "1.52 MB"),
    ]
    assert re.search(r"Total\s+903,400\s+1,399,500,000\s+10.5 MB", out)
    assert "Parameters: 903,400 (all trainable) = 3,613,600 bytes = 3.61 MB" in out
    assert "largest input + output: layer 2 (Conv2D): 6 MB in + 3 MB out" in out
    assert "total: 6 MB + 3 MB + 3.61 MB = 12.6 MB" in out
    assert re.search(r"layer outputs × 50\s+10,520,000 bytes · 50\s+526 MB", out)
    assert re.search(r"inputs × 50\s+720,000 bytes · 50\s+36 MB", out)
    assert re.search(r"parameters\s+903,400 · 4 bytes\s+3.61 MB", out)
    assert re.search(r"gradients\s+one per trainable parameter: 903,400 · 4 bytes\s+3.61 MB", out)
    assert re.search(r"optimizer state \(sgd\)\s+0 values per trainable parameter\s+0 MB", out)
    assert "What autograd really keeps for backward: 498 MB" in out
    assert re.search(
        r"verified with torch [\d.]+: shapes and 903,400 parameters match \(an empty batch on the CPU\)",
        out,
    )


def test_model_json_is_one_document_with_every_figure(capsys, monkeypatch):
    status, out, _ = _calc(
        capsys,
        monkeypatch,
        "model",
        "examples/worked.yaml",
        "--batch",
        "50",
        "--optimizer",
        "adam",
        "--json",
        "--flops",
    )
    assert status == 0
    data = json.loads(out)
    assert [r["output_shape"] for r in data["layers"]] == ["100x150x100", "50x75x200", "25x38x400"]
    assert [r["params"] for r in data["layers"]] == [2_800, 180_200, 720_400]
    assert data["totals"]["params"] == sum(r["params"] for r in data["layers"]) == 903_400
    assert data["totals"]["macs"] == sum(r["macs"] for r in data["layers"]) == 1_399_500_000
    assert (
        data["totals"]["output_bytes"]
        == sum(r["output_bytes"] for r in data["layers"])
        == 10_520_000
    )
    assert data["totals"]["flops"] == 2 * data["totals"]["macs"] == 2_799_000_000
    assert data["prediction_ram"]["total"] == 12_613_600
    terms = {t["term"]: t["bytes"] for t in data["training_ram"]["terms"]}
    assert terms == {
        "layer outputs × 50": 526_000_000,
        "inputs × 50": 36_000_000,
        "parameters": 3_613_600,
        "gradients": 3_613_600,
        "optimizer state (adam)": 7_227_200,
    }
    assert data["training_ram"]["total"] == sum(terms.values())
    assert data["autograd"]["saved_bytes"] == 498_400_600
    assert data["autograd"]["textbook_bytes"] == 562_000_000
    assert data["verification"]["ok"] and data["verification"]["trainable"] == 903_400


def test_conv_shows_the_working(capsys, monkeypatch):
    status, out, _ = _calc(capsys, monkeypatch, *WORKED_CONV, "--kernel", "3")
    assert status == 0
    for line in (
        "output height = ceil(in / stride) = ceil(200 / 2) = 100",
        "output width = ceil(in / stride) = ceil(300 / 2) = 150",
        "padding = 0 top, 1 bottom, 0 left, 1 right",
        "parameters = (kh·kw·C_in + 1)·filters = (3·3·3 + 1)·100 = 2,800",
        "parameters = 2,700 weights + 100 biases",
        "multiplications = H_out·W_out·filters·kh·kw·C_in = 100·150·100·3·3·3 = 40,500,000",
        "output size = 100·150·100 values · 4 bytes = 6,000,000 bytes = 6 MB",
        "padding same (Keras/TensorFlow)",
        "MB = 10^6 bytes",
        "shapes and 2,800 parameters match (an empty batch on the CPU)",
    ):
        assert line in out


def test_conv_rectangular_no_bias_flops_json(capsys, monkeypatch):
    status, out, _ = _calc(
        capsys,
        monkeypatch,
        "conv",
        "--in",
        "32x32x3",
        "--filters",
        "8",
        "--kernel",
        "3x5",
        "--padding",
        "1",
        "--no-bias",
        "--flops",
        "--dtype",
        "float16",
        "--json",
    )
    row = json.loads(out)["layers"][0]
    assert status == 0
    assert (row["output_shape"], row["weights"], row["biases"]) == ("32x30x8", 360, 0)
    assert row["flops"] == 2 * row["macs"] == 2 * 32 * 30 * 8 * 3 * 5 * 3
    assert row["output_bytes"] == 32 * 30 * 8 * 2


def test_pool_dense_and_the_flatten_gap_comparison(capsys, monkeypatch):
    status, out, _ = _calc(
        capsys, monkeypatch, "pool", "--in", "100x150x100", "--size", "2", "--json"
    )
    assert status == 0 and json.loads(out)["layers"][0]["output_shape"] == "50x75x100"
    status, out, _ = _calc(
        capsys, monkeypatch, "pool", "--in", "5x5x1", "--kind", "avg", "--padding", "same", "--json"
    )
    assert status == 0 and json.loads(out)["layers"][0]["output_shape"] == "3x3x1"
    status, out, _ = _calc(capsys, monkeypatch, "dense", "--in", "1024", "--units", "64")
    assert status == 0 and "(1024 + 1)·64 = 65,600" in out
    status, out, _ = _calc(capsys, monkeypatch, "flatten", "--in", "4x4x64")
    assert status == 0
    assert "Dense 10 after flatten: (1,024 + 1)·10 = 10,250" in out
    assert "Dense 10 after gap: (64 + 1)·10 = 650" in out
    status, out, _ = _calc(capsys, monkeypatch, "gap", "--in", "4x4x64", "--units", "2", "--json")
    nd = json.loads(out)["next_dense"]
    assert status == 0 and (nd["gap"]["dense_params"], nd["flatten"]["dense_params"]) == (
        130,
        2_050,
    )


def test_receptive_field_and_the_stacked_note(capsys, monkeypatch):
    status, out, _ = _calc(
        capsys, monkeypatch, "receptive", "--in", "32x32x3", "conv 8; conv 8; conv 8"
    )
    assert status == 0
    assert re.search(
        r"3\s+Conv2D 8 3x3 valid\s+26x26x8\s+3x3\s+1x1\s+1x1\s+7x7\s+5 \+ \(3 - 1\)·1 = 7", out
    )
    flat = " ".join(out.split())  # the note may wrap
    assert "three of them see 7x7 with 3·3·3 = 27 weights per channel pair" in flat
    assert "one 7x7 kernel needs 7·7 = 49" in flat
    assert re.search(r"7x7\s+5 \+ \(3 - 1\)·1 = 7\s+7x7\n", out)  # the torch column agrees
    assert "so do the receptive fields torch measured" in flat
    status, out, _ = _calc(capsys, monkeypatch, "receptive", "examples/worked.yaml", "--json")
    assert [(r["field"], r["jump"], r["measured"]) for r in json.loads(out)["layers"]] == [
        ("3x3", "2x2", "3x3"),
        ("7x7", "4x4", "7x7"),
        ("15x15", "8x8", "15x15"),
    ]


def test_a_torch_mismatch_exits_1_with_both_figures(capsys, monkeypatch):
    from cnnquiz.cli import calc
    from cnnquiz.net.network import Shape

    real = calc.analyze

    def wrong(network, dtype="float32"):
        fig = real(network, dtype)
        bad = dataclasses.replace(fig.layers[0], output_shape=Shape((99, 150, 100)))
        return dataclasses.replace(fig, layers=(bad, *fig.layers[1:]))

    monkeypatch.setattr(calc, "analyze", wrong)
    status, out, err = _calc(
        capsys,
        monkeypatch,
        *WORKED_CONV,
    )
    assert status == 1
    assert "layer 1 (Conv2D) output shape: arithmetic 99x150x100, torch 100x150x100" in err
    assert "disagrees" in out


def _tmp_yaml(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


BAD = [
    (["conv", "--in", "200x300", "--filters", "3"], "--in: expected H x W x C"),
    (["conv", "--in", "abc", "--filters", "3"], "--in: expected a shape like 200x300x3"),
    (["conv", "--in", "0x5x3", "--filters", "3"], "--in: every dimension must be at least 1"),
    (
        ["conv", "--in", "5x5x3", "--filters", "-1"],
        "argument --filters: expected a positive integer",
    ),
    (
        ["conv", "--in", "5x5x3", "--filters", "2", "--stride", "0"],
        "--stride: stride must be a positive integer",
    ),
    (
        ["conv", "--in", "5x5x3", "--filters", "2", "--kernel", "7"],
        "--kernel: the 7-pixel window does not fit",
    ),
    (
        ["conv", "--in", "5x5x3", "--filters", "2", "--padding", "bogus"],
        "--padding: padding must be valid, same",
    ),
    (
        ["model", "--in", "5x5x3", "conv 2 k3; conv 2 k5"],
        "layers: layer 2: the 5-pixel window does not fit",
    ),
    (["model", "UNKNOWN"], "UNKNOWN.yaml:4: unknown layer 'convv' (did you mean conv?)"),
    (["model", "SYNTAX"], "SYNTAX.yaml:4: YAML syntax error"),
    (["model", "missing.yaml"], "missing.yaml: no such file"),
    (["model", "conv 3"], "--in: no file named 'conv 3'; inline layers need an input shape"),
    (["dense", "--in", "4x4x3", "--units", "3"], "--in: Dense needs a vector input"),
    # issue 9.16: torch's and Keras's rules, with the rule in the message
    (
        ["pool", "--in", "4x4x1", "--size", "2", "--stride", "2", "--padding", "2"],
        "padding 2 on the rows is more than half the 2-pixel pooling window; the rule "
        "(PyTorch's): padding at most half the pool size, here at most 1",
    ),
    (
        ["conv", "--in", "32x32x3", "--filters", "8", "--stride", "2", "--dilation", "2"],
        "stride 2 together with dilation 2: a convolution strides or dilates, not both (Keras "
        "refuses stride > 1 with dilation > 1)",
    ),
    (["model", "--in", "8x8x3", "lstm 32"], "layers: layer 1: unknown layer 'lstm'; expected one of conv,"),
    (["model", "LSTM"], "LSTM.yaml:3: unknown layer 'lstm'; expected one of conv, depthwise"),
    # issue 9.17: a negative shape reaches the shape reader, with or without "="
    (["conv", "--in", "-200x300x3", "--filters", "2"], "--in: every dimension must be at least 1"),
    (["conv", "--in=-200x300x3", "--filters", "2"], "--in: every dimension must be at least 1"),
    (["conv", "--in", "8x8x3", "--filters", "2", "--kernel", "-3x3"], "--kernel: kernel must be a positive"),
    # issue 9.7: inline layers longer than a file name may be are read as layers
    (["model", "conv 3 k1; " * 30], "--in: no file named 'conv 3 k1; conv 3 k1; conv 3 k1… (332 characters)"),
]


@pytest.mark.slow  # the command line in a subprocess
@pytest.mark.parametrize(("argv", "message"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_is_one_line_exit_2(tmp_path, argv, message):
    files = {
        "UNKNOWN": _tmp_yaml(
            tmp_path,
            "UNKNOWN.yaml",
            "input: 32x32x3\nlayers:\n  - conv: {filters: 8}\n  - convv: {filters: 8}\n",
        ),
        "SYNTAX": _tmp_yaml(
            tmp_path,
            "SYNTAX.yaml",
            "input: 32x32x3\nlayers:\n  - conv: {filters: 8\n  - dense: 3\n",
        ),
        "LSTM": _tmp_yaml(tmp_path, "LSTM.yaml", "input: 32x32x3\nlayers:\n  - lstm: 32\n"),
    }
    argv = [files.get(a, a) for a in argv]
    result = run_cli("calc", *argv, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert result.stdout == ""


@pytest.mark.slow  # the command line in a subprocess
@pytest.mark.parametrize(
    "argv",
    [
        [
            *WORKED_CONV,
            "--no-verify",
        ],
        ["model", "examples/worked.yaml", "--batch", "50", "--no-verify", "--json"],
        ["receptive", "examples/tf-cnn.yaml", "--no-verify"],
    ],
)
def test_no_verify_never_imports_torch(argv):
    code = (
        "import sys\nfrom cnnquiz.cli import main\n"
        f"status = main(['calc', *{argv!r}])\n"
        "print('TORCH', 'torch' in sys.modules, status, file=sys.stderr)\n"
    )
    env = {**os.environ, "COLUMNS": "120", "NO_COLOR": "1"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
    )
    assert "TORCH False 0" in result.stderr, result.stderr
    assert "not verified" in result.stdout or '"verification": null' in result.stdout


def test_inline_layers_longer_than_a_file_name_are_read_as_layers(capsys, monkeypatch):
    # issue 9.7: Path(spec).exists() raised "File name too long" past 255 characters
    monkeypatch.setenv("COLUMNS", "120")
    layers = "; ".join(["conv 4 k1 relu"] * 30)
    assert len(layers) > 255
    assert main(["calc", "model", "--in", "8x8x3", layers, "--no-verify", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["layers"]) == 30 and data["totals"]["params"] == 16 + 29 * 20


@pytest.mark.parametrize(
    "argv",
    [
        ["conv", "--in", "3x200x300", "--filters", "100"],
        ["pool", "--in", "3x200x300"],
        ["gap", "--in", "4x32x64"],
        ["model", "--in", "3x200x300", "conv 100 k3"],
        ["receptive", "--in", "3x200x300", "conv 100 k3"],
    ],
)
def test_channels_first_input_gets_a_hint(argv, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    h, w, c = argv[2].split("x")
    hint = f"this reads as H×W×C = {h}×{w}×{c}; for PyTorch's C×H×W write {w}x{c}x{h}"
    assert main(["calc", *argv, "--no-verify"]) == 0
    assert f"Hint: {hint}" in capsys.readouterr().out.splitlines()
    assert main(["calc", *argv, "--no-verify", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["hints"] == [hint]


@pytest.mark.parametrize("shape", ["200x300x3", "5x5x8", "4x64x32", "8x8x300"])
def test_channels_last_input_gets_no_hint(shape, capsys):
    assert main(["calc", "conv", "--in", shape, "--filters", "2", "--no-verify", "--json"]) == 0
    assert "hints" not in json.loads(capsys.readouterr().out)


def test_the_hint_explains_a_kernel_that_does_not_fit(capsys):
    assert main(["calc", "conv", "--in", "3x200x300", "--filters", "100", "--kernel", "5"]) == 2
    err = capsys.readouterr().err
    assert "does not fit the 3-pixel height" in err
    assert "(hint: this reads as H×W×C = 3×200×300; for PyTorch's C×H×W write 200x300x3)" in err
