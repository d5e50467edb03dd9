"""cnnquiz tune and runs --sweep, as a student types them (on 16x16 shapes, one epoch)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

FAST = ["--epochs", "1", "--size", "16", "--threads", "1"]


def test_grid_table_best_first_and_the_test_split_once(cli, tmp_path: Path) -> None:
    runs = ["--runs-dir", str(tmp_path)]
    out = cli("tune", "--demo", "--grid", "train.lr=0.01,0.003", *FAST, *runs)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "Grid search: 2 trials on the embedded shapes" in text
    assert "the 1,000 test images wait for the best trial alone" in text
    assert "Trial 1 of 2  train.lr = 0.01" in text
    assert "Trial 2 of 2  train.lr = 0.003   best so far: trial 1" in text
    assert "Test accuracy" in text and "measured once, for this trial only" in text
    shown = cli("runs", "--sweep", "LAST", *runs)
    assert shown.returncode == 0, shown.stderr
    table = text[text.index("Sweep 2") :]
    assert shown.stdout == table  # the same table and verdict, from the record
    data = json.loads(cli("runs", "--sweep", "LAST", "--json", *runs).stdout)
    assert data["status"] == "finished" and data["kind"] == "grid"
    ranked = [t["val_accuracy"] for t in data["trials"]]
    assert ranked == sorted(ranked, reverse=True)
    assert data["best"] == data["trials"][0]["trial"]
    header = table.splitlines()[1].split()
    assert header == ["#", "trial", "lr", "val", "acc", "params", "time"]


def test_random_search_is_seeded(cli, tmp_path: Path) -> None:
    space = tmp_path / "space.gin"
    space.write_text("train.lr = loguniform(1e-3, 1e-2)\ntrain.batch_size = choice(32, 64)\n")
    args = ["tune", "--demo", "--random", "2", "--space", str(space), "--seed", "1", *FAST]
    first = cli(*args, "--runs-dir", str(tmp_path / "a"), "--json")
    again = cli(*args, "--runs-dir", str(tmp_path / "b"), "--json")
    assert first.returncode == 0, first.stderr
    a, b = json.loads(first.stdout), json.loads(again.stdout)
    assert [t["bindings"] for t in a["trials"]] == [t["bindings"] for t in b["trials"]]
    assert [t["val_accuracy"] for t in a["trials"]] == [t["val_accuracy"] for t in b["trials"]]
    assert a["kind"] == "random" and a["settings"]["seed"] == 1


def test_errors_are_one_line(cli, tmp_path: Path) -> None:
    space = tmp_path / "space.gin"
    space.write_text("# ranges\ntrain.lr = uniform(0.1)\n")
    cases = [
        (
            ["--grid", "train.lr=0.1,,0.2"],
            "--grid train.lr=0.1,,0.2: '0.1,,0.2' is not gin literals separated by commas "
            "(numbers, 'strings', tuples, True/False/None)",
        ),
        (["--random", "2"], "--random: --random N draws from a space file: add --space SPACE.GIN"),
        (
            ["--random", "2", "--space", str(space)],
            f"{space}:2: uniform() takes two numbers, low and high: uniform(0.8, 0.99)",
        ),
        (
            ["--grid", "train.lr=1", "--space", str(space)],
            "--space: --space goes with --random, not --grid",
        ),
        (
            ["--grid", "train.lr=0.1,-1"],
            "trial 2 (train.lr = -1): train.lr must be above 0, got -1",
        ),
    ]
    for extra, message in cases:
        out = cli("tune", "--demo", *extra, "--runs-dir", str(tmp_path))
        assert out.returncode == 2, (extra, out.stderr)
        assert out.stderr == f"cnnquiz: error: {message}\n", out.stderr
        assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
    missing = cli("runs", "--sweep", "LAST", "--runs-dir", str(tmp_path))
    assert missing.returncode == 2 and "no sweeps yet" in missing.stderr


def test_ctrl_c_stops_after_the_current_trial(tmp_path: Path) -> None:
    env = {**os.environ, "COLUMNS": "120", "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
    args = ["tune", "--demo", "--grid", "train.lr=0.03,0.01,0.003", *FAST]
    proc = subprocess.Popen(
        [sys.executable, "-m", "cnnquiz", *args, "--runs-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("Trial 1 of 3"):
            proc.send_signal(signal.SIGINT)
            break
    rest, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "stopping after this trial" in err and "Traceback" not in err
    assert "Stopped after 1 of 3 trials: the finished ones are kept." in rest
    (folder,) = (tmp_path / "sweeps").iterdir()
    data = json.loads((folder / "sweep.json").read_text())
    assert data["status"] == "stopped" and len(data["trials"]) == 1
    assert data["trials"][0]["status"] == "finished" and data["test_accuracy"] is not None


def test_a_folder_without_a_test_split(cli, tmp_path: Path) -> None:
    from PIL import Image

    root = tmp_path / "cars"
    for split in ("train", "valid"):
        for i in range(6):
            for name, colour in (("car", (220, 30, 30)), ("truck", (30, 30, 220))):
                (root / split / name).mkdir(parents=True, exist_ok=True)
                Image.new("RGB", (20, 20), colour).save(root / split / name / f"{i}.png")
    (root / "train" / "car" / "broken.png").write_bytes(b"not a png")
    out = cli(
        "tune", "--data", str(root), "--grid", "train.batch_size=4,8", *FAST,
        "--runs-dir", str(tmp_path / "runs"),
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "this data has no test split." in out.stdout
    assert (
        "This data has no test split, so that is the only figure, and it is optimistic"
        in out.stdout
    )
    (warning,) = out.stderr.strip().splitlines()
    assert warning.startswith("cnnquiz: warning: skipped") and "broken.png" in warning
