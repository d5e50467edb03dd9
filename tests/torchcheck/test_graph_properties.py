"""Property: for random graphs (branches, adds, concats, depthwise and separable and grouped
convolutions, squeeze-and-excitation multiplies, zero padding, batch norm, activations), every
node's shape and parameter count from the arithmetic equals torch's.

The graphs are written as ``Network`` objects directly (sources as tuples), with no parser in
between. The generator knows channel counts only (to make adds and groups valid); every height,
width and parameter count is left to the arithmetic and to torch, which share no formula.
Small shapes, a fixed seed and a few dozen examples: seconds on the CPU.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

from cnnquiz.errors import SpecError  # noqa: E402
from cnnquiz.net.arithmetic import analyze  # noqa: E402
from cnnquiz.net.layers import (  # noqa: E402
    Activation,
    Add,
    BatchNorm,
    Concat,
    Conv,
    Dense,
    Depthwise,
    GlobalPool,
    Multiply,
    Pool,
    PReLU,
    Separable,
    ZeroPad,
)
from cnnquiz.net.network import Network, Shape  # noqa: E402
from cnnquiz.torchcheck import build as bridge  # noqa: E402
from cnnquiz.torchcheck.autograd import measure_saved  # noqa: E402
from cnnquiz.torchcheck.graph import Graph  # noqa: E402
from cnnquiz.torchcheck.verify import verify  # noqa: E402
from tests.torchcheck.nets import GraphWriter  # noqa: E402

ACTS = ("relu", "relu6", "swish", "hard_swish", "hard_sigmoid", "sigmoid", "softplus", "gelu")


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


@st.composite
def _same_channels(draw: st.DrawFn, g: GraphWriter, x: int, c: int) -> int:
    """A layer that keeps the height, width and channels of ``x``: what a residual branch is."""
    choice = draw(st.integers(0, 5))
    k = draw(st.sampled_from([(1, 1), (3, 3), (1, 3), (5, 5)]))
    if choice == 0:
        groups = draw(st.sampled_from(_divisors(c)))
        return g.add(Conv(c, k, padding="same", groups=groups, bias=draw(st.booleans())), x)
    if choice == 1:
        return g.add(Depthwise(k, padding="same", activation=draw(st.sampled_from(ACTS))), x)
    if choice == 2:
        return g.add(Separable(c, k, padding="same", multiplier=draw(st.integers(1, 2))), x)
    if choice == 3:
        return g.add(BatchNorm(), x)
    if choice == 4:
        return g.add(PReLU(draw(st.sampled_from(["channel", "one", "all"]))), x)
    return g.add(Activation(draw(st.sampled_from(ACTS))), x)


@st.composite
def _step(draw: st.DrawFn, g: GraphWriter, x: int, c: int) -> tuple[int, int]:
    """One more piece after node ``x`` of ``c`` channels: (its last node, its channels)."""
    piece = draw(st.sampled_from(["chain", "residual", "projection", "inception", "se", "pad"]))
    if piece == "chain":
        stride = draw(st.integers(1, 2))
        filters = draw(st.integers(1, 6))
        groups = draw(st.sampled_from([d for d in _divisors(c) if filters % d == 0]))
        padding = draw(st.sampled_from(["same", "valid", (1, 0)]))
        conv = Conv(filters, (3, 3), (stride, stride), padding, groups=groups)
        if draw(st.booleans()):
            return g.add(conv, x), filters
        multiplier = draw(st.integers(1, 2))
        return g.add(
            Depthwise((3, 3), (stride, stride), padding, multiplier=multiplier), x
        ), c * multiplier
    if piece == "residual":
        y = x
        for _ in range(draw(st.integers(1, 3))):
            y = draw(_same_channels(g, y, c))
        return g.add(Add(), *draw(st.permutations([x, y]))), c
    if piece == "projection":
        stride, filters = draw(st.integers(1, 2)), draw(st.integers(1, 6))
        main = g.add(Conv(filters, (3, 3), (stride, stride), "same"), x)
        main = g.add(BatchNorm(), main)
        shortcut = g.add(Conv(filters, (1, 1), (stride, stride), "same", bias=False), x)
        return g.add(Add(), main, shortcut), filters
    if piece == "inception":
        branches, total = [], 0
        for _ in range(draw(st.integers(2, 3))):
            if draw(st.booleans()):
                filters = draw(st.integers(1, 4))
                branches.append(
                    g.add(Conv(filters, draw(st.sampled_from([(1, 1), (3, 3)])), padding="same"), x)
                )
                total += filters
            else:
                branches.append(
                    g.add(Pool((3, 3), (1, 1), "same", draw(st.sampled_from(["max", "avg"]))), x)
                )
                total += c
        return g.add(Concat(), *branches), total
    if piece == "se":
        squeezed = g.add(GlobalPool("avg"), x)
        hidden = g.add(Dense(draw(st.integers(1, 3)), activation="relu"), squeezed)
        scale = g.add(Dense(c, activation="sigmoid"), hidden)
        return g.add(Multiply(), *draw(st.permutations([x, scale]))), c
    top, bottom, left, right = (draw(st.integers(0, 2)) for _ in range(4))
    return g.add(ZeroPad((top, bottom, left, right)), x), c


@st.composite
def graphs(draw: st.DrawFn) -> Network:
    h, w, channels = draw(st.integers(4, 10)), draw(st.integers(4, 10)), draw(st.integers(1, 4))
    g = GraphWriter()
    x, c = 0, channels
    for _ in range(draw(st.integers(1, 4))):
        x, c = draw(_step(g, x, c))
    if draw(st.booleans()):
        pooled = g.add(GlobalPool(draw(st.sampled_from(["avg", "max"]))), x)
        g.add(Dense(draw(st.integers(1, 4))), pooled)
    return g.network(Shape((h, w, channels)))


def _figures(network: Network):
    try:
        return analyze(network)
    except SpecError:
        assume(False)  # a window that no longer fits after strides: the arithmetic refuses
        raise


QUICK = settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)


@QUICK
@given(graphs())
def test_random_graphs_agree_with_torch_node_by_node(network: Network) -> None:
    fig = _figures(network)
    v = verify(network, fig)
    assert v.ok, [str(m) for m in v.mismatches]
    assert [str(s) for s in v.shapes] == [str(f.output_shape) for f in fig.layers]
    assert list(v.trainable) == [f.trainable for f in fig.layers]
    assert (v.total_trainable, v.total_buffers) == (fig.trainable, fig.non_trainable)


@pytest.mark.slow  # real images through each graph
@settings(max_examples=10, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(graphs())
def test_a_random_graph_runs_real_images_to_the_analytic_output(network: Network) -> None:
    fig = _figures(network)
    model = bridge.to_module(network).eval()
    assert isinstance(model, Graph) == network.is_graph
    with torch.no_grad():
        out = model(torch.randn(bridge.nchw(network.input, 2)))
    assert bridge.hwc(out.shape) == fig.output_shape


@pytest.mark.slow  # two training forwards of each graph
@settings(max_examples=10, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(graphs())
def test_autograd_scaled_from_a_small_batch_is_the_whole_batch_on_a_graph(network: Network) -> None:
    _figures(network)
    try:
        whole = measure_saved(network, 5, cap_bytes=10**9)
    except SpecError:
        assume(False)  # batch norm over single values: torch refuses to train it
        return
    scaled = measure_saved(network, 5, cap_bytes=0)
    assert scaled.scaled_from in (1, 2)
    assert dataclasses.replace(scaled, scaled_from=None) == whole


@pytest.mark.slow  # a gradient per window and merge of each graph
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(graphs())
def test_receptive_fields_torch_measures_on_a_graph_equal_the_arithmetic(network: Network) -> None:
    from cnnquiz.torchcheck.receptive import field_mismatches, measure_receptive

    _figures(network)
    measured = measure_receptive(network)
    assert measured is not None
    assert [str(m) for m in field_mismatches(network, measured)] == []
