"""``cnnquiz zoo``: the bundled architectures, each with its parameter count and where it is published.

The counts are computed here from each spec (no torch), so the list shows what ``calc model
NAME`` will find; a count that differs from the published one is a broken zoo file, and the
command says so and exits 1, as any failed check does.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

from cnnquiz import zoo
from cnnquiz.cli.common import Subcommands, console, print_json, print_table
from cnnquiz.net.arithmetic import analyze
from cnnquiz.net.units import fmt_int


def register(sub: Subcommands) -> None:
    parser = sub.add_parser(
        "zoo",
        help="the bundled architectures (LeNet-5 to MobileNet): cnnquiz calc model resnet18",
        description="The architectures the course examines, bundled as specs whose trainable "
        "parameter counts equal the published ones. Give a name to calc: "
        "cnnquiz calc model resnet18, cnnquiz calc receptive vgg16.",
    )
    parser.add_argument("--json", action="store_true", help="print the list as one JSON document")
    parser.set_defaults(run=run)


@dataclass(frozen=True)
class _Row:
    entry: zoo.Entry
    title: str
    input: str
    trainable: int


def _rows() -> list[_Row]:
    rows = []
    for entry in zoo.ZOO:
        network = zoo.load(entry.name)
        trainable = analyze(network).trainable
        rows.append(_Row(entry, network.name or entry.name, str(network.input), trainable))
    return rows


def run(args: argparse.Namespace) -> int:
    rows = _rows()
    if args.json:
        print_json([_as_dict(row) for row in rows])
    else:
        _print(rows)
    wrong = [row for row in rows if row.trainable != row.entry.published]
    for row in wrong:
        print(
            f"cnnquiz: mismatch: zoo {row.entry.name}: {fmt_int(row.trainable)} trainable "
            f"parameters, published {fmt_int(row.entry.published)} ({row.entry.source})",
            file=sys.stderr,
        )
    return 1 if wrong else 0


def _as_dict(row: _Row) -> dict[str, object]:
    return {
        "name": row.entry.name,
        "title": row.title,
        "input": row.input,
        "trainable_params": row.trainable,
        "published_params": row.entry.published,
        "published_by": row.entry.source,
    }


def _print(rows: list[_Row]) -> None:
    from rich.table import Table

    out = console()
    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("name")
    table.add_column("network")
    table.add_column("input", justify="right")
    table.add_column("trainable params", justify="right")
    table.add_column("published by")
    for row in rows:
        table.add_row(row.entry.name, row.title, row.input, fmt_int(row.trainable), row.entry.source)
    print_table(out, table, wrap=("published by",), optional=("published by", "network"))
    out.print(
        "Each count equals the published one (trainable parameters; batch norm's moving "
        "statistics are not). See one: cnnquiz calc model NAME"
    )
