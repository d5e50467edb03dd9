"""The analytic figures of a network: shapes, parameters, multiplications, bytes, RAM, receptive field.

Pure Python, no torch: the calculators answer at once, and the torch bridge proves these
figures independently. Each layer's figures carry the derivation as an exam answer writes it
(``ceil(200 / 2) = 100``), so every face shows the same working.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cnnquiz.errors import SpecError
from cnnquiz.limits import MAX_COUNT, check_max
from cnnquiz.net.spec import (
    Activation,
    BatchNorm,
    Conv,
    Dense,
    Dropout,
    Flatten,
    GlobalPool,
    Layer,
    Network,
    Pool,
    Shape,
    Size2,
    channels_first_hint,
)
from cnnquiz.net.units import DTYPE_BYTES, fmt_int

OPTIMIZER_STATE = {"sgd": 0, "momentum": 1, "nesterov": 1, "rmsprop": 1, "adam": 2, "adamw": 2}
"""Values of optimizer state kept per trainable parameter."""

VIEW_LAYERS = (Flatten, Activation)
"""Layers whose output is a view of their input: flatten/reshape, and an activation written as its
own layer (applied in place, as ``activation:`` on the layer before it is). They share the memory
of the layer before them, so the RAM figures never depend on how the network was written."""

VIEW_RULE = (
    "views share memory: flatten and an activation written as its own layer reuse the memory of "
    "the layer before them: a view's input and output count once, and training stores no copy "
    "of it (the same figures as writing `activation:` on the layer)"
)
"""The rule in one line, for the assumptions every face prints."""


@dataclass(frozen=True)
class Step:
    """One line of working: ``output height = ceil(in / stride) = ceil(200 / 2) = 100``."""

    what: str
    formula: str
    numbers: str
    value: int

    def __str__(self) -> str:
        if self.numbers == fmt_int(self.value):
            return f"{self.what} = {self.formula} = {self.numbers}"
        return f"{self.what} = {self.formula} = {self.numbers} = {fmt_int(self.value)}"


@dataclass(frozen=True)
class LayerFigures:
    index: int  # 1-based position in the network
    layer: Layer
    input_shape: Shape
    output_shape: Shape
    weights: int  # trainable weights (batch norm: gamma)
    biases: int  # trainable biases (batch norm: beta)
    non_trainable: int  # batch norm's moving mean and variance
    macs: int  # multiply-accumulates for one input
    padding: tuple[int, int, int, int] | None  # pixels added top, bottom, left, right
    steps: tuple[Step, ...]

    @property
    def name(self) -> str:
        return self.layer.title

    @property
    def trainable(self) -> int:
        return self.weights + self.biases

    @property
    def params(self) -> int:
        return self.trainable + self.non_trainable

    @property
    def output_values(self) -> int:
        return self.output_shape.values

    @property
    def is_view(self) -> bool:
        """Whether the output shares the input's memory (``VIEW_LAYERS``): no new bytes."""
        return isinstance(self.layer, VIEW_LAYERS)


@dataclass(frozen=True)
class NetworkFigures:
    network: Network
    layers: tuple[LayerFigures, ...]
    dtype: str
    bytes_per_value: int

    @property
    def input_shape(self) -> Shape:
        return self.network.input

    @property
    def output_shape(self) -> Shape:
        return self.layers[-1].output_shape if self.layers else self.network.input

    @property
    def input_bytes(self) -> int:
        return self.network.input.values * self.bytes_per_value

    @property
    def params(self) -> int:
        return sum(f.params for f in self.layers)

    @property
    def trainable(self) -> int:
        return sum(f.trainable for f in self.layers)

    @property
    def non_trainable(self) -> int:
        return sum(f.non_trainable for f in self.layers)

    @property
    def macs(self) -> int:
        return sum(f.macs for f in self.layers)

    @property
    def param_bytes(self) -> int:
        return self.params * self.bytes_per_value

    def output_bytes(self, f: LayerFigures) -> int:
        return f.output_values * self.bytes_per_value

    def stored_bytes(self, f: LayerFigures) -> int:
        """The new memory a layer's output takes: its bytes, or nothing for a view."""
        return 0 if f.is_view else self.output_bytes(f)

    def shares_with(self, f: LayerFigures) -> int:
        """The layer whose memory a view shares (0: the input); a layer that is no view: itself."""
        index = f.index
        while index and self.layers[index - 1].is_view:
            index -= 1
        return index


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


def _analyze(layer: Layer, shape: Shape, index: int) -> LayerFigures:
    weights = biases = non_trainable = macs = 0
    padding = None
    steps: list[Step] = []
    if isinstance(layer, Conv):
        _need_image(layer, shape)
        if max(layer.stride) > 1 and max(layer.dilation) > 1:
            raise SpecError(
                f"stride {_size(layer.stride)} together with dilation {_size(layer.dilation)}: "
                "a convolution strides or dilates, not both (Keras refuses stride > 1 with "
                "dilation > 1)"
            )
        c_in = shape.dims[2]
        oh, ow, padding, steps = _spatial(shape, layer.kernel, layer.stride, layer.dilation, layer.padding)
        out = Shape((oh, ow, layer.filters))
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
    elif isinstance(layer, Pool):
        _need_image(layer, shape)
        _check_pool_padding(layer)
        oh, ow, padding, steps = _spatial(shape, layer.size, layer.strides, (1, 1), layer.padding)
        out = Shape((oh, ow, shape.dims[2]))
        steps.append(Step("parameters", "none: pooling learns nothing", "0", 0))
    elif isinstance(layer, Dense):
        if shape.is_image:
            raise SpecError(
                f"Dense needs a vector input, got {shape}; put flatten or gap before it"
            )
        n = shape.dims[0]
        weights = n * layer.units
        biases = layer.units if layer.bias else 0
        macs = n * layer.units
        out = Shape((layer.units,))
        if layer.bias:
            steps.append(Step("parameters", "(in + 1)·units", f"({n} + 1)·{layer.units}", weights + biases))
        else:
            steps.append(Step("parameters", "in·units (no bias)", f"{n}·{layer.units}", weights))
        steps.append(Step("multiplications", "in·units", f"{n}·{layer.units}", macs))
    elif isinstance(layer, Flatten):
        out = Shape((shape.values,))
        if shape.is_image:
            h, w, c = shape.dims
            steps.append(Step("output length", "H·W·C", f"{h}·{w}·{c}", shape.values))
    elif isinstance(layer, GlobalPool):
        _need_image(layer, shape)
        out = Shape((shape.dims[2],))
        steps.append(Step("output length", "C (one value per channel)", str(shape.dims[2]), shape.dims[2]))
    elif isinstance(layer, BatchNorm):
        c = shape.dims[-1]
        weights, biases, non_trainable = c, c, 2 * c
        out = shape
        steps.append(Step("parameters", "4·C (2·C trainable γ, β; 2·C moving mean, variance)", f"4·{c}", 4 * c))
    elif isinstance(layer, Dropout | Activation):
        out = shape
    else:  # pragma: no cover - the spec admits no other layer
        raise AssertionError(layer)
    return LayerFigures(index, layer, shape, out, weights, biases, non_trainable, macs, padding, tuple(steps))


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


# --------------------------------------------------------------------------------------------
# RAM, the notes' rules (Geron, Hands-On ML, ch. 14).


@dataclass(frozen=True)
class PredictionRam:
    """One prediction: a layer needs its input and output at once, plus all the parameters.

    A view's input and output are one piece of memory, counted once (``output_bytes`` 0): it never
    needs more than the layer before it, so it is the peak only when nothing but views follows
    the input.
    """

    peak_layer: int  # index of the layer with the largest input + output
    input_bytes: int  # that layer's input
    output_bytes: int  # that layer's output
    param_bytes: int

    @property
    def total(self) -> int:
        return self.input_bytes + self.output_bytes + self.param_bytes


@dataclass(frozen=True)
class TrainingRam:
    """Training on a batch: backprop keeps every layer's output for every image."""

    batch: int
    optimizer: str
    outputs_per_image: int  # bytes of all layer outputs that are not views, for one image
    outputs_bytes: int  # batch × outputs_per_image
    inputs_bytes: int  # batch × input
    param_bytes: int
    gradient_bytes: int  # one gradient per trainable parameter
    optimizer_bytes: int  # sgd 0, momentum 1×, adam 2× the trainable parameters

    @property
    def total(self) -> int:
        return (self.outputs_bytes + self.inputs_bytes + self.param_bytes
                + self.gradient_bytes + self.optimizer_bytes)


def prediction_ram(fig: NetworkFigures) -> PredictionRam:
    bpv = fig.bytes_per_value
    best = None
    prev = fig.input_bytes
    for f in fig.layers:
        out = 0 if f.is_view else f.output_values * bpv
        if best is None or prev + out > best[1] + best[2]:
            best = (f.index, prev, out)
        prev = f.output_values * bpv
    if best is None:
        best = (0, fig.input_bytes, 0)
    return PredictionRam(best[0], best[1], best[2], fig.param_bytes)


def training_ram(fig: NetworkFigures, batch: int, optimizer: str = "sgd") -> TrainingRam:
    if batch < 1:
        raise SpecError(f"batch must be a positive integer, got {batch}", "--batch")
    if optimizer not in OPTIMIZER_STATE:
        raise SpecError(
            f"unknown optimizer {optimizer!r}; expected one of {', '.join(OPTIMIZER_STATE)}", "--optimizer"
        )
    bpv = fig.bytes_per_value
    per_image = sum(fig.stored_bytes(f) for f in fig.layers)
    trainable_bytes = fig.trainable * bpv
    return TrainingRam(
        batch=batch,
        optimizer=optimizer,
        outputs_per_image=per_image,
        outputs_bytes=batch * per_image,
        inputs_bytes=batch * fig.input_bytes,
        param_bytes=fig.param_bytes,
        gradient_bytes=trainable_bytes,
        optimizer_bytes=OPTIMIZER_STATE[optimizer] * trainable_bytes,
    )


# --------------------------------------------------------------------------------------------
# Receptive field: how many input pixels one output value sees.


@dataclass(frozen=True)
class ReceptiveRow:
    index: int
    name: str
    kernel: Size2  # effective kernel (dilation included); (1, 1) for layers that keep positions
    stride: Size2
    jump: Size2  # distance in input pixels between neighbouring outputs (the effective stride)
    field: Size2  # receptive field in input pixels
    is_global: bool  # after flatten, global pooling or dense every value sees the whole input


def receptive_field(network: Network) -> list[ReceptiveRow]:
    """r_out = r_in + (k - 1)·jump_in and jump_out = jump_in·stride, per axis."""
    analyze(network)  # the network must work before its receptive field means anything
    h, w = (network.input.dims[0], network.input.dims[1]) if network.input.is_image else (1, 1)
    field_, jump = [1, 1], [1, 1]
    is_global = not network.input.is_image
    rows = []
    for i, layer in enumerate(network.layers, 1):
        k: Size2 = (1, 1)
        s: Size2 = (1, 1)
        if isinstance(layer, Conv):
            k = tuple(d * (kk - 1) + 1 for kk, d in zip(layer.kernel, layer.dilation, strict=True))  # type: ignore[assignment]
            s = layer.stride
        elif isinstance(layer, Pool):
            k, s = layer.size, layer.strides
        elif isinstance(layer, Flatten | GlobalPool | Dense):
            is_global = True
        if not is_global:
            for axis in (0, 1):
                field_[axis] += (k[axis] - 1) * jump[axis]
                jump[axis] *= s[axis]
        shown = (h, w) if is_global else (field_[0], field_[1])
        rows.append(ReceptiveRow(i, layer.title, k, s, (jump[0], jump[1]), shown, is_global))
    return rows


def stacked_receptive_field(n: int, k: int = 3) -> int:
    """n stacked k×k convolutions with stride 1 see (n·(k - 1) + 1) pixels: 3 of 3x3 see 7x7."""
    return n * (k - 1) + 1


def weights_per_channel_pair(n: int, k: int = 3) -> int:
    """n stacked k×k kernels use n·k² weights per channel pair; one big kernel uses its area."""
    return n * k * k


def ceil_div(a: int, b: int) -> int:
    return math.ceil(a / b)
