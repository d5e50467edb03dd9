"""The graph module: nodes run in order on their sources, outputs dropped once no node reads them."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from torch import nn  # noqa: E402

from cnnquiz.torchcheck.graph import Graph, node_outputs  # noqa: E402
from cnnquiz.torchcheck.modules import Add, Concat, Multiply  # noqa: E402


class Times(nn.Module):
    def __init__(self, k: float):
        super().__init__()
        self.k = k

    def forward(self, x):
        return self.k * x


def residual() -> Graph:
    # 1: x*2   2: (1)*3   3: add(input, 2)   4: concat(1, 3)
    blocks = [Times(2), Times(3), Add(), Concat()]
    return Graph(blocks, ((0,), (1,), (0, 2), (1, 3)), (False, False, True, True))


def test_a_graph_feeds_each_node_its_sources_and_is_indexed_like_sequential():
    model = residual()
    x = torch.ones(1, 2, 3, 3)
    out = model(x)
    assert out.shape == (1, 4, 3, 3)
    assert torch.equal(out[:, :2], 2 * x) and torch.equal(out[:, 2:], 7 * x)  # 1 + 2·3
    assert len(model) == 4 and isinstance(model[1], Times) and model[1].k == 3
    assert [y.shape[1] for y in node_outputs(model, x)] == [2, 2, 2, 4]


def test_a_graph_drops_each_output_after_its_last_reader():
    model = residual()
    # after node 3 reads the input and node 2's output, both are dead; node 1 lives to node 4
    assert model.dead_after == ((), (), (0, 2), (1, 3))
    run = model.outputs(torch.ones(1, 1, 2, 2))
    alive = [sorted(run.gi_frame.f_locals["values"]) for _ in run]  # held at each node's yield
    assert alive == [[0, 1], [0, 1, 2], [1, 3], []]  # the last output is returned, not held


def test_a_graph_with_a_softmax_head_trains_on_its_logits():
    model = Graph(
        [nn.Sequential(nn.Linear(3, 4)), nn.Sequential(nn.Linear(3, 4), nn.Softmax(dim=1))],
        ((0,), (0,)),
        (False, False),
    )
    logits = model.with_last(nn.Sequential(model[1][0]))
    x = torch.randn(2, 3)
    assert torch.allclose(model(x), torch.softmax(logits(x), dim=1))
    assert logits[0] is model[0]  # the same weights: training the one trains the other


def test_a_graph_refuses_sources_that_do_not_match_its_blocks():
    with pytest.raises(ValueError, match="sources"):
        Graph([Times(1)], ((0,), (1,)), (False, False))


def test_multiply_scales_every_position_by_a_channel_vector():
    image = torch.arange(2 * 3 * 2 * 2, dtype=torch.float32).reshape(2, 3, 2, 2)
    scale = torch.tensor([[1.0, 2.0, 3.0], [0.0, 1.0, 0.5]])
    out = Multiply()([image, scale])
    assert torch.equal(out, image * scale[:, :, None, None])
    assert torch.equal(Multiply()([scale[:, :, None, None], image]), out)  # a 1x1xC image too
    assert torch.equal(Multiply()([image, image]), image * image)
