"""Issue 9.16: the calculator's pooling-padding rule is torch's own, case for case."""

from __future__ import annotations

import itertools

import pytest

from cnnquiz.arithmetic import analyze
from cnnquiz.errors import SpecError
from cnnquiz.spec import network_from_inline

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
