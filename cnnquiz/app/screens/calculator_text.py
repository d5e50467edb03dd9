"""What the calculator screen writes under its table: the table's rows, the RAM and the working.

Rich text from a ``report.model.ModelReport`` (nothing computed here), apart from the screen so
that a chain and a graph are laid out in one place: on a graph the table gains a ``From``
column and a heading row per block use, and the RAM names each tensor alive at the peak.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from cnnquiz.net.units import fmt_int, fmt_mb
from cnnquiz.report.graph import from_cell, inputs_text, local_name
from cnnquiz.report.labels import memory_cell

if TYPE_CHECKING:
    from cnnquiz.report.model import LayerRow, ModelReport, PredictionRamNote

STEPS_SHOWN = 100  # layers whose working is written out (the table has every layer)
CHAIN_COLUMNS = ("#", "Layer", "Output", "Params", "MACs", "Out MB")
GRAPH_COLUMNS = ("#", "Layer", "From", "Output", "Params", "MACs", "Out MB")

Cell = str | Text


def is_graph(report: ModelReport) -> bool:
    return any(row.sources for row in report.layers)


def _layer_cell(row: LayerRow, graph: bool) -> str:
    """The label; on a graph indented under its block's heading, its name first (a merge
    layer's input shapes are in its working, below: the table stays narrow)."""
    if not graph:
        return row.label
    text = f"{local_name(row.name, row.scope)}: {row.label}" if row.name else row.label
    return f" {text}" if row.scope else text


def table_rows(report: ModelReport) -> list[tuple[Cell, ...]]:
    """The table's rows, the totals last; on a graph a heading row opens each block use."""
    graph = is_graph(report)
    rows: list[tuple[Cell, ...]] = []
    scope = ""
    for row in report.layers:
        if graph and row.scope and row.scope != scope:
            rows.append(("", Text(row.scope, style="bold"), *[""] * 5))
        scope = row.scope
        frm: tuple[Cell, ...] = (from_cell(report.layers, row),) if graph else ()
        rows.append(
            (
                str(row.index),
                _layer_cell(row, graph),
                *frm,
                row.output_shape,
                fmt_int(row.params),
                fmt_int(row.macs),
                memory_cell(row).removesuffix(" MB"),
            )
        )
    t = report.totals
    rows.append(
        (
            "",
            Text("total", style="bold"),
            *(("",) if graph else ()),
            "",
            Text(fmt_int(t.params), style="bold"),
            Text(fmt_int(t.macs), style="bold"),
            fmt_mb(t.stored_bytes).removesuffix(" MB"),
        )
    )
    return rows


def _prediction(ram: Text, pred: PredictionRamNote) -> None:
    ram.append("\nOne prediction ", style="bold")
    if not pred.held:
        ram.append(
            f"(peak at layer {pred.peak_layer}: input + output + parameters) {pred.working}"
        )
        return
    where = f"{pred.peak_name}, {pred.peak_scope}" if pred.peak_scope else pred.peak_name
    ram.append(f"(peak at layer {pred.peak_layer}, {where}: the tensors alive) {pred.working}")
    for t in pred.held:
        ram.append(f"\n  {t.layer:<34} {fmt_mb(t.bytes):>10}  ")
        ram.append(t.why, style="dim")


def ram_text(report: ModelReport) -> Text:
    """Parameters, one prediction and training, each term with its working."""
    t, pred, train = report.totals, report.prediction_ram, report.training_ram
    ram = Text()
    ram.append("Parameters ", style="bold")
    ram.append(f"{fmt_int(t.params)} = {fmt_int(t.param_bytes)} bytes = {fmt_mb(t.param_bytes)}")
    if t.non_trainable:
        ram.append(f" ({fmt_int(t.trainable)} trainable)")
    _prediction(ram, pred)
    ram.append(f"\nTraining, batch {train.batch}, {train.optimizer} ", style="bold")
    ram.append(f"{fmt_mb(train.total)}")
    for term in train.terms:
        ram.append(f"\n  {term.term:<26} {fmt_mb(term.bytes):>10}  ")
        ram.append(term.working, style="dim")
    return ram


def steps_text(report: ModelReport) -> Text:
    """The working of the first ``STEPS_SHOWN`` layers, then the assumptions; a merge layer's
    heading shows the shapes it combines."""
    steps = Text()
    rows = report.layers
    for row in rows[:STEPS_SHOWN]:
        merged = f": {inputs_text(row)} → {row.output_shape}" if len(row.input_shapes) > 1 else ""
        steps.append(f"{row.index}. {row.label}{merged}\n", style="bold")
        for line in row.steps:
            steps.append(f"   {line}\n")
    if len(rows) > STEPS_SHOWN:
        steps.append(
            f"… the working of layers {STEPS_SHOWN + 1}-{len(rows)}: cnnquiz calc model FILE\n",
            style="italic",
        )
    for line in report.assumptions:
        steps.append(f"· {line}\n", style="dim")
    return steps
