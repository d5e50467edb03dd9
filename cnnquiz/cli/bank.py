"""``cnnquiz bank check PATH...``: validate banks and prove their answer keys, for people and CI.

Every problem is one line ``file:line: error: message`` (the form editors and CI annotators
read), errors before warnings, then a summary. Exit 0 clean, 1 a wrong key or a failed
self-test, 2 unreadable or invalid files.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from cnnquiz.cli.common import Subcommands, int_at_least, print_json
from cnnquiz.net.units import fmt_count

if TYPE_CHECKING:
    from cnnquiz.bank import Problem


def register(sub: Subcommands) -> None:
    parser = sub.add_parser(
        "bank",
        help="validate question banks and verify their answer keys",
        description="Work with question banks.",
    )
    actions = parser.add_subparsers(
        dest="bank_command", metavar="ACTION", parser_class=type(parser)
    )
    check = actions.add_parser(
        "check",
        help="validate banks and prove every answer key",
        description="Validate question banks and prove every answer key: the schema, duplicate ids, "
        "answers among the choices; keys about a network recomputed by the calculator and the "
        "network built in torch; computed questions self-tested on random variants. Exit 0 clean, "
        "1 a wrong key or failed self-test, 2 unreadable or invalid files.",
    )
    check.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="bank files or folders of *.yaml (default: the bundled banks)",
    )
    check.add_argument("--json", action="store_true", help="machine-readable report for CI")
    check.add_argument(
        "--github",
        action="store_true",
        help="also print GitHub Actions annotations (::error file=...,line=...::), so problems "
        "show on the lines of a pull request",
    )
    check.add_argument(
        "--no-verify",
        action="store_true",
        help="skip the torch verification (torch is not imported)",
    )
    check.add_argument(
        "--samples",
        type=int_at_least(1, "a number of variants", 10_000),  # 2e9 would run for days
        default=20,
        metavar="N",
        help="variants to self-test per computed question (default 20)",
    )
    check.add_argument("--seed", type=int, default=0, help="first variant seed (default 0)")
    parser.set_defaults(run=lambda args: _no_action(parser))
    check.set_defaults(run=run_check)


def _no_action(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def run_check(args: argparse.Namespace) -> int:
    from cnnquiz.bank import bundled_bank_paths, check_banks
    from cnnquiz.textsafe import printable

    paths = args.paths or bundled_bank_paths()
    if not paths:
        from cnnquiz.errors import CnnquizError

        raise CnnquizError("no bundled banks found; give bank files or folders", "bank check")
    report = check_banks(paths, verify=not args.no_verify, samples=args.samples, seed=args.seed)
    if args.json:
        print_json(report.to_dict())
        return report.exit_status
    # messages quote the banks, which are someone else's text: no escape reaches the terminal
    for problem in report.ordered():
        print(printable(str(problem)))
    if args.github:
        for problem in report.ordered():
            print(printable(github_annotation(problem)))
    print(
        summary(
            report.counts, report.exit_status, verified=not args.no_verify, samples=args.samples
        )
    )
    return report.exit_status


def github_annotation(problem: Problem) -> str:
    """``::error file=questions/a.yaml,line=12::message``, escaped as the workflow commands say."""
    level = "error" if problem.severity == "error" else "warning"
    message = problem.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    path = problem.path.replace("%", "%25").replace(",", "%2C").replace(":", "%3A")
    line = f",line={problem.line}" if problem.line else ""
    return f"::{level} file={path}{line}::{message}"


def summary(counts: dict, status: int, verified: bool, samples: int) -> str:
    c = counts
    lines = [
        f"checked {fmt_count(c['banks'], 'bank')}: {fmt_count(c['questions'], 'question')}, "
        f"{fmt_count(c['with_network'], 'answer key')} recomputed by the calculator, "
        f"{fmt_count(c['computed'], 'computed question')} self-tested on {fmt_count(c['variants'], 'variant')} "
        f"({samples} each)",
    ]
    if verified:
        lines.append(f"torch: {fmt_count(c['verified_by_torch'], 'distinct network')} built and compared")
    else:
        lines.append("torch: skipped (--no-verify)")
    verdict = {
        0: "OK",
        1: "FAILED: wrong answer keys or failed self-tests",
        2: "FAILED: invalid banks",
    }[status]
    lines.append(f"{verdict}: {fmt_count(c['errors'], 'error')}, {fmt_count(c['warnings'], 'warning')}")
    return "\n".join(lines)
