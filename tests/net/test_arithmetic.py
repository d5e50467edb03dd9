"""The analytic figures: the course's worked example figure by figure, the TensorFlow tutorial
CNN, RAM terms, padding, receptive field. Pure Python: no torch here."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnquiz.errors import SpecError
from cnnquiz.net.arithmetic import analyze
from cnnquiz.net.layers import Activation, BatchNorm, Conv, Dense, Dropout, Flatten, Pool
from cnnquiz.net.memory import prediction_ram, training_ram
from cnnquiz.net.network import Network, Shape
from cnnquiz.net.receptive import receptive_field, stacked_receptive_field, weights_per_channel_pair
from cnnquiz.net.spec import load_network, network_from_inline
from cnnquiz.net.units import fmt_mb
from tests.conftest import ROOT

WORKED = "conv 100 k3 s2 same; conv 200 k3 s2 same; conv 400 k3 s2 same"
TF_CNN = "conv 32 k3 relu; maxpool 2; conv 64 k3 relu; maxpool 2; conv 64 k3 relu; flatten; dense 64 relu; dense 10"


@pytest.fixture
def worked():
    return analyze(network_from_inline("200x300x3", WORKED))


def test_worked_example_shapes_and_parameters(worked):
    assert [str(f.output_shape) for f in worked.layers] == ["100x150x100", "50x75x200", "25x38x400"]
    assert [f.params for f in worked.layers] == [2_800, 180_200, 720_400]
    assert [(f.weights, f.biases) for f in worked.layers] == [
        (2_700, 100),
        (180_000, 200),
        (720_000, 400),
    ]
    assert worked.params == 903_400
    assert worked.param_bytes == 3_613_600
    assert fmt_mb(worked.param_bytes) == "3.61 MB"


def test_worked_example_working_lines(worked):
    first = [str(s) for s in worked.layers[0].steps]
    assert "output height = ceil(in / stride) = ceil(200 / 2) = 100" in first
    assert "output width = ceil(in / stride) = ceil(300 / 2) = 150" in first
    assert "parameters = (kh·kw·C_in + 1)·filters = (3·3·3 + 1)·100 = 2,800" in first
    assert "ceil(75 / 2) = 38" in str(worked.layers[2].steps[1])


def test_worked_example_bytes(worked):
    assert worked.input_bytes == 720_000
    assert [worked.output_bytes(f) for f in worked.layers] == [6_000_000, 3_000_000, 1_520_000]
    assert [fmt_mb(worked.output_bytes(f)) for f in worked.layers] == ["6 MB", "3 MB", "1.52 MB"]
    assert fmt_mb(worked.input_bytes) == "0.72 MB"


def test_worked_example_prediction_ram(worked):
    ram = prediction_ram(worked)
    assert (ram.peak_layer, ram.input_bytes, ram.output_bytes) == (2, 6_000_000, 3_000_000)
    assert ram.total == 12_613_600
    assert fmt_mb(ram.total) == "12.6 MB"


def test_worked_example_training_ram(worked):
    ram = training_ram(worked, 50)
    assert ram.outputs_per_image == 10_520_000
    assert ram.outputs_bytes == 526_000_000
    assert ram.inputs_bytes == 36_000_000
    assert ram.param_bytes == ram.gradient_bytes == 3_613_600
    assert ram.optimizer_bytes == 0
    assert [fmt_mb(x) for x in (ram.outputs_bytes, ram.inputs_bytes, ram.param_bytes)] == [
        "526 MB",
        "36 MB",
        "3.61 MB",
    ]
    assert ram.total == 526_000_000 + 36_000_000 + 2 * 3_613_600


@pytest.mark.parametrize(("optimizer", "copies"), [("sgd", 0), ("momentum", 1), ("adam", 2)])
def test_optimizer_state_counts_trainable_parameters(worked, optimizer, copies):
    assert training_ram(worked, 50, optimizer).optimizer_bytes == copies * 3_613_600


def test_dtype_changes_bytes_not_counts():
    fig = analyze(network_from_inline("200x300x3", WORKED), "float16")
    assert fig.params == 903_400
    assert fig.param_bytes == 1_806_800
    assert prediction_ram(fig).total == 12_613_600 // 2


def test_tensorflow_tutorial_cnn():
    fig = analyze(load_network(ROOT / "examples" / "tf-cnn.yaml"))
    assert [f.params for f in fig.layers] == [896, 0, 18_496, 0, 36_928, 0, 65_600, 650]
    assert [str(f.output_shape) for f in fig.layers] == [
        "30x30x32",
        "15x15x32",
        "13x13x64",
        "6x6x64",
        "4x4x64",
        "1024",
        "64",
        "10",
    ]
    assert fig.params == 122_570
    assert fig.layers[0].macs == 30 * 30 * 32 * 3 * 3 * 3


def test_examples_worked_yaml_is_the_worked_example(worked):
    fig = analyze(load_network(ROOT / "examples" / "worked.yaml"))
    assert fig.params == worked.params
    assert [f.output_shape for f in fig.layers] == [f.output_shape for f in worked.layers]


def test_same_padding_puts_the_odd_pixel_bottom_right():
    fig = analyze(network_from_inline("200x300x3", WORKED))
    assert fig.layers[0].padding == (0, 1, 0, 1)  # 199 + 3 - 200 = 1 pixel: after
    assert fig.layers[2].padding == (0, 1, 1, 1)  # height 48 + 3 - 50 = 1; width 74 + 3 - 75 = 2


def test_numeric_padding_dilation_and_rectangular_kernels():
    fig = analyze(network_from_inline("32x40x3", "conv 8 k3x5 p1 d2 s1"))
    # height: floor((32 + 2 - 2·2 - 1) / 1) + 1 = 30; width: floor((40 + 2 - 2·4 - 1) / 1) + 1 = 34
    assert str(fig.layers[0].output_shape) == "30x34x8"
    assert fig.layers[0].params == (3 * 5 * 3 + 1) * 8


def test_no_bias_and_batch_norm_counts():
    fig = analyze(network_from_inline("8x8x3", "conv 4 k3 nobias; bn; gap; dense 2 nobias"))
    assert fig.layers[0].params == 3 * 3 * 3 * 4
    bn = fig.layers[1]
    assert (bn.trainable, bn.non_trainable, bn.params) == (8, 8, 16)
    assert fig.layers[3].params == 8
    assert fig.trainable == 108 + 8 + 8 and fig.non_trainable == 8


def test_one_by_one_conv_and_pooling_defaults():
    fig = analyze(network_from_inline("28x28x64", "conv 16 k1; avgpool 3; maxpool 2 s1 same"))
    assert fig.layers[0].params == (64 + 1) * 16
    assert str(fig.layers[1].output_shape) == "9x9x16"  # stride defaults to the size
    assert str(fig.layers[2].output_shape) == "9x9x16"


def test_kernel_larger_than_a_valid_input_is_an_error_naming_the_layer():
    with pytest.raises(SpecError) as err:
        analyze(network_from_inline("5x5x3", "conv 2 k3; conv 2 k5"))
    assert str(err.value).startswith("layers: layer 2: the 5-pixel window does not fit the 3-pixel")


def test_receptive_field_of_stacked_3x3_convs():
    rows = receptive_field(network_from_inline("32x32x3", "conv 8 k3; conv 8 k3; conv 8 k3"))
    assert [r.field for r in rows] == [(3, 3), (5, 5), (7, 7)]
    assert stacked_receptive_field(3) == 7
    assert weights_per_channel_pair(3) == 27


def test_receptive_field_with_strides_and_pooling():
    rows = receptive_field(network_from_inline("200x300x3", WORKED))
    assert [(r.field, r.jump) for r in rows] == [
        ((3, 3), (2, 2)),
        ((7, 7), (4, 4)),
        ((15, 15), (8, 8)),
    ]
    tf_rows = receptive_field(load_network(ROOT / "examples" / "tf-cnn.yaml"))
    assert tf_rows[4].field == (18, 18)
    assert tf_rows[5].is_global and tf_rows[5].field == (32, 32)


# --------------------------------------------------------------------------------------------
# Views share memory: one RAM rule, however the network is written (issue 9.18)

TF_CNN_RELU_LAYERS = (
    "conv 32 k3; relu; maxpool 2; conv 64 k3; relu; maxpool 2; conv 64 k3; relu; flatten; "
    "dense 64; relu; dense 10"
)


def _ram(network, batch=32, optimizer="sgd"):
    fig = analyze(network)
    train = training_ram(fig, batch, optimizer)
    return prediction_ram(fig).total, train.outputs_per_image, train.total


def test_relu_as_a_layer_or_as_activation_gives_the_same_ram():
    written_in = network_from_inline("32x32x3", TF_CNN)
    separate = network_from_inline("32x32x3", TF_CNN_RELU_LAYERS)
    assert _ram(separate) == _ram(written_in)
    # by hand: the stored outputs are the convs', the poolings' and the dense layers', not the views'
    stored = 30 * 30 * 32 + 15 * 15 * 32 + 13 * 13 * 64 + 6 * 6 * 64 + 4 * 4 * 64 + 64 + 10
    assert training_ram(analyze(separate), 32).outputs_per_image == 4 * stored


def test_flatten_adds_nothing_to_either_ram_figure():
    without = network_from_inline("25x38x3", "conv 40 k3 s2 same; maxpool 2")
    with_flatten = network_from_inline("25x38x3", "conv 40 k3 s2 same; maxpool 2; flatten")
    assert _ram(with_flatten) == _ram(without)
    fig = analyze(with_flatten)
    assert [f.is_view for f in fig.layers] == [False, False, True]
    assert fig.stored_bytes(fig.layers[2]) == 0 and fig.output_bytes(fig.layers[2]) == 6 * 9 * 40 * 4


def test_a_view_shares_the_memory_of_the_first_layer_before_it_that_is_no_view():
    fig = analyze(network_from_inline("8x8x3", "relu; conv 4 k3; relu; flatten; dense 2"))
    assert [fig.shares_with(f) for f in fig.layers] == [0, 2, 2, 2, 5]
    only_views = analyze(network_from_inline("8x8x3", "relu; flatten"))
    pred = prediction_ram(only_views)
    assert (pred.input_bytes, pred.output_bytes) == (8 * 8 * 3 * 4, 0)  # counted once
    assert training_ram(only_views, 10).outputs_bytes == 0


_ACTS = ("relu", "sigmoid", "tanh", "softmax", "elu")
_conv = st.builds(
    Conv,
    filters=st.integers(1, 8),
    kernel=st.sampled_from([(1, 1), (3, 3)]),
    stride=st.sampled_from([(1, 1), (2, 2)]),
    padding=st.just("same"),
    activation=st.sampled_from([None, *_ACTS]),
)
_image_layer = st.one_of(
    _conv, _conv, st.builds(Pool, size=st.just((2, 2)), padding=st.just("same")),
    st.just(BatchNorm()), st.just(Dropout(0.5)),
)
_dense = st.builds(Dense, units=st.integers(1, 9), activation=st.sampled_from([None, *_ACTS]))


@st.composite
def _stacks(draw: st.DrawFn) -> Network:
    shape = Shape((draw(st.integers(1, 20)), draw(st.integers(1, 20)), draw(st.integers(1, 4))))
    layers = draw(st.lists(_image_layer, min_size=1, max_size=5))
    if draw(st.booleans()):
        layers += [Flatten(), *draw(st.lists(_dense, max_size=3))]
    return Network(shape, tuple(layers))


def _activations_as_layers(network: Network) -> Network:
    """The same network with every ``activation:`` written as its own layer after it."""
    layers: list = []
    for layer in network.layers:
        act = getattr(layer, "activation", None)
        if act:
            layers += [dataclasses.replace(layer, activation=None), Activation(act)]
        else:
            layers.append(layer)
    return Network(network.input, tuple(layers))


def _with_extra_flatten(network: Network, at: int) -> Network:
    """A flatten inserted after layer ``at`` of the vector part (or at the end of an image)."""
    layers = list(network.layers)
    first_vector = next((i for i, x in enumerate(layers) if isinstance(x, Flatten)), len(layers))
    where = min(first_vector + at, len(layers))
    return Network(network.input, tuple(layers[:where] + [Flatten()] + layers[where:]))


@pytest.mark.slow  # hundreds of random networks
@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    _stacks(),
    st.integers(1, 64),
    st.sampled_from(["sgd", "momentum", "adam"]),
    st.integers(0, 4),
)
def test_views_never_change_a_ram_figure(network: Network, batch: int, optimizer: str, at: int):
    expected = _ram(network, batch, optimizer)
    assert _ram(_activations_as_layers(network), batch, optimizer) == expected
    assert _ram(_with_extra_flatten(network, at), batch, optimizer) == expected


@pytest.mark.parametrize(
    ("layers", "ok"),
    [("maxpool 2 s2 p1", True), ("maxpool 3 s2 p1", True), ("avgpool 4 p2", True),
     ("maxpool 2 s2 p2", False), ("avgpool 3 p2", False), ("maxpool 1 p1", False),
     ("maxpool size=3x2 padding=1", True), ("maxpool size=2x3 padding=0x2", False),
     ("maxpool 2 same", True), ("maxpool 7 s3 same", True)],
)
def test_pool_padding_at_most_half_the_window(layers, ok):
    # issue 9.16: more padding and a window can hold only padding (max: -inf, avg: NaN)
    net = network_from_inline("9x9x1", layers)
    if ok:
        analyze(net)
    else:
        with pytest.raises(SpecError, match=r"more than half the \d-pixel pooling window; the rule "
                           r"\(PyTorch's\): padding at most half the pool size, here at most \d"):
            analyze(net)


@pytest.mark.parametrize(
    ("layers", "ok"),
    [("conv 2 s2", True), ("conv 2 d2", True), ("conv 2 s1 d3", True), ("conv 2 s2 d2", False),
     ("conv 2 stride=1x2 dilation=2x1", False), ("conv 2 stride=2x1 dilation=2x1", False)],
)
def test_stride_and_dilation_together_are_refused(layers, ok):
    net = network_from_inline("32x32x3", layers)
    if ok:
        analyze(net)
    else:
        with pytest.raises(SpecError, match=r"layers: layer 1: stride .* together with dilation .*"
                           r"Keras refuses stride > 1 with dilation > 1"):
            analyze(net)


def test_an_error_on_channels_first_input_carries_the_hint_wherever_it_is_analysed():
    network = network_from_inline("3x200x300", "conv 100 k5")
    with pytest.raises(SpecError, match=r"\(hint: this reads as H×W×C = 3×200×300; for PyTorch's"):
        analyze(network)
    with pytest.raises(SpecError) as plain:  # an ordinary shape: no hint
        analyze(network_from_inline("3x3x3", "conv 1 k5"))
    assert "hint" not in str(plain.value)
