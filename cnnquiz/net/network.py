"""A network: its input shape and its layers, a chain or a graph.

Plain data, read by :mod:`cnnquiz.net.spec` and analysed by :mod:`cnnquiz.net.arithmetic`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cnnquiz.net.layers import Layer


@dataclass(frozen=True)
class Shape:
    """A tensor shape without the batch axis: (H, W, C) for images, (N,) for vectors."""

    dims: tuple[int, ...]

    @property
    def is_image(self) -> bool:
        return len(self.dims) == 3

    @property
    def values(self) -> int:
        return math.prod(self.dims)

    def __str__(self) -> str:
        return "x".join(str(d) for d in self.dims)



@dataclass(frozen=True)
class Network:
    """Layers in the order they run. A chain reads each layer's input from the layer before;
    a graph says what each layer reads in ``inputs``.

    ``inputs[i - 1]`` are the sources of layer ``i`` (1-based): ``0`` is the network's input,
    ``j`` the output of layer ``j < i``; a merge layer (add, concat, multiply) has several.
    Empty: a chain. ``names[i - 1]`` is layer ``i``'s name as written (inside a block, qualified
    by the block's use: ``basic2/main``), or None; ``scopes[i - 1]`` the block use a layer came
    from (``basic2``; ``stage1/basic2`` when blocks nest), ``""`` at the top. Both empty: none.
    The output is the last layer's.
    """

    input: Shape
    layers: tuple[Layer, ...]
    name: str | None = None
    train: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    source: str | None = field(default=None, compare=False, repr=False)
    inputs: tuple[tuple[int, ...], ...] = ()
    names: tuple[str | None, ...] = field(default=(), compare=False)
    scopes: tuple[str, ...] = field(default=(), compare=False)

    def sources(self, index: int) -> tuple[int, ...]:
        """What layer ``index`` (1-based) reads: 0 the input, j layer j."""
        return self.inputs[index - 1] if self.inputs else (index - 1,)

    @property
    def is_graph(self) -> bool:
        """Whether any layer reads something other than the layer just before it."""
        return any(src != (i,) for i, src in enumerate(self.inputs))

    def name_of(self, index: int) -> str | None:
        """Layer ``index``'s name as written, or None (0: ``input``)."""
        if index == 0:
            return "input"
        return self.names[index - 1] if self.names else None

    def scope_of(self, index: int) -> str:
        return self.scopes[index - 1] if self.scopes else ""
