"""The calculators' reports, built from the net arithmetic: figures in, dataclasses out.

Pure: no Rich, no Textual, no torch (its verdicts are read through ``report.verdicts``). The
command line prints these reports as tables or as JSON (``report.json``); the app shows the
model report as it is typed. Numbers stay numbers (bytes, counts); the working is already
written out as the lines an exam answer shows.
"""

from __future__ import annotations

from cnnquiz.net.figures import LayerFigures, NetworkFigures
from cnnquiz.net.memory import PredictionRam, TrainingRam, prediction_ram, training_ram
from cnnquiz.net.optimizers import OPTIMIZER_STATE
from cnnquiz.net.options import channels_first_hint
from cnnquiz.net.spec import layer_to_dict
from cnnquiz.net.units import fmt_int, fmt_mb
from cnnquiz.report.figures import flops as flops_of
from cnnquiz.report.figures import textbook_bytes
from cnnquiz.report.graph import held_tensors, held_working
from cnnquiz.report.labels import layer_label
from cnnquiz.report.model import (
    DenseCost,
    HeldTensor,
    InputSize,
    LayerRow,
    LayersReport,
    ModelReport,
    NextDense,
    Padding,
    PredictionRamNote,
    RamTerm,
    Totals,
    TrainingRamNote,
)
from cnnquiz.report.notes import assumptions, autograd, verification
from cnnquiz.report.verdicts import SavedForBackward, TorchVerdict


def input_size(fig: NetworkFigures) -> InputSize:
    return InputSize(str(fig.input_shape), fig.input_shape.values, fig.input_bytes)


def hints(fig: NetworkFigures) -> tuple[str, ...]:
    """A hint when the input looks like PyTorch's C×H×W read as H×W×C."""
    hint = channels_first_hint(fig.input_shape)
    return (hint,) if hint else ()


# --------------------------------------------------------------------------------------------
# One layer, and the table's totals


def _owner(fig: NetworkFigures, index: int) -> str:
    """``layer 3 (Conv2D)`` or ``the input``: whose memory a view shares."""
    return f"layer {index} ({fig.layers[index - 1].name})" if index else "the input"


def _steps(
    fig: NetworkFigures, f: LayerFigures, flops: bool, view_of: int | None
) -> tuple[str, ...]:
    """The arithmetic's working, with the parameters split into weights and biases, FLOPs on
    request, and the output's size (or whose memory a view shares)."""
    steps = [str(s) for s in f.steps]
    if f.trainable and f.biases:
        at = next((i + 1 for i, s in enumerate(f.steps) if s.what == "parameters"), len(steps))
        steps.insert(at, f"parameters = {fmt_int(f.weights)} weights + {fmt_int(f.biases)} biases")
    if flops and f.macs:
        steps.append(f"FLOPs = 2 · MACs = 2 · {fmt_int(f.macs)} = {fmt_int(flops_of(f.macs))}")
    dims = "·".join(str(d) for d in f.output_shape.dims)
    out_bytes = fig.output_bytes(f)
    size = (
        f"output size = {dims} values · {fig.bytes_per_value} bytes = {fmt_int(out_bytes)} bytes"
        f" = {fmt_mb(out_bytes)}"
    )
    if view_of is not None:
        size += f", a view of {_owner(fig, view_of)}: no new memory"
    return (*steps, size)


def layer_row(fig: NetworkFigures, f: LayerFigures, flops: bool = False) -> LayerRow:
    """One layer: its shapes, parameters (weights and biases apart), MACs, bytes and working."""
    view_of = fig.shares_with(f) if f.is_view else None
    network = fig.network
    graph = network.is_graph
    return LayerRow(
        index=f.index,
        layer=f.name,
        label=layer_label(f.layer, short=graph),
        spec=layer_to_dict(f.layer),
        input_shape=str(f.input_shape),
        output_shape=str(f.output_shape),
        output_dims=f.output_shape.dims,
        weights=f.weights,
        biases=f.biases,
        trainable=f.trainable,
        non_trainable=f.non_trainable,
        params=f.params,
        macs=f.macs,
        output_values=f.output_values,
        output_bytes=fig.output_bytes(f),
        view_of=view_of,
        stored_bytes=fig.stored_bytes(f),
        padding=Padding(*f.padding) if f.padding else None,
        steps=_steps(fig, f, flops, view_of),
        flops=flops_of(f.macs) if flops else None,
        name=network.name_of(f.index),
        scope=network.scope_of(f.index),
        sources=network.sources(f.index) if graph else (),
        input_shapes=tuple(str(s) for s in f.input_shapes) if graph else (),
    )


def totals(fig: NetworkFigures, flops: bool = False) -> Totals:
    """The sums of the table's columns: every total is the sum of its rows."""
    return Totals(
        params=fig.params,
        trainable=fig.trainable,
        non_trainable=fig.non_trainable,
        param_bytes=fig.param_bytes,
        macs=fig.macs,
        output_values=sum(f.output_values for f in fig.layers),
        output_bytes=sum(fig.output_bytes(f) for f in fig.layers),
        stored_bytes=sum(fig.stored_bytes(f) for f in fig.layers),
        flops=flops_of(fig.macs) if flops else None,
    )


# --------------------------------------------------------------------------------------------
# calc conv|pool|dense|flatten|gap


def layers_report(
    calc: str,
    fig: NetworkFigures,
    flops: bool = False,
    v: TorchVerdict | None = None,
    next_dense: NextDense | None = None,
) -> LayersReport:
    """``calc conv|pool|dense``: one layer (or a few) with every figure's working;
    ``calc flatten|gap`` adds what each costs the Dense layer after it (``next_dense``)."""
    return LayersReport(
        calc=calc,
        input=input_size(fig),
        dtype=fig.dtype,
        bytes_per_value=fig.bytes_per_value,
        layers=tuple(layer_row(fig, f, flops) for f in fig.layers),
        assumptions=assumptions(fig, flops),
        verification=verification(v),
        next_dense=next_dense,
        hints=hints(fig),
    )


def _dense_cost(fig: NetworkFigures, name: str, units: int) -> DenseCost:
    """The Dense layer (``fig``'s second) after flatten or gap (its first): its parameters."""
    values, params = fig.layers[0].output_values, fig.layers[1].params
    step = f"Dense {units} after {name}: ({fmt_int(values)} + 1)·{units} = {fmt_int(params)}"
    return DenseCost(values, params, step)


def next_dense(calc: str, units: int, fig: NetworkFigures, other: NetworkFigures) -> NextDense:
    """What flatten and global average pooling each cost the Dense layer after them.

    ``fig`` is the input through ``calc`` (flatten or gap) and a Dense layer of ``units``;
    ``other`` the same through the other one.
    """
    other_name = "gap" if calc == "flatten" else "flatten"
    mine, theirs = _dense_cost(fig, calc, units), _dense_cost(other, other_name, units)
    flatten, gap = (mine, theirs) if calc == "flatten" else (theirs, mine)
    ratio = flatten.dense_params / gap.dense_params
    sentence = (
        f"{calc} feeds {fmt_int(mine.values)} values to the next layer, so a Dense {units} "
        f"after it needs {fmt_int(mine.dense_params)} parameters; {other_name} would feed "
        f"{fmt_int(theirs.values)} values and need {fmt_int(theirs.dense_params)}"
        f" (flatten costs {ratio:.3g}× as many)."
    )
    return NextDense(units, flatten, gap, ratio, sentence)


# --------------------------------------------------------------------------------------------
# calc model


def _views(fig: NetworkFigures) -> str:
    """`` (views add nothing: layers 2, 4)``, or nothing when the network has no view."""
    views = [str(f.index) for f in fig.layers if f.is_view]
    if not views:
        return ""
    return f" (views add nothing: layer{'s' if len(views) > 1 else ''} {', '.join(views)})"


def prediction_note(fig: NetworkFigures, pred: PredictionRam | None = None) -> PredictionRamNote:
    """RAM for one prediction: the peak layer's input and output, plus the parameters; on a
    graph every tensor alive at the peak, each with why it is held (``pred``: the figures'
    own ``prediction_ram``, unless given)."""
    pred = pred or prediction_ram(fig)
    peak = fig.layers[pred.peak_layer - 1] if pred.peak_layer else None
    held: tuple[HeldTensor, ...] = ()
    total = pred.total
    working = (
        f"{fmt_mb(pred.input_bytes)} + {fmt_mb(pred.output_bytes)} + "
        f"{fmt_mb(pred.param_bytes)} = {fmt_mb(pred.total)}"
    )
    if fig.network.is_graph and pred.alive:
        held = held_tensors(fig, pred)
        total = sum(t.bytes for t in held) + pred.param_bytes  # what the working adds up
        working = held_working(held, pred.param_bytes, total)
    return PredictionRamNote(
        peak_layer=pred.peak_layer,
        peak_name=peak.name if peak else None,
        input_bytes=pred.input_bytes,
        output_bytes=pred.output_bytes,
        param_bytes=pred.param_bytes,
        total=total,
        working=working,
        peak_scope=fig.network.scope_of(pred.peak_layer) if held and pred.peak_layer else "",
        held=held,
    )


def training_note(fig: NetworkFigures, train: TrainingRam) -> TrainingRamNote:
    """RAM for training on a batch, term by term, each with its working."""
    batch, bpv = train.batch, fig.bytes_per_value
    state = OPTIMIZER_STATE[train.optimizer]
    terms = (
        RamTerm(
            f"layer outputs × {batch}",
            train.outputs_bytes,
            f"{fmt_int(train.outputs_per_image)} bytes · {batch}{_views(fig)}",
        ),
        RamTerm(
            f"inputs × {batch}", train.inputs_bytes, f"{fmt_int(fig.input_bytes)} bytes · {batch}"
        ),
        RamTerm("parameters", train.param_bytes, f"{fmt_int(fig.params)} · {bpv} bytes"),
        RamTerm(
            "gradients",
            train.gradient_bytes,
            f"one per trainable parameter: {fmt_int(fig.trainable)} · {bpv} bytes",
        ),
        RamTerm(
            f"optimizer state ({train.optimizer})",
            train.optimizer_bytes,
            f"{state} value{'s' if state != 1 else ''} per trainable parameter",
        ),
    )
    return TrainingRamNote(batch, train.optimizer, terms, train.total)


def model_report(
    fig: NetworkFigures,
    batch: int,
    optimizer: str,
    flops: bool = False,
    v: TorchVerdict | None = None,
    saved: SavedForBackward | None = None,
    autograd_skipped: str | None = None,
) -> ModelReport:
    """``calc model``: the summary table, its totals, and the RAM model term by term;
    ``saved``: what autograd kept, measured in torch, or why not (``autograd_skipped``)."""
    train = training_ram(fig, batch, optimizer)
    network = fig.network
    return ModelReport(
        name=network.name,
        source=network.source,
        input=input_size(fig),
        dtype=fig.dtype,
        bytes_per_value=fig.bytes_per_value,
        layers=tuple(layer_row(fig, f, flops) for f in fig.layers),
        totals=totals(fig, flops),
        prediction_ram=prediction_note(fig),
        training_ram=training_note(fig, train),
        autograd=autograd(fig, saved, textbook_bytes(train)) if saved else None,
        assumptions=assumptions(fig, flops, ram=True),
        verification=verification(v),
        autograd_skipped=autograd_skipped,
        hints=hints(fig),
    )
