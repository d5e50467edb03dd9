"""RAM for one prediction on a graph: the tensors alive at the peak, and the mistakes that miss one.

On a chain a layer needs only its input and its output (:func:`cnnquiz.bank.asks.memory.ram_predict`
says so layer by layer). On a graph a tensor stays alive until its last reader has run: a residual
block's input waits for the ``add``, an Inception module's branch outputs wait for the ``concat``.
The working names every tensor held at the peak, so a student sees which one the chain rule forgot.
"""

from __future__ import annotations

from cnnquiz.bank.asks.solution import Solution, Trap, count, mb, said
from cnnquiz.i18n import N_
from cnnquiz.net.figures import NetworkFigures
from cnnquiz.net.memory import LiveTensor, PredictionRam
from cnnquiz.net.network import Network
from cnnquiz.net.units import fmt_int


def tensor_label(network: Network, fig: NetworkFigures, producer: int) -> str:
    """``the input``, ``layer 5 (BatchNorm, main)`` or ``layer 8 (Conv2D, in basic2)``: a tensor
    by the layer that made it, with its name or the block use it came from."""
    if producer == 0:
        return "the input"
    title = fig.layers[producer - 1].name
    name = network.name_of(producer)
    scope = network.scope_of(producer)
    where = name or (f"in {scope}" if scope else None)
    return f"layer {producer} ({title}, {where})" if where else f"layer {producer} ({title})"


def graph_ram_predict(network: Network, fig: NetworkFigures, ram: PredictionRam) -> Solution:
    """The peak of live tensors plus all parameters, with the tensors named one by one."""
    peak = ram.peak_layer
    steps = [
        "a tensor stays in memory from the layer that makes it until the last layer that reads "
        "it has run; views (flatten, a separate activation) share their source's memory",
        f"the peak is while {tensor_label(network, fig, peak)} runs; alive then:",
    ]
    # the figures name the live tensors; without them, the peak layer's input and output
    alive = ram.alive or (
        LiveTensor(network.sources(peak)[0] if peak else 0, ram.input_bytes),
        LiveTensor(peak, ram.output_bytes),
    )
    steps += [
        f"{tensor_label(network, fig, t.producer)}{' output' if t.producer else ''}: {mb(t.nbytes)}"
        for t in alive
    ]
    live = sum(t.nbytes for t in alive)
    steps.append(
        f"parameters: {fmt_int(fig.params)}·{fig.bytes_per_value} = {fmt_int(ram.param_bytes)} "
        f"bytes = {mb(ram.param_bytes)}"
    )
    terms = " + ".join(mb(t.nbytes) for t in alive)
    steps.append(
        f"RAM = {terms} + {mb(ram.param_bytes)} = {fmt_int(ram.total)} bytes = {mb(ram.total)}"
    )
    return Solution("ram_predict", count(ram.total), tuple(steps), tuple(_traps(fig, ram, live)))


def _traps(fig: NetworkFigures, ram: PredictionRam, live: int) -> list[Trap]:
    bpv = fig.bytes_per_value
    chain = max(
        (
            f.input_shape.values * bpv + (0 if f.is_view else f.output_values * bpv)
            for f in fig.layers
        ),
        default=fig.input_bytes,
    )
    outputs = sum(fig.stored_bytes(f) for f in fig.layers)
    traps = [
        said(
            count(outputs + fig.input_bytes + ram.param_bytes),
            N_("do not add them up: a tensor is freed once the last layer that reads it has run"),
        ),
        said(
            count(live),
            N_("add the parameters: all {params} must be in memory too ({mb})"),
            params=fmt_int(fig.params),
            mb=mb(ram.param_bytes),
        ),
    ]
    if chain + ram.param_bytes != ram.total:
        traps.append(
            said(
                count(chain + ram.param_bytes),
                N_(
                    "that is the chain rule, one layer's input and output; on a graph a tensor "
                    "that a later layer still reads (a shortcut's input, a branch waiting for its "
                    "merge) stays in memory too"
                ),
            )
        )
    return traps
