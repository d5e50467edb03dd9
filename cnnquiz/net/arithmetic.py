"""The analytic figures of a network: shapes, parameters, multiplications and bytes per layer.

Pure Python, no torch: the calculators answer at once, and the torch bridge proves these
figures independently. The RAM rules built on them are in :mod:`cnnquiz.net.memory`, the
receptive field in :mod:`cnnquiz.net.receptive`. Each layer's figures carry the derivation as an exam answer writes it
(``ceil(200 / 2) = 100``), so every face shows the same working.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from cnnquiz.errors import SpecError
from cnnquiz.limits import MAX_COUNT, check_max
from cnnquiz.net.figures import LayerFigures, NetworkFigures, Step
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
    Size2,
)
from cnnquiz.net.network import Network, Shape
from cnnquiz.net.options import channels_first_hint
from cnnquiz.net.units import DTYPE_BYTES


def bytes_per_value(dtype: str) -> int:
    if dtype not in DTYPE_BYTES:
        raise SpecError(f"unknown dtype {dtype!r}; expected one of {', '.join(DTYPE_BYTES)}", "--dtype")
    return DTYPE_BYTES[dtype]


# --------------------------------------------------------------------------------------------
# Spatial arithmetic shared by convolution and pooling.


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


def _spatial(
    shape: Shape, kernel: Size2, stride: Size2, dilation: Size2, padding: str | Size2
) -> tuple[int, int, tuple[int, int, int, int], list[Step]]:
    pad_h, pad_w = (padding, padding) if isinstance(padding, str) else padding
    h, w = shape.dims[0], shape.dims[1]
    oh, top, bottom, step_h = _axis("output height", h, kernel[0], stride[0], dilation[0], pad_h)
    ow, left, right, step_w = _axis("output width", w, kernel[1], stride[1], dilation[1], pad_w)
    return oh, ow, (top, bottom, left, right), [step_h, step_w]


def _need_image(layer: Layer, shape: Shape) -> None:
    if not shape.is_image:
        raise SpecError(f"{layer.title} needs an H x W x C input, got the vector {shape}")


def _size(pair: Size2) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}x{pair[1]}"


def _check_pool_padding(layer: Pool) -> None:
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


def _check_counts(f: LayerFigures, bpv: int) -> None:
    """Counts past 2^63 - 1 are refused: torch sizes tensors in int64 (see cnnquiz.limits)."""
    check_max(f.output_values * bpv, None, "the bytes of its output", MAX_COUNT)
    check_max(f.params * bpv, None, "the bytes of its parameters", MAX_COUNT)
    check_max(f.macs, None, "its multiplications", MAX_COUNT)


def analyze_layer(layer: Layer, shape: Shape, index: int = 1) -> LayerFigures:
    """Figures of one layer reading ``shape``; errors name the layer where it was written."""
    try:
        return _analyze(layer, shape, index)
    except SpecError as exc:
        raise exc.at(layer.where or f"layer {index} ({layer.title})") from None


class _Counts(NamedTuple):
    """What one kind's rule finds; ``analyze_layer`` adds the layer, its place and input."""

    output: Shape
    weights: int = 0
    biases: int = 0
    non_trainable: int = 0
    macs: int = 0
    padding: tuple[int, int, int, int] | None = None
    steps: tuple[Step, ...] = ()


def _conv(layer: Conv, shape: Shape) -> _Counts:
    _need_image(layer, shape)
    if max(layer.stride) > 1 and max(layer.dilation) > 1:
        raise SpecError(
            f"stride {_size(layer.stride)} together with dilation {_size(layer.dilation)}: "
            "a convolution strides or dilates, not both (Keras refuses stride > 1 with "
            "dilation > 1)"
        )
    c_in = shape.dims[2]
    oh, ow, padding, steps = _spatial(shape, layer.kernel, layer.stride, layer.dilation, layer.padding)
    kh, kw = layer.kernel
    f = layer.filters
    weights = kh * kw * c_in * f
    biases = f if layer.bias else 0
    macs = oh * ow * f * kh * kw * c_in
    if layer.bias:
        steps.append(Step("parameters", "(kh·kw·C_in + 1)·filters", f"({kh}·{kw}·{c_in} + 1)·{f}", weights + biases))
    else:
        steps.append(Step("parameters", "kh·kw·C_in·filters (no bias)", f"{kh}·{kw}·{c_in}·{f}", weights))
    steps.append(Step("multiplications", "H_out·W_out·filters·kh·kw·C_in", f"{oh}·{ow}·{f}·{kh}·{kw}·{c_in}", macs))
    return _Counts(Shape((oh, ow, f)), weights, biases, 0, macs, padding, tuple(steps))


def _pool(layer: Pool, shape: Shape) -> _Counts:
    _need_image(layer, shape)
    _check_pool_padding(layer)
    oh, ow, padding, steps = _spatial(shape, layer.size, layer.strides, (1, 1), layer.padding)
    steps.append(Step("parameters", "none: pooling learns nothing", "0", 0))
    return _Counts(Shape((oh, ow, shape.dims[2])), padding=padding, steps=tuple(steps))


def _dense(layer: Dense, shape: Shape) -> _Counts:
    if shape.is_image:
        raise SpecError(f"Dense needs a vector input, got {shape}; put flatten or gap before it")
    n, units = shape.dims[0], layer.units
    weights, biases = n * units, units if layer.bias else 0
    if layer.bias:
        params = Step("parameters", "(in + 1)·units", f"({n} + 1)·{units}", weights + biases)
    else:
        params = Step("parameters", "in·units (no bias)", f"{n}·{units}", weights)
    macs = Step("multiplications", "in·units", f"{n}·{units}", n * units)
    return _Counts(Shape((units,)), weights, biases, macs=n * units, steps=(params, macs))


def dense_params(inputs: int, units: int, bias: bool = True) -> int:
    """Parameters of a dense layer reading ``inputs`` values: (in + 1)·units with its biases."""
    return (inputs + (1 if bias else 0)) * units


def _flatten(layer: Flatten, shape: Shape) -> _Counts:
    if not shape.is_image:
        return _Counts(Shape((shape.values,)))
    h, w, c = shape.dims
    return _Counts(Shape((shape.values,)), steps=(Step("output length", "H·W·C", f"{h}·{w}·{c}", shape.values),))


def _global_pool(layer: GlobalPool, shape: Shape) -> _Counts:
    _need_image(layer, shape)
    c = shape.dims[2]
    return _Counts(Shape((c,)), steps=(Step("output length", "C (one value per channel)", str(c), c),))


def _batch_norm(layer: BatchNorm, shape: Shape) -> _Counts:
    c = shape.dims[-1]
    step = Step("parameters", "4·C (2·C trainable γ, β; 2·C moving mean, variance)", f"4·{c}", 4 * c)
    return _Counts(shape, c, c, 2 * c, steps=(step,))


def _same_shape(layer: Dropout | Activation, shape: Shape) -> _Counts:
    return _Counts(shape)


RULES: dict[type, Callable[[Any, Shape], _Counts]] = {
    Conv: _conv,
    Pool: _pool,
    Dense: _dense,
    Flatten: _flatten,
    GlobalPool: _global_pool,
    BatchNorm: _batch_norm,
    Dropout: _same_shape,
    Activation: _same_shape,
}
"""Each layer kind's rule for its output shape, parameters and multiplications."""


def _analyze(layer: Layer, shape: Shape, index: int) -> LayerFigures:
    counts = RULES[type(layer)](layer, shape)
    return LayerFigures(
        index,
        layer,
        shape,
        counts.output,
        counts.weights,
        counts.biases,
        counts.non_trainable,
        counts.macs,
        counts.padding,
        counts.steps,
        (index - 1,),
        (shape,),
    )


def analyze(network: Network, dtype: str = "float32") -> NetworkFigures:
    """Every layer's figures, in order; a layer that cannot work raises ``SpecError`` naming it.

    When the input reads like PyTorch's C×H×W, the error says so too (a 5x5 kernel does not fit
    the 3-pixel "height" of 3x200x300): the calculator, the app and ``bank check`` alike.
    """
    try:
        return _analyze_network(network, dtype)
    except SpecError as exc:
        if hint := channels_first_hint(network.input):
            exc.message = f"{exc.message} (hint: {hint})"
        raise


def _analyze_network(network: Network, dtype: str) -> NetworkFigures:
    bpv = bytes_per_value(dtype)
    shape = network.input
    check_max(shape.values * bpv, "input", "the bytes of the input", MAX_COUNT)
    figures = []
    for i, layer in enumerate(network.layers, 1):
        f = analyze_layer(layer, shape, i)
        try:
            _check_counts(f, bpv)
        except SpecError as exc:
            raise exc.at(layer.where or f"layer {i} ({layer.title})") from None
        figures.append(f)
        shape = f.output_shape
    return NetworkFigures(network, tuple(figures), dtype, bpv)
