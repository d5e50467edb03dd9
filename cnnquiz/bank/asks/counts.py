"""Asks that count: parameters (all, trainable, not trainable), weights, biases, their bytes,
multiplications and FLOPs, each with the traps of the usual mistakes (the forgotten bias, batch
norm's moving statistics, a filter that spans one channel, MACs taken for FLOPs)."""

from __future__ import annotations

from dataclasses import replace

from cnnquiz.bank.asks import memory
from cnnquiz.bank.asks.solution import (
    AskOptions,
    Solution,
    Trap,
    Value,
    count,
    mb,
    said,
    selected,
    step_lines,
    sum_line,
    where,
)
from cnnquiz.i18n import N_
from cnnquiz.net.figures import LayerFigures, NetworkFigures
from cnnquiz.net.layers import Conv
from cnnquiz.net.spec import Network
from cnnquiz.net.units import fmt_int

# which ask reads which attribute of LayerFigures, and how the working names it
_ATTR = {
    "params": ("params", "parameters"),
    "trainable_params": ("trainable", "trainable parameters"),
    "non_trainable_params": ("non_trainable", "non-trainable values"),
    "weights": ("weights", "weights"),
    "biases": ("biases", "biases"),
}


def params(
    network: Network, fig: NetworkFigures, opts: AskOptions, which: str = "params"
) -> Solution:
    """``params``, ``trainable_params``, ``non_trainable_params``, ``weights`` or ``biases``."""
    layers = selected(fig, opts)
    attr, words = _ATTR[which]
    value = sum(getattr(f, attr) for f in layers)
    steps = step_lines(layers, "parameters")
    if which in ("weights", "biases"):
        steps += [
            f"layer {f.index} ({f.name}): {which} = {fmt_int(getattr(f, which))}"
            for f in layers
            if getattr(f, which)
        ]
    steps.append(
        sum_line(
            f"{words} of {where(fig, opts)}",
            [getattr(f, attr) for f in layers if getattr(f, attr)] or [0],
        )
    )
    traps = _count_traps(which, value, layers) + _channel_traps(which, layers)
    return Solution(which, count(value), tuple(steps), tuple(traps))


def _count_traps(which: str, value: int, layers: list[LayerFigures]) -> list[Trap]:
    """The bias forgotten, batch norm's moving statistics counted or left out, biases counted
    as weights."""
    weights = sum(f.weights for f in layers)
    biases = sum(f.biases for f in layers)
    non_tr = sum(f.non_trainable for f in layers)
    traps = []
    if which in ("params", "trainable_params") and biases:
        traps.append(
            said(
                count(value - biases),
                N_(
                    "you forgot the bias: {weights} + {biases} = {total} "
                    "(one bias per filter or unit)"
                ),
                weights=fmt_int(weights),
                biases=fmt_int(biases),
                total=fmt_int(weights + biases),
            )
        )
    if which == "params" and non_tr:
        traps.append(
            said(
                count(value - non_tr),
                N_(
                    "that counts only the trainable parameters; batch norm also stores "
                    "{count} moving means and variances"
                ),
                count=fmt_int(non_tr),
            )
        )
    if which == "trainable_params" and non_tr:
        traps.append(
            said(
                count(value + non_tr),
                N_("that includes batch norm's moving mean and variance, which are not trained"),
            )
        )
    if which == "weights" and biases:
        traps.append(
            said(
                count(weights + biases),
                N_("that includes the 1 bias; the weights alone are {weights}")
                if biases == 1
                else N_("that includes the {biases} biases; the weights alone are {weights}"),
                biases=fmt_int(biases),
                weights=fmt_int(weights),
            )
        )
    return traps


def _channel_traps(which: str, layers: list[LayerFigures]) -> list[Trap]:
    """A single conv layer counted as if each filter saw one input channel."""
    if which not in ("params", "trainable_params", "weights") or len(layers) != 1:
        return []
    f = layers[0]
    if not isinstance(f.layer, Conv) or f.input_shape.dims[2] <= 1:
        return []
    kh, kw = f.layer.kernel
    c = f.input_shape.dims[2]
    flat = kh * kw * f.layer.filters + (f.biases if which != "weights" else 0)
    return [
        said(
            count(flat),
            N_("each filter spans all {c} input channels: {kh}·{kw}·{c} weights per filter"),
            c=c,
            kh=kh,
            kw=kw,
        )
    ]


def param_bytes(network: Network, fig: NetworkFigures, opts: AskOptions) -> Solution:
    p = params(network, fig, opts)
    n = _whole(p.value)
    bpv = fig.bytes_per_value
    steps = [
        *p.steps,
        f"bytes = {fmt_int(n)}·{bpv} ({fig.dtype}) = {fmt_int(n * bpv)} = {mb(n * bpv)}",
    ]
    traps = [replace(t, value=count(_whole(t.value) * bpv)) for t in p.traps]
    traps += memory.forgot_bpv(n, bpv)
    return Solution("param_bytes", count(n * bpv), tuple(steps), tuple(traps))


def _whole(value: Value) -> int:
    """A count the parameter asks gave (never a shape)."""
    if isinstance(value, tuple):
        raise TypeError(f"a count, not the shape {value}")
    return int(value)


def macs(network: Network, fig: NetworkFigures, opts: AskOptions, flops: bool = False) -> Solution:
    layers = selected(fig, opts)
    total = sum(f.macs for f in layers)
    n_params = sum(f.params for f in layers)
    steps = step_lines(layers, "multiplications")
    steps.append(
        sum_line(
            f"multiplications of {where(fig, opts)}", [f.macs for f in layers if f.macs] or [0]
        )
    )
    traps = (
        [
            said(
                count(n_params),
                N_(
                    "that is the number of parameters; multiplications count every "
                    "position the kernel visits: H_out·W_out·filters·kh·kw·C_in"
                ),
            )
        ]
        if n_params != total
        else []
    )
    if flops:
        steps.append(f"FLOPs = 2·multiplications = 2·{fmt_int(total)} = {fmt_int(2 * total)}")
        traps.append(
            said(
                count(total),
                N_(
                    "that is the number of multiply-accumulates; a FLOP count "
                    "counts the multiply and the add: 2 per MAC"
                ),
            )
        )
        return Solution("flops", count(2 * total), tuple(steps), tuple(traps))
    traps.append(
        said(
            count(2 * total),
            N_("that counts FLOPs (a multiply and an add); the question asks for multiplications"),
        )
    )
    return Solution("macs", count(total), tuple(steps), tuple(traps))
