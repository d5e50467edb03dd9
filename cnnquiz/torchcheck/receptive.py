"""The receptive field measured in torch: which input pixels move one output value.

The arithmetic states r_out = r_in + (k - 1)·jump per layer. Here the same convolutions and
pools are built as a one-channel copy of the network (channels do not change which positions a
value sees), every weight positive, max pooling replaced by average pooling (so that every pixel
under a window counts, not only the largest), activations and batch norm left out. The gradient
of the central output value of each layer with respect to the input is then non-zero exactly on
that value's receptive field. Imports torch: used only when verification is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import torch

from cnnquiz.net.arithmetic import analyze
from cnnquiz.net.figures import NetworkFigures
from cnnquiz.net.layers import Conv, Pool
from cnnquiz.net.network import Network, Shape
from cnnquiz.net.receptive import GLOBAL_LAYERS, receptive_field, window
from cnnquiz.torchcheck.autograd import REAL_MEASURE_MACS
from cnnquiz.torchcheck.build import to_module
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
    """The receptive field of every conv and pool layer before flatten or global pooling.

    None when the input is not an image, or it or a layer's output has more than
    ``max_pixels`` pixels, or the probe costs more than ``REAL_MEASURE_MACS``.
    """
    if not network.input.is_image:
        return None
    h, w, _ = network.input.dims
    if h * w > max_pixels:
        return None
    probe_layers, indices = _probe_layers(network)
    if not probe_layers:
        return ()
    probe = Network(Shape((h, w, 1)), tuple(probe_layers))
    cost = analyze(probe)  # padding and kernels can make a small input costly: measure only
    if cost.macs > REAL_MEASURE_MACS or any(f.output_values > max_pixels for f in cost.layers):
        return None  # what a real forward affords (34 GB for 1x1 padded by 2^31 rows)
    x, outputs = _run_probe(probe)
    centres = [(out.shape[2] // 2, out.shape[3] // 2) for out in outputs]
    spans = _nominal_spans(cost, centres)
    return tuple(
        MeasuredField(index, _gradient_field(x, out, centre), _clipped(span, (h, w)))
        for index, out, centre, span in zip(indices, outputs, centres, spans, strict=True)
    )


def _probe_layers(network: Network) -> tuple[list[Conv | Pool], list[int]]:
    """The one-channel copies of the conv and pool layers before the first global one, and
    their 1-based indices in ``network``."""
    probe_layers: list[Conv | Pool] = []
    indices = []
    for i, layer in enumerate(network.layers, 1):
        if isinstance(layer, GLOBAL_LAYERS):
            break
        if isinstance(layer, Conv):
            probe_layers.append(replace(layer, filters=1, bias=False, activation=None))
        elif isinstance(layer, Pool):
            probe_layers.append(replace(layer, op="avg"))
        else:
            continue  # batch norm, dropout, activations keep every position where it is
        indices.append(i)
    return probe_layers, indices


def _run_probe(probe: Network) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """A ones input, and every probe layer's output, with positive weights (float64)."""
    model = to_module(probe, dtype=torch.float64)
    with torch.no_grad():
        for p in model.parameters():
            p.fill_(1.0 / p[0].numel())  # positive, and values stay near 1 however deep
    h, w, _ = probe.input.dims
    x = torch.ones(1, 1, h, w, dtype=torch.float64, requires_grad=True)
    outputs = []
    y = x
    for block in model:
        y = block(y)
        outputs.append(y)
    return x, outputs


def _gradient_field(x: torch.Tensor, out: torch.Tensor, centre: tuple[int, int]) -> tuple[int, int]:
    """Rows and columns of ``x`` that move the value of ``out`` at ``centre``."""
    (grad,) = torch.autograd.grad(out[0, 0, centre[0], centre[1]], x, retain_graph=True)
    rows, cols = grad[0, 0].nonzero(as_tuple=True)
    if not rows.numel():
        return (0, 0)  # a value that sees only padding moves no input pixel at all
    return (int(rows.max() - rows.min()) + 1, int(cols.max() - cols.min()) + 1)


Span = tuple[tuple[int, int], tuple[int, int]]  # first and last input row, then column


def _clipped(span: Span, size: tuple[int, int]) -> tuple[bool, bool]:
    (top, bottom), (left, right) = span
    return (top < 0 or bottom > size[0] - 1, left < 0 or right > size[1] - 1)


def _nominal_spans(cost: NetworkFigures, centres: list[tuple[int, int]]) -> list[Span]:
    """Per probe layer, the first and last input row and column its central value would see if
    the input had no border: where that span leaves the input, padding stands in for pixels and
    the measured field may be cut short (even without touching the border, when a stride skips
    the last real rows)."""
    start, jump, field = [0, 0], [1, 1], [1, 1]
    spans = []
    for figures, centre in zip(cost.layers, centres, strict=True):
        kernel, stride = window(figures.layer)
        top, _, left, _ = figures.padding or (0, 0, 0, 0)
        for axis, before in ((0, top), (1, left)):
            start[axis] -= before * jump[axis]
            field[axis] += (kernel[axis] - 1) * jump[axis]
            jump[axis] *= stride[axis]
        rows, cols = (start[a] + centre[a] * jump[a] for a in (0, 1))
        spans.append(((rows, rows + field[0] - 1), (cols, cols + field[1] - 1)))
    return spans


def field_mismatches(network: Network, measured: tuple[MeasuredField, ...]) -> list[Mismatch]:
    """Where torch's field differs from the arithmetic's (a clipped axis may only be smaller)."""
    rows = receptive_field(network)
    out = []
    for m in measured:
        row = rows[m.index - 1]
        ok = all(
            got <= want if clipped else got == want
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
