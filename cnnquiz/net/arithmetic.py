"""The analytic figures of a network: shapes, parameters, multiplications and bytes per layer.

Pure Python, no torch: the calculators answer at once, and the torch bridge proves these
figures independently. The RAM rules built on them are in :mod:`cnnquiz.net.memory`, the
receptive field in :mod:`cnnquiz.net.receptive`. Each layer's figures carry the derivation as an
exam answer writes it (``ceil(200 / 2) = 100``), so every face shows the same working.

A graph is walked in its order: each layer reads the outputs its sources made (0 the input),
one for most kinds, several for a merge. The convolutions' rules are in
:mod:`cnnquiz.net.convs`, pooling and padding in :mod:`cnnquiz.net.pools`, the merges in
:mod:`cnnquiz.net.merges`; the small ones are here.
"""

from __future__ import annotations

from cnnquiz.errors import SpecError
from cnnquiz.limits import MAX_COUNT, check_max
from cnnquiz.net import convs, merges, pools
from cnnquiz.net.figures import LayerFigures, NetworkFigures, Step
from cnnquiz.net.layers import (
    Activation,
    AdaptivePool,
    Add,
    BatchNorm,
    Concat,
    Conv,
    Dense,
    Depthwise,
    Dropout,
    Flatten,
    GlobalPool,
    Layer,
    Multiply,
    Pool,
    PReLU,
    Separable,
    ZeroPad,
    kind_of,
)
from cnnquiz.net.network import Network, Shape
from cnnquiz.net.options import channels_first_hint
from cnnquiz.net.spatial import Counts, Operand, Rule, one
from cnnquiz.net.units import DTYPE_BYTES


def bytes_per_value(dtype: str) -> int:
    if dtype not in DTYPE_BYTES:
        raise SpecError(f"unknown dtype {dtype!r}; expected one of {', '.join(DTYPE_BYTES)}", "--dtype")
    return DTYPE_BYTES[dtype]


def _check_counts(f: LayerFigures, bpv: int) -> None:
    """Counts past 2^63 - 1 are refused: torch sizes tensors in int64 (see cnnquiz.limits)."""
    check_max(f.output_values * bpv, None, "the bytes of its output", MAX_COUNT)
    check_max(f.params * bpv, None, "the bytes of its parameters", MAX_COUNT)
    check_max(f.macs, None, "its multiplications", MAX_COUNT)


def _dense(layer: Dense, shape: Shape) -> Counts:
    if shape.is_image:
        raise SpecError(f"Dense needs a vector input, got {shape}; put flatten or gap before it")
    n, units = shape.dims[0], layer.units
    weights, biases = n * units, units if layer.bias else 0
    if layer.bias:
        params = Step("parameters", "(in + 1)·units", f"({n} + 1)·{units}", weights + biases)
    else:
        params = Step("parameters", "in·units (no bias)", f"{n}·{units}", weights)
    macs = Step("multiplications", "in·units", f"{n}·{units}", n * units)
    return Counts(Shape((units,)), weights, biases, macs=n * units, steps=(params, macs))


def dense_params(inputs: int, units: int, bias: bool = True) -> int:
    """Parameters of a dense layer reading ``inputs`` values: (in + 1)·units with its biases."""
    return (inputs + (1 if bias else 0)) * units


def _flatten(layer: Flatten, shape: Shape) -> Counts:
    if not shape.is_image:
        return Counts(Shape((shape.values,)))
    h, w, c = shape.dims
    return Counts(Shape((shape.values,)), steps=(Step("output length", "H·W·C", f"{h}·{w}·{c}", shape.values),))


def _batch_norm(layer: BatchNorm, shape: Shape) -> Counts:
    c = shape.dims[-1]
    step = Step("parameters", "4·C (2·C trainable γ, β; 2·C moving mean, variance)", f"4·{c}", 4 * c)
    return Counts(shape, c, c, 2 * c, steps=(step,))


def _same_shape(layer: Dropout | Activation, shape: Shape) -> Counts:
    return Counts(shape)


def _prelu(layer: PReLU, shape: Shape) -> Counts:
    """A learnt negative slope per channel (PyTorch's PReLU(C)), one in all, or one per value
    (Keras's default): the slopes are its weights."""
    c, dims = shape.dims[-1], "·".join(str(d) for d in shape.dims)
    per = {
        "channel": (c, "C (one slope per channel)", str(c)),
        "one": (1, "1 (one slope for every value)", "1"),
        "all": (shape.values, "H·W·C (one slope per value)" if shape.is_image else "N (one slope per value)", dims),
    }
    if layer.slopes not in per:
        raise SpecError(f"prelu slopes must be channel, one or all, got {layer.slopes!r}")
    n, formula, numbers = per[layer.slopes]
    return Counts(shape, weights=n, steps=(Step("parameters", formula, numbers, n),))


RULES: dict[type, Rule] = {
    Conv: one(convs.conv),
    Depthwise: one(convs.depthwise),
    Separable: one(convs.separable),
    ZeroPad: one(pools.zero_pad),
    Pool: one(pools.pool),
    AdaptivePool: one(pools.adaptive_pool),
    Dense: one(_dense),
    Flatten: one(_flatten),
    GlobalPool: one(pools.global_pool),
    BatchNorm: one(_batch_norm),
    Dropout: one(_same_shape),
    Activation: one(_same_shape),
    PReLU: one(_prelu),
    Add: merges.add,
    Concat: merges.concat,
    Multiply: merges.multiply,
}
"""Each layer kind's rule for its output shape, parameters and multiplications."""


def _figures(layer: Layer, index: int, sources: tuple[int, ...], inputs: tuple[Operand, ...]) -> LayerFigures:
    counts = RULES[type(layer)](layer, inputs)
    return LayerFigures(
        index,
        layer,
        inputs[0].shape,
        counts.output,
        counts.weights,
        counts.biases,
        counts.non_trainable,
        counts.macs,
        counts.padding,
        counts.steps,
        sources,
        tuple(op.shape for op in inputs),
    )


def analyze_layer(layer: Layer, shape: Shape, index: int = 1) -> LayerFigures:
    """Figures of one layer reading ``shape``; errors name the layer where it was written."""
    try:
        return _figures(layer, index, (index - 1,), (Operand(shape, _label(None, index - 1)),))
    except SpecError as exc:
        raise exc.at(layer.where or f"layer {index} ({layer.title})") from None


def _label(network: Network | None, j: int) -> str:
    """How an error names what a layer read: ``the input``, ``layer 3, f.yaml:9``."""
    if j == 0:
        return "the input"
    layer = network.layers[j - 1] if network else None
    return f"layer {j}, {layer.where}" if layer and layer.where else f"layer {j}"


def _sources(network: Network, index: int, layer: Layer) -> tuple[int, ...]:
    """What layer ``index`` reads, refused where it cannot: a layer not yet run, a merge of one
    input, or one input expected and several given."""
    sources = network.sources(index)
    for j in sources:
        if not 0 <= j < index:
            raise SpecError(f"it reads layer {j}, which does not run before it (layer {index})")
    labels = [_label(network, j) for j in sources]
    if kind_of(layer).merge and len(sources) < 2:
        raise SpecError(
            f"{layer.kind} merges several inputs but reads only {', '.join(labels) or 'nothing'}; "
            "list them in from: [a, b]"
        )
    if not kind_of(layer).merge and len(sources) != 1:
        raise SpecError(
            f"{layer.title} reads one input, got {len(sources)} ({'; '.join(labels)}); "
            "only add, concat and multiply merge several"
        )
    return sources


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
    check_max(network.input.values * bpv, "input", "the bytes of the input", MAX_COUNT)
    if network.inputs and len(network.inputs) != len(network.layers):
        raise SpecError(f"{len(network.layers)} layers but sources for {len(network.inputs)}")
    shapes = [network.input]  # shapes[j]: what layer j made (0: the input)
    figures = []
    for i, layer in enumerate(network.layers, 1):
        try:
            sources = _sources(network, i, layer)
            f = _figures(layer, i, sources, tuple(Operand(shapes[j], _label(network, j)) for j in sources))
            _check_counts(f, bpv)
        except SpecError as exc:
            raise exc.at(layer.where or f"layer {i} ({layer.title})") from None
        figures.append(f)
        shapes.append(f.output_shape)
    return NetworkFigures(network, tuple(figures), dtype, bpv)
