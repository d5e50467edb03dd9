"""Zero padding, adaptive pooling, PReLU and the new activations: shapes, parameters, working."""

from __future__ import annotations

import pytest

from cnnquiz.errors import SpecError
from cnnquiz.net.arithmetic import analyze_layer
from cnnquiz.net.layers import Activation, AdaptivePool, PReLU, ZeroPad
from cnnquiz.net.network import Shape
from cnnquiz.net.pools import adaptive_windows


def _one(layer, shape: str):
    return analyze_layer(layer, Shape(tuple(int(d) for d in shape.split("x"))))


def _lines(f) -> list[str]:
    return [str(s) for s in f.steps]


def test_zero_padding_adds_rows_and_columns_and_nothing_to_learn():
    f = _one(ZeroPad((1, 2, 3, 4)), "32x30x3")
    assert str(f.output_shape) == "35x37x3"
    assert (f.params, f.macs, f.padding) == (0, 0, (1, 2, 3, 4))
    assert _lines(f) == [
        "output height = in + top + bottom = 32 + 1 + 2 = 35",
        "output width = in + left + right = 30 + 3 + 4 = 37",
        "parameters = none: padding adds zeros = 0",
    ]


def test_zero_padding_refuses_negative_pixels_and_vectors():
    with pytest.raises(SpecError, match="zero padding adds pixels"):
        _one(ZeroPad((1, -1, 0, 0)), "8x8x3")
    with pytest.raises(SpecError, match="needs an H x W x C input"):
        _one(ZeroPad(), "8")


def test_adaptive_pooling_outputs_the_size_asked_whatever_the_input():
    # torchvision's VGG and AlexNet end in AdaptiveAvgPool2d((7, 7)) / ((6, 6))
    f = _one(AdaptivePool((7, 7)), "14x14x512")
    assert str(f.output_shape) == "7x7x512"
    assert (f.params, f.macs) == (0, 0)
    assert _lines(f) == [
        "output height = the size asked, whatever the input = 7",
        "output width = the size asked, whatever the input = 7",
        "pooling window height = in / out = 14 / 7 = 2",
        "pooling window width = in / out = 14 / 7 = 2",
        "parameters = none: pooling learns nothing = 0",
    ]
    assert str(_one(AdaptivePool((6, 6), op="max"), "13x13x256").output_shape) == "6x6x256"


def test_adaptive_pooling_windows_are_pytorchs_where_the_size_does_not_divide():
    # PyTorch: output i pools rows floor(i·in/out) .. ceil((i+1)·in/out) - 1
    assert adaptive_windows(14, 7) == [2] * 7
    assert adaptive_windows(5, 3) == [2, 3, 2]  # rows 0-1, 1-3, 3-4
    assert adaptive_windows(10, 4) == [3, 3, 3, 3]  # 0-2, 2-4, 5-7, 7-9: they overlap
    assert adaptive_windows(2, 4) == [1, 1, 1, 1]  # larger than the input: rows repeat
    lines = _lines(_one(AdaptivePool((3, 4)), "5x10x8"))
    assert lines[2] == (
        "largest pooling window height = ceil((i + 1)·in / out) - floor(i·in / out) for output i "
        "= 2 to 3 (5 / 3 is not whole) = 3"
    )
    assert lines[3].endswith("= 3, overlapping (10 / 4 is not whole) = 3")


@pytest.mark.parametrize(
    ("slopes", "shape", "params", "line"),
    [
        ("channel", "8x8x16", 16, "parameters = C (one slope per channel) = 16"),
        ("one", "8x8x16", 1, "parameters = 1 (one slope for every value) = 1"),
        ("all", "8x8x16", 1_024, "parameters = H·W·C (one slope per value) = 8·8·16 = 1,024"),
        ("all", "10", 10, "parameters = N (one slope per value) = 10"),
    ],
)
def test_prelu_learns_its_slopes(slopes, shape, params, line):
    f = _one(PReLU(slopes), shape)
    assert str(f.output_shape) == shape
    assert (f.weights, f.biases, f.params, f.macs) == (params, 0, params, 0)
    assert f.is_view  # applied in place, as an activation layer is
    assert _lines(f) == [line]


def test_prelu_refuses_an_unknown_slopes_setting():
    with pytest.raises(SpecError, match="prelu slopes must be channel, one or all, got 'some'"):
        _one(PReLU("some"), "4x4x2")


@pytest.mark.parametrize("name", ["relu6", "swish", "hard_swish", "hard_sigmoid", "softplus"])
def test_the_new_activations_keep_the_shape_and_learn_nothing(name):
    f = _one(Activation(name), "7x7x32")
    assert (str(f.output_shape), f.params, f.macs, f.is_view) == ("7x7x32", 0, 0, True)
