"""A hostile run folder given to ``predict`` (issue 9 item 10), and Grad-CAM without colour
(item 27): every bad file is one line naming it, nothing is built that the files do not hold,
and names from the folder reach the terminal as plain text."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cnnquiz.render import RAMP, heatmap_ramp
from cnnquiz.train import runcheck
from tests.conftest import run_cli

pytestmark = pytest.mark.slow  # trains a run, then runs the command line in subprocesses

TINY = """\
input: 8x8x3
layers:
  - conv: {filters: 4, kernel: 3, padding: same, activation: relu}
  - batchnorm: {}
  - gap: {}
  - dense: {units: 4, activation: softmax}
"""


@pytest.fixture(scope="module")
def good_run(tmp_path_factory):
    """One tiny trained run and an image to classify, shared by the tests (copied per test)."""
    root = tmp_path_factory.mktemp("runcheck")
    spec = root / "tiny.yaml"
    spec.write_text(TINY, encoding="utf-8")
    done = run_cli(
        "train", "--demo", "--config", str(spec), "--size", "8", "--epochs", "1",
        "--threads", "1", "--json", "--runs-dir", str(root / "runs"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    image = root / "red.png"
    Image.new("RGB", (20, 20), (200, 10, 10)).save(image)
    return json.loads(done.stdout)["run_dir"], image


@pytest.fixture
def run(good_run, tmp_path):
    folder = tmp_path / "run"
    shutil.copytree(good_run[0], folder)
    return folder


def _edit_info(folder, **changes):
    info = json.loads((folder / "run.json").read_text())
    (folder / "run.json").write_text(json.dumps(info | changes, indent=2))


def _predict(folder, image, *args, env=None):
    started = time.perf_counter()
    out = run_cli("predict", str(folder), str(image), *args, env=env)
    return out, time.perf_counter() - started


def _one_line_error(out):
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
    (line,) = out.stderr.strip().splitlines()
    return line


def test_the_good_run_predicts(run, good_run):
    out, _ = _predict(run, good_run[1], "--json")
    assert out.returncode == 0, out.stderr
    assert sum(json.loads(out.stdout)["probabilities"].values()) == pytest.approx(1)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"std": [0, 0, 0]}, "std must be positive finite numbers (images are divided by it)"),
        ({"std": [1, -0.5, 1]}, "std must be positive finite numbers"),
        ({"std": [1, float("nan"), 1]}, "std must be positive finite numbers"),
        ({"mean": [float("inf"), 0, 0]}, "mean must be finite numbers"),
        ({"mean": [0.5, 0.5]}, "mean must be a list of 3 numbers (one per channel"),
        ({"std": "wide"}, "std must be a list of 3 numbers"),
        ({"classes": []}, "classes must be a list of 1 to 10,000 names"),
        ({"classes": ["a", 7, "c", "d"]}, "every class name must be text of 1 to 200 characters"),
        ({"classes": ["a", "b"]}, "config.yaml: the network gives 4 outputs but run.json names 2"),
    ],
)
def test_bad_run_json_values_name_the_file_and_line(run, good_run, changes, message):
    _edit_info(run, **changes)
    line = _one_line_error(_predict(run, good_run[1])[0])
    assert message in line
    if "config.yaml" not in message:
        key = next(iter(changes))
        text = (run / "run.json").read_text().splitlines()
        number = next(i for i, t in enumerate(text, 1) if f'"{key}"' in t)
        assert line.startswith(f"cnnquiz: error: {run / 'run.json'}:{number}: ")


def test_run_json_that_is_not_json_names_the_line(run, good_run):
    (run / "run.json").write_text('{\n  "classes": ["a",\n}\n')
    line = _one_line_error(_predict(run, good_run[1])[0])
    assert f"{run / 'run.json'}:3: not JSON" in line


def test_a_network_of_307_gb_is_refused_before_it_is_built(run, good_run):
    config = (run / "config.yaml").read_text()
    (run / "config.yaml").write_text(
        config.replace("- dense:", "- dense:\n    units: 100000000\n- dense:", 1)
    )
    out, seconds = _predict(run, good_run[1])
    line = _one_line_error(out)
    assert "the weights hold 149 values but the network of config.yaml has 900,000,133;" in line
    assert line.startswith(f"cnnquiz: error: {run / 'weights.safetensors'}: ")
    assert seconds < 60  # building it would allocate 2 GB first (or 307 GB after a flatten)


def test_weights_of_another_network_are_refused_by_their_header(run, good_run):
    config = (run / "config.yaml").read_text()
    (run / "config.yaml").write_text(config.replace("filters: 4", "filters: 5"))
    line = _one_line_error(_predict(run, good_run[1])[0])
    assert "the weights hold 149 values but the network of config.yaml has 185;" in line


def test_an_input_too_large_to_predict_is_refused(run, good_run):
    config = (run / "config.yaml").read_text()
    (run / "config.yaml").write_text(config.replace("input: 8x8x3", "input: 100000x100000x3"))
    line = _one_line_error(_predict(run, good_run[1])[0])
    assert "is larger than 4096 pixels a side" in line


def test_a_network_too_large_for_one_prediction_is_refused(tmp_path):
    from cnnquiz.errors import CnnquizError
    from cnnquiz.net.spec import network_from_inline

    config = tmp_path / "config.yaml"
    wide = network_from_inline("4096x4096x3", "conv 64 same; gap; dense 4")
    with pytest.raises(CnnquizError, match=r"about 4,\d+ MB for one image \(kept for Grad-CAM\)"):
        runcheck.check_network(wide, 4, config)
    runcheck.check_network(network_from_inline("512x512x3", "conv 64 same; gap; dense 4"), 4, config)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_weights_that_are_a_pipe_are_refused_not_read_forever(run, good_run):
    (run / "weights.safetensors").unlink()
    os.mkfifo(run / "weights.safetensors")
    line = _one_line_error(_predict(run, good_run[1])[0])
    assert "is not a regular file (a device, pipe or socket), expected a weights file" in line


def test_a_truncated_weights_header_is_refused(run, good_run):
    (run / "weights.safetensors").write_bytes((10**9).to_bytes(8, "little") + b"{}")
    line = _one_line_error(_predict(run, good_run[1])[0])
    assert "not a safetensors checkpoint (a header of 1,000,000,000 bytes" in line


def test_class_names_reach_the_terminal_as_plain_text(run, good_run):
    names = ["\x1b[2Jcircle", "[bold red]square[/]", "tri\x9bangle", "cross\x07"]
    _edit_info(run, classes=names)
    out, _ = _predict(run, good_run[1], "--heatmap")
    assert out.returncode == 0, out.stderr
    assert "\x1b" not in out.stdout and "\x9b" not in out.stdout and "\x07" not in out.stdout
    assert "[bold red]square[/]" in out.stdout  # shown as written, not read as markup
    assert "circle" in out.stdout and "triangle" in out.stdout
    listed = run_cli("runs", "--runs-dir", str(run.parent))
    assert listed.returncode == 0 and "\x1b" not in listed.stdout


# -- Grad-CAM without colour (item 27) ---------------------------------------------------------


def test_heatmap_ramp_runs_from_blank_to_at():
    cam = np.tile(np.linspace(0, 1, 64), (32, 1))  # cold on the left, hot on the right
    rows = heatmap_ramp(cam, width=16).splitlines()
    assert len(rows) == 4  # 32 pixel rows at 16 columns: 8 rows of squares, halved
    assert all(r.endswith("@") and r[0] == " " and len(r) == 16 for r in rows)
    assert [RAMP.index(c) for c in rows[0]] == sorted(RAMP.index(c) for c in rows[0])


def test_piped_gradcam_is_a_character_ramp_and_colour_keeps_half_blocks(run, good_run, tmp_path):
    image = tmp_path / "half.png"
    pixels = np.zeros((32, 32, 3), np.uint8)
    pixels[:, 16:] = (250, 250, 250)
    Image.fromarray(pixels).save(image)
    piped, _ = _predict(run, image, "--heatmap")  # NO_COLOR=1 and a pipe
    assert piped.returncode == 0, piped.stderr
    assert "▀" not in piped.stdout and RAMP in piped.stdout
    body = piped.stdout.split(f"'{RAMP}': low to high):\n", 1)[1].splitlines()[:16]
    assert len(body) == 16 and any(set(r) - {" "} for r in body)
    colour, _ = _predict(run, image, "--heatmap", env={"NO_COLOR": "", "FORCE_COLOR": "1"})
    assert colour.returncode == 0 and "▀" in colour.stdout and "\x1b[" in colour.stdout


def test_runcheck_imports_no_torch():
    import subprocess
    import sys

    code = "import sys, cnnquiz.train.runcheck; print('torch' in sys.modules)"
    assert subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip() == "False"
    assert runcheck.PREDICT_RAM_CAP == 2_000_000_000


# -- sample images to predict on (item 27) -----------------------------------------------------


def test_demo_runs_ship_one_sample_per_class_and_predict_runs_on_them(good_run):
    from cnnquiz.train.data import DEMO_CLASSES

    folder = json.loads((Path(good_run[0]) / "run.json").read_text())
    samples = Path(good_run[0]) / "samples"
    assert folder["samples"] == str(samples)
    assert sorted(p.name for p in samples.iterdir()) == sorted(f"{c}.png" for c in DEMO_CLASSES)
    with Image.open(samples / "triangle.png") as img:
        assert img.size == (8, 8) and img.mode == "RGB"  # the size the run was trained at
    out = run_cli("predict", good_run[0], str(samples / "triangle.png"), "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["prediction"] in DEMO_CLASSES


def test_demo_samples_are_new_images_of_each_class():
    from cnnquiz.train import data

    samples = data.demo_samples(32, seed=0)
    assert [name for name, _ in samples] == list(data.DEMO_CLASSES)
    train = data.shape_images(sum(data.DEMO_SPLIT), 32, 0)[0]
    for _, pixels in samples:
        assert pixels.shape == (32, 32, 3) and pixels.dtype == np.uint8
        assert not (train == pixels).all(axis=(1, 2, 3)).any()  # never a dataset image
    again = data.demo_samples(32, seed=0)
    assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(samples, again, strict=True))


def test_the_train_output_prints_a_runnable_predict_command(tmp_path):
    spec = tmp_path / "tiny.yaml"
    spec.write_text(TINY, encoding="utf-8")
    out = run_cli(
        "train", "--demo", "--config", str(spec), "--size", "8", "--epochs", "1",
        "--threads", "1", "--runs-dir", str(tmp_path / "runs"), env={"COLUMNS": "80"},
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    command = out.stdout.split("; try:\n", 1)[1].splitlines()[0].split()
    assert command[:2] == ["cnnquiz", "predict"] and command[3].endswith("samples/triangle.png")
    again = run_cli(*command[1:])
    assert again.returncode == 0 and "prediction:" in again.stdout, again.stderr


def test_runs_lists_a_run_whose_config_cannot_be_read(run):
    (run / "config.yaml").write_text("train: [unclosed\n")
    out = run_cli("runs", "--json", "--runs-dir", str(run.parent))
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    (listed,) = json.loads(out.stdout)
    assert listed["config"] == {} and listed["run_dir"] == str(run)
