"""The rules of the layers that move pixels without learning: pooling (windowed, global and
adaptive) and zero padding. None has parameters; each says how its output size comes about.
"""

from __future__ import annotations

from cnnquiz.errors import SpecError
from cnnquiz.net.figures import Step
from cnnquiz.net.layers import AdaptivePool, GlobalPool, Pool, ZeroPad
from cnnquiz.net.network import Shape
from cnnquiz.net.spatial import Counts, need_image, spatial

_NO_PARAMS = Step("parameters", "none: pooling learns nothing", "0", 0)


def check_pool_padding(layer: Pool) -> None:
    """PyTorch's rule: pooling pads at most half the window (``k // 2``) on each side.

    More and a window can lie wholly in the padding: max pooling outputs -inf there, average
    pooling a value of nothing, and torch itself refuses the layer.
    """
    if isinstance(layer.padding, str):
        return  # valid pads nothing; same pads at most (k - 1) / 2 per side, within the rule
    for pad, k, axis in zip(layer.padding, layer.size, ("rows", "columns"), strict=True):
        if pad > k // 2:
            raise SpecError(
                f"padding {pad} on the {axis} is more than half the {k}-pixel pooling window; "
                f"the rule (PyTorch's): padding at most half the pool size, here at most {k // 2}"
            )


def pool(layer: Pool, shape: Shape) -> Counts:
    need_image(layer, shape)
    check_pool_padding(layer)
    oh, ow, padding, steps = spatial(shape, layer.size, layer.strides, (1, 1), layer.padding)
    steps.append(_NO_PARAMS)
    return Counts(Shape((oh, ow, shape.dims[2])), padding=padding, steps=tuple(steps))


def global_pool(layer: GlobalPool, shape: Shape) -> Counts:
    need_image(layer, shape)
    c = shape.dims[2]
    return Counts(Shape((c,)), steps=(Step("output length", "C (one value per channel)", str(c), c),))


def adaptive_windows(size: int, out: int) -> list[int]:
    """PyTorch's adaptive pooling windows along one axis: output i pools the input from
    floor(i·in / out) up to ceil((i + 1)·in / out); all equal (in / out) when out divides in."""
    return [-(-(i + 1) * size // out) - (i * size // out) for i in range(out)]


def _window_step(axis: str, size: int, out: int) -> Step:
    if size % out == 0:
        return Step(f"pooling window {axis}", "in / out", f"{size} / {out}", size // out)
    windows = adaptive_windows(size, out)
    lo, hi = min(windows), max(windows)
    sizes = f"{hi}, overlapping" if lo == hi else f"{lo} to {hi}"
    return Step(
        f"largest pooling window {axis}",
        "ceil((i + 1)·in / out) - floor(i·in / out) for output i",
        f"{sizes} ({size} / {out} is not whole)",
        hi,
    )


def adaptive_pool(layer: AdaptivePool, shape: Shape) -> Counts:
    """PyTorch's AdaptiveAvgPool2d: any input pooled to ``size``; the windows follow the input."""
    need_image(layer, shape)
    (h, w, c), (oh, ow) = shape.dims, layer.size
    steps = (
        Step("output height", "the size asked, whatever the input", str(oh), oh),
        Step("output width", "the size asked, whatever the input", str(ow), ow),
        _window_step("height", h, oh),
        _window_step("width", w, ow),
        _NO_PARAMS,
    )
    return Counts(Shape((oh, ow, c)), steps=steps)


def zero_pad(layer: ZeroPad, shape: Shape) -> Counts:
    """Keras ZeroPadding2D: rows of zeros on top and bottom, columns left and right."""
    need_image(layer, shape)
    top, bottom, left, right = layer.padding
    if min(layer.padding) < 0:
        raise SpecError(f"zero padding adds pixels: got {top}, {bottom}, {left}, {right} (top, bottom, left, right)")
    h, w, c = shape.dims
    steps = (
        Step("output height", "in + top + bottom", f"{h} + {top} + {bottom}", h + top + bottom),
        Step("output width", "in + left + right", f"{w} + {left} + {right}", w + left + right),
        Step("parameters", "none: padding adds zeros", "0", 0),
    )
    return Counts(Shape((h + top + bottom, w + left + right, c)), padding=layer.padding, steps=steps)
