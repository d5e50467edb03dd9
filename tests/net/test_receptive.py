"""The receptive field on graphs: per node the largest over every path into it, and the new
kinds' windows (depthwise and separable as a conv, adaptive pooling, zero padding)."""

from __future__ import annotations

import pytest

from cnnquiz.net.layers import (
    Activation,
    AdaptivePool,
    Add,
    Conv,
    Depthwise,
    Multiply,
    Pool,
    Separable,
    ZeroPad,
)
from cnnquiz.net.network import Network, Shape
from cnnquiz.net.receptive import UNEVEN_ADAPTIVE, receptive_field
from tests.net.graphs import down, graph, inception, residual, squeeze_excite


def _fields(net: Network) -> list[int]:
    rows = receptive_field(net)
    assert all(r.field[0] == r.field[1] for r in rows)
    return [r.field[0] for r in rows]


def test_a_residual_blocks_add_sees_what_its_widest_path_sees():
    # conv 3, bn, relu, conv 3 + 2 = 5, bn, add(input: 1, main: 5) = 5, relu
    assert _fields(residual()) == [3, 3, 3, 5, 5, 5, 5]
    add = receptive_field(residual())[5]
    assert (add.field_in, add.jump_in, add.jump) == ((5, 5), (1, 1), (1, 1))


def test_two_residual_blocks_in_a_row_grow_by_four_each():
    one = residual().layers
    twice = graph(
        "56x56x64",
        *[(layer, [0] if i == 0 else ([0, 5] if i == 5 else [i])) for i, layer in enumerate(one)],
        *[(layer, [7] if i == 0 else ([7, 12] if i == 5 else [i + 7])) for i, layer in enumerate(one)],
    )
    assert _fields(twice) == [3, 3, 3, 5, 5, 5, 5, 7, 7, 7, 9, 9, 9, 9]


def test_a_projection_block_strides_both_paths():
    rows = receptive_field(down())
    # main: 3 (jump 2), then 3 + (3 - 1)·2 = 7; shortcut: the 1x1 stride-2 conv sees 1 pixel
    assert [r.field[0] for r in rows] == [3, 3, 3, 7, 7, 1, 1, 7, 7]
    assert [r.jump[0] for r in rows] == [2] * 9


def test_an_inception_modules_concat_sees_its_5x5_branch():
    # 1x1: 1; 1x1 then 3x3: 3; 1x1 then 5x5: 5; 3x3 pool then 1x1: 3; the concat: 5
    assert _fields(inception()) == [1, 1, 3, 1, 5, 3, 3, 5]


def test_a_narrow_path_with_a_larger_jump_can_end_up_widest():
    """Path A: a 3x3 conv and a 2x2 pool (field 4, jump 2); path B: an 11x11 conv (field 11,
    jump 1). The add sees 11, but through a later 9x9 conv A grows to 4 + 8·2 = 20 and B to
    11 + 8·1 = 19: the field is 20, the largest over all paths, with A's jump."""
    net = graph(
        "18x18x1",
        (Conv(1), [0]),
        (Pool(), [1]),
        (Conv(1, kernel=(11, 11)), [0]),
        (Add(), [2, 3]),
        (Conv(1, kernel=(9, 9), padding="same"), [4]),
    )
    rows = receptive_field(net)
    assert [r.field[0] for r in rows] == [3, 4, 11, 11, 20]
    assert (rows[3].jump, rows[4].jump) == ((1, 1), (2, 2))
    assert (rows[4].field_in, rows[4].jump_in) == ((4, 4), (2, 2))


def test_a_squeeze_and_excitation_gate_makes_every_value_see_the_whole_input():
    rows = receptive_field(squeeze_excite())
    assert [r.is_global for r in rows] == [True, True, True, True]
    assert rows[-1].field == (56, 56)


@pytest.mark.parametrize(
    "layer",
    [
        Conv(4, kernel=(5, 3), stride=(2, 1), padding="same"),
        Depthwise(kernel=(5, 3), stride=(2, 1), padding="same"),
        Separable(4, kernel=(5, 3), stride=(2, 1), padding="same"),
    ],
)
def test_depthwise_and_separable_slide_as_a_conv_does(layer):
    rows = receptive_field(Network(Shape((16, 16, 4)), (layer, Conv(4, padding="same"))))
    assert [(r.field, r.jump) for r in rows] == [((5, 3), (2, 1)), ((9, 5), (2, 1))]


def test_a_dilated_depthwise_conv_widens_its_kernel():
    rows = receptive_field(Network(Shape((16, 16, 4)), (Depthwise(dilation=(2, 2)),)))
    assert rows[0].kernel == (5, 5) and rows[0].field == (5, 5)


def test_adaptive_pooling_is_a_window_when_its_size_divides_the_input():
    rows = receptive_field(Network(Shape((14, 14, 8)), (Conv(8, padding="same"), AdaptivePool((7, 7)))))
    assert (rows[1].kernel, rows[1].stride, rows[1].field, rows[1].jump) == ((2, 2), (2, 2), (4, 4), (2, 2))
    assert rows[1].note is None


def test_uneven_adaptive_pooling_counts_its_largest_window_and_says_so():
    # 5 to 3: windows of 2, 3, 2 rows (PyTorch's); counted as 3 wide, ceil(5 / 3) = 2 apart
    rows = receptive_field(Network(Shape((5, 14, 8)), (AdaptivePool((3, 7)), Conv(8, padding="same"))))
    assert (rows[0].kernel, rows[0].stride, rows[0].field) == ((3, 2), (2, 2), (3, 2))
    assert rows[0].note == UNEVEN_ADAPTIVE and "upper bound" in UNEVEN_ADAPTIVE
    assert rows[1].field == (3 + 2 * 2, 2 + 2 * 2) and rows[1].note is None


def test_adaptive_pooling_to_one_pixel_is_global_pooling():
    rows = receptive_field(Network(Shape((9, 9, 2)), (AdaptivePool((1, 1)), Activation("relu"))))
    assert [(r.is_global, r.field) for r in rows] == [(True, (9, 9)), (True, (9, 9))]


def test_zero_padding_keeps_the_field_and_a_multiply_of_images_takes_the_wider():
    net = graph(
        "8x8x2",
        (ZeroPad((1, 1, 1, 1)), [0]),
        (Conv(2), [1]),
        (Conv(2, kernel=(5, 5), padding="same"), [0]),
        (Multiply(), [2, 3]),
    )
    assert _fields(net) == [1, 3, 5, 5]
