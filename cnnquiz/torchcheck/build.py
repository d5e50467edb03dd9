"""The torch bridge: a spec becomes an ``nn.Module``.

Imported only when torch is needed (verification, the autograd measurement, training): it
imports torch at the top. Nothing here reuses the arithmetic's shapes or padding: channels and
sizes are found by running an empty batch through the layers as they are built (on the CPU or
the meta device), so a wrong formula in ``arithmetic.py`` shows up as a mismatch instead of
being copied (``verify``); ``autograd`` measures what training keeps.

Tensors are NCHW inside the bridge; the spec and the figures are H×W×C.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from cnnquiz.net.arithmetic import analyze
from cnnquiz.net.layers import (
    Activation,
    AdaptivePool,
    Add,
    BatchNorm,
    Concat,
    Conv,
    Dense,
    Depthwise,
    Dropout,
    Flatten,
    GlobalPool,
    Layer,
    Multiply,
    Pool,
    PReLU,
    Separable,
    ZeroPad,
    kind_of,
)
from cnnquiz.net.network import Network, Shape
from cnnquiz.torchcheck import modules
from cnnquiz.torchcheck.graph import Graph, Model
from cnnquiz.torchcheck.modules import AvgPoolExcludingPad, PReLUEach, activation_module

gc.freeze()
"""torch's import leaves some 170,000 objects that live as long as the process; frozen, the
collector stops walking them, and the first full collection a build triggers costs
milliseconds instead of 0.2 s (a quarter of checking ResNet-50)."""

DTYPES = {
    "float32": torch.float32,
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
    "float64": torch.float64,
}

Windowed = Conv | Depthwise | Separable | Pool


def keras_same_pads(size: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """Pixels before and after one axis for Keras ``same``: out = ceil(in / stride), odd pixel after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + dilation * (kernel - 1) + 1 - size, 0)
    return total // 2, total - total // 2


def _pads(layer: Windowed, x: torch.Tensor) -> tuple[int, int, int, int]:
    """Padding as F.pad wants it (left, right, top, bottom), from the actual input size."""
    h, w = x.shape[2], x.shape[3]
    if isinstance(layer, Pool):
        kernel, stride, dilation = layer.size, layer.strides, (1, 1)
    else:
        kernel, stride, dilation = layer.kernel, layer.stride, layer.dilation
    if layer.padding == "same":
        top, bottom = keras_same_pads(h, kernel[0], stride[0], dilation[0])
        left, right = keras_same_pads(w, kernel[1], stride[1], dilation[1])
        return (left, right, top, bottom)
    if isinstance(layer.padding, str):  # valid
        return (0, 0, 0, 0)
    rows, cols = layer.padding
    return (cols, cols, rows, rows)


def _windowed_conv(
    layer: Conv | Depthwise | Separable, x: torch.Tensor, out: int, groups: int, bias: bool
) -> list[nn.Module]:
    """A convolution with Keras's padding: in the conv when symmetric, else a ZeroPad2d first."""
    left, right, top, bottom = _pads(layer, x)
    symmetric = left == right and top == bottom
    parts: list[nn.Module] = [] if symmetric else [nn.ZeroPad2d((left, right, top, bottom))]
    conv = nn.Conv2d(
        x.shape[1],
        out,
        layer.kernel,
        stride=layer.stride,
        padding=(top, left) if symmetric else 0,
        dilation=layer.dilation,
        groups=groups,
        bias=bias,
    )
    return [*parts, conv]


def _activated(parts: list[nn.Module], activation: str | None) -> list[nn.Module]:
    return parts + ([activation_module(activation)] if activation else [])


def _conv(layer: Conv, x: torch.Tensor) -> list[nn.Module]:
    parts = _windowed_conv(layer, x, layer.filters, layer.groups, layer.bias)
    return _activated(parts, layer.activation)


def _depthwise(layer: Depthwise, x: torch.Tensor) -> list[nn.Module]:
    channels = x.shape[1]
    parts = _windowed_conv(layer, x, channels * layer.multiplier, channels, layer.bias)
    return _activated(parts, layer.activation)


def _separable(layer: Separable, x: torch.Tensor) -> list[nn.Module]:
    """Keras's SeparableConv2D as one node: the depthwise part has no bias, the pointwise has it."""
    channels = x.shape[1]
    depthwise = _windowed_conv(layer, x, channels * layer.multiplier, channels, False)
    pointwise = nn.Conv2d(channels * layer.multiplier, layer.filters, 1, bias=layer.bias)
    return _activated([*depthwise, pointwise], layer.activation)


def _zeropad(layer: ZeroPad, x: torch.Tensor) -> list[nn.Module]:
    top, bottom, left, right = layer.padding
    return [nn.ZeroPad2d((left, right, top, bottom))]


def _pool(layer: Pool, x: torch.Tensor) -> list[nn.Module]:
    pads = _pads(layer, x)
    if layer.op == "max":
        padded = [nn.ConstantPad2d(pads, float("-inf"))] if any(pads) else []
        return [*padded, nn.MaxPool2d(layer.size, layer.strides)]
    if any(pads):
        return [AvgPoolExcludingPad(layer.size, layer.strides, pads)]
    return [nn.AvgPool2d(layer.size, layer.strides)]


def _adaptive_pool(layer: AdaptivePool, x: torch.Tensor) -> list[nn.Module]:
    pool = nn.AdaptiveAvgPool2d if layer.op == "avg" else nn.AdaptiveMaxPool2d
    return [pool(layer.size)]


def _dense(layer: Dense, x: torch.Tensor) -> list[nn.Module]:
    return _activated([nn.Linear(x.shape[1], layer.units, bias=layer.bias)], layer.activation)


def _flatten(layer: Flatten, x: torch.Tensor) -> list[nn.Module]:
    return [nn.Flatten()]  # torch orders C, H, W; Keras H, W, C: same count


def _global_pool(layer: GlobalPool, x: torch.Tensor) -> list[nn.Module]:
    pool = nn.AdaptiveAvgPool2d(1) if layer.op == "avg" else nn.AdaptiveMaxPool2d(1)
    return [pool, nn.Flatten()]


def _batch_norm(layer: BatchNorm, x: torch.Tensor) -> list[nn.Module]:
    return [nn.BatchNorm2d(x.shape[1]) if x.dim() == 4 else nn.BatchNorm1d(x.shape[1])]


def _dropout(layer: Dropout, x: torch.Tensor) -> list[nn.Module]:
    return [nn.Dropout(layer.rate)]


def _activation(layer: Activation, x: torch.Tensor) -> list[nn.Module]:
    return [activation_module(layer.name, layer.alpha)]


def _prelu(layer: PReLU, x: torch.Tensor) -> list[nn.Module]:
    """One slope per channel (``nn.PReLU(C)``), one in all, or one per value of an image."""
    if layer.slopes == "all":
        return [PReLUEach(tuple(x.shape[1:]))]
    return [nn.PReLU(x.shape[1] if layer.slopes == "channel" else 1)]


def _add(layer: Add, x: torch.Tensor) -> list[nn.Module]:
    return [modules.Add()]


def _concat(layer: Concat, x: torch.Tensor) -> list[nn.Module]:
    return [modules.Concat()]


def _multiply(layer: Multiply, x: torch.Tensor) -> list[nn.Module]:
    return [modules.Multiply()]


BUILDERS: dict[type, Callable[[Any, torch.Tensor], list[nn.Module]]] = {
    Conv: _conv,
    Depthwise: _depthwise,
    Separable: _separable,
    ZeroPad: _zeropad,
    Pool: _pool,
    AdaptivePool: _adaptive_pool,
    Dense: _dense,
    Flatten: _flatten,
    GlobalPool: _global_pool,
    BatchNorm: _batch_norm,
    Dropout: _dropout,
    Activation: _activation,
    PReLU: _prelu,
    Add: _add,
    Concat: _concat,
    Multiply: _multiply,
}
"""Each layer kind's torch modules, reading tensors shaped like ``x`` (a merge's first input)."""


def nchw(shape: Shape, batch: int = 1) -> tuple[int, ...]:
    """H×W×C (or N) → the torch shape with a batch axis: (B, C, H, W) or (B, N)."""
    if shape.is_image:
        h, w, c = shape.dims
        return (batch, c, h, w)
    return (batch, *shape.dims)


def hwc(size: torch.Size | tuple[int, ...]) -> Shape:
    """A torch shape (batch first) → the spec's H×W×C (or N)."""
    dims = tuple(size[1:])
    if len(dims) == 3:
        c, h, w = dims
        return Shape((h, w, c))
    return Shape(dims)


def _materialise(block: nn.Module, device: torch.device, dtype: torch.dtype) -> None:
    """Give a block built on ``meta`` real, uninitialised tensors on ``device``.

    ``Module.to_empty`` would do it through torch's Python references, whose first use imports
    the compiler stack (most of a second); ``torch.empty`` reserves the memory without touching
    it, so even VGG16's 553 MB of weights cost nothing until written.
    """
    for module in block.modules():
        for name, p in module._parameters.items():
            if p is not None:
                empty = torch.empty(p.shape, dtype=dtype, device=device)
                module._parameters[name] = nn.Parameter(empty, p.requires_grad)
        for name, b in module._buffers.items():
            if b is not None:
                kind = dtype if b.is_floating_point() else b.dtype
                module._buffers[name] = torch.empty(b.shape, dtype=kind, device=device)


def _block(
    layer: Layer, x: torch.Tensor, build: torch.device, dtype: torch.dtype, init: bool
) -> nn.Sequential:
    """The modules of one spec layer reading tensors shaped like ``x``, on ``build``: initialised
    as torch initialises them, or (``init`` False) left uninitialised, built on ``meta``."""
    if init or build.type == "meta":
        with torch.device(build):
            return nn.Sequential(*BUILDERS[type(layer)](layer, x)).to(dtype)
    with torch.device("meta"):
        block = nn.Sequential(*BUILDERS[type(layer)](layer, x))
    _materialise(block, build, dtype)
    return block


def to_module(
    network: Network,
    device: str | torch.device = "cpu",
    dtype: torch.dtype = torch.float32,
    init: bool = True,
) -> Model:
    """The network as a module taking (B, C, H, W) float input: ``nn.Sequential`` for a chain,
    ``graph.Graph`` for a network that branches (``network.is_graph``).

    Child ``i`` is spec layer ``i + 1`` (itself a small ``nn.Sequential``: padding, the layer,
    its activation), so ``model[i]`` is where hooks go (Grad-CAM: ``train.gradcam.cam_layer_index``).
    Each layer's input size is found by running an empty batch (0 images: nothing allocated for
    activations) through the layers built so far. On ``meta`` nothing is allocated at all;
    elsewhere the layers are built and initialised on the CPU as torch initialises them
    (``torch.manual_seed`` makes that reproducible), then moved to ``device``. ``init`` False
    skips the initialisation (the weights hold whatever memory held): for checking shapes and
    counts, where writing millions of random weights would cost more than the check.
    A spec that cannot work raises ``SpecError`` naming the layer.
    """
    analyze(network)  # one-line errors naming the layer, before torch sees anything
    target = torch.device(device)
    build = target if target.type == "meta" else torch.device("cpu")
    sources = tuple(network.sources(i) for i in range(1, len(network.layers) + 1))
    merges = tuple(kind_of(layer).merge for layer in network.layers)
    values = {0: torch.empty(nchw(network.input, 0), dtype=dtype, device=build)}
    blocks = []
    with torch.no_grad():
        for i, layer in enumerate(network.layers, 1):
            inputs = [values[s] for s in sources[i - 1]]
            block = _block(layer, inputs[0], build, dtype, init).eval()  # eval: any batch
            values[i] = block(inputs if merges[i - 1] else inputs[0])
            blocks.append(block)
    model: Model = Graph(blocks, sources, merges) if network.is_graph else nn.Sequential(*blocks)
    model.train()
    return model if target == build else model.to(target)
