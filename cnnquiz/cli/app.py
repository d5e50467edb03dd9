"""``cnnquiz app [BANK ...]`` (and plain ``cnnquiz``): the Textual app.

Textual is imported only when the app runs, so ``cnnquiz --help`` stays fast; torch is not
imported until the calculator's torch check or the training screen asks for it.
"""

from __future__ import annotations

import argparse

from cnnquiz.cli import language
from cnnquiz.cli.common import Subcommands, positive_int


def register(sub: Subcommands) -> None:
    p = sub.add_parser(
        "app",
        help="the Textual app (the default): practice, exams, calculator, stats",
        description="Open the app. With BANK files or folders, quiz on those instead of the "
        "bundled banks.",
    )
    p.add_argument("banks", nargs="*", metavar="BANK", help="question bank YAML files or folders")
    p.add_argument(
        "--topic",
        action="append",
        metavar="TOPIC",
        help="start with only this topic selected (repeatable)",
    )
    p.add_argument(
        "--exam-size",
        type=positive_int,
        default=10,
        metavar="N",
        help="questions in an exam (default 10)",
    )
    p.add_argument(
        "--seed", type=int, default=None, help="fixed seed for question order and variants"
    )
    language.add_option(p)
    p.set_defaults(run=run)


def resolve_topics(wanted: list[str], known: list[str]) -> set[str]:
    """``--topic conv`` selects "convolution": an exact name (any case) first, else a part of one."""
    from cnnquiz.errors import CnnquizError
    from cnnquiz.study.select import match_topics  # the quiz's rule, so both faces agree

    chosen: set[str] = set()
    for word in wanted:
        hits = match_topics(word, known)
        if not hits:
            raise CnnquizError(
                f"no question has a topic like {word!r}; topics: {', '.join(known)}", "--topic"
            )
        chosen.update(hits)
    return chosen


def run(args: argparse.Namespace) -> int:
    lang = language.choose(args)  # before anything is shown
    from cnnquiz.app import make_app

    app = make_app(args.banks or language.bundled_banks(lang), seed=args.seed)
    if args.topic:
        app.topic_filter = resolve_topics(args.topic, app.topics)
    app.exam_count = args.exam_size
    try:
        app.run()
    finally:
        close = getattr(app.progress, "close", None)
        if close is not None:
            close()
    return 0
