"""The plain quiz's own sentences in the student's language: the heading, the command words
(the English ones always work, the language's own too) and the score."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cnnquiz.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from cnnquiz.study.session import Session

HINT_WORDS = ("?", "hint", "h")
SKIP_WORDS = ("skip", "pass")
QUIT_WORDS = ("quit", "exit", ":q")
SAID_WORDS = {"hint": N_("hint"), "skip": N_("skip"), "quit": N_("quit")}
ENGLISH_WORDS = {"hint": HINT_WORDS, "skip": SKIP_WORDS, "quit": QUIT_WORDS}


def is_word(text: str, word: str) -> bool:
    """``text`` asks for ``word`` (hint, skip, quit): in English or in the student's language."""
    low = text.casefold()
    return low in ENGLISH_WORDS[word] or low == _(SAID_WORDS[word]).casefold()


def heading(questions: int, units: int, seed: int) -> list[str]:
    """The quiz's first lines: how many questions, the seed, and the command words."""
    parts = _(", {n} answers with the parts").format(n=questions) if questions != units else ""
    head = ngettext(
        "cnnquiz quiz: {n} question{parts} (seed {seed}: --seed {seed} repeats this quiz)",
        "cnnquiz quiz: {n} questions{parts} (seed {seed}: --seed {seed} repeats this quiz)",
        units,
    )
    how = _("Type your answer. ? shows a hint, {skip} shows the answer, {quit} (or Ctrl-D) stops.")
    return [
        head.format(n=units, parts=parts, seed=seed),
        how.format(skip=_(SAID_WORDS["skip"]), quit=_(SAID_WORDS["quit"])),
    ]


def score_lines(session: Session) -> list[str]:
    """The score, and the score per topic (questions without topics are in the total)."""
    answers = session.answers
    if not answers:
        return [_("No questions answered.")]
    skipped = sum(a.status == "skipped" for a in answers)
    total = len(answers)
    pct = round(100 * session.correct / total)
    extra = _(", {n} skipped").format(n=skipped) if skipped else ""
    said = _("Score: {correct} of {total} correct ({pct}%{skipped})")
    lines = [said.format(correct=session.correct, total=total, pct=pct, skipped=extra)]
    scores = session.topic_scores()
    width = max((len(s.topic) for s in scores), default=0)
    for s in scores:
        lines.append(f"  {s.topic:<{width}}  {s.correct}/{s.asked}  {round(100 * s.ratio):>3}%")
    return lines
