"""What every per-kind rule shares: what a rule returns, what it reads, and the sliding-window
arithmetic of convolution and pooling.

The rules themselves live by family (:mod:`cnnquiz.net.convs`, :mod:`cnnquiz.net.pools`,
:mod:`cnnquiz.net.merges`, the small ones in :mod:`cnnquiz.net.arithmetic`); they all return a
:class:`Counts` so that :mod:`cnnquiz.net.arithmetic` builds every layer's figures one way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from cnnquiz.errors import SpecError
from cnnquiz.net.figures import Step
from cnnquiz.net.layers import Layer, Size2
from cnnquiz.net.network import Shape


class Counts(NamedTuple):
    """What one kind's rule finds; the arithmetic adds the layer, its place and its inputs."""

    output: Shape
    weights: int = 0
    biases: int = 0
    non_trainable: int = 0
    macs: int = 0
    padding: tuple[int, int, int, int] | None = None
    steps: tuple[Step, ...] = ()


class Operand(NamedTuple):
    """One input of a layer: its shape, and how an error names where it came from
    (``layer 3, f.yaml:9`` or ``the input``), since a merge's error must name both sides."""

    shape: Shape
    label: str


Rule = Callable[[Any, tuple[Operand, ...]], Counts]
"""A kind's rule: the layer and what it reads (one operand, several for a merge)."""


def one(rule: Callable[[Any, Shape], Counts]) -> Rule:
    """A rule for a layer that reads one input, written on that input's shape alone."""

    def read(layer: Any, inputs: tuple[Operand, ...]) -> Counts:
        return rule(layer, inputs[0].shape)

    return read


def need_image(layer: Layer, shape: Shape) -> None:
    if not shape.is_image:
        raise SpecError(f"{layer.title} needs an H x W x C input, got the vector {shape}")


def size_text(pair: Size2) -> str:
    """``3`` for 3x3, ``1x7`` otherwise: as the options are written."""
    return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}x{pair[1]}"


def _axis(
    what: str, size: int, k: int, s: int, d: int, padding: str | int
) -> tuple[int, int, int, Step]:
    """Output length along one axis, the padding before and after, and the working."""
    k_eff = d * (k - 1) + 1
    kd = f"{d}·({k} - 1) + 1" if d > 1 else str(k)
    if padding == "same":
        out = -(-size // s)
        total = max((out - 1) * s + k_eff - size, 0)
        before = total // 2
        return out, before, total - before, Step(what, "ceil(in / stride)", f"ceil({size} / {s})", out)
    p = 0 if padding == "valid" else int(padding)
    span = size + 2 * p
    if k_eff > span:
        raise SpecError(
            f"the {k_eff}-pixel {'dilated ' if d > 1 else ''}window does not fit the {size}-pixel "
            f"{what.split()[-1]} with {'valid' if p == 0 else f'{p}-pixel'} padding; use padding: same, "
            f"more padding or a smaller kernel"
        )
    out = (span - k_eff) // s + 1
    if p:
        formula = "floor((in + 2p - k) / stride) + 1"
        numbers = f"floor(({size} + 2·{p} - {kd}) / {s}) + 1"
    else:
        formula = "floor((in - k) / stride) + 1"
        numbers = f"floor(({size} - {kd}) / {s}) + 1"
    return out, p, p, Step(what, formula, numbers, out)


def spatial(
    shape: Shape, kernel: Size2, stride: Size2, dilation: Size2, padding: str | Size2
) -> tuple[int, int, tuple[int, int, int, int], list[Step]]:
    """Output height and width of a sliding window, the pixels padded (top, bottom, left,
    right) and the two lines of working."""
    pad_h, pad_w = (padding, padding) if isinstance(padding, str) else padding
    h, w = shape.dims[0], shape.dims[1]
    oh, top, bottom, step_h = _axis("output height", h, kernel[0], stride[0], dilation[0], pad_h)
    ow, left, right, step_w = _axis("output width", w, kernel[1], stride[1], dilation[1], pad_w)
    return oh, ow, (top, bottom, left, right), [step_h, step_w]
