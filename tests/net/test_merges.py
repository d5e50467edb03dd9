"""Add, concatenate and multiply on graphs built as Network objects: shapes, working, and the
errors that name both shapes and where each was made."""

from __future__ import annotations

import pytest

from cnnquiz.errors import SpecError
from cnnquiz.net.arithmetic import analyze
from cnnquiz.net.layers import (
    Activation,
    Add,
    Concat,
    Conv,
    Dense,
    Flatten,
    GlobalPool,
    Multiply,
    Pool,
)
from cnnquiz.net.network import Network, Shape
from tests.net.graphs import graph, inception, squeeze_excite


def _lines(f) -> list[str]:
    return [str(s) for s in f.steps]


def test_an_add_of_equal_shapes_adds_and_learns_nothing():
    fig = analyze(graph("56x56x64", (Conv(64, padding="same"), [0]), (Add(), [0, 1])))
    add = fig.layers[1]
    assert (str(add.output_shape), add.params, add.macs) == ("56x56x64", 0, 0)
    assert (add.sources, add.input_shapes) == ((0, 1), (Shape((56, 56, 64)), Shape((56, 56, 64))))
    assert add.input_shape == Shape((56, 56, 64))
    assert _lines(add) == [
        "additions = (inputs - 1)·values = (2 - 1)·56·56·64 = 200,704",
        "parameters = none: an add learns nothing = 0",
    ]


def test_an_add_of_two_sizes_names_both_shapes_where_they_were_made_and_the_likely_fix():
    net = graph(
        "112x112x64",
        (Conv(64, padding="same", where="f.yaml:9"), [0]),
        (Conv(64, stride=(2, 2), padding="same", where="f.yaml:14"), [1]),
        (Add(where="f.yaml:16"), [1, 2]),
    )
    with pytest.raises(SpecError) as err:
        analyze(net)
    assert str(err.value) == (
        "f.yaml:16: add of 112x112x64 (layer 1, f.yaml:9) and 56x56x64 (layer 2, f.yaml:14): "
        "an add needs equal shapes; a projection shortcut with stride 2?"
    )


def test_an_add_of_other_channels_suggests_a_1x1_conv_and_names_the_input():
    net = graph("28x28x64", (Conv(128, padding="same"), [0]), (Add(), [0, 1]))
    with pytest.raises(SpecError) as err:
        analyze(net)
    assert str(err.value) == (
        "layer 2 (Add): add of 28x28x64 (the input) and 28x28x128 (layer 1): an add needs equal "
        "shapes; a 1x1 conv to 128 filters on the shortcut?"
    )


def test_an_add_of_three_sums_twice_per_value():
    fig = analyze(graph("4x4x2", (Activation("relu"), [0]), (Conv(2, padding="same"), [0]), (Add(), [0, 1, 2])))
    assert fig.layers[2].steps[0].value == 2 * 32


def test_a_concat_joins_the_branches_channels():
    fig = analyze(inception())
    cat = fig.layers[-1]
    assert str(cat.output_shape) == "28x28x256"
    assert cat.sources == (1, 3, 5, 7)
    assert [str(s) for s in cat.input_shapes] == ["28x28x64", "28x28x128", "28x28x32", "28x28x32"]
    assert _lines(cat)[0] == "output channels = C_1 + C_2 + C_3 + C_4 = 64 + 128 + 32 + 32 = 256"
    # inception (3a) with its biases: 12,352 + 18,528 + 110,720 + 3,088 + 12,832 + 6,176
    assert fig.params == 163_696


def test_a_concat_of_vectors_joins_their_lengths():
    fig = analyze(graph("8x8x4", (GlobalPool(), [0]), (Flatten(), [0]), (Concat(), [1, 2])))
    assert str(fig.layers[-1].output_shape) == "260"
    assert _lines(fig.layers[-1])[0] == "output length = N_1 + N_2 = 4 + 256 = 260"


def test_a_concat_of_two_sizes_or_an_image_and_a_vector_is_refused():
    net = graph("28x28x8", (Pool(), [0]), (Concat(where="n.yaml:7"), [0, 1]))
    with pytest.raises(SpecError) as err:
        analyze(net)
    assert str(err.value) == (
        "n.yaml:7: concat of 28x28x8 (the input) and 14x14x8 (layer 1): a concat needs equal "
        "height and width (it joins channels); a projection shortcut with stride 2?"
    )
    with pytest.raises(SpecError, match="a concat needs images of one height and width, or vectors"):
        analyze(graph("4x4x2", (GlobalPool(), [0]), (Concat(), [0, 1])))


@pytest.mark.parametrize("gate_as_image", [False, True])
def test_a_multiply_scales_each_position_by_the_channel_gate(gate_as_image):
    fig = analyze(squeeze_excite(gate_as_image=gate_as_image))
    scale = fig.layers[-1]
    assert str(scale.output_shape) == "56x56x64"
    assert scale.macs == 56 * 56 * 64 == 200_704
    assert _lines(scale)[0] == "multiplications = one per output value = 56·56·64 = 200,704"
    # the SE block's parameters, as the course states them: 2C²/r + C/r + C
    assert fig.params == 2 * 64 * 64 // 16 + 64 // 16 + 64 == 580


def test_a_multiply_of_equal_shapes_and_of_a_gate_first():
    fig = analyze(graph("4x4x8", (GlobalPool(), [0]), (Multiply(), [1, 0]), (Multiply(), [2, 0, 0])))
    assert str(fig.layers[1].output_shape) == "4x4x8" and fig.layers[1].macs == 128
    assert fig.layers[2].macs == 2 * 128
    assert _lines(fig.layers[2])[0] == "multiplications = (inputs - 1)·values = (3 - 1)·4·4·8 = 256"


def test_a_multiply_by_a_gate_of_the_wrong_length_is_refused():
    net = graph("8x8x16", (GlobalPool(), [0]), (Dense(8), [1]), (Multiply(), [0, 2]))
    with pytest.raises(SpecError) as err:
        analyze(net)
    assert str(err.value) == (
        "layer 3 (Multiply): multiply of 8x8x16 (the input) and 8 (layer 2): a multiply needs "
        "equal shapes, or a 16-vector (or 1x1x16) scaling each position"
    )


@pytest.mark.parametrize("merge", [Add(), Concat(), Multiply()])
def test_a_merge_of_one_input_is_refused(merge):
    with pytest.raises(SpecError) as err:
        analyze(graph("4x4x2", (Conv(2, padding="same"), [0]), (merge, [1])))
    assert f"{merge.kind} merges several inputs but reads only layer 1; list them in from: [a, b]" in str(err.value)


def test_a_merge_in_a_chain_reads_one_input_and_is_refused():
    with pytest.raises(SpecError, match=r"^layer 1 \(Add\): add merges several inputs but reads only the input"):
        analyze(Network(Shape((4, 4, 2)), (Add(),)))


def test_a_layer_that_reads_one_input_refuses_several_and_later_layers():
    with pytest.raises(SpecError) as err:
        analyze(graph("4x4x2", (Conv(2, padding="same", where="g.yaml:3"), [0]), (Conv(2, where="g.yaml:5"), [0, 1])))
    assert str(err.value) == (
        "g.yaml:5: Conv2D reads one input, got 2 (the input; layer 1, g.yaml:3); "
        "only add, concat and multiply merge several"
    )
    with pytest.raises(SpecError, match="it reads layer 2, which does not run before it"):
        analyze(graph("4x4x2", (Conv(2), [2]), (Conv(2), [1])))
