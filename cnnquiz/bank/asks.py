"""What a question asks about a network, answered by the calculator with its working.

Each ask (``params``, ``output_shape``, ``ram_predict``...) returns a :class:`Figure`: the value,
the derivation lines the explanation is built from, and the *traps*: the figures a student gets
by a known mistake (forgetting the bias, adding up the layers' RAM, valid instead of same
padding), each with the feedback that names the mistake.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from cnnquiz.arithmetic import (
    NetworkFigures,
    analyze,
    prediction_ram,
    receptive_field,
    training_ram,
)
from cnnquiz.errors import SpecError
from cnnquiz.spec import Conv, Network, Pool
from cnnquiz.units import fmt_int, fmt_mb

Value = Decimal | tuple[int, ...]


@dataclass(frozen=True)
class Trap:
    """A wrong answer that a known mistake produces, and the feedback that names it."""

    value: Value
    feedback: str


@dataclass(frozen=True)
class Figure:
    ask: str
    value: Value  # a count, a number of bytes, or a shape
    is_size: bool  # bytes
    steps: tuple[str, ...]
    traps: tuple[Trap, ...] = ()


@dataclass(frozen=True)
class AskOptions:
    layer: int | None = None  # 1-based
    batch: int = 32
    optimizer: str = "sgd"
    dtype: str = "float32"


def evaluate(network: Network, ask: str, opts: AskOptions | None = None) -> Figure:
    """The calculator's answer to ``ask`` about ``network``; SpecError if the network cannot work."""
    opts = opts or AskOptions()
    fig = analyze(network, opts.dtype)
    if opts.layer is not None and not 1 <= opts.layer <= len(fig.layers):
        raise SpecError(
            f"layer {opts.layer} does not exist; the network has {len(fig.layers)} layers"
        )
    handler = _HANDLERS.get(ask)
    if handler is None:
        raise SpecError(f"unknown ask {ask!r}")
    return handler(network, fig, opts)


def _count(n: int | Decimal) -> Decimal:
    return Decimal(int(n))


def _mb(n: int) -> str:
    return fmt_mb(n)


def _layers(fig: NetworkFigures, opts: AskOptions):
    return [fig.layers[opts.layer - 1]] if opts.layer else list(fig.layers)


def _where(fig: NetworkFigures, opts: AskOptions) -> str:
    if opts.layer:
        f = fig.layers[opts.layer - 1]
        return f"layer {f.index} ({f.name})"
    return "the network"


def _step_lines(layers, prefix: str) -> list[str]:
    out = []
    for f in layers:
        for s in f.steps:
            if s.what.startswith(prefix):
                out.append(f"layer {f.index} ({f.name}): {s}")
    return out


def _sum_line(what: str, parts: list[int]) -> str:
    total = sum(parts)
    if len(parts) == 1:
        return f"{what} = {fmt_int(total)}"
    return f"{what} = {' + '.join(fmt_int(p) for p in parts)} = {fmt_int(total)}"


# --------------------------------------------------------------------------------------------
# Counts


def _params(
    network: Network, fig: NetworkFigures, opts: AskOptions, which: str = "params"
) -> Figure:
    layers = _layers(fig, opts)
    attr = {
        "params": "params",
        "trainable_params": "trainable",
        "non_trainable_params": "non_trainable",
        "weights": "weights",
        "biases": "biases",
    }[which]
    value = sum(getattr(f, attr) for f in layers)
    steps = _step_lines(layers, "parameters")
    words = {
        "params": "parameters",
        "trainable_params": "trainable parameters",
        "non_trainable_params": "non-trainable values",
        "weights": "weights",
        "biases": "biases",
    }
    if which == "weights":
        steps += [
            f"layer {f.index} ({f.name}): weights = {fmt_int(f.weights)}"
            for f in layers
            if f.weights
        ]
    if which == "biases":
        steps += [
            f"layer {f.index} ({f.name}): biases = {fmt_int(f.biases)}" for f in layers if f.biases
        ]
    steps.append(
        _sum_line(
            f"{words[which]} of {_where(fig, opts)}",
            [getattr(f, attr) for f in layers if getattr(f, attr)] or [0],
        )
    )
    weights = sum(f.weights for f in layers)
    biases = sum(f.biases for f in layers)
    non_tr = sum(f.non_trainable for f in layers)
    traps = []
    if which in ("params", "trainable_params") and biases:
        traps.append(
            Trap(
                _count(value - biases),
                f"you forgot the bias: {fmt_int(weights)} + {fmt_int(biases)} = "
                f"{fmt_int(weights + biases)} (one bias per filter or unit)",
            )
        )
    if which == "params" and non_tr:
        traps.append(
            Trap(
                _count(value - non_tr),
                f"that counts only the trainable parameters; batch norm also stores "
                f"{fmt_int(non_tr)} moving means and variances",
            )
        )
    if which == "trainable_params" and non_tr:
        traps.append(
            Trap(
                _count(value + non_tr),
                "that includes batch norm's moving mean and variance, which are not trained",
            )
        )
    if which == "weights" and biases:
        traps.append(
            Trap(
                _count(weights + biases),
                f"that includes the {fmt_int(biases)} biases; the weights alone are {fmt_int(weights)}",
            )
        )
    if which in ("params", "trainable_params", "weights"):
        for f in layers:
            if isinstance(f.layer, Conv) and f.input_shape.dims[2] > 1 and len(layers) == 1:
                kh, kw = f.layer.kernel
                c = f.input_shape.dims[2]
                flat = kh * kw * f.layer.filters + (f.biases if which != "weights" else 0)
                traps.append(
                    Trap(
                        _count(flat),
                        f"each filter spans all {c} input channels: {kh}·{kw}·{c} weights per filter",
                    )
                )
    return Figure(which, _count(value), False, tuple(steps), tuple(traps))


def _macs(network: Network, fig: NetworkFigures, opts: AskOptions, flops: bool = False) -> Figure:
    layers = _layers(fig, opts)
    macs = sum(f.macs for f in layers)
    params = sum(f.params for f in layers)
    steps = _step_lines(layers, "multiplications")
    steps.append(
        _sum_line(
            f"multiplications of {_where(fig, opts)}", [f.macs for f in layers if f.macs] or [0]
        )
    )
    traps = (
        [
            Trap(
                _count(params),
                "that is the number of parameters; multiplications count every "
                "position the kernel visits: H_out·W_out·filters·kh·kw·C_in",
            )
        ]
        if params != macs
        else []
    )
    if flops:
        steps.append(f"FLOPs = 2·multiplications = 2·{fmt_int(macs)} = {fmt_int(2 * macs)}")
        traps.append(
            Trap(
                _count(macs),
                "that is the number of multiply-accumulates; a FLOP count "
                "counts the multiply and the add: 2 per MAC",
            )
        )
        return Figure("flops", _count(2 * macs), False, tuple(steps), tuple(traps))
    traps.append(
        Trap(
            _count(2 * macs),
            "that counts FLOPs (a multiply and an add); the question asks for multiplications",
        )
    )
    return Figure("macs", _count(macs), False, tuple(steps), tuple(traps))


# --------------------------------------------------------------------------------------------
# Shapes and values


def _output_shape(network: Network, fig: NetworkFigures, opts: AskOptions) -> Figure:
    layers = fig.layers[: opts.layer] if opts.layer else fig.layers
    target = layers[-1]
    steps = []
    for f in layers:
        for s in f.steps:
            if s.what.startswith("output"):
                steps.append(f"layer {f.index} ({f.name}): {s}")
        steps.append(f"layer {f.index} ({f.name}) output: {f.output_shape}")
    value = target.output_shape.dims
    traps = []
    for pad, other in (("same", "valid"), ("valid", "same")):
        alt = _alt_shape(network, len(layers), lambda x, p=pad, o=other: _swap_padding(x, p, o))
        if alt and alt != value:
            traps.append(Trap(alt, f"that is the output of {other} padding; this layer uses {pad}"))
    alt = _alt_shape(network, len(layers), lambda x: _no_stride(x))
    if alt and alt != value:
        traps.append(
            Trap(
                alt, "that ignores the stride: with stride s the kernel visits every s-th position"
            )
        )
    if len(value) == 3:
        h, w, c = value
        if (c, h, w) != value:
            traps.append(
                Trap(
                    (c, h, w),
                    f"that is C×H×W order (PyTorch's); the course writes H×W×C: {h}x{w}x{c}",
                )
            )
        if (w, h, c) != value:
            traps.append(
                Trap((w, h, c), "height and width are swapped: the shape is H×W×C, height first")
            )
    return Figure("output_shape", tuple(value), False, tuple(steps), tuple(traps))


def _swap_padding(layer, pad: str, other: str):
    if isinstance(layer, Conv | Pool) and layer.padding == pad:
        return replace(layer, padding=other)
    return layer


def _no_stride(layer):
    if isinstance(layer, Conv) and layer.stride != (1, 1):
        return replace(layer, stride=(1, 1))
    return layer


def _alt_shape(network: Network, upto: int, change) -> tuple[int, ...] | None:
    layers = tuple(change(x) for x in network.layers[:upto])
    if layers == network.layers[:upto]:
        return None
    try:
        return analyze(replace(network, layers=layers)).output_shape.dims
    except SpecError:
        return None


def _target(fig: NetworkFigures, opts: AskOptions):
    return fig.layers[opts.layer - 1] if opts.layer else fig.layers[-1]


def _output_values(network: Network, fig: NetworkFigures, opts: AskOptions) -> Figure:
    f = _target(fig, opts)
    dims = f.output_shape.dims
    steps = [
        f"layer {f.index} ({f.name}) output: {f.output_shape}",
        f"values = {'·'.join(str(d) for d in dims)} = {fmt_int(f.output_values)}",
    ]
    return Figure("output_values", _count(f.output_values), False, tuple(steps))


def _bytes_of_values(what: str, shape_text: str, values: int, bpv: int, dtype: str) -> list[str]:
    return [
        f"{what}: {shape_text} = {fmt_int(values)} values",
        f"bytes = {fmt_int(values)}·{bpv} ({dtype}) = {fmt_int(values * bpv)} = {_mb(values * bpv)}",
    ]


def _forgot_bpv(values: int, bpv: int) -> list[Trap]:
    return (
        [Trap(_count(values), f"that is the number of values; each one takes {bpv} bytes")]
        if bpv > 1
        else []
    )


def _output_bytes(network: Network, fig: NetworkFigures, opts: AskOptions) -> Figure:
    f = _target(fig, opts)
    bpv = fig.bytes_per_value
    steps = _bytes_of_values(
        f"layer {f.index} ({f.name}) output", str(f.output_shape), f.output_values, bpv, fig.dtype
    )
    return Figure(
        "output_bytes",
        _count(f.output_values * bpv),
        True,
        tuple(steps),
        tuple(_forgot_bpv(f.output_values, bpv)),
    )


def _input_bytes(network: Network, fig: NetworkFigures, opts: AskOptions) -> Figure:
    shape = fig.layers[opts.layer - 1].input_shape if opts.layer else fig.input_shape
    bpv = fig.bytes_per_value
    steps = _bytes_of_values("input", str(shape), shape.values, bpv, fig.dtype)
    return Figure(
        "input_bytes",
        _count(shape.values * bpv),
        True,
        tuple(steps),
        tuple(_forgot_bpv(shape.values, bpv)),
    )


def _param_bytes(network: Network, fig: NetworkFigures, opts: AskOptions) -> Figure:
    p = _params(network, fig, opts)
    n = int(p.value)  # type: ignore[arg-type]
    bpv = fig.bytes_per_value
    steps = [
        *p.steps,
        f"bytes = {fmt_int(n)}·{bpv} ({fig.dtype}) = {fmt_int(n * bpv)} = {_mb(n * bpv)}",
    ]
    traps = [Trap(_count(int(t.value) * bpv), t.feedback) for t in p.traps]  # type: ignore[arg-type]
    traps += _forgot_bpv(n, bpv)
    return Figure("param_bytes", _count(n * bpv), True, tuple(steps), tuple(traps))


# --------------------------------------------------------------------------------------------
# RAM, the notes' rules


def _ram_predict(network: Network, fig: NetworkFigures, opts: AskOptions) -> Figure:
    ram = prediction_ram(fig)
    bpv = fig.bytes_per_value
    steps = [
        "one prediction needs, at the busiest layer, its input and its output at once, plus all parameters"
    ]
    prev = fig.input_bytes
    for f in fig.layers:
        out = f.output_values * bpv
        steps.append(
            f"layer {f.index} ({f.name}): input {_mb(prev)} + output {_mb(out)} = {_mb(prev + out)}"
        )
        prev = out
    steps.append(
        f"largest: layer {ram.peak_layer}, {_mb(ram.input_bytes)} + {_mb(ram.output_bytes)}"
    )
    steps.append(
        f"parameters: {fmt_int(fig.params)}·{bpv} = {fmt_int(ram.param_bytes)} bytes = {_mb(ram.param_bytes)}"
    )
    steps.append(
        f"RAM = {_mb(ram.input_bytes)} + {_mb(ram.output_bytes)} + {_mb(ram.param_bytes)} = "
        f"{fmt_int(ram.total)} bytes = {_mb(ram.total)}"
    )
    outputs = sum(f.output_values for f in fig.layers) * bpv
    add_up = "do not add them up: one prediction needs one layer's input and output at once"
    traps = [
        Trap(_count(outputs + fig.input_bytes + ram.param_bytes), add_up),
        Trap(_count(outputs + ram.param_bytes), add_up),
        Trap(
            _count(ram.input_bytes + ram.output_bytes),
            f"add the parameters: all {fmt_int(fig.params)} must be in memory too ({_mb(ram.param_bytes)})",
        ),
        Trap(
            _count(ram.output_bytes + ram.param_bytes),
            "a layer needs its input as well as its output at the same time",
        ),
    ]
    return Figure("ram_predict", _count(ram.total), True, tuple(steps), tuple(traps))


def _ram_train(
    network: Network, fig: NetworkFigures, opts: AskOptions, outputs_only: bool = False
) -> Figure:
    b = opts.batch
    bpv = fig.bytes_per_value
    if outputs_only:
        layers = _layers(fig, opts)
        per_image = sum(f.output_values for f in layers) * bpv
        steps = [
            f"layer {f.index} ({f.name}) output {f.output_shape}: {_mb(f.output_values * bpv)}"
            for f in layers
        ]
        steps.append(
            f"per image: {_mb(per_image)}; backprop keeps them for every image of the batch"
        )
        steps.append(
            f"{b}·{_mb(per_image)} = {fmt_int(b * per_image)} bytes = {_mb(b * per_image)}"
        )
        traps = [
            Trap(
                _count(per_image),
                f"you forgot ×batch: the batch of {b} keeps {b} copies of every layer output",
            )
        ]
        return Figure("ram_train_outputs", _count(b * per_image), True, tuple(steps), tuple(traps))
    ram = training_ram(fig, b, opts.optimizer)
    steps = [
        f"layer outputs: {b}·{_mb(ram.outputs_per_image)} = {_mb(ram.outputs_bytes)} (backprop keeps every layer's output)",
        f"inputs: {b}·{_mb(fig.input_bytes)} = {_mb(ram.inputs_bytes)}",
        f"parameters: {_mb(ram.param_bytes)}",
        f"gradients: one per trainable parameter = {_mb(ram.gradient_bytes)}",
    ]
    if ram.optimizer_bytes:
        steps.append(f"optimizer state ({opts.optimizer}): {_mb(ram.optimizer_bytes)}")
    terms = [
        ram.outputs_bytes,
        ram.inputs_bytes,
        ram.param_bytes,
        ram.gradient_bytes,
        ram.optimizer_bytes,
    ]
    steps.append(
        f"RAM = {' + '.join(_mb(t) for t in terms if t)} = {fmt_int(ram.total)} bytes = {_mb(ram.total)}"
    )
    once = (
        ram.outputs_per_image
        + fig.input_bytes
        + ram.param_bytes
        + ram.gradient_bytes
        + ram.optimizer_bytes
    )
    traps = [
        Trap(
            _count(once),
            f"you forgot ×batch: the batch of {b} keeps {b} copies of every layer output and input",
        ),
        Trap(
            _count(ram.total - ram.gradient_bytes),
            f"add the gradients: one per trainable parameter ({_mb(ram.gradient_bytes)})",
        ),
        Trap(
            _count(ram.outputs_bytes),
            "that is only the layer outputs; add the inputs, parameters and gradients",
        ),
    ]
    if ram.optimizer_bytes:
        traps.append(
            Trap(
                _count(ram.total - ram.optimizer_bytes),
                f"add the {opts.optimizer} optimizer's state ({_mb(ram.optimizer_bytes)})",
            )
        )
    return Figure("ram_train", _count(ram.total), True, tuple(steps), tuple(traps))


def _receptive(network: Network, fig: NetworkFigures, opts: AskOptions) -> Figure:
    rows = receptive_field(network)
    rows = rows[: opts.layer] if opts.layer else rows
    steps = ["field_out = field_in + (k - 1)·jump_in; jump_out = jump_in·stride"]
    for r in rows:
        steps.append(
            f"layer {r.index} ({r.name}), kernel {r.kernel[0]}x{r.kernel[1]}, stride "
            f"{r.stride[0]}: field {r.field[0]}x{r.field[1]}, jump {r.jump[0]}"
        )
    value = rows[-1].field
    convs = [r for r in rows if r.kernel != (1, 1)]
    traps = []
    naive = 1 + sum(r.kernel[0] - 1 for r in convs)
    if naive != value[0] and not rows[-1].is_global:
        traps.append(
            Trap(
                (naive, naive),
                "that ignores the strides: after a stride s layer, each step of the "
                "next kernel moves s input pixels",
            )
        )
    return Figure("receptive_field", (value[0], value[1]), False, tuple(steps), tuple(traps))


_HANDLERS = {
    "params": lambda n, f, o: _params(n, f, o, "params"),
    "trainable_params": lambda n, f, o: _params(n, f, o, "trainable_params"),
    "non_trainable_params": lambda n, f, o: _params(n, f, o, "non_trainable_params"),
    "weights": lambda n, f, o: _params(n, f, o, "weights"),
    "biases": lambda n, f, o: _params(n, f, o, "biases"),
    "macs": _macs,
    "flops": lambda n, f, o: _macs(n, f, o, flops=True),
    "output_shape": _output_shape,
    "output_values": _output_values,
    "output_bytes": _output_bytes,
    "input_bytes": _input_bytes,
    "param_bytes": _param_bytes,
    "ram_predict": _ram_predict,
    "ram_train": _ram_train,
    "ram_train_outputs": lambda n, f, o: _ram_train(n, f, o, outputs_only=True),
    "receptive_field": _receptive,
}
