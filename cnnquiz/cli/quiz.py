"""``cnnquiz quiz``: the app's quiz screen on a terminal; line by line for pipes, scripts and
screen readers (``--plain``, a pipe or ``TERM=dumb``).

Line by line is plain text only: the question (choices lettered), one answer line, the verdict
with targeted feedback and the worked explanation. ``?`` shows the next hint; an answer that is not an
answer at all is asked again and counts nothing. End of input (Ctrl-D) or Ctrl-C ends the quiz
with the score so far, exit 0.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sys
import textwrap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

from cnnquiz.cli import language
from cnnquiz.cli.common import Subcommands, add_banks_and_topic, positive_int
from cnnquiz.cli.quiz_words import heading, is_word, score_lines
from cnnquiz.i18n import _
from cnnquiz.textsafe import printable

if TYPE_CHECKING:
    from pathlib import Path

    from cnnquiz.bank import Bank, Item, Question
    from cnnquiz.progress import Progress
    from cnnquiz.study.session import ItemLike, Recorder, Session


def register(sub: Subcommands) -> None:
    parser = sub.add_parser(
        "quiz",
        help="a quiz from question banks: full screen, or line by line with --plain",
        description="A quiz from question banks (default: the bundled ones). On a terminal it "
        "opens the app's question screen and closes after the results, printing the score. "
        "With --plain, in a pipe or with TERM=dumb it asks line by line, for scripts and "
        "screen readers: type ? for a hint, skip to see the answer, quit (or Ctrl-D) to stop "
        "with the score so far.",
    )
    add_banks_and_topic(parser, "bank files or folders of *.yaml")
    parser.add_argument(
        "--count",
        type=positive_int,
        default=10,
        metavar="N",
        help="how many questions; a multi-part item counts once (default 10)",
    )
    parser.add_argument("--all", action="store_true", help="every matching question, in bank order")
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        metavar="S",
        help="repeat a quiz exactly: the same questions, order and variants",
    )
    parser.add_argument(
        "--plain",
        action="store_true",
        help="line by line even on a terminal (automatic in a pipe or with TERM=dumb)",
    )
    parser.add_argument(
        "--no-record", action="store_true", help="do not store the answers in your progress"
    )
    language.add_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from cnnquiz.study.select import filter_by_topic, in_bank_order, select_questions

    lang = language.choose(args)  # before anything is shown
    banks = _load(args.banks, lang)
    questions = filter_by_topic([q for b in banks for q in b.questions], args.topic)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(100_000)
    if args.all:
        chosen = in_bank_order(questions)
    else:  # the app's Cram: a shuffled sample, --count counting a multi-part item once
        chosen = select_questions("cram", questions, count=args.count, seed=seed)
    progress = None if args.no_record else _open_progress()
    try:
        if args.plain or not full_screen_possible():
            run_plain(chosen, seed, progress, sys.stdin, sys.stdout)
        else:
            run_full_screen(banks, chosen, seed, progress, sys.stdout)
    finally:
        if progress is not None:
            progress.close()
    return 0


def _load(given: list[str], lang: str) -> list[Bank]:
    """The banks asked (default: the bundled ones in ``lang``); a bad bank is left out with a
    warning."""
    from cnnquiz.study.load import load_for_study

    paths: list[str] | list[Path] = given or language.bundled_banks(lang)
    if not paths:
        from cnnquiz.errors import CnnquizError

        raise CnnquizError("no bundled banks found; give a bank file or folder", "quiz")
    banks, warnings = load_for_study(paths)
    for warning in warnings:
        print(f"cnnquiz: warning: {printable(warning)}", file=sys.stderr)
    return banks


def full_screen_possible() -> bool:
    """The app needs a real terminal both ways; a pipe, a file or ``TERM=dumb`` gets lines."""
    return _is_tty(sys.stdin) and _is_tty(sys.stdout) and os.environ.get("TERM") != "dumb"


def run_full_screen(
    banks: list[Bank],
    questions: list[Question],
    seed: int,
    progress: Progress | None,
    out: TextIO,
) -> Session[Item] | None:
    """The app's question and results screens over ``questions``; the score stays printed."""
    from cnnquiz.app import make_app

    app = make_app(
        banks=banks, progress=progress, record=progress is not None, seed=seed, quiz=questions
    )
    app.run()
    session = app.quiz
    if session is not None:
        say = _Printer(out)
        say(
            _("cnnquiz quiz (seed {seed}: --seed {seed} repeats this quiz)").format(seed=seed),
            end="",
        )
        _score(session, say)
    return session


def _open_progress() -> Progress | None:
    """The student's progress store, or None (with a warning) if it cannot be opened."""
    from cnnquiz.errors import CnnquizError

    try:
        from cnnquiz.progress import Progress

        progress = Progress()
    except (ImportError, CnnquizError, OSError) as exc:
        print(f"cnnquiz: warning: answers are not recorded: {exc}", file=sys.stderr)
        return None
    warning = getattr(progress, "warning", None)
    if warning:
        print(f"cnnquiz: warning: {warning}", file=sys.stderr)
    return progress


def run_plain(
    questions: list[Question],
    seed: int,
    progress: Recorder | None,
    stdin: TextIO,
    out: TextIO,
) -> Session[Item]:
    """Ask ``questions`` line by line; returns the finished session (its answers and scores)."""
    from cnnquiz.bank import grade
    from cnnquiz.study.select import count_units
    from cnnquiz.study.session import Session

    say = _Printer(out)
    units = count_units(questions)
    for line in heading(len(questions), units, seed):
        say(line)
    session: Session[Item] = Session("cram", questions, grade, progress, seed=seed)
    try:
        shown = [""]  # the last prompt, so that parts do not repeat their preamble
        while not session.finished:
            _ask(session, say, stdin, shown)
    except (KeyboardInterrupt, _Quit):
        say("")
    session.finish()
    _score(session, say)
    return session


class _Quit(Exception):
    pass


class _Printer:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def __call__(self, text: str = "", end: str = "\n") -> None:
        # the one way out of the plain quiz: bank text and echoed input are someone else's, and
        # an escape in them (\x1b[2J clears the screen) must reach the terminal as nothing
        self.out.write(printable(text + end))
        self.out.flush()


def _ask(session: Session[Item], say: _Printer, stdin: TextIO, shown: list[str]) -> None:
    """One question, asked until it is answered or skipped."""
    q, item = session.current()
    say("")
    head = _("Question {n} of {total}").format(n=session.index + 1, total=session.total)
    if q.part_index:
        head += _(" (part {part})").format(part=q.part_index)
    say(" · ".join([head, q.bank] + ([", ".join(q.topics)] if q.topics else [])))
    say(plain_text(_new_text(item.prompt.rstrip(), shown[0])))
    shown[0] = item.prompt.rstrip()
    for i, choice in enumerate(item.choices or []):
        say(f"  {'abcdefghijklmnopqrstuvwxyz'[i]}) {choice}")
    if item.kind == "multi":
        say(_("(select all that apply: letters like a,c)"))
    while not _respond(session, item, _read(stdin, say), say):
        pass


def _read(stdin: TextIO, say: _Printer) -> str:
    say("> ", end="")
    line = stdin.readline()
    if not line:
        raise _Quit
    text = line.strip()
    if not _is_tty(stdin):
        say(text)  # a transcript of a piped quiz shows what was answered
    return text


def _respond(session: Session[Item], item: ItemLike, text: str, say: _Printer) -> bool:
    """One typed line; True when the question is done with (answered or skipped)."""
    if is_word(text, "hint"):
        hint = session.next_hint()
        if hint:
            say(_("Hint: {hint}").format(hint=hint))
        else:
            say(_("No more hints.") if item.hints else _("This question has no hint."))
        return False
    if is_word(text, "quit"):
        raise _Quit
    if is_word(text, "skip"):
        say(_("Skipped. The answer: {answer}").format(answer=item.answer_text))
        _explain(item, say)
        session.skip()
        return True
    return _submit(session, item, text, say)


def _submit(session: Session[Item], item: ItemLike, text: str, say: _Printer) -> bool:
    """Grade an answer: an invalid one is asked again (False), a valid one is explained."""
    verdict = session.submit(text)
    unsaved = session.take_unsaved()
    if unsaved:
        print(f"cnnquiz: warning: {printable(unsaved)}", file=sys.stderr)
    if verdict.status == "invalid":
        say(_("Not an answer: {message}. Try again.").format(message=verdict.message))
        return False
    if verdict.status == "correct":
        say(_("Correct: {expected}").format(expected=verdict.expected))
    else:
        say(_("Wrong: {message}.").format(message=verdict.message))
    if verdict.feedback:
        say(_("Why: {feedback}").format(feedback=verdict.feedback))
    _explain(item, say)
    session.advance()
    return True


def _new_text(prompt: str, previous: str) -> str:
    """A part after the first skips the preamble the previous part already showed."""
    cut = previous.rfind("\n\n")
    if cut > 0 and prompt.startswith(previous[: cut + 2]):
        return prompt[cut + 2 :]
    return prompt


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _explain(item: ItemLike, say: _Printer) -> None:
    if item.explanation.strip():
        say(_("Explanation:"))
        say(plain_text(item.explanation.strip(), indent="  "))


def plain_text(markdown: str, indent: str = "", width: int | None = None) -> str:
    """Markdown as a plain terminal or a screen reader wants it: no ``**`` markers, each
    paragraph and list item re-wrapped at word boundaries to the terminal's width (single line
    breaks inside a paragraph are soft, as in Markdown); code blocks and tables kept as written."""
    width = max((width or shutil.get_terminal_size((100, 24)).columns) - 1, 40)
    out: list[str] = []
    para = _Paragraph(width, indent)
    in_code = False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            out.extend(para.flush())
            in_code = not in_code
        elif in_code or line.lstrip().startswith("|"):
            out.extend(para.flush())
            out.append(indent + line)
        elif not line.strip():
            out.extend(para.flush())
            out.append("")
        else:
            out.extend(para.add(line))
    out.extend(para.flush())
    return "\n".join(out)


@dataclass
class _Paragraph:
    """The lines of one paragraph or list item, re-wrapped as one when it ends."""

    width: int
    indent: str
    lines: list[str] = field(default_factory=list)
    hang: str = ""  # a list item's continuation lines align under its text

    def add(self, line: str) -> list[str]:
        """Take ``line``; a list item ends the paragraph before it (returned wrapped)."""
        bullet = re.match(r"\s*(?:[-*]|\d+\.)\s+", line)
        done = self.flush() if bullet else []
        if bullet:
            self.hang = " " * len(bullet.group(0))
        elif not self.lines:
            self.hang = ""
        self.lines.append(line)
        return done

    def flush(self) -> list[str]:
        if not self.lines:
            return []
        text = " ".join(p.strip() for p in self.lines).replace("**", "")
        self.lines = []
        wrapped = textwrap.fill(
            text,
            self.width,
            initial_indent=self.indent,
            subsequent_indent=self.indent + self.hang,
            break_on_hyphens=False,
        )
        return [wrapped]


def _score(session: Session[Item], say: _Printer) -> None:
    say("")
    for line in score_lines(session):
        say(line)
