"""Figures as plain rows and dicts: what every face prints and what ``--json`` writes.

Pure: no Rich, no Textual, no torch. The command line renders these dicts as tables; the app
can render the same ones; scripts read them as JSON. Numbers stay numbers (bytes, counts);
the working is already written out as the lines an exam answer shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cnnquiz.net.arithmetic import LayerFigures, NetworkFigures
from cnnquiz.net.layers import Conv, Dense, Dropout, Layer, Pool
from cnnquiz.net.memory import prediction_ram, training_ram
from cnnquiz.net.optimizers import OPTIMIZER_STATE
from cnnquiz.net.receptive import receptive_field, stacked_receptive_field, weights_per_channel_pair
from cnnquiz.net.spec import layer_to_dict
from cnnquiz.net.units import fmt_int, fmt_mb
from cnnquiz.report.notes import assumptions, autograd, verification

if TYPE_CHECKING:  # the bridge imports torch; only its dataclasses' shapes are used here
    from cnnquiz.torchcheck.autograd import SavedTensors
    from cnnquiz.torchcheck.receptive import MeasuredField
    from cnnquiz.torchcheck.verify import Verification

Dict = dict[str, Any]


def _size(pair: tuple[int, int]) -> str:
    return f"{pair[0]}x{pair[1]}"


def _short(pair: tuple[int, int]) -> str:
    return str(pair[0]) if pair[0] == pair[1] else _size(pair)


def layer_label(layer: Layer) -> str:
    """``Conv2D 100 3x3 s2 same relu``: the layer and its settings, in one short cell."""
    if isinstance(layer, Conv):
        parts = [layer.title, str(layer.filters), _size(layer.kernel)]
        parts += [f"s{_short(layer.stride)}"] if layer.stride != (1, 1) else []
        parts += [layer.padding if isinstance(layer.padding, str) else f"p{_short(layer.padding)}"]
        parts += [f"d{_short(layer.dilation)}"] if layer.dilation != (1, 1) else []
        parts += [] if layer.bias else ["no bias"]
        parts += [layer.activation] if layer.activation else []
    elif isinstance(layer, Pool):
        parts = [layer.title, _size(layer.size)]
        parts += [f"s{_short(layer.stride)}"] if layer.stride else []
        parts += (
            []
            if layer.padding == "valid"
            else [
                str(
                    layer.padding if isinstance(layer.padding, str) else f"p{_short(layer.padding)}"
                )
            ]
        )
    elif isinstance(layer, Dense):
        parts = [layer.title, str(layer.units)]
        parts += [] if layer.bias else ["no bias"]
        parts += [layer.activation] if layer.activation else []
    elif isinstance(layer, Dropout):
        parts = [layer.title, f"{layer.rate:g}"]
    else:
        parts = [layer.title]
    return " ".join(parts)


def layer_row(fig: NetworkFigures, f: LayerFigures, flops: bool = False) -> Dict:
    """One layer: its shapes, parameters (weights and biases apart), MACs, bytes and working."""
    bpv = fig.bytes_per_value
    out_bytes = f.output_values * bpv
    dims = "·".join(str(d) for d in f.output_shape.dims)
    steps = [str(s) for s in f.steps]
    if f.trainable and f.biases:
        at = next((i + 1 for i, s in enumerate(f.steps) if s.what == "parameters"), len(steps))
        steps.insert(at, f"parameters = {fmt_int(f.weights)} weights + {fmt_int(f.biases)} biases")
    if flops and f.macs:
        steps.append(f"FLOPs = 2 · MACs = 2 · {fmt_int(f.macs)} = {fmt_int(2 * f.macs)}")
    size = f"output size = {dims} values · {bpv} bytes = {fmt_int(out_bytes)} bytes = {fmt_mb(out_bytes)}"
    view_of = fig.shares_with(f) if f.is_view else None
    if view_of is not None:
        size += f", a view of {_owner(fig, view_of)}: no new memory"
    steps.append(size)
    row: Dict = {
        "index": f.index,
        "layer": f.name,
        "label": layer_label(f.layer),
        "spec": layer_to_dict(f.layer),
        "input_shape": str(f.input_shape),
        "output_shape": str(f.output_shape),
        "output_dims": list(f.output_shape.dims),
        "weights": f.weights,
        "biases": f.biases,
        "trainable": f.trainable,
        "non_trainable": f.non_trainable,
        "params": f.params,
        "macs": f.macs,
        "output_values": f.output_values,
        "output_bytes": out_bytes,
        "view_of": view_of,
        "stored_bytes": fig.stored_bytes(f),
        "padding": dict(zip(("top", "bottom", "left", "right"), f.padding, strict=True))
        if f.padding
        else None,
        "steps": steps,
    }
    if flops:
        row["flops"] = 2 * f.macs
    return row


def memory_cell(row: Dict) -> str:
    """What a layer's output takes for one image, as the summary tables show it: its size, or
    for a view (flatten, an activation layer) the layer whose memory it shares."""
    owner = row["view_of"]
    if owner is None:
        return fmt_mb(row["output_bytes"])
    return f"view of {owner or 'input'}"


def totals(fig: NetworkFigures, flops: bool = False) -> Dict:
    """The sums of the table's columns: every total is the sum of its rows."""
    out: Dict = {
        "params": fig.params,
        "trainable": fig.trainable,
        "non_trainable": fig.non_trainable,
        "param_bytes": fig.param_bytes,
        "macs": fig.macs,
        "output_values": sum(f.output_values for f in fig.layers),
        "output_bytes": sum(fig.output_bytes(f) for f in fig.layers),
        "stored_bytes": sum(fig.stored_bytes(f) for f in fig.layers),
    }
    if flops:
        out["flops"] = 2 * fig.macs
    return out


def _owner(fig: NetworkFigures, index: int) -> str:
    """``layer 3 (Conv2D)`` or ``the input``: whose memory a view shares."""
    return f"layer {index} ({fig.layers[index - 1].name})" if index else "the input"


def _views(fig: NetworkFigures) -> str:
    """`` (views add nothing: layers 2, 4)``, or nothing when the network has no view."""
    views = [str(f.index) for f in fig.layers if f.is_view]
    if not views:
        return ""
    return f" (views add nothing: layer{'s' if len(views) > 1 else ''} {', '.join(views)})"


# --------------------------------------------------------------------------------------------
# Whole reports, one per calculator


def _input(fig: NetworkFigures) -> Dict:
    return {
        "shape": str(fig.input_shape),
        "values": fig.input_shape.values,
        "bytes": fig.input_bytes,
    }


def layers_report(
    calc: str, fig: NetworkFigures, flops: bool = False, v: Verification | None = None
) -> Dict:
    """``calc conv|pool|dense``: one layer (or a few) with every figure's working."""
    return {
        "calc": calc,
        "input": _input(fig),
        "dtype": fig.dtype,
        "bytes_per_value": fig.bytes_per_value,
        "layers": [layer_row(fig, f, flops) for f in fig.layers],
        "assumptions": assumptions(fig, flops),
        "verification": verification(v),
    }


def next_dense(channels: int, flat_values: int, units: int, calc: str) -> Dict:
    """What flatten and global average pooling each cost the dense layer after them."""
    flat = (flat_values + 1) * units
    gap = (channels + 1) * units
    mine, other = ("flatten", "gap") if calc == "flatten" else ("gap", "flatten")
    costs = {
        "flatten": {
            "values": flat_values,
            "dense_params": flat,
            "step": f"Dense {units} after flatten: ({fmt_int(flat_values)} + 1)·{units} = {fmt_int(flat)}",
        },
        "gap": {
            "values": channels,
            "dense_params": gap,
            "step": f"Dense {units} after gap: ({fmt_int(channels)} + 1)·{units} = {fmt_int(gap)}",
        },
    }
    ratio = flat / gap
    sentence = (
        f"{mine} feeds {fmt_int(costs[mine]['values'])} values to the next layer, so a Dense {units} "
        f"after it needs {fmt_int(costs[mine]['dense_params'])} parameters; {other} would feed "
        f"{fmt_int(costs[other]['values'])} values and need {fmt_int(costs[other]['dense_params'])}"
        f" (flatten costs {ratio:.3g}× as many)."
    )
    return {"units": units, **costs, "ratio": ratio, "sentence": sentence}


def model_report(
    fig: NetworkFigures,
    batch: int,
    optimizer: str,
    flops: bool = False,
    v: Verification | None = None,
    saved: SavedTensors | None = None,
) -> Dict:
    """``calc model``: the summary table, its totals, and the RAM model term by term."""
    pred = prediction_ram(fig)
    train = training_ram(fig, batch, optimizer)
    peak = fig.layers[pred.peak_layer - 1] if pred.peak_layer else None
    per_image = train.outputs_per_image
    state = OPTIMIZER_STATE[optimizer]
    terms = [
        {
            "term": f"layer outputs × {batch}",
            "bytes": train.outputs_bytes,
            "working": f"{fmt_int(per_image)} bytes · {batch}{_views(fig)}",
        },
        {
            "term": f"inputs × {batch}",
            "bytes": train.inputs_bytes,
            "working": f"{fmt_int(fig.input_bytes)} bytes · {batch}",
        },
        {
            "term": "parameters",
            "bytes": train.param_bytes,
            "working": f"{fmt_int(fig.params)} · {fig.bytes_per_value} bytes",
        },
        {
            "term": "gradients",
            "bytes": train.gradient_bytes,
            "working": f"one per trainable parameter: {fmt_int(fig.trainable)} · {fig.bytes_per_value} bytes",
        },
        {
            "term": f"optimizer state ({optimizer})",
            "bytes": train.optimizer_bytes,
            "working": f"{state} value{'s' if state != 1 else ''} per trainable parameter",
        },
    ]
    network = fig.network
    report = {
        "calc": "model",
        "name": network.name,
        "source": network.source,
        "input": _input(fig),
        "dtype": fig.dtype,
        "bytes_per_value": fig.bytes_per_value,
        "layers": [layer_row(fig, f, flops) for f in fig.layers],
        "totals": totals(fig, flops),
        "prediction_ram": {
            "peak_layer": pred.peak_layer,
            "peak_name": peak.name if peak else None,
            "input_bytes": pred.input_bytes,
            "output_bytes": pred.output_bytes,
            "param_bytes": pred.param_bytes,
            "total": pred.total,
            "working": f"{fmt_mb(pred.input_bytes)} + {fmt_mb(pred.output_bytes)} + {fmt_mb(pred.param_bytes)}"
            f" = {fmt_mb(pred.total)}",
        },
        "training_ram": {
            "batch": batch,
            "optimizer": optimizer,
            "terms": terms,
            "total": train.total,
        },
        "autograd": autograd(fig, saved, train.outputs_bytes + train.inputs_bytes)
        if saved
        else None,
        "assumptions": assumptions(fig, flops, ram=True),
        "verification": verification(v),
    }
    return report


def receptive_report(
    fig: NetworkFigures,
    v: Verification | None = None,
    measured: tuple[MeasuredField, ...] | None = None,
) -> Dict:
    """``calc receptive``: receptive field and jump (effective stride) per layer, with working.

    ``measured``: the fields torch found (``bridge_receptive``), shown beside the arithmetic's.
    """
    by_index = {m.index: m for m in measured or ()}
    rows = []
    field_in, jump_in = (1, 1), (1, 1)
    for r, f in zip(receptive_field(fig.network), fig.layers, strict=True):
        if r.is_global:
            working = "whole input"
        elif r.kernel == (1, 1) and r.stride == (1, 1):
            working = "keeps positions"
        else:
            working = " and ".join(
                f"{field_in[a]} + ({r.kernel[a]} - 1)·{jump_in[a]} = {r.field[a]}"
                for a in (
                    (0,)
                    if r.field[0] == r.field[1]
                    and field_in[0] == field_in[1]
                    and r.kernel[0] == r.kernel[1]
                    and jump_in[0] == jump_in[1]
                    else (0, 1)
                )
            )
        rows.append(
            {
                "index": r.index,
                "layer": r.name,
                "label": layer_label(f.layer),
                "output_shape": str(f.output_shape),
                "kernel": _size(r.kernel),
                "stride": _size(r.stride),
                "jump": _size(r.jump),
                "field": _size(r.field),
                "global": r.is_global,
                "working": working,
                "measured": _measured(by_index.get(r.index)),
            }
        )
        field_in, jump_in = r.field, r.jump
    n3 = stacked_receptive_field(3)
    note = (
        f"n stacked 3x3 convolutions with stride 1 see (2n + 1)x(2n + 1): three of them see "
        f"{n3}x{n3} with 3·3·3 = {weights_per_channel_pair(3)} weights per channel pair, where one "
        f"{n3}x{n3} kernel needs {n3}·{n3} = {n3 * n3}"
    )
    check = verification(v)
    if check and check["ok"] and measured:
        check["sentence"] += "; so do the receptive fields torch measured"
    return {
        "calc": "receptive",
        "input": _input(fig),
        "dtype": fig.dtype,
        "rule": "r_out = r_in + (k - 1)·jump_in; jump_out = jump_in·stride (per axis; dilation widens k)",
        "layers": rows,
        "field": rows[-1]["field"] if rows else "1x1",
        "stacked_note": note,
        "measured_how": (
            "torch: the gradient of one central output value of each layer with respect to the input, "
            "on a one-channel copy with positive weights and max pooling as average pooling; "
            "(edge): the field reaches the input's border and may be cut there"
            if measured
            else None
        ),
        "verification": check,
    }


def _measured(m: MeasuredField | None) -> str | None:
    if m is None:
        return None
    text = _size(m.field)
    return f"{text} (edge)" if any(m.clipped) else text
