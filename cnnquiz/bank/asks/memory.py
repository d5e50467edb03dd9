"""Asks about bytes and RAM, with the notes' rules and their traps.

RAM for one prediction: the busiest layer's input and output plus all parameters; for training
on a batch: every layer's output for every image, the inputs, parameters, gradients and the
optimizer's state (Geron, Hands-On ML, ch. 14). Flatten and an activation written as its own
layer are views: they share the memory of the layer before them, so they add nothing (the
arithmetic's ``VIEW_LAYERS``). Each wrong total a known mistake gives is a trap.
"""

from __future__ import annotations

from cnnquiz.bank.asks.peak import graph_ram_predict
from cnnquiz.bank.asks.solution import (
    AskOptions,
    Solution,
    Trap,
    count,
    mb,
    said,
    selected,
    target,
)
from cnnquiz.i18n import N_
from cnnquiz.net.figures import LayerFigures, NetworkFigures
from cnnquiz.net.memory import TrainingRam, prediction_ram, training_ram
from cnnquiz.net.network import Shape
from cnnquiz.net.spec import Network
from cnnquiz.net.units import fmt_int


def bytes_of_values(what: str, shape_text: str, values: int, bpv: int, dtype: str) -> list[str]:
    return [
        f"{what}: {shape_text} = {fmt_int(values)} values",
        f"bytes = {fmt_int(values)}·{bpv} ({dtype}) = {fmt_int(values * bpv)} = {mb(values * bpv)}",
    ]


def forgot_bpv(values: int, bpv: int) -> list[Trap]:
    return (
        [
            said(
                count(values),
                N_("that is the number of values; each one takes {bpv} bytes"),
                bpv=bpv,
            )
        ]
        if bpv > 1
        else []
    )


def output_bytes(network: Network, fig: NetworkFigures, opts: AskOptions) -> Solution:
    f = target(fig, opts)
    return _bytes_solution(
        "output_bytes", f"layer {f.index} ({f.name}) output", f.output_shape, fig
    )


def input_bytes(network: Network, fig: NetworkFigures, opts: AskOptions) -> Solution:
    shape = fig.layers[opts.layer - 1].input_shape if opts.layer else fig.input_shape
    return _bytes_solution("input_bytes", "input", shape, fig)


def _bytes_solution(ask: str, label: str, shape: Shape, fig: NetworkFigures) -> Solution:
    """Bytes of one tensor: values × bytes per value, and the trap of forgetting the bytes."""
    bpv = fig.bytes_per_value
    steps = bytes_of_values(label, str(shape), shape.values, bpv, fig.dtype)
    return Solution(
        ask, count(shape.values * bpv), tuple(steps), tuple(forgot_bpv(shape.values, bpv))
    )


# --------------------------------------------------------------------------------------------
# RAM, the notes' rules


def ram_predict(network: Network, fig: NetworkFigures, opts: AskOptions) -> Solution:
    ram = prediction_ram(fig)
    if network.is_graph:
        return graph_ram_predict(network, fig, ram)
    bpv = fig.bytes_per_value
    steps = [
        "one prediction needs, at the busiest layer, its input and its output at once, plus all parameters"
    ]
    prev = fig.input_bytes
    for f in fig.layers:
        out = f.output_values * bpv
        if f.is_view:
            steps.append(
                f"layer {f.index} ({f.name}): a view, its input and output are the same {mb(prev)}"
            )
        else:
            steps.append(
                f"layer {f.index} ({f.name}): input {mb(prev)} + output {mb(out)} = {mb(prev + out)}"
            )
        prev = out
    steps.append(f"largest: layer {ram.peak_layer}, {mb(ram.input_bytes)} + {mb(ram.output_bytes)}")
    steps.append(
        f"parameters: {fmt_int(fig.params)}·{bpv} = {fmt_int(ram.param_bytes)} bytes = {mb(ram.param_bytes)}"
    )
    steps.append(
        f"RAM = {mb(ram.input_bytes)} + {mb(ram.output_bytes)} + {mb(ram.param_bytes)} = "
        f"{fmt_int(ram.total)} bytes = {mb(ram.total)}"
    )
    outputs = sum(fig.stored_bytes(f) for f in fig.layers)
    add_up = N_("do not add them up: one prediction needs one layer's input and output at once")
    traps = [
        said(count(outputs + fig.input_bytes + ram.param_bytes), add_up),
        said(count(outputs + ram.param_bytes), add_up),
        said(
            count(ram.input_bytes + ram.output_bytes),
            N_("add the parameters: all {params} must be in memory too ({mb})"),
            params=fmt_int(fig.params),
            mb=mb(ram.param_bytes),
        ),
        said(
            count(ram.output_bytes + ram.param_bytes),
            N_("a layer needs its input as well as its output at the same time"),
        ),
    ]
    return Solution("ram_predict", count(ram.total), tuple(steps), tuple(traps))


def ram_train_outputs(network: Network, fig: NetworkFigures, opts: AskOptions) -> Solution:
    """The layer outputs backprop keeps for a batch (of ``layer: N`` or of every layer)."""
    b = opts.batch
    layers = selected(fig, opts)
    per_image = sum(fig.stored_bytes(f) for f in layers)
    steps = [
        f"layer {f.index} ({f.name}) output {f.output_shape}: "
        + (_view_note(fig, f) if f.is_view else mb(f.output_values * fig.bytes_per_value))
        for f in layers
    ]
    steps.append(
        f"per image: {fmt_int(per_image)} bytes; backprop keeps them for every image of the batch"
    )
    steps.append(f"{b}·{fmt_int(per_image)} = {fmt_int(b * per_image)} bytes = {mb(b * per_image)}")
    traps = [
        said(
            count(per_image),
            N_("you forgot ×batch: the batch of {b} keeps {b} copies of every layer output"),
            b=b,
        )
    ]
    traps += _view_traps(fig, layers, b * per_image, b)
    return Solution("ram_train_outputs", count(b * per_image), tuple(steps), tuple(traps))


def ram_train(network: Network, fig: NetworkFigures, opts: AskOptions) -> Solution:
    b = opts.batch
    ram = training_ram(fig, b, opts.optimizer)
    views = [f for f in fig.layers if f.is_view]
    steps = [
        f"layer outputs: {b}·{fmt_int(ram.outputs_per_image)} bytes = {mb(ram.outputs_bytes)} "
        "(backprop keeps every layer's output)",
        *(f"layer {f.index} ({f.name}): {_view_note(fig, f)}" for f in views),
        f"inputs: {b}·{fmt_int(fig.input_bytes)} bytes = {mb(ram.inputs_bytes)}",
        f"parameters: {mb(ram.param_bytes)}",
        f"gradients: one per trainable parameter = {mb(ram.gradient_bytes)}",
    ]
    if ram.optimizer_bytes:
        steps.append(f"optimizer state ({opts.optimizer}): {mb(ram.optimizer_bytes)}")
    terms = [
        ram.outputs_bytes,
        ram.inputs_bytes,
        ram.param_bytes,
        ram.gradient_bytes,
        ram.optimizer_bytes,
    ]
    steps.append(
        f"RAM = {' + '.join(mb(t) for t in terms if t)} = {fmt_int(ram.total)} bytes = {mb(ram.total)}"
    )
    traps = _train_traps(fig, ram, opts) + _view_traps(fig, views, ram.total, b)
    return Solution("ram_train", count(ram.total), tuple(steps), tuple(traps))


def _train_traps(fig: NetworkFigures, ram: TrainingRam, opts: AskOptions) -> list[Trap]:
    """One image instead of the batch, a term left out, only the layer outputs."""
    b = opts.batch
    once = (
        ram.outputs_per_image
        + fig.input_bytes
        + ram.param_bytes
        + ram.gradient_bytes
        + ram.optimizer_bytes
    )
    traps = [
        said(
            count(ram.outputs_per_image),
            N_(
                "that is the layer outputs of one image; training keeps them for all {b} images "
                "of the batch, plus the inputs, parameters and gradients"
            ),
            b=b,
        ),
        said(
            count(once),
            N_(
                "you forgot ×batch: the batch of {b} keeps {b} copies of every layer output and input"
            ),
            b=b,
        ),
        said(
            count(ram.total - ram.gradient_bytes),
            N_("add the gradients: one per trainable parameter ({mb})"),
            mb=mb(ram.gradient_bytes),
        ),
        said(
            count(ram.outputs_bytes),
            N_("that is only the layer outputs; add the inputs, parameters and gradients"),
        ),
    ]
    if ram.optimizer_bytes:
        traps.append(
            said(
                count(ram.total - ram.optimizer_bytes),
                N_("add the {optimizer} optimizer's state ({mb})"),
                optimizer=opts.optimizer,
                mb=mb(ram.optimizer_bytes),
            )
        )
    return traps


def _view_note(fig: NetworkFigures, f: LayerFigures) -> str:
    """Why a view costs nothing: it shares the memory of the layer before it."""
    owner = fig.shares_with(f)
    whose = f"layer {owner}'s output" if owner else "the input"
    return f"a view of {whose}, no new memory (0 bytes)"


def _view_traps(
    fig: NetworkFigures, layers: list[LayerFigures], total: int, batch: int
) -> list[Trap]:
    """Counting a flatten or a separate activation as a second copy of what it views."""
    extra = sum(f.output_values for f in layers if f.is_view) * fig.bytes_per_value
    if not extra:
        return []
    names = ", ".join(sorted({f.name for f in layers if f.is_view}))
    return [
        said(
            count(total + batch * extra),
            N_(
                "{names} is a view: the output shares the memory of the layer before it, so it "
                "is not stored a second time"
            )
            if "," not in names
            else N_(
                "{names} are views: the output shares the memory of the layer before it, so it "
                "is not stored a second time"
            ),
            names=names,
        )
    ]
