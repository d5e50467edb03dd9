"""A network that branches and merges, as one torch module.

A chain stays ``nn.Sequential`` (training, Grad-CAM and saved weights rely on it); a graph is a
``Graph``: the same per-layer blocks, indexable the same way (``model[i]`` is layer ``i + 1``'s
block, its weights under the same ``state_dict`` keys), run in order, each reading its sources'
outputs as the spec's ``inputs`` say. As torch.fx does with ``node.users``, an output is
dropped as soon as its last reader has run, so a forward holds only what later nodes still need.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import torch
from torch import nn


class Graph(nn.ModuleList):
    """Blocks run in order; block ``i`` reads ``sources[i]`` (0 the input, j block j - 1's output).

    ``merges[i]``: block ``i`` takes the list of its sources' tensors (add, concat, multiply);
    every other block takes its one source's tensor. The output is the last block's.
    """

    def __init__(
        self,
        blocks: Sequence[nn.Module],
        sources: tuple[tuple[int, ...], ...],
        merges: tuple[bool, ...],
    ):
        super().__init__(blocks)
        if not len(blocks) == len(sources) == len(merges):
            raise ValueError("a graph needs the sources and the merge flag of every block")
        self.sources, self.merges = sources, merges
        last_read: dict[int, int] = {}
        for i, srcs in enumerate(sources, 1):
            last_read.update((s, i) for s in srcs)
        self.read_later = frozenset(last_read)  # the values some block reads
        # after node i has read its inputs, these values are needed by no later node
        self.dead_after: tuple[tuple[int, ...], ...] = tuple(
            tuple(sorted(s for s in set(srcs) if last_read[s] == i))
            for i, srcs in enumerate(sources, 1)
        )

    def outputs(self, x: torch.Tensor) -> Iterator[torch.Tensor]:
        """Every block's output in order, holding only the outputs later blocks still read."""
        values = {0: x}
        for i, block in enumerate(self, 1):
            inputs = [values[s] for s in self.sources[i - 1]]
            for s in self.dead_after[i - 1]:
                del values[s]
            y = block(inputs if self.merges[i - 1] else inputs[0])
            if i in self.read_later:
                values[i] = y
            yield y

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = x
        for y in self.outputs(x):
            out = y
        return out

    def with_last(self, block: nn.Module) -> Graph:
        """The same graph (sharing its blocks) with its last block replaced: training drops a
        final softmax this way, since cross-entropy wants logits."""
        return Graph([*list(self)[:-1], block], self.sources, self.merges)

    def extra_repr(self) -> str:
        return "sources=" + ", ".join(
            f"{i}<-{'+'.join(map(str, s))}" for i, s in enumerate(self.sources, 1)
        )


Model = nn.Sequential | Graph
"""What ``build.to_module`` returns: a chain's ``nn.Sequential`` or a graph's ``Graph``."""


def node_outputs(model: Model, x: torch.Tensor) -> Iterator[torch.Tensor]:
    """Each spec layer's output in order, for a chain and a graph alike."""
    if isinstance(model, Graph):
        yield from model.outputs(x)
        return
    for block in model:
        x = block(x)
        yield x
