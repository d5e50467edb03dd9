"""The network spec: shapes, layers, inline and YAML forms, and errors that say where."""

from __future__ import annotations

import pytest

from cnnquiz.errors import SpecError
from cnnquiz.net import layers
from cnnquiz.net.layers import Activation, BatchNorm, Conv, Dense, Dropout, GlobalPool, Pool
from cnnquiz.net.network import Shape
from cnnquiz.net.options import channels_first_hint, parse_shape
from cnnquiz.net.spec import load_network, network_from_inline, network_to_dict, parse_network
from cnnquiz.yamlio import loads


@pytest.mark.parametrize(
    "text, dims",
    [("200x300x3", (200, 300, 3)), ("200×300×3", (200, 300, 3)), ("(200, 300, 3)", (200, 300, 3)),
     ("[32,32,3]", (32, 32, 3)), ("1024", (1024,)), (1024, (1024,)), (" 4 x 4 x 64 ", (4, 4, 64))],
)
def test_shapes_as_people_write_them(text, dims):
    assert parse_shape(text).dims == dims


@pytest.mark.parametrize(
    "text, fragment",
    [("200x300", "3 numbers"), ("abc", "expected a shape"), ("0x5x3", "at least 1"),
     ("", "expected a shape"), ("2x2x2x2", "4 numbers"), ("-3x4x5", "at least 1")],
)
def test_bad_shapes_say_what_was_expected(text, fragment):
    with pytest.raises(SpecError) as err:
        parse_shape(text, "--in")
    assert fragment in str(err.value)
    assert str(err.value).startswith("--in: ")


def test_inline_layers_read_every_kind():
    net = network_from_inline(
        "64x64x3",
        "conv 32 k3x5 s2 same relu; maxpool 2; avgpool 3 s1 same; conv(filters=8, kernel=1, bias=false); "
        "bn; dropout 0.25; leaky_relu 0.1; gap; dense 10 softmax",
    )
    assert net.input == Shape((64, 64, 3))
    assert net.layers == (
        Conv(32, (3, 5), (2, 2), "same", activation="relu"),
        Pool((2, 2), op="max"),
        Pool((3, 3), (1, 1), "same", op="avg"),
        Conv(8, (1, 1), bias=False),
        BatchNorm(),
        Dropout(0.25),
        Activation("leaky_relu", 0.1),
        GlobalPool("avg"),
        Dense(10, activation="softmax"),
    )


def test_yaml_and_inline_forms_agree():
    text = """
input: 200x300x3
layers:
  - conv: {filters: 100, kernel: 3, stride: 2, padding: same, activation: relu}
  - MaxPooling2D: {pool_size: 2}
  - conv2d: {filters: 64, kernel_size: [3, 3]}
  - gap: {}
  - dense: {units: 2, activation: softmax}
"""
    yaml_net = parse_network(loads(text, "net.yaml"), "net.yaml")
    inline = network_from_inline("200x300x3", "conv 100 k3 s2 same relu; maxpool 2; conv 64 k3; gap; dense 2 softmax")
    assert yaml_net.layers == inline.layers
    assert parse_network(network_to_dict(yaml_net)).layers == yaml_net.layers


@pytest.mark.parametrize(
    "text, where, fragment",
    [
        ("input: 32x32x3\nlayers:\n  - conv: {filters: 8}\n  - pooling: {size: 2}\n", "net.yaml:4", "unknown layer 'pooling'"),
        ("input: 32x32x3\nlayers:\n  - conv:\n      filters: 8\n      kernal: 3\n", "net.yaml:5", "did you mean kernel"),
        ("input: 32x32x3\nlayers:\n  - conv: {filters: -1}\n", "net.yaml:3", "filters must be a positive integer"),
        ("input: 32x32\nlayers:\n  - conv: {filters: 8}\n", "net.yaml:1", "3 numbers"),
        ("input: 32x32x3\nlayers: [}\n", "net.yaml:2", "YAML syntax error"),
        ("input: 32x32x3\nlayer:\n  - conv: {filters: 8}\n", "net.yaml:2", "unknown key 'layer'"),
        ("input: 32x32x3\nlayers:\n  - dense: {}\n", "net.yaml:3", "needs units"),
    ],
)
def test_yaml_errors_name_file_and_line(tmp_path, text, where, fragment):
    path = tmp_path / "net.yaml"
    path.write_text(text)
    with pytest.raises(SpecError) as err:
        load_network(path)
    message = str(err.value)
    assert message.startswith(f"{tmp_path / where}: ") or message.startswith(f"{path}:"), message
    assert f"{path}:{where.split(':')[1]}" in message
    assert fragment in message


def test_missing_file_is_one_line(tmp_path):
    with pytest.raises(SpecError, match="no such file"):
        load_network(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    "layers, fragment",
    [("conv 0", "filters must be a positive integer"), ("conv 8 s0", "stride must be a positive integer"),
     ("conv 8 k3 wat", "cannot read 'wat'"), ("conv 8 activation=swishy", "unknown activation"),
     ("dropout 1.5", "dropout rate"), ("", "no layers")],
)
def test_inline_errors(layers, fragment):
    with pytest.raises(SpecError, match=fragment):
        network_from_inline("32x32x3", layers)


def test_activation_layers_are_written_by_name():
    net = network_from_inline("8x8x3", "conv 4; relu; leaky_relu 0.2; softmax")
    assert network_to_dict(net)["layers"][1:] == [{"relu": {}}, {"leaky_relu": {"alpha": 0.2}}, {"softmax": {}}]
    assert parse_network(network_to_dict(net)).layers == net.layers


KNOWN = "expected one of " + ", ".join(layers.KNOWN)


@pytest.mark.parametrize("layers", ["lstm 32", "lstm", "lstm(units=32)", "conv 8; LSTM 32 relu"])
def test_an_unknown_inline_layer_is_named_with_the_known_ones(layers):
    # issue 9.16: "lstm 32" said "cannot read '32'"
    with pytest.raises(SpecError) as err:
        network_from_inline("8x8x3", layers)
    assert "unknown layer 'lstm'" in err.value.message.lower() and KNOWN in err.value.message


@pytest.mark.parametrize("item", ["- lstm: 32", "- lstm: {units: 32}", "- lstm:", "- {type: lstm, units: 3}", "- lstm 32"])
def test_an_unknown_yaml_layer_is_named_with_the_known_ones(item):
    # issue 9.16: "- lstm: 32" said "lstm takes options as a mapping"
    with pytest.raises(SpecError) as err:
        parse_network(loads(f"input: 8x8x3\nlayers:\n  - conv: 4\n  {item}\n", "n.yaml"), "n.yaml")
    assert str(err.value).startswith("n.yaml:4: unknown layer 'lstm'") and KNOWN in str(err.value)


def test_padding_takes_zero_per_axis_and_no_negatives():
    net = parse_network(loads("input: 8x8x3\nlayers:\n  - conv: {filters: 2, padding: [0, 1]}\n"))
    assert net.layers[0].padding == (0, 1)
    assert network_from_inline("8x8x3", "conv 2 padding=0").layers[0].padding == (0, 0)
    with pytest.raises(SpecError, match="padding must be valid, same or a number of pixels"):
        network_from_inline("8x8x3", "conv 2 padding=-1")


@pytest.mark.parametrize(("shape", "hint"), [
    ("3x200x300", "this reads as H×W×C = 3×200×300; for PyTorch's C×H×W write 200x300x3"),
    ("3x224x224", "this reads as H×W×C = 3×224×224; for PyTorch's C×H×W write 224x224x3"),
    ("1x28x28", "this reads as H×W×C = 1×28×28; for PyTorch's C×H×W write 28x28x1"),
    # feature maps and channels-last images: no hint
    ("4x4x64", None), ("1x1x1024", None), ("2x2x512", None), ("5x32x64", None), ("1x100x64", None),
    ("200x300x3", None), ("28x28x1", None), ("1024", None),
])
def test_channels_first_hint(shape, hint):
    assert channels_first_hint(parse_shape(shape)) == hint
