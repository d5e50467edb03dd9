"""What every subcommand shares: one-line usage errors, JSON output, the Rich console."""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, Protocol

from cnnquiz.errors import SpecError
from cnnquiz.limits import MAX_DIM, number_text, parse_int


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line naming the argument, exit status 2.

    A value that starts with a minus and a digit, ``inf`` or ``nan`` (``--in -200x300x3``,
    ``--kernel -3x3``, ``--weight-decay -inf``) is a value, not an unknown option, so it reaches its reader and gets that reader's message
    ("every dimension must be at least 1") instead of "expected one argument". Python 3.13's
    argparse reads it this way itself; this sets 3.11's the same (no option of cnnquiz looks
    like a negative number).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = re.compile(r"-(?:\.?\d|inf|nan)", re.IGNORECASE)

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {_shorten(message)} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(2)


class Subcommands(Protocol):
    """What each subcommand's ``register(sub)`` is handed: argparse's subparsers action (its
    class is private to argparse)."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser: ...


def _shorten(message: str) -> str:
    """A 5,000-digit value quoted in argparse's message is cut to its start and its length."""
    return re.sub(
        r"'([^']{30})([^']{20,})'", lambda m: f"'{m[1]}…' ({len(m[1] + m[2]):,} characters)", message
    )


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


# Output that is not a terminal (a pipe, a file) has no width: a line is as long as its content.
# Rich needs a number; this one is never reached, and nothing here pads a line to the width.
UNLIMITED_WIDTH = 1_000_000
# A rule (a full-width line) in a pipe is drawn this long: it has no content to size it.
PIPE_RULE_WIDTH = 80
# Spaces that only pad a line (before its newline, perhaps behind closing style codes); each
# run of spaces is tried once from its start, so a long run costs linear time.
_TRAILING_SPACES = re.compile(r"(?<! ) ++(?=(?:\x1b\[[0-9;]*m)*\n)")


def to_terminal() -> bool:
    """Whether stdout is a terminal (``TTY_COMPATIBLE=1``, Rich's own switch, says so too)."""
    flag = os.environ.get("TTY_COMPATIBLE", "")
    if flag in ("0", "1"):
        return flag == "1"
    try:
        return getattr(sys.stdout, "rich_proxied_file", sys.stdout).isatty()
    except ValueError:  # closed at interpreter exit
        return False


class _TrimmedStdout:
    """``sys.stdout`` (looked up at each write, so redirection still works), less the spaces
    that Rich pads table cells with at the end of a line."""

    @staticmethod
    def _target() -> Any:
        # while a Rich progress display runs, sys.stdout is its proxy that prints through the
        # console: write to the file behind it, as Rich's own console does
        return getattr(sys.stdout, "rich_proxied_file", sys.stdout)

    def write(self, text: str) -> int:
        self._target().write(_TRAILING_SPACES.sub("", text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        if name == "rich_proxied_file":  # this is no proxy: Rich must keep writing through it
            raise AttributeError(name)
        return getattr(self._target(), name)


@functools.cache
def _console_class() -> type:
    from rich.console import Console, ConsoleDimensions
    from rich.rule import Rule

    class WholeLinesConsole(Console):
        """A terminal's width on a terminal; anywhere else no width, so nothing wraps or is cut."""

        @property
        def size(self) -> ConsoleDimensions:
            size = super().size
            return size if to_terminal() else ConsoleDimensions(UNLIMITED_WIDTH, size.height)

        @size.setter
        def size(self, new_size: tuple[int, int]) -> None:
            self._width, self._height = new_size

        def rule(self, title: Any = "", **kwargs: Any) -> None:
            width = None if to_terminal() else PIPE_RULE_WIDTH
            self.print(Rule(title, **kwargs), width=width)

        def on_broken_pipe(self) -> None:
            """The reader stopped (``| head -3``): Rich quiets stdout and exits 1; exit 0, as
            ``main`` does for a ``print`` that meets the same closed pipe."""
            try:
                super().on_broken_pipe()
            except SystemExit:
                raise SystemExit(0) from None

    return WholeLinesConsole


def console():
    """The Rich console for human output (imported only by the faces that print).

    On a terminal it wraps at the terminal's width (``COLUMNS`` overrides it); piped or
    redirected, lines are never wrapped or cut, and no line ends in padding spaces.
    """
    return _console_class()(highlight=False, file=_TrimmedStdout())


def print_table(
    out: Any, table: Any, *, wrap: Sequence[str] = (), optional: Sequence[str] = ()
) -> None:
    """Print a borderless Rich ``table`` whole: every cell on one line and never cut.

    Only the columns named in ``wrap`` (prose, labels) may break between words. When the table
    is wider than a terminal, the ``optional`` columns are left out, in that order, until it
    fits, and a line says which; if it still does not fit, it is printed wider than the
    terminal (which then folds the lines) rather than with a figure cut or ellipsised.
    """
    from rich.text import Text

    for column in table.columns:
        column.no_wrap = _name(column) not in wrap
    width = out.width
    left_out = []
    for name in optional:
        if _widths(out, table)[1] <= width:
            break
        column = next((c for c in table.columns if _name(c) == name), None)
        if column is not None:
            _drop(table, column)
            left_out.append(name)
    needed, _ = _widths(out, table)
    if needed <= width:
        out.print(table)
    else:  # Console.print never renders wider than the console: render, then print uncropped
        from rich.segment import Segment, Segments

        lines = out.render_lines(table, out.options.update_width(needed), pad=False)
        out.print(Segments(s for line in lines for s in [*line, Segment.line()]), crop=False)
    if left_out:
        names = ", ".join(left_out)
        out.print(Text(f"(left out to fit {width} columns: {names})", style="dim"))


def _name(column: Any) -> str:
    return str(column.header)


def _drop(table: Any, column: Any) -> None:
    table.columns.remove(column)
    for index, kept in enumerate(table.columns):
        kept._index = index  # Rich reads it to know the first and last column (edge padding)


def _widths(out: Any, table: Any) -> tuple[int, int]:
    """(least, natural) width of a borderless table: the least lets ``no_wrap`` columns keep
    their longest cell and the others their longest word; the natural one keeps every cell on
    one line."""
    from rich.measure import Measurement

    if table.box is not None:
        raise ValueError("print_table measures borderless tables only (box=None)")
    options = out.options.update_width(UNLIMITED_WIDTH)  # a measure is clamped to the width
    least = natural = 0
    _, right, _, left = table.padding
    last = len(table.columns) - 1
    for index, column in enumerate(table.columns):
        cells = list(column.cells)
        if table.show_header:
            cells.append(column.header)
        if table.show_footer:
            cells.append(column.footer)
        lo = hi = 0
        for cell in cells:
            small, large = Measurement.get(out, options, cell)
            lo = max(lo, large if column.no_wrap else small)
            hi = max(hi, large)
        edge = table.pad_edge
        pad = (left if index or edge else 0) + (right if index < last or edge else 0)
        least += lo + pad
        natural += hi + pad
    return least, natural


def int_at_least(minimum: int, what: str, maximum: int = MAX_DIM) -> Callable[[str], int]:
    """An argparse type: a whole number from ``minimum`` to ``maximum`` (2^31 unless said), named
    ``what`` in the error; any length of digits is read safely (see :mod:`cnnquiz.limits`)."""

    def convert(text: str) -> int:
        try:
            value = parse_int(text, "", "the number", maximum)
        except SpecError as exc:
            if "at most" in exc.message:
                raise argparse.ArgumentTypeError(exc.message) from None
            raise argparse.ArgumentTypeError(f"expected {what}, got {number_text(text)}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected {what}, got {number_text(text)}")
        return value

    return convert


positive_int = int_at_least(1, "a positive integer")
non_negative_int = int_at_least(0, "a whole number of at least 0")


def add_banks_and_topic(parser: argparse.ArgumentParser, banks_help: str) -> None:
    """``BANK_OR_DIR...`` and ``--topic T`` (repeatable), as the quiz and the instructors'
    commands read them."""
    parser.add_argument("banks", nargs="*", metavar="BANK_OR_DIR", help=banks_help)
    parser.add_argument(
        "--topic",
        action="append",
        default=[],
        metavar="T",
        help="only questions on this topic (repeatable; part of a name will do)",
    )
