"""What every subcommand shares: one-line usage errors, JSON output, the Rich console."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any, NoReturn


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line naming the argument, exit status 2."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(2)


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def console():
    """The Rich console for human output (imported only by the faces that print)."""
    from rich.console import Console

    return Console(highlight=False)


def int_at_least(minimum: int, what: str) -> Callable[[str], int]:
    """An argparse type: a whole number of at least ``minimum``, named ``what`` in the error."""

    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return value

    return convert


positive_int = int_at_least(1, "a positive integer")
non_negative_int = int_at_least(0, "a whole number of at least 0")
