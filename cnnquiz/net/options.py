"""Reading the values people write: shapes, sizes, paddings, activations and the other options.

Each reader takes what YAML or the command line gave (a number, a string, a list) and returns
the checked value, or raises ``SpecError`` saying what was expected and where.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from cnnquiz.errors import SpecError
from cnnquiz.limits import MAX_COUNT, check_max, number_text, parse_int
from cnnquiz.net.layers import ACTIVATIONS, Padding, Size2, kind_named, name_key
from cnnquiz.net.network import Shape


def parse_shape(text: Any, where: str = "shape") -> Shape:
    """Read ``200x300x3`` (also ``200×300×3``, ``(200, 300, 3)``, ``[200, 300, 3]``) or ``1024``.

    Each dimension is at most 2^31 and the values at most 2^63 - 1 (:mod:`cnnquiz.limits`).
    """
    dims = _shape_dims(text, where)
    if not all(isinstance(d, int) and not isinstance(d, bool) for d in dims):
        raise SpecError(f"expected whole numbers in a shape, got {number_text(text)}", where)
    if len(dims) not in (1, 3):
        hint = " (an image needs height, width and channels)" if len(dims) == 2 else ""
        raise SpecError(
            f"expected H x W x C (3 numbers) or a vector length (1 number), got {len(dims)} "
            f"numbers in {number_text(text)}{hint}",
            where,
        )
    if any(d <= 0 for d in dims):
        raise SpecError(f"every dimension must be at least 1, got {number_text(text)}", where)
    for d in dims:
        check_max(d, where, "every dimension")
    shape = Shape(tuple(dims))
    check_max(shape.values, where, f"the values in a shape ({shape})", MAX_COUNT)
    return shape


def _shape_dims(text: Any, where: str) -> list[Any]:
    """The dimensions as written, not yet checked: a number, a list, or ``HxWxC`` text."""
    if isinstance(text, bool):
        raise SpecError(f"expected a shape like 200x300x3 or 1024, got {text!r}", where)
    if isinstance(text, int):
        return [text]
    if isinstance(text, list | tuple):
        return list(text)
    raw = str(text).strip()
    cleaned = raw.strip("()[] ").replace("×", "x").replace("*", "x").replace("X", "x")
    parts = [p.strip() for p in re.split(r"x|,", cleaned)] if cleaned else []
    if not parts or any(not re.fullmatch(r"[+-]?\d+", p) for p in parts):
        raise SpecError(
            f"expected a shape like 200x300x3 (H x W x C) or 1024, got {number_text(raw)}", where
        )
    return [parse_int(p, where, "every dimension") for p in parts]


def channels_first_hint(shape: Shape) -> str | None:
    """A hint when an H×W×C shape looks like PyTorch's C×H×W (``3x200x300``), else None.

    Read channels last, ``3x200x300`` is a 3-pixel-high image with 300 channels. The hint comes
    when the height looks like a channel count (at most 4: gray, RGB, RGBA), the width like an
    image side (more than 4) and the channels at least as many as the width: so PyTorch's
    ``3x224x224`` and ``1x28x28`` get it, the feature maps ``4x4x64`` and ``1x1x1024`` do not.
    """
    if not shape.is_image:
        return None
    h, w, c = shape.dims
    if h <= 4 < w <= c:
        return f"this reads as H×W×C = {h}×{w}×{c}; for PyTorch's C×H×W write {w}x{c}x{h}"
    return None


def parse_size2(value: Any, where: str, what: str = "size", minimum: int = 1) -> Size2:
    """``3``, ``3x5``, ``[3, 5]`` or ``(3, 5)`` → (rows, columns), both from ``minimum`` (1: a
    positive integer) to 2^31."""
    if isinstance(value, bool):
        raise SpecError(f"{what} must be a positive integer or RxC, got {value!r}", where)
    pair: tuple[Any, ...]
    if isinstance(value, int):
        pair = (value, value)
    elif isinstance(value, list | tuple) and len(value) == 2:
        pair = tuple(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*([x×,]\s*[+-]?\d+\s*)?", value):
        nums = [parse_int(n, where, what) for n in re.findall(r"[+-]?\d+", value)]
        pair = (nums[0], nums[-1])
    else:
        raise SpecError(
            f"{what} must be a positive integer or RxC like 3x5, got {number_text(value)}", where
        )
    rows, cols = pair
    for n in (rows, cols):
        if isinstance(n, bool) or not isinstance(n, int) or n < minimum:
            kind = "a positive integer" if minimum == 1 else f"a whole number of at least {minimum}"
            raise SpecError(f"{what} must be {kind}, got {number_text(value)}", where)
    return (check_max(rows, where, what), check_max(cols, where, what))


def _positive_int(value: Any, where: str, what: str) -> int:
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
        value = parse_int(value, where, what)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SpecError(f"{what} must be a positive integer, got {number_text(value)}", where)
    return check_max(value, where, what)


def _padding(value: Any, where: str) -> Padding:
    if isinstance(value, str) and value.strip().lower() in ("valid", "same"):
        return value.strip().lower()
    try:
        rows, cols = parse_size2(value, where, "padding", minimum=0)
    except SpecError as exc:
        if "at most" in exc.message:  # past the limit: that is the message to give
            raise
        raise SpecError(
            f"padding must be valid, same or a number of pixels, got {number_text(value)}", where
        ) from None
    return (rows, cols)


def _activation(value: Any, where: str) -> str | None:
    if value is None:
        return None
    name = canonical_activation(str(value))
    if name is None:
        raise SpecError(
            f"unknown activation {value!r}; expected one of {', '.join(ACTIVATIONS)}", where
        )
    return None if name == "linear" else name


_ACTIVATION_NAMES = (
    {name_key(a): a for a in ACTIVATIONS}
    | {"none": "linear", "identity": "linear"}
    | {
        name_key(alias): variant.name
        for variant in kind_named("activation").variants
        for alias in variant.aliases
        if alias != "activation"  # the layer's own name, a relu as a layer, not a function
    }
)
"""Every way an activation is written, as :func:`name_key` reads it: the registry's aliases
(``silu``, ``hard_silu``) included, so ``activation: silu`` and a ``silu`` layer agree."""


def canonical_activation(text: str) -> str | None:
    """``LeakyReLU``, ``leaky-relu`` → ``leaky_relu``; ``SiLU`` → ``swish``; ``none``,
    ``identity`` → ``linear``."""
    return _ACTIVATION_NAMES.get(name_key(text))


def _bool(value: Any, where: str, what: str) -> bool:
    if isinstance(value, bool):
        return value
    raise SpecError(f"{what} must be true or false, got {value!r}", where)


def _rate(value: Any, where: str) -> float:
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            pass
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
        raise SpecError(
            f"dropout rate must be a number from 0 to below 1, got {number_text(value)}", where
        )
    return float(value)


def _op(value: Any, where: str) -> str:
    """``max`` or ``avg`` (``average`` too); the layer itself refuses anything else."""
    return str(value).strip().lower().replace("average", "avg")


def _activation_name(value: Any, where: str) -> str:
    act = _activation(value, where)
    if act is None:
        raise SpecError("an activation layer needs a non-linear activation", where)
    return act


def _alpha(value: Any, where: str) -> float:
    try:
        alpha = float(value)
    except (TypeError, ValueError, OverflowError):
        alpha = math.nan
    if isinstance(value, bool) or not math.isfinite(alpha):
        raise SpecError(f"alpha must be a finite number, got {number_text(value)}", where)
    return alpha


def _slopes(value: Any, where: str) -> str:
    """A PReLU's slopes: ``channel`` (one per channel), ``one`` (one in all), ``all`` (one per
    value)."""
    text = str(value).strip().lower()
    if isinstance(value, bool) or text not in _SLOPES:
        raise SpecError(
            f"prelu slopes must be channel (one per channel), one (one in all) or all (one per "
            f"value), got {number_text(value)}",
            where,
        )
    return text


_SLOPES = ("channel", "one", "all")


def zero_padding(value: Any, where: str) -> tuple[int, int, int, int]:
    """Keras ZeroPadding2D's padding → (top, bottom, left, right): ``1`` on every side, ``1x2``
    or ``[1, 2]`` rows above and below and columns left and right, ``[[t, b], [l, r]]``."""
    try:
        if isinstance(value, list | tuple) and all(isinstance(v, list | tuple) for v in value):
            if len(value) != 2:
                raise SpecError("two pairs", where)
            (top, bottom), (left, right) = (parse_size2(v, where, "padding", 0) for v in value)
            return (top, bottom, left, right)
        rows, cols = parse_size2(value, where, "padding", minimum=0)
    except SpecError as exc:
        if "at most" in exc.message:  # past the limit: that is the message to give
            raise
        raise SpecError(
            "zeropad padding must be pixels: 1 (every side), 1x2 or [1, 2] (rows, columns) or "
            f"[[top, bottom], [left, right]], got {number_text(value)}",
            where,
        ) from None
    return (rows, rows, cols, cols)


def _named(reader: Callable[[Any, str, str], Any], what: str) -> Callable[[Any, str], Any]:
    return lambda value, where: reader(value, where, what)


READERS: dict[str, Callable[[Any, str], Any]] = {
    "filters": _named(_positive_int, "filters"),
    "units": _named(_positive_int, "units"),
    "kernel": _named(parse_size2, "kernel"),
    "size": _named(parse_size2, "size"),
    "stride": _named(parse_size2, "stride"),
    "dilation": _named(parse_size2, "dilation"),
    "padding": _padding,
    "bias": _named(_bool, "bias"),
    "activation": _activation,
    "rate": _rate,
    "op": _op,
    "name": _activation_name,
    "alpha": _alpha,
    "groups": _named(_positive_int, "groups"),
    "multiplier": _named(_positive_int, "multiplier"),
    "slopes": _slopes,
}
"""One reader per option name, whichever kind takes it (conv and pool read ``stride`` alike)."""


_KIND_READERS: dict[tuple[str, str], Callable[[Any, str], Any]] = {
    ("zeropad", "padding"): zero_padding,
}
"""Where an option means something else for one kind: a zeropad's ``padding`` is the pixels
it adds on each side, a conv's or a pool's how its window meets the border."""


def read_option(option: str, value: Any, where: str, kind: str | None = None) -> Any:
    """One option's value, read and checked (``"kernel", "3x5"`` → (3, 5)), as ``kind`` (the
    registry's key) reads it where that differs."""
    reader = _KIND_READERS.get((kind, option)) if kind else None
    return (reader or READERS[option])(value, where)
