"""``cnnquiz zoo`` and ``cnnquiz calc model NAME``: the bundled networks as a student meets them."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest

from cnnquiz import zoo
from cnnquiz.cli import main
from tests.zoo.test_zoo import PUBLISHED


def _main(capsys, monkeypatch, *argv: str) -> tuple[int, str, str]:
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("NO_COLOR", "1")
    status = main(list(argv))
    out = capsys.readouterr()
    return status, out.out, out.err


def test_zoo_lists_every_network_with_its_count_and_source(capsys, monkeypatch):
    status, out, err = _main(capsys, monkeypatch, "zoo")
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == ["name", "network", "input", "trainable", "params", "published", "by"]
    for entry in zoo.ZOO:
        row = next(line for line in lines if line.split()[0] == entry.name)
        assert f"{PUBLISHED[entry.name]:,}" in row.split()
        assert row.endswith(entry.source)
    resnet = next(line for line in lines if line.startswith("resnet18"))
    assert resnet.split()[:5] == ["resnet18", "ResNet-18", "224x224x3", "11,689,512", "torchvision"]
    assert "cnnquiz calc model NAME" in out


def test_zoo_json_gives_both_counts(capsys, monkeypatch):
    status, out, _ = _main(capsys, monkeypatch, "zoo", "--json")
    assert status == 0
    rows = json.loads(out)
    assert [r["name"] for r in rows] == list(PUBLISHED)
    assert all(r["trainable_params"] == r["published_params"] == PUBLISHED[r["name"]] for r in rows)
    assert rows[0] == {
        "name": "lenet5",
        "title": "LeNet-5",
        "input": "32x32x1",
        "trainable_params": 61_706,
        "published_params": 61_706,
        "published_by": "LeCun et al. 1998, as rebuilt in Keras and PyTorch",
    }


def test_zoo_fails_when_a_count_differs_from_the_published_one(capsys, monkeypatch):
    wrong = tuple(
        dataclasses.replace(e, published=e.published + 1) if e.name == "vgg16" else e
        for e in zoo.ZOO
    )
    monkeypatch.setattr(zoo, "ZOO", wrong)
    status, _, err = _main(capsys, monkeypatch, "zoo")
    assert status == 1
    assert err == (
        "cnnquiz: mismatch: zoo vgg16: 138,357,544 trainable parameters, published 138,357,545 "
        "(Keras and torchvision vgg16)\n"
    )


def test_calc_model_takes_a_zoo_name(capsys, monkeypatch):
    status, out, _ = _main(capsys, monkeypatch, "calc", "model", "resnet18", "--no-verify", "--json")
    assert status == 0
    data = json.loads(out)
    assert data["name"] == "ResNet-18"
    assert data["totals"]["trainable"] == 11_689_512
    assert data["layers"][-1]["output_shape"] == "1000"


def test_calc_model_zoo_name_with_another_input(capsys, monkeypatch):
    """``--in`` replaces a zoo network's input, as a file's: LeNet-5 on 28x28 digits, unpadded."""
    status, out, err = _main(
        capsys, monkeypatch, "calc", "model", "lenet5", "--in", "28x28x1", "--no-verify"
    )
    assert status == 2
    assert "does not fit" in err


@pytest.mark.slow  # torch verifies ResNet-18 (and the autograd measurement runs)
def test_calc_model_resnet18_is_verified(cli):
    result = cli("calc", "model", "resnet18", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["verification"]["ok"] is True
    assert data["verification"]["trainable"] == data["totals"]["trainable"] == 11_689_512


@pytest.mark.parametrize("argv", [["calc", "model", "resnet17"], ["calc", "receptive", "vgg61"]])
def test_a_wrong_name_is_one_line_and_exit_2(cli, argv):
    result = cli(*argv)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    close = {"resnet17": "resnet18", "vgg61": "vgg16"}[argv[-1]]
    assert result.stderr.startswith(
        f"cnnquiz: error: NET: no zoo network or spec file named '{argv[-1]}' (did you mean {close}?)"
    )
    assert result.stderr.rstrip().endswith(", ".join(PUBLISHED))


@pytest.mark.slow  # a fresh interpreter
def test_zoo_lists_without_torch():
    code = (
        "import sys\nfrom cnnquiz.cli import main\nmain(['zoo'])\n"
        "print('MODULES:', ' '.join(m.split('.')[0] for m in sys.modules), file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    modules = set(out.stderr.split("MODULES:")[-1].split())
    assert "torch" not in modules
    code = "import sys, cnnquiz.zoo\nprint(' '.join(m.split('.')[0] for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert not set(out.stdout.split()) & {"torch", "textual", "rich"}
