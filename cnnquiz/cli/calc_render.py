"""Rich rendering of the calculators' reports (the dicts of ``cnnquiz.report.tables``).

Only the command line imports this: the figures and their working come ready from the
report; here they become tables and indented lines, nothing is computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from cnnquiz.cli.common import console, print_table
from cnnquiz.net.units import fmt_int, fmt_mb
from cnnquiz.report.tables import memory_cell

Report = dict[str, Any]


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
    i = report["input"]
    return (
        f"Input: {i['shape']} = {fmt_int(i['values'])} values = {fmt_int(i['bytes'])} bytes "
        f"({fmt_mb(i['bytes'])}, {report['dtype']})"
    )


def _footer(report: Report, assumptions: bool = True) -> list[Any]:
    items: list[Any] = []
    if assumptions and report.get("assumptions"):
        items.append(Text("Assumptions", style="bold"))
        items += [_bullet(line) for line in report["assumptions"]]
    check = report.get("verification")
    if check is None:
        items.append(Text("not verified in PyTorch (--no-verify)", style="dim"))
    else:
        items.append(Text(check["sentence"], style="green" if check["ok"] else "bold red"))
    return items


def _working(row: Report) -> list[Any]:
    lines: list[Any] = [
        Text(
            f"{row['index']}. {row['label']}: {row['input_shape']} → {row['output_shape']}",
            style="bold",
        )
    ]
    pad = row.get("padding")
    for step in row["steps"]:
        lines.append(_line(step, 3))
        if pad and any(pad.values()) and step.startswith("output width"):
            sides = ", ".join(f"{pad[k]} {k}" for k in ("top", "bottom", "left", "right"))
            lines.append(_line(f"padding = {sides}", 3))
    return lines


def render_layers(report: Report) -> None:
    """``calc conv|pool|dense|flatten|gap``: the working of each layer, then the comparison."""
    items: list[Any] = [Text(_input_line(report))]
    rows = report["layers"]
    shown = rows if "next_dense" not in report else rows[:1]
    for row in shown:
        items += _working(row)
    nd = report.get("next_dense")
    if nd:
        items.append(Text(f"What it costs the next layer (Dense {nd['units']})", style="bold"))
        items += [
            _line(nd["flatten"]["step"], 3),
            _line(nd["gap"]["step"], 3),
            Text(nd["sentence"]),
        ]
    _print(*items, *_footer(report))


def _summary_table(report: Report) -> Table:
    flops = "flops" in report["totals"]
    table = Table(
        show_footer=True, box=None, pad_edge=False, header_style="bold", footer_style="bold"
    )
    table.add_column("#", justify="right", footer="")
    table.add_column("Layer", footer="Total")
    table.add_column("Output shape", footer="")
    t = report["totals"]
    table.add_column("Params", justify="right", footer=fmt_int(t["params"]))
    table.add_column("MACs", justify="right", footer=fmt_int(t["macs"]))
    if flops:
        table.add_column("FLOPs", justify="right", footer=fmt_int(t["flops"]))
    table.add_column("Output (1 image)", justify="right", footer=fmt_mb(t["stored_bytes"]))
    for row in report["layers"]:
        cells = [
            str(row["index"]),
            row["label"],
            row["output_shape"],
            fmt_int(row["params"]),
            fmt_int(row["macs"]),
        ]
        if flops:
            cells.append(fmt_int(row["flops"]))
        cells.append(memory_cell(row))
        table.add_row(*cells)
    return table


def _ram_table(terms: list[Report], total: int) -> Table:
    table = Table(
        show_header=False, show_footer=True, box=None, pad_edge=False, footer_style="bold"
    )
    table.add_column("term", footer="  total")
    table.add_column("working", footer="")
    table.add_column("bytes", justify="right", footer=fmt_mb(total))
    for term in terms:
        table.add_row(f"  {term['term']}", term["working"], fmt_mb(term["bytes"]))
    return table


def render_model(report: Report) -> None:
    """``calc model``: summary table, parameters, then RAM to predict and to train."""
    t = report["totals"]
    title = report.get("name") or report.get("source")
    items: list[Any] = [Text(f"Network: {title}", style="bold")] if title else []
    # FLOPs are 2 x MACs; the row number only orders the rows: both give way on a narrow terminal
    summary = _Fit(_summary_table(report), wrap=("Layer",), optional=("FLOPs", "#"))
    items += [Text(_input_line(report)), summary]
    nt = (
        f", of which {fmt_int(t['non_trainable'])} non-trainable"
        if t["non_trainable"]
        else " (all trainable)"
    )
    items.append(
        Text(
            f"Parameters: {fmt_int(t['params'])}{nt} = {fmt_int(t['param_bytes'])} bytes = "
            f"{fmt_mb(t['param_bytes'])}"
        )
    )
    p = report["prediction_ram"]
    items.append(
        Text(
            "\nRAM for one prediction (a layer needs its input and its output at once, plus all parameters)",
            style="bold",
        )
    )
    if p["peak_layer"]:
        items.append(
            _line(
                f"largest input + output: layer {p['peak_layer']} ({p['peak_name']}): "
                f"{fmt_mb(p['input_bytes'])} in + {fmt_mb(p['output_bytes'])} out"
            )
        )
    items.append(_line(f"parameters: {fmt_mb(p['param_bytes'])}"))
    items.append(_line(f"total: {p['working']}", style="bold"))
    tr = report["training_ram"]
    items.append(
        Text(
            f"\nRAM for training on a batch of {tr['batch']} ({tr['optimizer']}; backprop keeps every layer's output)",
            style="bold",
        )
    )
    items.append(_Fit(_ram_table(tr["terms"], tr["total"]), wrap=("working",)))
    a = report.get("autograd")
    if a:
        items.append(
            Text(
                f"\nWhat autograd really keeps for backward: {fmt_mb(a['saved_bytes'])}",
                style="bold",
            )
        )
        items.append(
            _line(
                f"measured with saved_tensors_hooks on {a['measured_on']}, deduplicated by storage"
            )
        )
        items.append(
            _line(
                f"textbook layer outputs + inputs: {fmt_mb(a['textbook_bytes'])}; autograd also "
                f"references {fmt_mb(a['param_bytes_referenced'])} of weights"
            )
        )
        if a["index_bytes"]:
            items.append(
                _line(f"of which {fmt_mb(a['index_bytes'])} are integer indices (max pooling)")
            )
        items.append(_line(f"why: {a['why']}", 2))
    if report.get("autograd_skipped"):
        items.append(_line(f"\nautograd not measured: {report['autograd_skipped']}", 0))
    items.append(Text(""))
    _print(*items, *_footer(report))


def render_receptive(report: Report) -> None:
    """``calc receptive``: receptive field ("Field") and jump per layer, the rule, the 3x3 note."""
    table = Table(box=None, pad_edge=False, header_style="bold")
    measured = report.get("measured_how") is not None
    columns = [
        ("#", "right"),
        ("Layer", "left"),
        ("Output shape", "left"),
        ("Kernel", "right"),
        ("Stride", "right"),
        ("Jump", "right"),
        ("Field", "right"),
        ("Working", "left"),
    ]
    if measured:
        columns.append(("Torch", "right"))
    for name, justify in columns:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in report["layers"]:
        glob = row["global"]
        cells = [
            str(row["index"]),
            row["label"],
            row["output_shape"],
            "-" if glob else row["kernel"],
            "-" if glob else row["stride"],
            "-" if glob else row["jump"],
            row["field"],
            row["working"],
        ]
        if measured:
            cells.append(row["measured"] or "")
        table.add_row(*cells)
    _print(
        Text(_input_line(report)),
        # the working repeats Kernel, Stride and Jump as a sum; Torch confirms Field: both optional
        _Fit(table, wrap=("Layer",), optional=("Working", "Torch")),
        Text(f"Rule: {report['rule']}"),
        Text(f"An output value of the last layer sees {report['field']} input pixels."),
        Text(f"Note: {report['stacked_note']}."),
        *(
            [Text(f"Torch column: measured by {report['measured_how'].removeprefix('torch: ')}.")]
            if measured
            else []
        ),
        *_footer(report, assumptions=False),
    )
