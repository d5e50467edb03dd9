"""Receptive field: how many input pixels one output value sees, layer by layer.

r_out = r_in + (k - 1)·jump_in and jump_out = jump_in·stride, per axis, where k is the
effective kernel (dilation included) and jump the distance in input pixels between neighbouring
outputs. ``cnnquiz.torchcheck.receptive`` measures the same fields by gradient.

On a graph a layer reads several paths (a residual block's shortcut and its main path): its
field is the largest over all of them, per axis, with that path's jump.
"""

from __future__ import annotations

from dataclasses import dataclass

from cnnquiz.net.arithmetic import analyze
from cnnquiz.net.layers import (
    AdaptivePool,
    Conv,
    Dense,
    Depthwise,
    Flatten,
    GlobalPool,
    Layer,
    Pool,
    Separable,
    Size2,
)
from cnnquiz.net.network import Network, Shape
from cnnquiz.net.pools import adaptive_windows

GLOBAL_LAYERS = (Flatten, GlobalPool, Dense)
"""After these every value sees the whole input: the field stops being a window."""

UNEVEN_ADAPTIVE = "uneven windows: the largest, ceil(in / out) apart, an upper bound"
"""Adaptive pooling whose size does not divide its input pools windows of uneven size."""


@dataclass(frozen=True)
class ReceptiveRow:
    index: int
    name: str
    kernel: Size2  # effective kernel (dilation included); (1, 1) for layers that keep positions
    stride: Size2
    jump: Size2  # distance in input pixels between neighbouring outputs (the effective stride)
    field: Size2  # receptive field in input pixels
    is_global: bool  # after flatten, global pooling or dense every value sees the whole input
    field_in: Size2 = (1, 1)  # the field before this layer (its widest source's, or 1x1)
    jump_in: Size2 = (1, 1)  # the jump before this layer (that source's)
    note: str | None = None  # how a layer that is no plain window was counted


def effective_kernel(layer: Conv | Depthwise | Separable) -> Size2:
    """A k-wide kernel dilated by d covers d·(k - 1) + 1 pixels."""
    (kh, kw), (dh, dw) = layer.kernel, layer.dilation
    return (dh * (kh - 1) + 1, dw * (kw - 1) + 1)


def _adaptive(layer: AdaptivePool, shape: Shape) -> tuple[Size2, Size2]:
    """PyTorch's windows: in / out wide and apart when out divides in; otherwise the largest
    window, ceil(in / out) apart (see ``UNEVEN_ADAPTIVE``)."""
    k = tuple(max(adaptive_windows(n, o)) for n, o in zip(shape.dims[:2], layer.size, strict=True))
    s = tuple(-(-n // o) for n, o in zip(shape.dims[:2], layer.size, strict=True))
    return (k[0], k[1]), (s[0], s[1])


def window(layer: Layer, shape: Shape | None = None) -> tuple[Size2, Size2]:
    """The effective kernel and stride a layer slides over positions; (1, 1) twice for a layer
    that keeps every position where it is (batch norm, dropout, activations, merges). Adaptive
    pooling's window depends on its input, ``shape``; without it, it counts as keeping them."""
    if isinstance(layer, (Conv, Depthwise, Separable)):
        return effective_kernel(layer), layer.stride
    if isinstance(layer, Pool):
        return layer.size, layer.strides
    if isinstance(layer, AdaptivePool) and shape is not None and shape.is_image:
        return _adaptive(layer, shape)
    return (1, 1), (1, 1)


def _is_uneven(layer: Layer, shape: Shape) -> bool:
    return isinstance(layer, AdaptivePool) and any(
        n % o for n, o in zip(shape.dims[:2], layer.size, strict=True)
    )


Paths = tuple[tuple[int, int], ...]
"""Along one axis, the (field, jump) of the paths into a node that may still end up widest:
a path with a smaller field but a larger jump grows faster through a later kernel, so both are
kept (on a chain there is one)."""


def _pareto(pairs: Paths) -> Paths:
    """The pairs no other beats on both field and jump, widest first."""
    kept: list[tuple[int, int]] = []
    for field, jump in sorted(set(pairs), reverse=True):
        if not kept or jump > kept[-1][1]:
            kept.append((field, jump))
    return tuple(kept)


def _widest(paths: Paths, k: int) -> tuple[int, int]:
    """The path whose field grows largest through a k-wide window (the larger jump on a tie)."""
    return max(paths, key=lambda p: (p[0] + (k - 1) * p[1], p[1]))


def _node(k: Size2, s: Size2, sources: list[tuple[Paths, Paths]]) -> tuple[Paths, Paths]:
    """Every source's paths, through this layer's window, per axis."""
    out = []
    for a in (0, 1):
        pairs = tuple(pair for src in sources for pair in src[a])
        out.append(_pareto(tuple((f + (k[a] - 1) * j, j * s[a]) for f, j in pairs)))
    return out[0], out[1]


def _is_global(layer: Layer, sources_global: bool) -> bool:
    return sources_global or isinstance(layer, GLOBAL_LAYERS) or (
        isinstance(layer, AdaptivePool) and layer.size == (1, 1)
    )


def receptive_field(network: Network) -> list[ReceptiveRow]:
    """r_out = r_in + (k - 1)·jump_in and jump_out = jump_in·stride, per axis, over every
    path into each layer: its field is the largest, its jump that path's."""
    fig = analyze(network)  # the network must work before its receptive field means anything
    h, w = (network.input.dims[0], network.input.dims[1]) if network.input.is_image else (1, 1)
    paths: list[tuple[Paths, Paths]] = [(((1, 1),), ((1, 1),))]
    global_: list[bool] = [not network.input.is_image]
    rows = []
    for f in fig.layers:
        layer = f.layer
        k, s = window(layer, f.input_shape)
        sources = [paths[j] for j in f.sources]
        is_global = _is_global(layer, any(global_[j] for j in f.sources))
        before = tuple(_widest(tuple(p for src in sources for p in src[a]), k[a]) for a in (0, 1))
        field_in, jump_in = (before[0][0], before[1][0]), (before[0][1], before[1][1])
        field_, jump = field_in, jump_in
        if is_global:  # the field stops growing: every path is the whole input
            paths.append(((before[0],), (before[1],)))
        else:
            paths.append(_node(k, s, sources))
            field_ = (paths[-1][0][0][0], paths[-1][1][0][0])
            jump = (paths[-1][0][0][1], paths[-1][1][0][1])
        global_.append(is_global)
        shown = (h, w) if is_global else field_
        note = UNEVEN_ADAPTIVE if not is_global and _is_uneven(layer, f.input_shape) else None
        rows.append(ReceptiveRow(f.index, layer.title, k, s, jump, shown, is_global, field_in, jump_in, note))
    return rows


def stacked_receptive_field(n: int, k: int = 3) -> int:
    """n stacked k×k convolutions with stride 1 see (n·(k - 1) + 1) pixels: 3 of 3x3 see 7x7."""
    return n * (k - 1) + 1


def weights_per_channel_pair(n: int, k: int = 3) -> int:
    """n stacked k×k kernels use n·k² weights per channel pair; one big kernel uses its area."""
    return n * k * k
