"""``cnnquiz app [BANK ...]`` (and plain ``cnnquiz``): the Textual app.

Textual is imported only when the app runs, so ``cnnquiz --help`` stays fast; torch is not
imported until the calculator's torch check or the training screen asks for it.
"""

from __future__ import annotations

import argparse

from cnnquiz.cli.common import positive_int


def register(sub) -> None:  # noqa: ANN001 - argparse's private subparsers type
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
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from cnnquiz.app import make_app
    from cnnquiz.errors import CnnquizError

    app = make_app(args.banks or None, topics=args.topic, seed=args.seed)
    unknown = sorted(set(args.topic or ()) - set(app.topics))
    if unknown:
        raise CnnquizError(
            f"no question has the topic {unknown[0]!r}; topics: {', '.join(app.topics)}", "--topic"
        )
    app.exam_count = args.exam_size
    app.run()
    return 0
