"""Receptive field: how many input pixels one output value sees, layer by layer.

r_out = r_in + (k - 1)·jump_in and jump_out = jump_in·stride, per axis, where k is the
effective kernel (dilation included) and jump the distance in input pixels between neighbouring
outputs. ``cnnquiz.torchcheck.receptive`` measures the same fields by gradient.
"""

from __future__ import annotations

from dataclasses import dataclass

from cnnquiz.net.arithmetic import analyze
from cnnquiz.net.layers import Conv, Dense, Flatten, GlobalPool, Layer, Pool, Size2
from cnnquiz.net.network import Network

GLOBAL_LAYERS = (Flatten, GlobalPool, Dense)
"""After these every value sees the whole input: the field stops being a window."""


@dataclass(frozen=True)
class ReceptiveRow:
    index: int
    name: str
    kernel: Size2  # effective kernel (dilation included); (1, 1) for layers that keep positions
    stride: Size2
    jump: Size2  # distance in input pixels between neighbouring outputs (the effective stride)
    field: Size2  # receptive field in input pixels
    is_global: bool  # after flatten, global pooling or dense every value sees the whole input
    field_in: Size2 = (1, 1)  # the field before this layer (the previous row's, or 1x1)
    jump_in: Size2 = (1, 1)  # the jump before this layer


def effective_kernel(layer: Conv) -> Size2:
    """A k-wide kernel dilated by d covers d·(k - 1) + 1 pixels."""
    (kh, kw), (dh, dw) = layer.kernel, layer.dilation
    return (dh * (kh - 1) + 1, dw * (kw - 1) + 1)


def window(layer: Layer) -> tuple[Size2, Size2]:
    """The effective kernel and stride a layer slides over positions; (1, 1) twice for a layer
    that keeps every position where it is (batch norm, dropout, activations)."""
    if isinstance(layer, Conv):
        return effective_kernel(layer), layer.stride
    if isinstance(layer, Pool):
        return layer.size, layer.strides
    return (1, 1), (1, 1)


def receptive_field(network: Network) -> list[ReceptiveRow]:
    """r_out = r_in + (k - 1)·jump_in and jump_out = jump_in·stride, per axis."""
    analyze(network)  # the network must work before its receptive field means anything
    h, w = (network.input.dims[0], network.input.dims[1]) if network.input.is_image else (1, 1)
    field_: Size2 = (1, 1)
    jump: Size2 = (1, 1)
    is_global = not network.input.is_image
    rows = []
    for i, layer in enumerate(network.layers, 1):
        k, s = window(layer)
        is_global = is_global or isinstance(layer, GLOBAL_LAYERS)
        field_in, jump_in = field_, jump
        if not is_global:
            field_ = (field_[0] + (k[0] - 1) * jump[0], field_[1] + (k[1] - 1) * jump[1])
            jump = (jump[0] * s[0], jump[1] * s[1])
        shown = (h, w) if is_global else field_
        rows.append(ReceptiveRow(i, layer.title, k, s, jump, shown, is_global, field_in, jump_in))
    return rows


def stacked_receptive_field(n: int, k: int = 3) -> int:
    """n stacked k×k convolutions with stride 1 see (n·(k - 1) + 1) pixels: 3 of 3x3 see 7x7."""
    return n * (k - 1) + 1


def weights_per_channel_pair(n: int, k: int = 3) -> int:
    """n stacked k×k kernels use n·k² weights per channel pair; one big kernel uses its area."""
    return n * k * k
