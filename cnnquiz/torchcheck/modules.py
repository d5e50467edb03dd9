"""The few torch modules ``torch.nn`` lacks for the spec's semantics.

Keras's ``same`` average pooling (padding not counted), Keras's default PReLU (a slope per
value), the activations by name, and the merge layers (add, concat, multiply), which take the
list of their sources' tensors: the graph module (``torchcheck.graph``) hands a merge node its
inputs as one list, every other node its one tensor.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn


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


class PReLUEach(nn.Module):
    """A PReLU with a learnt slope for every value of one image (Keras's default ``PReLU()``):
    ``nn.PReLU`` shares its slopes over the positions, one per channel at most."""

    def __init__(self, shape: tuple[int, ...], init: float = 0.25):
        super().__init__()
        self.weight = nn.Parameter(torch.full(shape, init))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.where(x >= 0, x, self.weight * x)


class Add(nn.Module):
    """The element-wise sum of its inputs (a residual shortcut); nothing kept for backward."""

    def forward(self, xs: list[torch.Tensor]) -> torch.Tensor:
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out


class Concat(nn.Module):
    """Its inputs joined along the channels (dim 1 in NCHW, the features of a vector)."""

    def forward(self, xs: list[torch.Tensor]) -> torch.Tensor:
        return torch.cat(xs, dim=1)


class Multiply(nn.Module):
    """The element-wise product of its inputs; a (B, C) vector (or a (B, C, 1, 1) image) scales
    every position of a (B, C, H, W) image, as a squeeze-and-excitation block does."""

    def forward(self, xs: list[torch.Tensor]) -> torch.Tensor:
        rank = max(x.dim() for x in xs)
        out = None
        for x in xs:
            x = x.reshape(*x.shape, *(1,) * (rank - x.dim()))  # (B, C) -> (B, C, 1, 1)
            out = x if out is None else out * x
        assert out is not None  # a merge has sources: the spec refuses one without
        return out


_ACTIVATIONS: dict[str, Callable[[float | None], nn.Module]] = {
    "relu": lambda a: nn.ReLU(),
    "leaky_relu": lambda a: nn.LeakyReLU(0.01 if a is None else a),
    "elu": lambda a: nn.ELU(1.0 if a is None else a),
    "gelu": lambda a: nn.GELU(),
    "sigmoid": lambda a: nn.Sigmoid(),
    "tanh": lambda a: nn.Tanh(),
    "softmax": lambda a: nn.Softmax(dim=1),  # over the features: dim 1 in NCHW and NC
    "relu6": lambda a: nn.ReLU6(),
    "swish": lambda a: nn.SiLU(),
    "hard_swish": lambda a: nn.Hardswish(),
    "hard_sigmoid": lambda a: nn.Hardsigmoid(),  # relu6(x + 3) / 6, as Keras 3 and PyTorch
    "softplus": lambda a: nn.Softplus(),
    "linear": lambda a: nn.Identity(),
}


def activation_module(name: str, alpha: float | None = None) -> nn.Module:
    """The torch module of an activation, by the spec's name."""
    if name not in _ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}")
    return _ACTIVATIONS[name](alpha)
