"""Graph networks written as ``Network`` objects directly (sources as tuples), for the tests and
the benchmark: they need no spec parser, so they pin torch's side on its own."""

from __future__ import annotations

from cnnquiz.net.layers import (
    Activation,
    Add,
    BatchNorm,
    Conv,
    Dense,
    GlobalPool,
    Layer,
    Pool,
)
from cnnquiz.net.network import Network, Shape


class GraphWriter:
    """Appends layers with their sources and returns each one's 1-based index (0: the input)."""

    def __init__(self) -> None:
        self.layers: list[Layer] = []
        self.inputs: list[tuple[int, ...]] = []

    def add(self, layer: Layer, *sources: int) -> int:
        self.layers.append(layer)
        self.inputs.append(sources or (len(self.layers) - 1,))
        return len(self.layers)

    def network(self, shape: Shape, name: str | None = None) -> Network:
        return Network(shape, tuple(self.layers), name, inputs=tuple(self.inputs))


def _conv_bn(g: GraphWriter, src: int, filters: int, kernel: int, stride: int = 1) -> int:
    g.add(Conv(filters, (kernel, kernel), (stride, stride), "same", bias=False), src)
    return g.add(BatchNorm())


def _bottleneck(g: GraphWriter, src: int, width: int, stride: int, project: bool) -> int:
    x = g.add(Activation("relu"), _conv_bn(g, src, width, 1))
    x = g.add(Activation("relu"), _conv_bn(g, x, width, 3, stride))
    main = _conv_bn(g, x, 4 * width, 1)
    shortcut = _conv_bn(g, src, 4 * width, 1, stride) if project else src
    return g.add(Activation("relu"), g.add(Add(), main, shortcut))


def resnet50(size: int = 224) -> Network:
    """torchvision's ResNet-50 (stride on the 3x3 conv, v1.5): 25,557,032 parameters."""
    g = GraphWriter()
    x = g.add(Activation("relu"), _conv_bn(g, 0, 64, 7, 2))
    x = g.add(Pool((3, 3), (2, 2), "same"), x)
    for stage, (width, blocks) in enumerate(((64, 3), (128, 4), (256, 6), (512, 3))):
        for block in range(blocks):
            stride = 2 if stage and not block else 1
            x = _bottleneck(g, x, width, stride, project=not block)
    g.add(GlobalPool("avg"), x)
    g.add(Dense(1000))
    return g.network(Shape((size, size, 3)), "resnet50")
