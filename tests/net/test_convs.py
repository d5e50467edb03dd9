"""The convolutions' rules: grouped, depthwise and depthwise separable, figures checked by hand
(Keras's and PyTorch's parameter counts for the same layers) and their working lines."""

from __future__ import annotations

from fractions import Fraction

import pytest

from cnnquiz.errors import SpecError
from cnnquiz.net.arithmetic import analyze, analyze_layer
from cnnquiz.net.layers import Conv, Depthwise, Separable
from cnnquiz.net.network import Network, Shape


def _one(layer, shape: str):
    return analyze_layer(layer, Shape(tuple(int(d) for d in shape.split("x"))))


def _lines(f) -> list[str]:
    return [str(s) for s in f.steps]


def test_a_grouped_conv_divides_the_input_channels_by_the_groups():
    # ResNeXt-style: 64 channels in 4 groups of 16, each to 32 of the 128 filters
    f = _one(Conv(128, padding="same", groups=4), "56x56x64")
    assert str(f.output_shape) == "56x56x128"
    assert (f.weights, f.biases) == (3 * 3 * 16 * 128, 128) == (18_432, 128)
    assert f.macs == 56 * 56 * 128 * 3 * 3 * 16 == 57_802_752
    assert _lines(f)[2:] == [
        "parameters = (kh·kw·C_in/groups + 1)·filters = (3·3·64/4 + 1)·128 = 18,560",
        "multiplications = H_out·W_out·filters·kh·kw·C_in/groups = 56·56·128·3·3·64/4 = 57,802,752",
    ]


def test_a_grouped_conv_without_bias_says_so():
    f = _one(Conv(8, kernel=(1, 1), groups=2, bias=False), "4x4x6")
    assert (f.weights, f.biases) == (1 * 1 * 3 * 8, 0)
    assert "parameters = kh·kw·C_in/groups·filters (no bias) = 1·1·6/2·8 = 24" in _lines(f)


def test_groups_equal_to_the_channels_is_a_depthwise_conv():
    grouped = _one(Conv(32, padding="same", groups=32), "112x112x32")
    depthwise = _one(Depthwise(padding="same"), "112x112x32")
    assert (grouped.output_shape, grouped.params, grouped.macs) == (
        depthwise.output_shape,
        depthwise.params,
        depthwise.macs,
    )


@pytest.mark.parametrize(
    ("shape", "filters", "groups", "broken"),
    [("8x8x64", 100, 3, "64 / 3 and 100 / 3"), ("8x8x64", 96, 3, "64 / 3"), ("8x8x48", 90, 4, "90 / 4")],
)
def test_groups_that_do_not_divide_channels_and_filters_are_refused(shape, filters, groups, broken):
    with pytest.raises(SpecError) as err:
        _one(Conv(filters, groups=groups), shape)
    assert f"groups {groups} must divide the" in str(err.value)
    assert f"({broken} is not whole)" in str(err.value)


def test_the_groups_error_names_where_the_layer_was_written():
    net = Network(Shape((8, 8, 64)), (Conv(100, groups=3, where="f.yaml:4"),))
    with pytest.raises(SpecError, match=r"^f\.yaml:4: groups 3 must divide the 64 input channels"):
        analyze(net)


def test_a_depthwise_conv_has_a_kernel_per_channel():
    # Keras DepthwiseConv2D(3, padding="same") on 112x112x32: (3·3 + 1)·32 = 320 parameters
    f = _one(Depthwise(padding="same"), "112x112x32")
    assert str(f.output_shape) == "112x112x32"
    assert (f.weights, f.biases) == (288, 32)
    assert f.macs == 112 * 112 * 32 * 9 == 3_612_672
    assert _lines(f)[2:] == [
        "parameters = (kh·kw + 1)·C = (3·3 + 1)·32 = 320",
        "multiplications = H_out·W_out·C·kh·kw = 112·112·32·3·3 = 3,612,672",
    ]


def test_a_depthwise_multiplier_multiplies_the_channels():
    f = _one(Depthwise(stride=(2, 2), padding="same", multiplier=2, bias=False), "16x16x8")
    assert str(f.output_shape) == "8x8x16"
    assert (f.weights, f.biases, f.macs) == (3 * 3 * 16, 0, 8 * 8 * 16 * 9)
    assert _lines(f)[2:] == [
        "output channels = C·multiplier = 8·2 = 16",
        "parameters = kh·kw·C·multiplier (no bias) = 3·3·8·2 = 144",
        "multiplications = H_out·W_out·C·multiplier·kh·kw = 8·8·8·2·3·3 = 9,216",
    ]


def test_a_separable_conv_is_a_depthwise_then_a_pointwise_conv_with_the_bias():
    # Keras SeparableConv2D(64, 3, padding="same") on 112x112x32: 288 + 2,048 + 64 = 2,400
    f = _one(Separable(64, padding="same"), "112x112x32")
    assert str(f.output_shape) == "112x112x64"
    assert (f.weights, f.biases, f.params) == (288 + 2_048, 64, 2_400)
    assert f.macs == 3_612_672 + 112 * 112 * 32 * 64 == 29_302_784
    assert _lines(f)[2:8] == [
        "parameters, depthwise = kh·kw·C = 3·3·32 = 288",
        "parameters, pointwise = (C + 1)·filters = (32 + 1)·64 = 2,112",
        "parameters = depthwise + pointwise = 288 + 2,112 = 2,400",
        "multiplications, depthwise = H_out·W_out·C·kh·kw = 112·112·32·3·3 = 3,612,672",
        "multiplications, pointwise = H_out·W_out·C·filters = 112·112·32·64 = 25,690,112",
        "multiplications = depthwise + pointwise = 3,612,672 + 25,690,112 = 29,302,784",
    ]


def test_a_separable_conv_compares_itself_with_the_standard_conv():
    f = _one(Separable(64, padding="same"), "112x112x32")
    standard = _one(Conv(64, padding="same"), "112x112x32")
    assert _lines(f)[8:] == [
        "a standard conv's parameters = (kh·kw·C_in + 1)·filters = (3·3·32 + 1)·64 = 18,496",
        "a standard conv's multiplications = H_out·W_out·filters·kh·kw·C_in = 112·112·64·3·3·32 = 231,211,008",
        "separable / standard multiplications = 1/filters + 1/(kh·kw) = 1/64 + 1/(3·3) = 0.127",
    ]
    assert (standard.params, standard.macs) == (18_496, 231_211_008)
    # the exam's ratio is exact: (C·k² + C·N) / (N·k²·C) = 1/N + 1/k²
    assert Fraction(f.macs, standard.macs) == Fraction(1, 64) + Fraction(1, 9)
    assert f.steps[-1].value == pytest.approx(float(Fraction(1, 64) + Fraction(1, 9)))


def test_a_separable_multiplier_scales_the_ratio_and_no_bias_says_so():
    f = _one(Separable(10, kernel=(3, 5), multiplier=3, bias=False), "9x9x4")
    assert str(f.output_shape) == "7x5x10"
    assert (f.weights, f.biases) == (3 * 5 * 12 + 12 * 10, 0)
    lines = _lines(f)
    assert "parameters, pointwise = C·multiplier·filters (no bias) = 4·3·10 = 120" in lines
    assert "a standard conv's parameters = kh·kw·C_in·filters = 3·5·4·10 = 600" in lines
    assert lines[-1].startswith("separable / standard multiplications = multiplier·(1/filters + 1/(kh·kw))")
    assert Fraction(f.macs, 7 * 5 * 10 * 15 * 4) == 3 * (Fraction(1, 10) + Fraction(1, 15))


@pytest.mark.parametrize("layer", [Depthwise(stride=(2, 2), dilation=(2, 2)), Separable(4, stride=(2, 2), dilation=(2, 2))])
def test_depthwise_and_separable_stride_or_dilate_as_a_conv_does(layer):
    with pytest.raises(SpecError, match="strides or dilates, not both"):
        _one(layer, "16x16x4")


@pytest.mark.parametrize("layer", [Depthwise(), Separable(4), Conv(4, groups=2)])
def test_the_convolutions_need_an_image(layer):
    with pytest.raises(SpecError, match="needs an H x W x C input, got the vector 16"):
        _one(layer, "16")
