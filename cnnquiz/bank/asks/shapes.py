"""Asks about what a layer puts out: its shape and its number of values. The traps of a shape
are the shapes the usual mistakes give: the other padding, the stride ignored, C×H×W order,
height and width swapped."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial

from cnnquiz.bank.asks.solution import AskOptions, Solution, Trap, count, said, target
from cnnquiz.errors import SpecError
from cnnquiz.i18n import N_
from cnnquiz.net.arithmetic import analyze
from cnnquiz.net.figures import NetworkFigures
from cnnquiz.net.layers import Conv, Pool
from cnnquiz.net.spec import Layer, Network
from cnnquiz.net.units import fmt_int


def output_shape(network: Network, fig: NetworkFigures, opts: AskOptions) -> Solution:
    layers = fig.layers[: opts.layer] if opts.layer else fig.layers
    steps = []
    for f in layers:
        for s in f.steps:
            if s.what.startswith("output"):
                steps.append(f"layer {f.index} ({f.name}): {s}")
        steps.append(f"layer {f.index} ({f.name}) output: {f.output_shape}")
    value = layers[-1].output_shape.dims
    traps = _network_traps(network, len(layers), value) + _order_traps(value)
    return Solution("output_shape", tuple(value), tuple(steps), tuple(traps))


def _network_traps(network: Network, upto: int, value: tuple[int, ...]) -> list[Trap]:
    """The shapes of the same network with the other padding or without its stride."""
    traps = []
    for pad, other in (("same", "valid"), ("valid", "same")):
        alt = _alt_shape(network, upto, partial(_swap_padding, pad=pad, other=other))
        if alt and alt != value:
            traps.append(
                said(
                    alt,
                    N_("that is the output of {other} padding; this layer uses {pad}"),
                    other=other,
                    pad=pad,
                )
            )
    alt = _alt_shape(network, upto, _no_stride)
    if alt and alt != value:
        traps.append(
            said(
                alt,
                N_("that ignores the stride: with stride s the kernel visits every s-th position"),
            )
        )
    return traps


def _order_traps(value: tuple[int, ...]) -> list[Trap]:
    """The right numbers in the wrong order: PyTorch's C×H×W, or width before height."""
    if len(value) != 3:
        return []
    h, w, c = value
    traps = []
    if (c, h, w) != value:
        traps.append(
            said(
                (c, h, w),
                N_("that is C×H×W order (PyTorch's); the course writes H×W×C: {h}x{w}x{c}"),
                h=h,
                w=w,
                c=c,
            )
        )
    if (w, h, c) != value:
        traps.append(
            said((w, h, c), N_("height and width are swapped: the shape is H×W×C, height first"))
        )
    return traps


def _swap_padding(layer: Layer, pad: str, other: str) -> Layer:
    if isinstance(layer, Conv | Pool) and layer.padding == pad:
        return replace(layer, padding=other)
    return layer


def _no_stride(layer: Layer) -> Layer:
    if isinstance(layer, Conv) and layer.stride != (1, 1):
        return replace(layer, stride=(1, 1))
    return layer


def _alt_shape(
    network: Network, upto: int, change: Callable[[Layer], Layer]
) -> tuple[int, ...] | None:
    layers = tuple(change(x) for x in network.layers[:upto])
    if layers == network.layers[:upto]:
        return None
    try:
        return analyze(replace(network, layers=layers)).output_shape.dims
    except SpecError:
        return None


def output_values(network: Network, fig: NetworkFigures, opts: AskOptions) -> Solution:
    f = target(fig, opts)
    dims = f.output_shape.dims
    steps = [
        f"layer {f.index} ({f.name}) output: {f.output_shape}",
        f"values = {'·'.join(str(d) for d in dims)} = {fmt_int(f.output_values)}",
    ]
    return Solution("output_values", count(f.output_values), tuple(steps))
