"""What a question asks about a network, answered by the calculator with its working.

Each ask (``params``, ``output_shape``, ``ram_predict``...) returns a :class:`Figure`: the value,
the derivation lines the explanation is built from, and the *traps*: the figures a student gets
by a known mistake (forgetting the bias, adding up the layers' RAM, valid instead of same
padding), each with the feedback that names the mistake.
"""

from dataclasses import replace

from cnnquiz.bank import asks_ram
from cnnquiz.bank.figure import (
    AskOptions,
    Figure,
    Trap,
    count,
    mb,
    selected,
    step_lines,
    sum_line,
    where,
)
from cnnquiz.errors import SpecError
from cnnquiz.net.arithmetic import NetworkFigures, analyze
from cnnquiz.net.layers import Conv, Network, Pool
from cnnquiz.net.units import fmt_count, fmt_int

__all__ = ["AskOptions", "Figure", "Trap", "evaluate"]


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


# --------------------------------------------------------------------------------------------
# Counts


def _params(
    network: Network, fig: NetworkFigures, opts: AskOptions, which: str = "params"
) -> Figure:
    layers = selected(fig, opts)
    attr = {
        "params": "params",
        "trainable_params": "trainable",
        "non_trainable_params": "non_trainable",
        "weights": "weights",
        "biases": "biases",
    }[which]
    value = sum(getattr(f, attr) for f in layers)
    steps = step_lines(layers, "parameters")
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
        sum_line(
            f"{words[which]} of {where(fig, opts)}",
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
                count(value - biases),
                f"you forgot the bias: {fmt_int(weights)} + {fmt_int(biases)} = "
                f"{fmt_int(weights + biases)} (one bias per filter or unit)",
            )
        )
    if which == "params" and non_tr:
        traps.append(
            Trap(
                count(value - non_tr),
                f"that counts only the trainable parameters; batch norm also stores "
                f"{fmt_int(non_tr)} moving means and variances",
            )
        )
    if which == "trainable_params" and non_tr:
        traps.append(
            Trap(
                count(value + non_tr),
                "that includes batch norm's moving mean and variance, which are not trained",
            )
        )
    if which == "weights" and biases:
        traps.append(
            Trap(
                count(weights + biases),
                f"that includes the {fmt_count(biases, 'bias', 'biases')}; the weights alone are {fmt_int(weights)}",
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
                        count(flat),
                        f"each filter spans all {c} input channels: {kh}·{kw}·{c} weights per filter",
                    )
                )
    return Figure(which, count(value), False, tuple(steps), tuple(traps))


def _macs(network: Network, fig: NetworkFigures, opts: AskOptions, flops: bool = False) -> Figure:
    layers = selected(fig, opts)
    macs = sum(f.macs for f in layers)
    params = sum(f.params for f in layers)
    steps = step_lines(layers, "multiplications")
    steps.append(
        sum_line(
            f"multiplications of {where(fig, opts)}", [f.macs for f in layers if f.macs] or [0]
        )
    )
    traps = (
        [
            Trap(
                count(params),
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
                count(macs),
                "that is the number of multiply-accumulates; a FLOP count "
                "counts the multiply and the add: 2 per MAC",
            )
        )
        return Figure("flops", count(2 * macs), False, tuple(steps), tuple(traps))
    traps.append(
        Trap(
            count(2 * macs),
            "that counts FLOPs (a multiply and an add); the question asks for multiplications",
        )
    )
    return Figure("macs", count(macs), False, tuple(steps), tuple(traps))


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


def _param_bytes(network: Network, fig: NetworkFigures, opts: AskOptions) -> Figure:
    p = _params(network, fig, opts)
    n = int(p.value)  # type: ignore[arg-type]
    bpv = fig.bytes_per_value
    steps = [
        *p.steps,
        f"bytes = {fmt_int(n)}·{bpv} ({fig.dtype}) = {fmt_int(n * bpv)} = {mb(n * bpv)}",
    ]
    traps = [Trap(count(int(t.value) * bpv), t.feedback) for t in p.traps]  # type: ignore[arg-type]
    traps += asks_ram.forgot_bpv(n, bpv)
    return Figure("param_bytes", count(n * bpv), True, tuple(steps), tuple(traps))


_HANDLERS = {
    "params": lambda n, f, o: _params(n, f, o, "params"),
    "trainable_params": lambda n, f, o: _params(n, f, o, "trainable_params"),
    "non_trainable_params": lambda n, f, o: _params(n, f, o, "non_trainable_params"),
    "weights": lambda n, f, o: _params(n, f, o, "weights"),
    "biases": lambda n, f, o: _params(n, f, o, "biases"),
    "macs": _macs,
    "flops": lambda n, f, o: _macs(n, f, o, flops=True),
    "output_shape": _output_shape,
    "output_values": asks_ram.output_values,
    "output_bytes": asks_ram.output_bytes,
    "input_bytes": asks_ram.input_bytes,
    "param_bytes": _param_bytes,
    "ram_predict": asks_ram.ram_predict,
    "ram_train": asks_ram.ram_train,
    "ram_train_outputs": lambda n, f, o: asks_ram.ram_train(n, f, o, outputs_only=True),
    "receptive_field": asks_ram.receptive,
}
