"""The arguments every instructor's command shares (``export ...``, ``exam make``): which banks,
which questions, which variants, and the questions they choose, proven."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cnnquiz.cli.common import add_banks_and_topic, int_at_least, positive_int
from cnnquiz.errors import CnnquizError

if TYPE_CHECKING:
    from cnnquiz.bank.model import Bank
    from cnnquiz.instruct.source import Exported


def add_selection_args(parser: argparse.ArgumentParser, variants: int | None = None) -> None:
    """BANK... --topic --difficulty --count --seed --no-verify, and --variants when a default is
    given (an exam draws one variant per student instead)."""
    add_banks_and_topic(parser, "bank files or folders (default: bundled)")
    parser.add_argument(
        "--difficulty",
        action="append",
        type=int_at_least(1, "a difficulty of 1, 2 or 3", 3),
        default=[],
        metavar="D",
        help="only questions of this difficulty, 1-3 (repeatable)",
    )
    parser.add_argument(
        "--count",
        type=positive_int,
        default=None,
        metavar="N",
        help="how many questions, drawn with --seed; a multi-part item counts once (default: all)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, metavar="S", help="the same seed makes the same output"
    )
    parser.add_argument(
        "--no-verify",
        action="store_true",
        help="prove the keys by the calculator only, without building the networks in torch",
    )
    if variants is not None:
        parser.add_argument(
            "--variants",
            type=int_at_least(1, "a number of variants from 1 to 200", 200),
            default=variants,
            metavar="N",
            help=f"fixed variants of each computed question, each proven (default {variants})",
        )


def selected(args: argparse.Namespace) -> list[Exported]:
    """The questions the arguments choose from proven banks, each with its proven variants
    (``--variants``, or one where the command has none)."""
    from cnnquiz.bank import bundled_bank_paths
    from cnnquiz.instruct.source import choose, export, load_proven, speak_their_language

    banks = load_proven(args.banks or bundled_bank_paths(), verify=not args.no_verify)
    not_a_bank(getattr(args, "output", None), banks)
    speak_their_language(b.language for b in banks)
    questions = choose(banks, args.topic, args.difficulty, args.count, args.seed)
    return export(questions, getattr(args, "variants", 1), args.seed)


def not_a_bank(output: str | None, banks: Sequence[Bank]) -> None:
    """Refuse ``-o`` naming one of the banks read: the export would replace the bank."""
    if output in (None, "-"):
        return
    target = Path(output).resolve()
    if any(b.path.resolve() == target for b in banks):
        raise CnnquizError(f"{output} is a bank being exported; write to another file", "-o")
