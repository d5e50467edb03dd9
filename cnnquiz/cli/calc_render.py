"""Rich rendering of the calculators' reports (the dataclasses of ``cnnquiz.report.model``).

Only the command line imports this: the figures and their working come ready from the
report; here they become tables and indented lines, nothing is computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.console import JustifyMethod
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from cnnquiz.cli.common import console, print_table
from cnnquiz.net.units import fmt_int, fmt_mb
from cnnquiz.report.graph import from_cell, inputs_text, local_name
from cnnquiz.report.labels import memory_cell
from cnnquiz.report.model import (
    AutogradNote,
    LayerRow,
    LayersReport,
    ModelReport,
    NextDense,
    PredictionRamNote,
    RamTerm,
    ReceptiveReport,
    TrainingRamNote,
)

Report = LayersReport | ModelReport | ReceptiveReport


@dataclass(frozen=True)
class _Fit:
    """A table for ``print_table``: which columns may wrap, which go first on a narrow terminal."""

    table: Table
    wrap: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()


def _print(*items: Any) -> None:
    out = console()
    for item in items:
        if isinstance(item, _Fit):
            print_table(out, item.table, wrap=item.wrap, optional=item.optional)
        else:
            out.print(item)


def _line(text: str, indent: int = 2, style: str = "") -> Padding:
    """An indented line whose wrapped continuation keeps the indent."""
    return Padding(Text(text, style=style), (0, 0, 0, indent), expand=False)


def _bullet(text: str, indent: int = 2) -> Padding:
    """``- text``, indented; a wrapped continuation lines up under the text, not the dash."""
    grid = Table.grid(padding=(0, 1, 0, 0))
    grid.add_column(no_wrap=True)
    grid.add_column()
    grid.add_row("-", Text(text))
    return Padding(grid, (0, 0, 0, indent), expand=False)


def _input_line(report: Report) -> str:
    i = report.input
    return (
        f"Input: {i.shape} = {fmt_int(i.values)} values = {fmt_int(i.bytes)} bytes "
        f"({fmt_mb(i.bytes)}, {report.dtype})"
    )


def _footer(report: Report) -> list[Any]:
    """The assumptions (where the report has them) and torch's verdict."""
    items: list[Any] = []
    if not isinstance(report, ReceptiveReport) and report.assumptions:
        items.append(Text("Assumptions", style="bold"))
        items += [_bullet(line) for line in report.assumptions]
    check = report.verification
    if check is None:
        items.append(Text("not verified in PyTorch (--no-verify)", style="dim"))
    else:
        items.append(Text(check.sentence, style="green" if check.ok else "bold red"))
    return items


def _working(row: LayerRow) -> list[Any]:
    shapes = inputs_text(row) if len(row.input_shapes) > 1 else row.input_shape
    lines: list[Any] = [
        Text(f"{row.index}. {row.label}: {shapes} → {row.output_shape}", style="bold")
    ]
    pad = row.padding
    for step in row.steps:
        lines.append(_line(step, 3))
        if pad and any(n for _, n in pad.sides()) and step.startswith("output width"):
            sides = ", ".join(f"{n} {side}" for side, n in pad.sides())
            lines.append(_line(f"padding = {sides}", 3))
    return lines


def _next_dense(nd: NextDense) -> list[Any]:
    return [
        Text(f"What it costs the next layer (Dense {nd.units})", style="bold"),
        _line(nd.flatten.step, 3),
        _line(nd.gap.step, 3),
        Text(nd.sentence),
    ]


def render_layers(report: LayersReport) -> None:
    """``calc conv|pool|dense|flatten|gap``: the working of each layer, then the comparison."""
    items: list[Any] = [Text(_input_line(report))]
    nd = report.next_dense
    # flatten and gap: the Dense layer after them is priced below, not worked out
    for row in report.layers if nd is None else report.layers[:1]:
        items += _working(row)
    if nd is not None:
        items += _next_dense(nd)
    _print(*items, *_footer(report))


def _summary_table(report: ModelReport) -> Table:
    t = report.totals
    graph = any(row.sources for row in report.layers)
    table = Table(
        show_footer=True, box=None, pad_edge=False, header_style="bold", footer_style="bold"
    )
    table.add_column("#", justify="right", footer="")
    table.add_column("Layer", footer="Total")
    if graph:  # narrow: its names break at the commas, the labels keep the room
        table.add_column("From", footer="", max_width=10)
    table.add_column("Shape" if graph else "Output shape", footer="")
    table.add_column("Params", justify="right", footer=fmt_int(t.params))
    table.add_column("MACs", justify="right", footer=fmt_int(t.macs))
    if t.flops is not None:
        table.add_column("FLOPs", justify="right", footer=fmt_int(t.flops))
    table.add_column(
        "Output" if graph else "Output (1 image)", justify="right", footer=fmt_mb(t.stored_bytes)
    )
    scope = ""
    for row in report.layers:
        if graph and row.scope != scope and row.scope:
            table.add_row("", Text(row.scope, style="bold"))  # the block use its rows come from
        scope = row.scope
        cells: list[str | Text] = [str(row.index), _layer_cell(row) if graph else row.label]
        if graph:
            cells.append(from_cell(report.layers, row))
        cells += [row.output_shape, fmt_int(row.params), fmt_int(row.macs)]
        if row.flops is not None:
            cells.append(fmt_int(row.flops))
        cells.append(memory_cell(row))
        table.add_row(*cells)
    return table


def _layer_cell(row: LayerRow) -> str:
    """On a graph: indented under its block's heading, its name first, a merge's input shapes."""
    text = row.label
    if row.name:
        text = f"{local_name(row.name, row.scope)}: {text}"
    if len(row.input_shapes) > 1:
        text = f"{text} {inputs_text(row)}"
    return f" {text}" if row.scope else text


def _ram_table(terms: tuple[RamTerm, ...], total: int) -> Table:
    table = Table(
        show_header=False, show_footer=True, box=None, pad_edge=False, footer_style="bold"
    )
    table.add_column("term", footer="  total")
    table.add_column("working", footer="")
    table.add_column("bytes", justify="right", footer=fmt_mb(total))
    for term in terms:
        table.add_row(f"  {term.term}", term.working, fmt_mb(term.bytes))
    return table


def _parameters(report: ModelReport) -> Text:
    t = report.totals
    nt = (
        f", of which {fmt_int(t.non_trainable)} non-trainable"
        if t.non_trainable
        else " (all trainable)"
    )
    return Text(
        f"Parameters: {fmt_int(t.params)}{nt} = {fmt_int(t.param_bytes)} bytes = "
        f"{fmt_mb(t.param_bytes)}"
    )


def _prediction(report: ModelReport) -> list[Any]:
    p = report.prediction_ram
    if p.held:
        return _prediction_graph(p)
    items: list[Any] = [
        Text(
            "\nRAM for one prediction (a layer needs its input and its output at once, plus all parameters)",
            style="bold",
        )
    ]
    if p.peak_layer:
        items.append(
            _line(
                f"largest input + output: layer {p.peak_layer} ({p.peak_name}): "
                f"{fmt_mb(p.input_bytes)} in + {fmt_mb(p.output_bytes)} out"
            )
        )
    items.append(_line(f"parameters: {fmt_mb(p.param_bytes)}"))
    items.append(_line(f"total: {p.working}", style="bold"))
    return items


def _prediction_graph(p: PredictionRamNote) -> list[Any]:
    """On a graph: the tensors alive at the peak, each with why it is still held."""
    where = f"{p.peak_name}, {p.peak_scope}" if p.peak_scope else p.peak_name
    held = Table(show_header=False, box=None, pad_edge=False)
    held.add_column("tensor")
    held.add_column("bytes", justify="right")
    held.add_column("why")
    for t in p.held:
        held.add_row(f"    {t.layer}", fmt_mb(t.bytes), t.why)
    return [
        Text(
            "\nRAM for one prediction (a tensor lives from the layer that makes it until its "
            "last reader has run, plus all parameters)",
            style="bold",
        ),
        _line(f"peak at layer {p.peak_layer} ({where}): {len(p.held)} tensors alive while it runs"),
        _Fit(held, wrap=("why", "tensor")),
        _line(f"parameters: {fmt_mb(p.param_bytes)}"),
        _line(f"total: {p.working}", style="bold"),
    ]


def _training(tr: TrainingRamNote) -> list[Any]:
    return [
        Text(
            f"\nRAM for training on a batch of {tr.batch} ({tr.optimizer}; backprop keeps every layer's output)",
            style="bold",
        ),
        _Fit(_ram_table(tr.terms, tr.total), wrap=("working",)),
    ]


def _autograd(a: AutogradNote) -> list[Any]:
    items: list[Any] = [
        Text(f"\nWhat autograd really keeps for backward: {fmt_mb(a.saved_bytes)}", style="bold"),
        _line(f"measured with saved_tensors_hooks on {a.measured_on}, deduplicated by storage"),
        _line(
            f"textbook layer outputs + inputs: {fmt_mb(a.textbook_bytes)}; autograd also "
            f"references {fmt_mb(a.param_bytes_referenced)} of weights"
        ),
    ]
    if a.index_bytes:
        items.append(_line(f"of which {fmt_mb(a.index_bytes)} are integer indices (max pooling)"))
    items.append(_line(f"why: {a.why}", 2))
    return items


_GRAPH_COLUMNS = (
    "From: what a layer reads, where not the layer above (input: the network's); "
    "Shape and Output: its output's, for one image"
)


def render_model(report: ModelReport) -> None:
    """``calc model``: summary table, parameters, then RAM to predict and to train."""
    title = report.name or report.source
    items: list[Any] = [Text(f"Network: {title}", style="bold")] if title else []
    # FLOPs are 2 x MACs; the row number only orders the rows: both give way on a narrow terminal
    graph = any(row.sources for row in report.layers)
    # on a graph the From column reads row numbers: the one-image output gives way instead
    optional = ("FLOPs", "Output") if graph else ("FLOPs", "#")
    wrap = ("Layer", "From") if graph else ("Layer",)
    summary = _Fit(_summary_table(report), wrap=wrap, optional=optional)
    items += [Text(_input_line(report)), summary]
    if graph:
        items.append(Text(_GRAPH_COLUMNS, style="dim"))
    items.append(_parameters(report))
    items += _prediction(report)
    items += _training(report.training_ram)
    if report.autograd:
        items += _autograd(report.autograd)
    if report.autograd_skipped:
        items.append(_line(f"\nautograd not measured: {report.autograd_skipped}", 0))
    items.append(Text(""))
    _print(*items, *_footer(report))


_FIELD_COLUMNS: tuple[tuple[str, JustifyMethod], ...] = (
    ("#", "right"),
    ("Layer", "left"),
    ("Output shape", "left"),
    ("Kernel", "right"),
    ("Stride", "right"),
    ("Jump", "right"),
    ("Field", "right"),
    ("Working", "left"),
)


def _field_table(report: ReceptiveReport) -> Table:
    table = Table(box=None, pad_edge=False, header_style="bold")
    measured = report.measured_how is not None
    graph = any(row.sources for row in report.layers)
    torch: tuple[tuple[str, JustifyMethod], ...] = (("Torch", "right"),) if measured else ()
    columns = (*_FIELD_COLUMNS[:2], ("From", "left"), *_FIELD_COLUMNS[2:])
    for name, justify in (*(columns if graph else _FIELD_COLUMNS), *torch):
        table.add_column(name, justify=justify)
    for row in report.layers:
        glob = row.is_global
        label = row.label
        if graph and row.name:
            label = f"{local_name(row.name, row.scope)}: {label}"
        cells = [str(row.index), label, *([from_cell(report.layers, row)] if graph else [])]
        cells += [
            row.output_shape,
            "-" if glob else row.kernel,
            "-" if glob else row.stride,
            "-" if glob else row.jump,
            row.field,
            row.working,
        ]
        if measured:
            cells.append(row.measured or "")
        table.add_row(*cells)
    return table


def render_receptive(report: ReceptiveReport) -> None:
    """``calc receptive``: receptive field ("Field") and jump per layer, the rule, the 3x3 note."""
    how = report.measured_how
    _print(
        Text(_input_line(report)),
        # the working repeats Kernel, Stride and Jump as a sum; Torch confirms Field: both optional
        _Fit(_field_table(report), wrap=("Layer",), optional=("Working", "Torch")),
        Text(f"Rule: {report.rule}"),
        Text(f"An output value of the last layer sees {report.field} input pixels."),
        Text(f"Note: {report.stacked_note}."),
        *([Text(f"Torch column: measured by {how.removeprefix('torch: ')}.")] if how else []),
        *_footer(report),
    )
