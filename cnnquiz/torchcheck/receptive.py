"""The receptive field measured in torch: which input pixels move one output value.

The arithmetic states r_out = r_in + (k - 1)·jump per layer, the largest over every path into a
node of a graph. Here the same convolutions and pools are built as a one-channel copy of the
network (channels do not change which positions a value sees), with its branches and merges
(a concat becomes an add: one channel per branch, the same positions), every weight positive,
max pooling replaced by average pooling (so that every pixel under a window counts, not only
the largest), activations and batch norm left out. The gradient of the central output value of
each window and merge with respect to the input is then non-zero exactly on that value's
receptive field: on a merge, the union of its paths' fields. Imports torch: used only when
verification is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import torch

from cnnquiz.net.arithmetic import analyze
from cnnquiz.net.figures import NetworkFigures
from cnnquiz.net.layers import (
    AdaptivePool,
    Add,
    Concat,
    Conv,
    Depthwise,
    Layer,
    Multiply,
    Pool,
    Separable,
    ZeroPad,
    kind_of,
)
from cnnquiz.net.network import Network, Shape
from cnnquiz.net.receptive import receptive_field, window
from cnnquiz.torchcheck.autograd import REAL_MEASURE_MACS
from cnnquiz.torchcheck.build import to_module
from cnnquiz.torchcheck.graph import node_outputs
from cnnquiz.torchcheck.verify import Mismatch

MAX_PIXELS = 4_000_000
"""Inputs up to this many pixels (H·W) are measured; one channel, so this stays cheap."""


@dataclass(frozen=True)
class MeasuredField:
    index: int  # 1-based spec layer
    field: tuple[int, int]  # rows and columns of input pixels that move its central value
    clipped: tuple[bool, bool]  # the field reaches the input's border: it may be cut off there


def measure_receptive(
    network: Network, max_pixels: int = MAX_PIXELS
) -> tuple[MeasuredField, ...] | None:
    """The receptive field of every window (conv, depthwise, separable, pool) and merge whose
    values do not yet see the whole input (before flatten, global pooling, dense).

    None when the input is not an image, or it or a layer's output has more than
    ``max_pixels`` pixels, or the probe costs more than ``REAL_MEASURE_MACS``.
    """
    if not network.input.is_image:
        return None
    h, w, _ = network.input.dims
    if h * w > max_pixels:
        return None
    probe, measured = _probe(network)
    if not measured:
        return ()
    cost = analyze(probe)  # padding and kernels can make a small input costly: measure only
    if cost.macs > REAL_MEASURE_MACS or any(f.output_values > max_pixels for f in cost.layers):
        return None  # what a real forward affords (34 GB for 1x1 padded by 2^31 rows)
    x, outputs = _run_probe(probe)
    spans = _nominal_spans(cost)
    fields = []
    for index, node in measured:
        out = outputs[node - 1]
        centre = (out.shape[2] // 2, out.shape[3] // 2)
        clipped = _clipped(spans[node - 1], centre, (h, w))
        fields.append(MeasuredField(index, _gradient_field(x, out, centre), clipped))
    return tuple(fields)


WINDOWS = (Conv, Depthwise, Separable, Pool, AdaptivePool)


def _probe_layer(layer: Layer) -> Layer | None:
    """The one-channel copy of a layer that moves positions, or None for one that keeps them."""
    if isinstance(layer, Conv | Depthwise | Separable):
        return Conv(1, layer.kernel, layer.stride, layer.padding, layer.dilation, bias=False)
    if isinstance(layer, Pool | AdaptivePool):
        return replace(layer, op="avg")
    if isinstance(layer, ZeroPad | Multiply):
        return layer
    if isinstance(layer, Add | Concat):
        return Add()  # one channel per branch: concat's positions are add's
    return None  # batch norm, dropout, activations, prelu keep every position where it is


def _probe(network: Network) -> tuple[Network, list[tuple[int, int]]]:
    """The one-channel copy of the layers whose values do not see the whole input, with its
    sources, and for each window and merge its 1-based index in ``network`` and in the copy."""
    rows = receptive_field(network)
    node_of = {0: 0}  # a layer of ``network`` -> the probe node holding its value
    layers: list[Layer] = []
    inputs: list[tuple[int, ...]] = []
    measured = []
    for i, layer in enumerate(network.layers, 1):
        if rows[i - 1].is_global:
            continue  # every later value that reads it sees the whole input too
        sources = tuple(node_of[j] for j in network.sources(i))
        copy = _probe_layer(layer)
        if copy is None:
            node_of[i] = sources[0]
            continue
        layers.append(copy)
        inputs.append(sources)
        node_of[i] = len(layers)
        if isinstance(layer, WINDOWS) or kind_of(layer).merge:
            measured.append((i, len(layers)))
    h, w, _ = network.input.dims
    return Network(Shape((h, w, 1)), tuple(layers), inputs=tuple(inputs)), measured


def _run_probe(probe: Network) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """A ones input, and every probe layer's output, with positive weights (float64)."""
    model = to_module(probe, dtype=torch.float64)
    with torch.no_grad():
        for p in model.parameters():
            p.fill_(1.0 / p[0].numel())  # positive, and values stay near 1 however deep
    h, w, _ = probe.input.dims
    x = torch.ones(1, 1, h, w, dtype=torch.float64, requires_grad=True)
    return x, list(node_outputs(model, x))


def _gradient_field(x: torch.Tensor, out: torch.Tensor, centre: tuple[int, int]) -> tuple[int, int]:
    """Rows and columns of ``x`` that move the value of ``out`` at ``centre``."""
    (grad,) = torch.autograd.grad(out[0, 0, centre[0], centre[1]], x, retain_graph=True)
    rows, cols = grad[0, 0].nonzero(as_tuple=True)
    if not rows.numel():
        return (0, 0)  # a value that sees only padding moves no input pixel at all
    return (int(rows.max() - rows.min()) + 1, int(cols.max() - cols.min()) + 1)


Reach = tuple[tuple[int, int, int], tuple[int, int, int]]
"""Per axis, (first, last, jump): output position q of a node would see input rows
first + q·jump to last + q·jump if the input had no border."""


def _clipped(reach: Reach, centre: tuple[int, int], size: tuple[int, int]) -> tuple[bool, bool]:
    """Whether the central value's nominal span leaves the input, per axis: there padding
    stands in for pixels and the measured field may be cut short (even without touching the
    border, when a stride skips the last real rows)."""
    return (
        reach[0][0] + centre[0] * reach[0][2] < 0
        or reach[0][1] + centre[0] * reach[0][2] > size[0] - 1,
        reach[1][0] + centre[1] * reach[1][2] < 0
        or reach[1][1] + centre[1] * reach[1][2] > size[1] - 1,
    )


def _nominal_spans(cost: NetworkFigures) -> list[Reach]:
    """Each probe node's reach: through a window of kernel k, stride s and padding p before,
    first - p·jump, last + (k - 1 - p)·jump, jump·s; a merge spans all its sources."""
    reach: list[Reach] = [((0, 0, 1), (0, 0, 1))]
    for f in cost.layers:
        kernel, stride = window(f.layer, f.input_shape)
        before = f.padding or (0, 0, 0, 0)
        axes = []
        for a, p in ((0, before[0]), (1, before[2])):
            first = min(reach[j][a][0] for j in f.sources)
            last = max(reach[j][a][1] for j in f.sources)
            jump = reach[f.sources[0]][a][2]
            axes.append((first - p * jump, last + (kernel[a] - 1 - p) * jump, jump * stride[a]))
        reach.append((axes[0], axes[1]))
    return reach[1:]


def field_mismatches(network: Network, measured: tuple[MeasuredField, ...]) -> list[Mismatch]:
    """Where torch's field differs from the arithmetic's (a clipped axis may only be smaller)."""
    rows = receptive_field(network)
    out = []
    for m in measured:
        row = rows[m.index - 1]
        bound = row.note is not None  # uneven adaptive pooling: the arithmetic's is an upper bound
        ok = all(
            got <= want if clipped or bound else got == want
            for got, want, clipped in zip(m.field, row.field, m.clipped, strict=True)
        )
        if not ok:
            shown = f"{m.field[0]}x{m.field[1]}"
            out.append(
                Mismatch(
                    m.index, row.name, "receptive field", f"{row.field[0]}x{row.field[1]}", shown
                )
            )
    return out
