"""Issue 9.16: the calculator's pooling-padding rule is torch's own, case for case."""

from __future__ import annotations

import itertools

import pytest

from cnnquiz.errors import SpecError
from cnnquiz.net.arithmetic import analyze
from cnnquiz.net.spec import network_from_inline

torch = pytest.importorskip("torch")


def test_pool_padding_rule_matches_torch():
    x = torch.zeros(1, 1, 9, 9)
    for k, p, op in itertools.product(range(1, 6), range(0, 4), ("max", "avg")):
        layer = (torch.nn.MaxPool2d if op == "max" else torch.nn.AvgPool2d)(k, stride=k, padding=p)
        try:
            layer(x)
            torch_ok = True
        except RuntimeError:
            torch_ok = False
        try:
            analyze(network_from_inline("9x9x1", f"{op}pool {k} p{p}"))
            ours_ok = True
        except SpecError:
            ours_ok = False
        assert ours_ok == torch_ok, (k, p, op)


def test_receptive_field_is_not_measured_where_a_real_forward_cannot_afford_it():
    # issue 9.5 sibling: a 1x1 input padded by 2^31 rows made torch allocate 34 GB (traceback)
    from cnnquiz.torchcheck.receptive import measure_receptive

    padded = network_from_inline("1x1x1", "conv 1 k1 padding=2147483648x0; flatten; dense 3")
    assert measure_receptive(padded) is None
    costly = network_from_inline("2000x2000x1", "conv 1 k1001 same")  # 4·10^12 MACs
    assert measure_receptive(costly) is None
    small = network_from_inline("32x32x1", "conv 1 k3; conv 1 k3")
    assert [m.field for m in measure_receptive(small)] == [(3, 3), (5, 5)]
