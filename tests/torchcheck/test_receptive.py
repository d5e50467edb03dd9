"""The receptive field measured by gradient in torch, against the arithmetic's."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")

from cnnquiz.net.layers import Conv
from cnnquiz.net.network import Network, Shape
from cnnquiz.net.spec import network_from_inline
from cnnquiz.torchcheck.receptive import (
    MeasuredField,
    field_mismatches,
    measure_receptive,
)

WORKED = "conv 100 k3 s2 same; conv 200 k3 s2 same; conv 400 k3 s2 same"


def test_a_field_cut_short_by_padding_inside_the_border_counts_as_clipped():
    """Found by hypothesis: a stride-2 conv padded by 1 on a 3-row input keeps only row 1 real,
    so the next conv's central value sees one real row of its 3 without touching the border;
    a value that sees only padding moves no pixel at all."""

    strided = Conv(filters=1, kernel=(1, 1), stride=(2, 1), padding=(1, 0))
    network = Network(Shape((3, 1, 1)), (strided, Conv(filters=1, kernel=(2, 1), padding="valid")))
    measured = measure_receptive(network)
    assert measured[-1].field == (1, 1) and measured[-1].clipped == (True, False)
    assert field_mismatches(network, measured) == []
    only_padding = Network(
        Shape((1, 1, 1)), (Conv(filters=1, kernel=(1, 1), stride=(2, 1), padding=(1, 0)),)
    )
    assert measure_receptive(only_padding)[0].field == (0, 0)


def test_receptive_field_measured_by_gradient():

    network = network_from_inline("200x300x3", WORKED)
    measured = measure_receptive(network)
    assert [(m.index, m.field, m.clipped) for m in measured] == [
        (1, (3, 3), (False, False)),
        (2, (7, 7), (False, False)),
        (3, (15, 15), (False, False)),
    ]
    assert field_mismatches(network, measured) == []
    wrong = (MeasuredField(3, (9, 9), (False, False)),)
    assert [str(m) for m in field_mismatches(network, wrong)] == [
        "layer 3 (Conv2D) receptive field: arithmetic 15x15, torch 9x9"
    ]
    edge = measure_receptive(network_from_inline("9x9x1", "conv 1; conv 1; conv 1; conv 1"))
    assert edge[-1].field == (9, 9) and edge[-1].clipped == (False, False)  # fits exactly
    same = Conv(filters=1, padding="same")
    cut = measure_receptive(Network(Shape((9, 9, 1)), (same,) * 5))
    assert cut[-1].field == (9, 9) and cut[-1].clipped == (True, True)  # 11x11 on a 9x9 input
    assert measure_receptive(network_from_inline("100000x100000x3", WORKED)) is None  # too big


def test_receptive_field_is_not_measured_where_a_real_forward_cannot_afford_it():
    # issue 9.5 sibling: a 1x1 input padded by 2^31 rows made torch allocate 34 GB (traceback)
    padded = network_from_inline("1x1x1", "conv 1 k1 padding=2147483648x0; flatten; dense 3")
    assert measure_receptive(padded) is None
    costly = network_from_inline("2000x2000x1", "conv 1 k1001 same")  # 4·10^12 MACs
    assert measure_receptive(costly) is None
    small = network_from_inline("32x32x1", "conv 1 k3; conv 1 k3")
    assert [m.field for m in measure_receptive(small)] == [(3, 3), (5, 5)]


def test_a_graph_s_fields_are_measured_at_its_windows_and_merges():
    from cnnquiz.net.layers import Activation, Add, BatchNorm, Concat, Dense, GlobalPool, Multiply
    from tests.torchcheck.nets import GraphWriter

    g = GraphWriter()
    a = g.add(Conv(8, (3, 3), padding="same"), 0)  # 3x3
    b = g.add(Conv(8, (3, 3), padding="same"), g.add(BatchNorm(), a))  # 5x5
    added = g.add(Add(), a, b)  # the widest path: 5x5
    wide = g.add(Conv(4, (7, 1), padding="same"), 0)  # 7x1
    joined = g.add(Concat(), g.add(Activation("relu"), added), wide)  # 7x5: the union per axis
    scale = g.add(Dense(12), g.add(GlobalPool("avg"), joined))
    g.add(Multiply(), joined, scale)  # reads a vector that sees everything: global, not measured
    network = g.network(Shape((20, 20, 3)))
    measured = measure_receptive(network)
    assert [(m.index, m.field) for m in measured] == [
        (1, (3, 3)),
        (3, (5, 5)),
        (4, (5, 5)),
        (5, (7, 1)),
        (7, (7, 5)),
    ]
    assert field_mismatches(network, measured) == []
