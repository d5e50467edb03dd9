"""``cnnquiz train``, ``predict`` and ``runs`` as a student types them (small images, one epoch)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from PIL import Image

from cnnquiz.cli import main
from cnnquiz.train import data
from tests.conftest import run_cli

pytestmark = pytest.mark.slow  # trains with torch through the command line

FAST = ["--epochs", "1", "--batch", "8", "--size", "16", "--threads", "1"]


def _folder(root):
    """Keras layout, two classes told apart by colour, plus a corrupt and a grayscale file."""
    for split in ("train", "valid", "test"):
        for i in range(6):
            for name, colour in (("car", (220, 30, 30)), ("truck", (30, 30, 220))):
                path = root / split / name / f"{i}.png"
                path.parent.mkdir(parents=True, exist_ok=True)
                Image.new("RGB", (30 + i, 20), colour).save(path)
    (root / "train" / "car" / "broken.jpg").write_bytes(b"\xff\xd8 not a jpeg at all")
    Image.new("L", (20, 20), 90).save(root / "train" / "truck" / "grey.png")
    return root


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One run on a generated image folder, shared by the predict and runs tests."""
    root = tmp_path_factory.mktemp("train")
    images = _folder(root / "cars")
    runs = root / "runs"
    done = run_cli("train", "--data", str(images), *FAST, "--json", "--runs-dir", str(runs))
    return images, runs, done


def test_an_image_folder_trains_with_warnings_naming_bad_files(trained):
    images, runs, done = trained
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["epochs"] == 1 and 0 <= report["test_accuracy"] <= 1
    assert report["classes"] == ["car", "truck"] and report["images_per_second"] > 0
    assert report["run_dir"].startswith(str(runs)) and report["seconds"] > 0
    assert "skipped" in done.stderr and "broken.jpg" in done.stderr
    assert "Traceback" not in done.stderr


def test_predict_gives_probabilities_and_a_gradcam_overlay(trained, tmp_path):
    images, runs, done = trained
    run_dir = json.loads(done.stdout)["run_dir"]
    heat = tmp_path / "heat.png"
    image = images / "test" / "truck" / "3.png"
    out = run_cli("predict", run_dir, str(image), "--gradcam", str(heat), "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert set(result["probabilities"]) == {"car", "truck"}
    assert sum(result["probabilities"].values()) == pytest.approx(1)
    with Image.open(heat) as img:
        assert img.size == (33, 20) and img.mode == "RGB"  # the original image's size
    human = run_cli("predict", run_dir, str(image), "--heatmap")
    assert human.returncode == 0 and "prediction:" in human.stdout
    assert "' .:-=+*#%@': low to high" in human.stdout and "▀" not in human.stdout  # piped


def test_runs_lists_the_run(trained):
    _, runs, done = trained
    listed = run_cli("runs", "--runs-dir", str(runs), "--json")
    rows = json.loads(listed.stdout)
    assert [r["run_dir"] for r in rows] == [json.loads(done.stdout)["run_dir"]]
    assert rows[0]["status"] == "finished" and rows[0]["config"]["epochs"] == 1
    table = run_cli("runs", "--runs-dir", str(runs))
    assert table.returncode == 0 and rows[0]["name"] in table.stdout


def test_a_pickle_in_place_of_the_weights_is_refused(trained, tmp_path):
    _, _, done = trained
    copy = tmp_path / "run"
    shutil.copytree(json.loads(done.stdout)["run_dir"], copy)
    marker = tmp_path / "pwned"
    payload = b"cposix\nsystem\n(V touch " + str(marker).encode() + b"\ntR."
    (copy / "weights.safetensors").write_bytes(payload)
    image = tmp_path / "x.png"
    Image.new("RGB", (8, 8)).save(image)
    out = run_cli("predict", str(copy), str(image))
    assert out.returncode == 2 and not marker.exists()
    assert out.stderr.count("\n") == 1 and "never pickle" in out.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--data", "/nonexistent/cars"], "no such folder"),
        (["train", "--data", "{empty}"], "no class subfolders"),
        (["train", "--demo", "--config", "/nonexistent/net.yaml"], "no such file"),
        (["predict", "/nonexistent/run", "x.png"], "no such run or checkpoint"),
        (["predict", "{empty}", "x.png"], "not a run folder"),
    ],
)
def test_bad_input_is_one_line_exit_2(tmp_path, args, message):
    empty = tmp_path / "empty"
    empty.mkdir()
    out = run_cli(*[a.replace("{empty}", str(empty)) for a in args])
    assert out.returncode == 2, out.stderr
    assert out.stderr.count("\n") == 1 and message in out.stderr and "Traceback" not in out.stderr


def test_strict_stops_at_the_corrupt_file(tmp_path):
    out = run_cli(
        "train",
        "--data",
        str(_folder(tmp_path / "cars")),
        *FAST,
        "--strict",
        "--runs-dir",
        str(tmp_path / "runs"),
    )
    assert out.returncode == 2 and "broken.jpg" in out.stderr and out.stderr.count("\n") == 1


def test_predict_names_a_missing_image(trained):
    _, _, done = trained
    out = run_cli("predict", json.loads(done.stdout)["run_dir"], "/nonexistent/dog.jpg")
    assert out.returncode == 2 and "/nonexistent/dog.jpg: no such image" in out.stderr


def test_demo_compare_dense_json(tmp_path, monkeypatch, capsys):
    """The demo's command line on a tiny embedded set: both runs, the dense one under ``dense``."""
    monkeypatch.setattr(data, "DEMO_SPLIT", (256, 64, 64))
    status = main(
        [
            "train",
            "--demo",
            "--compare-dense",
            "--epochs",
            "1",
            "--threads",
            "2",
            "--json",
            "--runs-dir",
            str(tmp_path),
        ]
    )
    assert status == 0
    report = json.loads(capsys.readouterr().out)
    assert report["name"] == "demo-cnn" and report["dense"]["name"] == "dense-baseline"
    assert report["params"] == 24_292 and report["dense"]["params"] == 24_620
    for r in (report, report["dense"]):
        assert (
            0 <= r["test_accuracy"] <= 1
            and r["epochs"] == 1
            and r["run_dir"].startswith(str(tmp_path))
        )
    assert report["saved_tensors_bytes"] > 0 and report["ram_estimate_bytes"] > 0


@pytest.mark.parametrize("argv", [["train", "--help"], ["predict", "--help"], ["runs"]])
def test_help_and_an_empty_runs_list_import_no_torch(argv, tmp_path):
    probe = (
        "import sys\nfrom cnnquiz.cli import main\n"
        f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
        "print('TORCH' if 'torch' in sys.modules else 'NO TORCH', file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert out.stderr.strip().endswith("NO TORCH"), out.stderr


def test_the_train_domain_imports_no_face_and_no_torch():
    modules = ["config", "data", "networks", "runs", "run", "predict", "gradcam"]
    probe = (
        "import sys\n"
        + "".join(f"import cnnquiz.train.{m}\n" for m in modules)
        + ("print(sorted({'torch', 'rich', 'textual'} & {m.split('.')[0] for m in sys.modules}))")
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
