"""``cnnquiz export FORMAT BANK...``: proven banks out to the LMS (GIFT, Moodle XML) and Anki.

Every format shares the selection arguments (``--topic``, ``--difficulty``, ``--count``,
``--seed``, ``--variants``), the proof (a bank ``bank check`` rejects is refused) and the
summary line on stderr. A format is one call: :func:`add_text_format` for text written to
``-o FILE`` or stdout, :func:`add_file_format` for a file that needs a name (a zip, a database).
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from cnnquiz.cli.common import Subcommands
from cnnquiz.cli.instruct_args import add_selection_args, selected
from cnnquiz.errors import CnnquizError

if TYPE_CHECKING:
    from cnnquiz.instruct.source import Exported

TextWriter = Callable[["Sequence[Exported]", TextIO], int]  # questions written
FileWriter = Callable[["Sequence[Exported]", Path, argparse.Namespace], int]


def register(sub: Subcommands) -> None:
    parser = sub.add_parser(
        "export",
        help="export question banks to Moodle (GIFT, Moodle XML) and Anki",
        description="Export proven question banks: every key is checked as `bank check` checks "
        "it (a bank it rejects is refused), and a computed question becomes --variants fixed "
        "variants, each proven, in a category of its own.",
    )
    formats = parser.add_subparsers(
        dest="export_format", metavar="FORMAT", parser_class=type(parser)
    )
    add_text_format(
        formats,
        "gift",
        "Moodle's GIFT text format (multi-part items as separate questions)",
        _gift,
        variants=10,
    )
    add_text_format(
        formats,
        "moodle",
        "Moodle XML (units, multi-part items as cloze questions)",
        _moodle,
        variants=10,
    )
    anki = add_file_format(
        formats,
        "anki",
        "an Anki deck (.apkg; importing it again updates the cards)",
        _anki,
        variants=3,
    )
    anki.add_argument(
        "--deck",
        default="CNN exam prep",
        type=_deck_name,
        metavar="NAME",
        help="the deck's name in Anki (default: CNN exam prep); the same name updates the deck",
    )
    parser.set_defaults(run=lambda args: _no_format(parser))


def add_text_format(
    formats: Subcommands, name: str, help: str, write: TextWriter, variants: int
) -> argparse.ArgumentParser:
    """``export NAME``, whose writer prints text (UTF-8) to ``-o FILE`` or to stdout."""
    parser = _add(
        formats, name, help, variants, "the file to write (UTF-8); without it, or -: stdout"
    )
    parser.set_defaults(run=lambda args: _run_text(args, write))
    return parser


def add_file_format(
    formats: Subcommands, name: str, help: str, write: FileWriter, variants: int
) -> argparse.ArgumentParser:
    """``export NAME``, whose writer makes the file ``-o FILE`` itself (it gets the parsed
    arguments too, for the options it adds to the parser returned), e.g.::

        deck = add_file_format(formats, "anki", "an Anki deck (.apkg)", _anki, variants=3)
        deck.add_argument("--deck", default="CNN exam prep", help="the deck's name")

    with ``_anki(exported, path, args)`` calling ``write_apkg(exported, path, args.deck)``."""
    parser = _add(formats, name, help, variants, "the file to write (required)")
    parser.set_defaults(run=lambda args: _run_file(args, write))
    return parser


def _add(
    formats: Subcommands, name: str, help: str, variants: int, output: str
) -> argparse.ArgumentParser:
    parser = formats.add_parser(name, help=help, description=f"Export to {help}.")
    add_selection_args(parser, variants=variants)
    parser.add_argument("-o", "--output", metavar="FILE", help=output)
    return parser


def _run_text(args: argparse.Namespace, write: TextWriter) -> int:
    exported = selected(args)
    buffer = io.StringIO()
    count = write(exported, buffer)
    if args.output in (None, "-"):
        _to_stdout(buffer.getvalue())
        where = "stdout"
    else:
        Path(args.output).write_text(buffer.getvalue(), encoding="utf-8", newline="\n")
        where = args.output
    print(summary(exported, count, where), file=sys.stderr)
    return 0


def _to_stdout(text: str) -> None:
    """UTF-8 whatever the locale says (a file for Moodle is UTF-8)."""
    binary = getattr(sys.stdout, "buffer", None)
    if binary is None:  # a replaced stdout (a test's): it takes text
        sys.stdout.write(text)
        return
    sys.stdout.flush()
    binary.write(text.encode("utf-8"))
    binary.flush()


def _run_file(args: argparse.Namespace, write: FileWriter) -> int:
    if args.output in (None, "-"):
        raise CnnquizError(f"export {args.export_format} writes a file: give -o FILE", "-o")
    exported = selected(args)
    count = write(exported, Path(args.output), args)
    print(summary(exported, count, args.output), file=sys.stderr)
    return 0


def summary(exported: Sequence[Exported], count: int, where: str) -> str:
    """``wrote 278 questions (58 computed x 10 variants) to course.gift``: a multi-part item
    counts once among the computed ones; fewer variants than asked show as a range."""
    from cnnquiz.textsafe import printable

    sizes: dict[str, int] = {}
    for e in exported:
        if e.question.is_computed:
            sizes[e.question.group or e.question.id] = len(e.items)
    noun = "question" if count == 1 else "questions"
    text = f"wrote {count:,} {noun}"
    if sizes:
        low, high = min(sizes.values()), max(sizes.values())
        spread = f"{low}-{high}" if low != high else f"{high}"
        text += f" ({len(sizes):,} computed x {spread} variant{'' if spread == '1' else 's'})"
    return f"{text} to {printable(where)}"


def _no_format(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _gift(exported: Sequence[Exported], out: TextIO) -> int:
    from cnnquiz.instruct.gift import write_gift

    return write_gift(exported, out)


def _moodle(exported: Sequence[Exported], out: TextIO) -> int:
    from cnnquiz.instruct.moodle_xml import write_moodle_xml

    return write_moodle_xml(exported, out)


def _anki(exported: Sequence[Exported], path: Path, args: argparse.Namespace) -> int:
    from cnnquiz.instruct.anki import write_apkg

    return write_apkg(exported, path, args.deck)


def _deck_name(text: str) -> str:
    """A deck's name as Anki shows it: printable, not empty (``A::B`` is deck B inside A)."""
    from cnnquiz.textsafe import printable

    name = printable(text).strip()
    if not name:
        raise argparse.ArgumentTypeError("a deck needs a name")
    return name
