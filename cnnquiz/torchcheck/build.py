"""The torch bridge: a spec becomes an ``nn.Module``.

Imported only when torch is needed (verification, the autograd measurement, training): it
imports torch at the top. Nothing here reuses the arithmetic's shapes or padding: channels and
sizes are found by running an empty batch through the layers as they are built (on the CPU or
the meta device), so a wrong formula in ``arithmetic.py`` shows up as a mismatch instead of
being copied (``verify``); ``autograd`` measures what training keeps.

Tensors are NCHW inside the bridge; the spec and the figures are H×W×C.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from cnnquiz.net.arithmetic import analyze
from cnnquiz.net.layers import (
    Activation,
    BatchNorm,
    Conv,
    Dense,
    Dropout,
    Flatten,
    GlobalPool,
    Layer,
    Pool,
)
from cnnquiz.net.network import Network, Shape

DTYPES = {
    "float32": torch.float32,
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
    "float64": torch.float64,
}


def keras_same_pads(size: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """Pixels before and after one axis for Keras ``same``: out = ceil(in / stride), odd pixel after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + dilation * (kernel - 1) + 1 - size, 0)
    return total // 2, total - total // 2


class AvgPoolExcludingPad(nn.Module):
    """Average pooling over explicit (possibly asymmetric) padding that does not count the padding.

    Keras's ``same`` average pooling divides by the number of real pixels under the window;
    ``nn.AvgPool2d(count_include_pad=False)`` only pads symmetrically, so the padding is applied
    here to the input and to a mask of ones, and the two averages are divided.
    """

    def __init__(
        self, size: tuple[int, int], stride: tuple[int, int], pads: tuple[int, int, int, int]
    ):
        super().__init__()
        self.size, self.stride, self.pads = size, stride, pads  # pads: left, right, top, bottom

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = F.avg_pool2d(F.pad(x, self.pads), self.size, self.stride)
        ones = torch.ones_like(x[:1, :1])
        share = F.avg_pool2d(F.pad(ones, self.pads), self.size, self.stride)
        return mean / share

    def extra_repr(self) -> str:
        return f"size={self.size}, stride={self.stride}, pads={self.pads}"


def activation_module(name: str, alpha: float | None = None) -> nn.Module:
    """The torch module of an activation; softmax runs over the features (dim 1 in NCHW and NC)."""
    if name == "relu":
        return nn.ReLU()
    if name == "leaky_relu":
        return nn.LeakyReLU(0.01 if alpha is None else alpha)
    if name == "elu":
        return nn.ELU(1.0 if alpha is None else alpha)
    if name == "gelu":
        return nn.GELU()
    if name == "sigmoid":
        return nn.Sigmoid()
    if name == "tanh":
        return nn.Tanh()
    if name == "softmax":
        return nn.Softmax(dim=1)
    raise ValueError(f"unknown activation {name!r}")


def _pads(layer: Conv | Pool, x: torch.Tensor) -> tuple[int, int, int, int]:
    """Padding as F.pad wants it (left, right, top, bottom), from the actual input size."""
    h, w = x.shape[2], x.shape[3]
    if isinstance(layer, Conv):
        kernel, stride, dilation = layer.kernel, layer.stride, layer.dilation
    else:
        kernel, stride, dilation = layer.size, layer.strides, (1, 1)
    if layer.padding == "same":
        top, bottom = keras_same_pads(h, kernel[0], stride[0], dilation[0])
        left, right = keras_same_pads(w, kernel[1], stride[1], dilation[1])
        return (left, right, top, bottom)
    if isinstance(layer.padding, str):  # valid
        return (0, 0, 0, 0)
    rows, cols = layer.padding
    return (cols, cols, rows, rows)


def _conv(layer: Conv, x: torch.Tensor) -> list[nn.Module]:
    left, right, top, bottom = _pads(layer, x)
    symmetric = left == right and top == bottom
    parts: list[nn.Module] = [] if symmetric else [nn.ZeroPad2d((left, right, top, bottom))]
    parts.append(
        nn.Conv2d(
            x.shape[1],
            layer.filters,
            layer.kernel,
            stride=layer.stride,
            padding=(top, left) if symmetric else 0,
            dilation=layer.dilation,
            bias=layer.bias,
        )
    )
    return parts + ([activation_module(layer.activation)] if layer.activation else [])


def _pool(layer: Pool, x: torch.Tensor) -> list[nn.Module]:
    pads = _pads(layer, x)
    if layer.op == "max":
        padded = [nn.ConstantPad2d(pads, float("-inf"))] if any(pads) else []
        return [*padded, nn.MaxPool2d(layer.size, layer.strides)]
    if any(pads):
        return [AvgPoolExcludingPad(layer.size, layer.strides, pads)]
    return [nn.AvgPool2d(layer.size, layer.strides)]


def _dense(layer: Dense, x: torch.Tensor) -> list[nn.Module]:
    linear = nn.Linear(x.shape[1], layer.units, bias=layer.bias)
    return [linear] + ([activation_module(layer.activation)] if layer.activation else [])


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


BUILDERS: dict[type, Callable[[Any, torch.Tensor], list[nn.Module]]] = {
    Conv: _conv,
    Pool: _pool,
    Dense: _dense,
    Flatten: _flatten,
    GlobalPool: _global_pool,
    BatchNorm: _batch_norm,
    Dropout: _dropout,
    Activation: _activation,
}
"""Each layer kind's torch modules, reading tensors shaped like ``x``."""


def _block(layer: Layer, x: torch.Tensor) -> nn.Sequential:
    """The modules of one spec layer, reading tensors shaped like ``x``."""
    return nn.Sequential(*BUILDERS[type(layer)](layer, x))


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


def to_module(
    network: Network, device: str | torch.device = "cpu", dtype: torch.dtype = torch.float32
) -> nn.Sequential:
    """The network as ``nn.Sequential`` taking (B, C, H, W) float input.

    Child ``i`` is spec layer ``i + 1`` (itself a small ``nn.Sequential``: padding, the layer,
    its activation), so ``model[i]`` is where hooks go (Grad-CAM: ``train.gradcam.cam_layer_index``).
    Each layer's input size is found by running an empty batch (0 images: nothing allocated for
    activations) through the layers built so far. On ``meta`` nothing is allocated at all;
    elsewhere the layers are built and initialised on the CPU as torch initialises them
    (``torch.manual_seed`` makes that reproducible), then moved to ``device``.
    A spec that cannot work raises ``SpecError`` naming the layer.
    """
    analyze(network)  # one-line errors naming the layer, before torch sees anything
    target = torch.device(device)
    build = target if target.type == "meta" else torch.device("cpu")
    with torch.device(build):
        x = torch.empty(nchw(network.input, 0), dtype=dtype)
        blocks = []
        with torch.no_grad():
            for layer in network.layers:
                block = _block(layer, x).to(dtype).eval()  # eval: batch norm takes any batch
                x = block(x)
                blocks.append(block)
        model = nn.Sequential(*blocks).train()
    return model if target == build else model.to(target)
