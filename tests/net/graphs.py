"""Small graphs built as Network objects, as the parser will build them: the residual block of
issue 11, an Inception module, a squeeze-and-excitation block. Shared by the figures', the
RAM and the receptive field's tests."""

from __future__ import annotations

from cnnquiz.net.layers import (
    Activation,
    AdaptivePool,
    Add,
    BatchNorm,
    Concat,
    Conv,
    Dense,
    GlobalPool,
    Layer,
    Multiply,
    Pool,
)
from cnnquiz.net.network import Network, Shape


def graph(shape: str, *nodes: tuple[Layer, list[int]], names: tuple[str | None, ...] = ()) -> Network:
    """A network from (layer, sources) pairs in order: 0 is the input, j layer j."""
    return Network(
        Shape(tuple(int(d) for d in shape.split("x"))),
        tuple(layer for layer, _ in nodes),
        inputs=tuple(tuple(src) for _, src in nodes),
        names=names,
    )


def residual(shape: str = "56x56x64", shortcut: bool = True) -> Network:
    """Issue 11's ``basic`` block: conv, bn, relu, conv, bn, add the block's input, relu.
    Without the shortcut, the same layers as a chain (the add dropped)."""
    c = int(shape.split("x")[-1])
    main = [
        (Conv(c, padding="same", bias=False), [0]),
        (BatchNorm(), [1]),
        (Activation("relu"), [2]),
        (Conv(c, padding="same", bias=False), [3]),
        (BatchNorm(), [4]),
    ]
    if not shortcut:
        return graph(shape, *main, (Activation("relu"), [5]))
    return graph(shape, *main, (Add(), [0, 5]), (Activation("relu"), [6]))


def down(shape: str = "56x56x64", filters: int = 128) -> Network:
    """Issue 11's ``down`` block: a stride-2 main path and a 1x1 stride-2 projection shortcut."""
    return graph(
        shape,
        (Conv(filters, stride=(2, 2), padding="same", bias=False), [0]),
        (BatchNorm(), [1]),
        (Activation("relu"), [2]),
        (Conv(filters, padding="same", bias=False), [3]),
        (BatchNorm(), [4]),
        (Conv(filters, kernel=(1, 1), stride=(2, 2), bias=False), [0]),
        (BatchNorm(), [6]),
        (Add(), [5, 7]),
        (Activation("relu"), [8]),
        names=(None, None, None, None, "main", None, "shortcut", None, None),
    )


def inception(shape: str = "28x28x192") -> Network:
    """GoogLeNet's inception (3a): four branches on one input, joined along the channels."""
    return graph(
        shape,
        (Conv(64, kernel=(1, 1), activation="relu"), [0]),
        (Conv(96, kernel=(1, 1), activation="relu"), [0]),
        (Conv(128, padding="same", activation="relu"), [2]),
        (Conv(16, kernel=(1, 1), activation="relu"), [0]),
        (Conv(32, kernel=(5, 5), padding="same", activation="relu"), [4]),
        (Pool((3, 3), stride=(1, 1), padding="same"), [0]),
        (Conv(32, kernel=(1, 1), activation="relu"), [6]),
        (Concat(), [1, 3, 5, 7]),
    )


def squeeze_excite(c: int = 64, r: int = 16, gate_as_image: bool = False) -> Network:
    """An SE block: squeeze (global pooling), excite (two dense layers), scale the channels."""
    if gate_as_image:  # the gate kept as 1x1xC, as PyTorch's SE blocks write it with 1x1 convs
        squeeze = [(AdaptivePool((1, 1)), [0]), (Conv(c // r, (1, 1), activation="relu"), [1])]
        excite = (Conv(c, (1, 1), activation="sigmoid"), [2])
    else:
        squeeze = [(GlobalPool(), [0]), (Dense(c // r, activation="relu"), [1])]
        excite = (Dense(c, activation="sigmoid"), [2])
    return graph(f"56x56x{c}", *squeeze, excite, (Multiply(), [0, 3]))
