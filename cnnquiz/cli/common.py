"""What every subcommand shares: one-line usage errors, JSON output, the Rich console."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from typing import Any, NoReturn

from cnnquiz.errors import SpecError
from cnnquiz.limits import MAX_DIM, number_text, parse_int


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line naming the argument, exit status 2.

    A value that starts with a minus and a digit (``--in -200x300x3``, ``--kernel -3x3``) is a
    value, not an unknown option, so it reaches its reader and gets that reader's message
    ("every dimension must be at least 1") instead of "expected one argument". Python 3.13's
    argparse reads it this way itself; this sets 3.11's the same (no option of cnnquiz looks
    like a negative number).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = re.compile(r"-\.?\d")

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {_shorten(message)} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(2)


def _shorten(message: str) -> str:
    """A 5,000-digit value quoted in argparse's message is cut to its start and its length."""
    return re.sub(
        r"'([^']{30})([^']{20,})'", lambda m: f"'{m[1]}…' ({len(m[1] + m[2]):,} characters)", message
    )


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def console():
    """The Rich console for human output (imported only by the faces that print)."""
    from rich.console import Console

    return Console(highlight=False)


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
