"""The command line: ``cnnquiz`` opens the app, ``cnnquiz SUBCOMMAND`` does one job.

Each subcommand lives in its own module with ``register(subparsers)``; modules import their
heavy dependencies (torch, textual) inside the functions that need them, so ``--help`` and
``calc --no-verify`` start fast.
"""

from __future__ import annotations

import importlib
import sys

from cnnquiz import __version__
from cnnquiz.cli.common import Parser
from cnnquiz.errors import CnnquizError

SUBCOMMANDS = ("calc", "bank", "quiz", "train", "tune", "stats", "zoo", "export", "exam", "app")


def build_parser() -> Parser:
    parser = Parser(
        prog="cnnquiz",
        description="Exam prep for neural networks and CNNs: quizzes, calculators verified in "
        "PyTorch, and a real CNN to train. With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"cnnquiz {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name in SUBCOMMANDS:
        importlib.import_module(f"cnnquiz.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    if argv and argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        argv = ["app", *argv]  # `cnnquiz --topic conv` is the app with options
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["app"])
    try:
        return int(args.run(args) or 0)
    except CnnquizError as exc:
        from cnnquiz.textsafe import printable  # an argument's escape sequences stay inert

        print(f"cnnquiz: error: {printable(str(exc))}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        print("cnnquiz: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:
        # a path typed on the command line that the system refuses to look at (a name too long
        # for ``Path.exists()``, no permission): one line naming it, as for any bad input
        if exc.filename is None:
            raise
        from cnnquiz.textsafe import printable

        print(f"cnnquiz: error: {printable(str(exc.filename))}: {exc.strerror or exc}", file=sys.stderr)
        return 2
