"""``calc receptive``'s report: receptive field and jump (effective stride) per layer.

Pure, built from ``net.arithmetic.receptive_field``; torch's measured fields, when there are
any, are set beside the arithmetic's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from cnnquiz.net.figures import NetworkFigures
from cnnquiz.net.receptive import (
    ReceptiveRow,
    receptive_field,
    stacked_receptive_field,
    weights_per_channel_pair,
)
from cnnquiz.report.build import hints, input_size
from cnnquiz.report.figures import Pair
from cnnquiz.report.labels import layer_label, size_text
from cnnquiz.report.model import FieldRow, ReceptiveReport
from cnnquiz.report.notes import verification
from cnnquiz.report.verdicts import MeasuredField, TorchVerdict

RULE = "r_out = r_in + (k - 1)·jump_in; jump_out = jump_in·stride (per axis; dilation widens k)"
MEASURED_HOW = (
    "torch: the gradient of one central output value of each layer with respect to the input, "
    "on a one-channel copy with positive weights and max pooling as average pooling; "
    "(edge): the field reaches the input's border and may be cut there"
)


def _working(r: ReceptiveRow, field_in: Pair, jump_in: Pair) -> str:
    """``5 + (3 - 1)·1 = 7``: the rule with this layer's numbers, once when both axes agree."""
    if r.is_global:
        return "whole input"
    if r.kernel == (1, 1) and r.stride == (1, 1):
        return "keeps positions"
    square = all(p[0] == p[1] for p in (r.field, field_in, r.kernel, jump_in))
    return " and ".join(
        f"{field_in[a]} + ({r.kernel[a]} - 1)·{jump_in[a]} = {r.field[a]}"
        for a in ((0,) if square else (0, 1))
    )


def _measured(m: MeasuredField | None) -> str | None:
    if m is None:
        return None
    text = size_text(m.field)
    return f"{text} (edge)" if any(m.clipped) else text


def _row(fig: NetworkFigures, r: ReceptiveRow, m: MeasuredField | None) -> FieldRow:
    field_in, jump_in = r.field_in, r.jump_in
    f = fig.layers[r.index - 1]
    network = fig.network
    return FieldRow(
        index=r.index,
        layer=r.name,
        label=layer_label(f.layer, short=network.is_graph),
        output_shape=str(f.output_shape),
        kernel=size_text(r.kernel),
        stride=size_text(r.stride),
        jump=size_text(r.jump),
        field=size_text(r.field),
        is_global=r.is_global,
        working=_working(r, field_in, jump_in) + (f" ({r.note})" if r.note else ""),
        measured=_measured(m),
        name=network.name_of(r.index),
        scope=network.scope_of(r.index),
        sources=network.sources(r.index) if network.is_graph else (),
    )


def _merges_worked(rows: tuple[FieldRow, ...]) -> tuple[FieldRow, ...]:
    """A merge layer (add, concat, multiply) sees what each of its inputs sees: its working
    names their fields, the largest of which is its own (the field over every path)."""

    def field_of(source: int) -> str:
        return rows[source - 1].field if source else "1x1"

    return tuple(
        replace(
            row,
            working=f"largest of its inputs': {', '.join(field_of(s) for s in row.sources)}",
        )
        if len(row.sources) > 1 and not row.is_global
        else row
        for row in rows
    )


def _stacked_note() -> str:
    """Why stacked 3x3 convolutions: as wide a field as one big kernel, for fewer weights."""
    n3 = stacked_receptive_field(3)
    return (
        f"n stacked 3x3 convolutions with stride 1 see (2n + 1)x(2n + 1): three of them see "
        f"{n3}x{n3} with 3·3·3 = {weights_per_channel_pair(3)} weights per channel pair, where one "
        f"{n3}x{n3} kernel needs {n3}·{n3} = {weights_per_channel_pair(1, n3)}"
    )


def receptive_report(
    fig: NetworkFigures,
    v: TorchVerdict | None = None,
    measured: Sequence[MeasuredField] | None = None,
) -> ReceptiveReport:
    """``calc receptive``: receptive field and jump (effective stride) per layer, with working.

    ``measured``: the fields torch found (``torchcheck.receptive``), shown beside the arithmetic's.
    """
    by_index = {m.index: m for m in measured or ()}
    rows = _merges_worked(
        tuple(_row(fig, r, by_index.get(r.index)) for r in receptive_field(fig.network))
    )
    check = verification(v)
    if check and check.ok and measured:
        check = replace(
            check, sentence=check.sentence + "; so do the receptive fields torch measured"
        )
    return ReceptiveReport(
        input=input_size(fig),
        dtype=fig.dtype,
        rule=RULE,
        layers=rows,
        field=rows[-1].field if rows else "1x1",
        stacked_note=_stacked_note(),
        measured_how=MEASURED_HOW if measured else None,
        verification=check,
        hints=hints(fig),
    )
