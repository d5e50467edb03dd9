"""Verification: torch's shapes and parameter counts against the arithmetic, and mismatches."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import time

import pytest

torch = pytest.importorskip("torch")

from cnnquiz.net.arithmetic import analyze  # noqa: E402
from cnnquiz.net.network import Shape  # noqa: E402
from cnnquiz.net.spec import network_from_inline  # noqa: E402
from cnnquiz.torchcheck.build import to_module  # noqa: E402
from cnnquiz.torchcheck.graph import Graph  # noqa: E402
from cnnquiz.torchcheck.verify import verify  # noqa: E402
from tests.conftest import ROOT  # noqa: E402

WORKED = "conv 100 k3 s2 same; conv 200 k3 s2 same; conv 400 k3 s2 same"


@pytest.mark.parametrize("device", [None, "cpu", "meta"])
def test_worked_example_verifies(device):
    network = network_from_inline("200x300x3", WORKED)
    v = verify(network, analyze(network), device)
    assert v.ok, v.mismatches
    assert v.device == (device or "cpu")  # 3.6 MB of parameters: real layers, an empty batch
    assert [str(s) for s in v.shapes] == ["100x150x100", "50x75x200", "25x38x400"]
    assert v.trainable == (2_800, 180_200, 720_400)
    assert v.total_trainable == 903_400


def test_batch_norm_buffers_count_as_non_trainable():
    network = network_from_inline("8x8x3", "conv 4 k3; bn; flatten; dense 5; bn")
    v = verify(network, analyze(network))
    assert v.ok
    assert v.buffers == (0, 8, 0, 0, 10)  # moving mean and variance, not the batch counter
    model = to_module(network)
    assert isinstance(model[1][0], torch.nn.BatchNorm2d)
    assert isinstance(model[4][0], torch.nn.BatchNorm1d)


def test_a_wrong_figure_is_a_mismatch_with_both_figures():
    network = network_from_inline("200x300x3", WORKED)
    fig = analyze(network)
    wrong = dataclasses.replace(fig.layers[2], output_shape=Shape((25, 37, 400)), weights=1)
    fig = dataclasses.replace(fig, layers=(*fig.layers[:2], wrong))
    v = verify(network, fig)
    assert not v.ok
    text = [str(m) for m in v.mismatches]
    assert "layer 3 (Conv2D) output shape: arithmetic 25x37x400, torch 25x38x400" in text
    assert "layer 3 (Conv2D) trainable parameters: arithmetic 401, torch 720,400" in text


@pytest.mark.slow  # seconds of torch
def test_huge_input_verifies_without_allocating():
    network = network_from_inline("100000x100000x3", "conv 64 k3 s2 same; maxpool 2")
    start = time.perf_counter()
    v = verify(network, analyze(network))
    assert v.ok and str(v.shapes[1]) == "25000x25000x64"
    huge = network_from_inline("100000x100000x3", "conv 8 k3 s2 same; flatten; dense 10")
    v = verify(huge, analyze(huge))  # 8 GB of dense weights: built on meta only
    assert v.ok and v.device == "meta" and v.total_trainable == 200_000_000_234
    assert time.perf_counter() - start < 20


def test_resnet50_as_a_graph_verifies_node_by_node_on_the_cpu():
    from tests.torchcheck.nets import resnet50

    network = resnet50()
    fig = analyze(network)
    v = verify(network, fig)
    assert v.ok, [str(m) for m in v.mismatches]
    assert v.device == "cpu"  # 102 MB of weights: uninitialised CPU layers, no meta device
    assert (v.total_trainable, v.total_buffers) == (25_557_032, 53_120)
    assert len(v.shapes) == 174 and str(v.shapes[-3]) == "7x7x2048"
    model = to_module(network, init=False)
    assert isinstance(model, Graph) and len(model) == 174
    assert model[0][-1].weight.shape == (64, 3, 7, 7)  # model[i] is layer i + 1, as a chain's
    assert next(iter(model.state_dict())) == "0.1.weight"  # the keys nn.Sequential would have


@pytest.mark.slow  # a fresh interpreter
def test_checking_resnet50_does_not_import_torchs_compiler_stack():
    """The meta device's first use imports torch._dynamo and sympy: about a second, more than
    the whole check. Verifying and measuring autograd on ResNet-50 must not need it."""
    code = (
        "import sys\n"
        "from tests.torchcheck.nets import resnet50\n"
        "from cnnquiz.net.arithmetic import analyze\n"
        "from cnnquiz.torchcheck.autograd import measure_saved\n"
        "from cnnquiz.torchcheck.verify import verify\n"
        "n = resnet50(); fig = analyze(n)\n"
        "assert verify(n, fig).ok\n"
        "assert measure_saved(n, 32, figures=fig).scaled_from == 1\n"
        "print(sorted(m for m in ('torch._dynamo', 'sympy') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
