"""Property: for random layer stacks, the analytic shapes and parameter counts equal torch's.

The arithmetic and the bridge share no formula: the bridge finds every size by running meta
tensors through real ``torch.nn`` layers, so agreement on hundreds of random stacks is evidence
that the formulas (padding, strides, dilation, pooling, batch norm) are right.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.slow  # random networks built and run in torch

torch = pytest.importorskip("torch")

from cnnquiz.errors import SpecError  # noqa: E402
from cnnquiz.net.arithmetic import analyze  # noqa: E402
from cnnquiz.net.layers import (  # noqa: E402
    ACTIVATIONS,
    Activation,
    BatchNorm,
    Conv,
    Dense,
    Dropout,
    Flatten,
    GlobalPool,
    Pool,
)
from cnnquiz.net.network import Network, Shape  # noqa: E402
from cnnquiz.torchcheck import build as bridge  # noqa: E402
from cnnquiz.torchcheck.verify import verify  # noqa: E402

small = st.integers(1, 4)
pair = st.tuples(small, small)
padding = st.one_of(
    st.sampled_from(["valid", "same"]), st.tuples(st.integers(0, 2), st.integers(0, 2))
)
activation = st.sampled_from([None, *[a for a in ACTIVATIONS if a != "linear"]])

conv = st.builds(
    Conv,
    filters=st.integers(1, 6),
    kernel=pair,
    stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    padding=padding,
    dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    bias=st.booleans(),
    activation=activation,
)
pool = st.builds(
    Pool,
    op=st.sampled_from(["max", "avg"]),
    size=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    stride=st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3))),
    padding=st.sampled_from(["valid", "same"]),
)
image_layer = st.one_of(
    conv,
    conv,
    pool,
    st.just(BatchNorm()),
    st.builds(Dropout, rate=st.sampled_from([0.0, 0.25, 0.5])),
    st.builds(Activation, name=st.sampled_from([a for a in ACTIVATIONS if a != "linear"])),
)
vector_layer = st.one_of(
    st.builds(Dense, units=st.integers(1, 8), bias=st.booleans(), activation=activation),
    st.just(BatchNorm()),
    st.builds(Dropout, rate=st.just(0.5)),
)


@st.composite
def networks(draw: st.DrawFn) -> Network:
    shape = Shape((draw(st.integers(1, 24)), draw(st.integers(1, 24)), draw(st.integers(1, 5))))
    layers = draw(st.lists(image_layer, min_size=1, max_size=5))
    head = draw(st.sampled_from([None, Flatten(), GlobalPool("avg"), GlobalPool("max")]))
    if head is not None:
        layers += [head, *draw(st.lists(vector_layer, max_size=3))]
    return Network(shape, tuple(layers))


@settings(
    max_examples=50, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(networks(), st.sampled_from(["cpu", "meta"]))
def test_random_stacks_agree_with_torch(network: Network, device: str) -> None:
    try:
        fig = analyze(network)
    except SpecError:
        assume(False)  # a window that does not fit: the arithmetic refuses, as it should
        return
    v = verify(network, fig, device)
    assert v.ok, [str(m) for m in v.mismatches]
    assert [str(s) for s in v.shapes] == [str(f.output_shape) for f in fig.layers]
    assert v.total_trainable == fig.trainable
    assert v.total_buffers == fig.non_trainable


@settings(max_examples=15, deadline=None, derandomize=True)
@given(networks())
def test_real_forward_has_the_analytic_output_shape(network: Network) -> None:
    try:
        fig = analyze(network)
    except SpecError:
        assume(False)
        return
    model = bridge.to_module(network).eval()
    with torch.no_grad():
        out = model(torch.randn(bridge.nchw(network.input, 2)))
    assert bridge.hwc(out.shape) == fig.output_shape


@settings(max_examples=25, deadline=None, derandomize=True)
@given(networks())
def test_receptive_fields_torch_measures_equal_the_arithmetic(network: Network) -> None:
    from cnnquiz.torchcheck.receptive import field_mismatches, measure_receptive

    try:
        analyze(network)
    except SpecError:
        assume(False)
        return
    measured = measure_receptive(network)
    assert measured is not None
    assert field_mismatches(network, measured) == []
