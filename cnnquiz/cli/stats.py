"""``cnnquiz stats``: answers per day, accuracy per topic, the streak, totals and what is due.

The figures come from ``Progress.stats``; this module only draws them (Rich) or prints them as
one JSON document (``--json``) for scripts.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from cnnquiz.cli.common import Subcommands, console, int_at_least, print_json, print_table
from cnnquiz.net.units import fmt_count

if TYPE_CHECKING:
    from rich.console import Console

    from cnnquiz.progress import Progress, Stats

BAR_WIDTH = 30
EMPTY = "No answers yet: start with `cnnquiz` (the app) or `cnnquiz quiz`."


def register(sub: Subcommands) -> None:
    parser = sub.add_parser(
        "stats",
        help="your progress: answers per day, accuracy per topic, streak, questions due",
        description="Your progress: answers per day, accuracy per topic, the streak of days in a "
        "row with at least one answer, totals, and how many questions are due for review now.",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument(
        "--days",
        type=int_at_least(1, "a number of days", 3660),  # ten years; past 10^9 dates overflow
        default=14,
        metavar="N",
        help="days in the chart (default 14)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from cnnquiz.progress import Progress

    with Progress() as progress:
        if progress.warning:
            print(f"cnnquiz: warning: {progress.warning}", file=sys.stderr)
        stats = progress.stats(days=args.days)
        due, new = _due_and_new(progress)
    if args.json:
        print_json({**stats.to_dict(), "due_now": due, "new": new})
        return 0
    out = console()
    if stats.answers == 0:
        out.print(EMPTY)
        if new is not None:
            out.print(f"{fmt_count(new, 'question')} {'is' if new == 1 else 'are'} waiting in the bundled banks.")
        return 0
    _print_days(out, stats)
    _print_topics(out, stats)
    line = (
        f"Streak: {fmt_count(stats.streak, 'day')} · "
        f"{fmt_count(stats.answers, 'answer')}, {stats.correct} right ({stats.accuracy:.0%}) · "
        f"{fmt_count(stats.questions, 'question')} seen"
    )
    out.print(line)
    if due is not None:
        out.print(f"Bundled banks: {due} due for review now · {new} never answered")
    return 0


def _due_and_new(progress: Progress) -> tuple[int | None, int | None]:
    """Counts against the bundled banks; None when they cannot be loaded (stats still work)."""
    try:
        from cnnquiz.bank import bundled_bank_paths, load_banks

        ids = [q.id for bank in load_banks(bundled_bank_paths()) for q in bank.questions]
    except Exception:  # a broken or missing bank must not break the stats
        return None, None
    return len(progress.due(ids)), len(progress.new(ids))


def _print_days(out: Console, stats: Stats) -> None:
    from rich.table import Table
    from rich.text import Text

    most = max((d.answers for d in stats.days), default=0) or 1
    table = Table(
        title=f"Answers per day (last {fmt_count(len(stats.days), 'day')})",
        title_justify="left",
        box=None,
        show_header=False,
        pad_edge=False,
    )
    table.add_column("day", style="dim")
    table.add_column("bar")
    table.add_column("answers", justify="right")
    for d in stats.days:
        right = round(BAR_WIDTH * d.correct / most)
        wrong = round(BAR_WIDTH * d.answers / most) - right
        bar = Text("█" * right, style="green") + Text("█" * wrong, style="red")
        figures = f"{d.answers} ({d.correct} right)" if d.answers else "·"
        table.add_row(d.day.strftime("%a %d %b"), bar, figures)
    print_table(out, table)
    out.print()


def _print_topics(out: Console, stats: Stats) -> None:
    from rich.table import Table
    from rich.text import Text

    from cnnquiz.textsafe import printable

    if not stats.topics:  # banks need not give topics (a minimal bank has none)
        out.print("Accuracy per topic: the questions answered so far have no topics.")
        out.print()
        return
    table = Table(
        title="Accuracy per topic (all time)", title_justify="left", box=None, pad_edge=False
    )
    table.add_column("topic")
    table.add_column("answers", justify="right")
    table.add_column("right", justify="right")
    table.add_column("accuracy", justify="right")
    table.add_column("")
    for t in sorted(stats.topics, key=lambda t: (t.accuracy, t.topic)):
        filled = round(10 * t.accuracy)
        table.add_row(
            Text(printable(t.topic)),  # a bank's text: no escapes, no Rich markup
            str(t.answers),
            str(t.correct),
            f"{t.accuracy:.0%}",
            "█" * filled + "░" * (10 - filled),
        )
    print_table(out, table)
    out.print()
