"""What an instructor exports or prints: proven banks, the questions chosen, their variants.

Every export (GIFT, Moodle XML, Anki) and every paper exam starts here, so they agree: a bank
that ``bank check`` rejects is refused whole (its first error, file:line), questions are chosen
as the quiz chooses them (``--topic``, ``--difficulty``, ``--count`` counting a multi-part item
once), and a computed question becomes ``n`` fixed variants, each drawn from the same graded
model the quiz uses and each proven: its key grades as correct. Face-free: the command line and
the writers sit on top.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cnnquiz.bank.check import check_banks
from cnnquiz.bank.model import Bank, Item, Question, grade
from cnnquiz.errors import CnnquizError, SpecError
from cnnquiz.study.select import filter_by_topic, flatten, in_bank_order, sample, units

MAX_VARIANTS = 200  # per question: more is a typo, and each variant is proven
_TRIES_PER_VARIANT = 10  # draws tried for each distinct variant before accepting fewer


@dataclass(frozen=True)
class Exported:
    """One question as it leaves cnnquiz: its fixed variants (one for a fixed question)."""

    question: Question
    items: tuple[Item, ...]  # each proven: its own key grades as correct

    @property
    def category(self) -> str:
        """Where Moodle keeps it: ``$course$/cnnquiz/<bank>`` for a fixed question, and for a
        computed one a category of its own below, ``$course$/cnnquiz/<bank>/<question id>``,
        so a quiz can draw "1 random question" from its variants. ``<bank>`` is the bank
        file's stem (short and stable where a title is long and may be reworded); a ``/``
        inside a name is written ``//``, as Moodle reads category paths."""
        q = self.question
        path = ["$course$", "cnnquiz", category_name(q.path.stem if q.path else q.bank)]
        if q.is_computed:
            path.append(category_name(q.group or q.id))
        return "/".join(path)


def category_name(name: str) -> str:
    """One level of a Moodle category path: its ``/`` doubled so it stays one level."""
    return name.replace("/", "//")


def load_proven(paths: Iterable[Path | str], verify: bool = True) -> list[Bank]:
    """The banks under ``paths``, if ``bank check`` accepts every one of them; otherwise a
    SpecError naming the first error (file:line) and how many more there are."""
    report = check_banks(paths, verify=verify)
    errors = sorted(report.errors, key=lambda p: (p.path, p.line or 0))
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise SpecError(
            f"bank check rejects this bank: {first.message}{more}; fix it first "
            "(cnnquiz bank check lists every problem)",
            f"{first.path}:{first.line}" if first.line else first.path,
        )
    return report.banks


def speak_their_language(languages: Iterable[str]) -> None:
    """Speak the banks' language (``i18n.use``) when they are all written in one that cnnquiz
    speaks, so what the calculator adds to a question (a known mistake's feedback, the worked
    steps, the grader's messages) reads in the bank's language, as the quiz shows it."""
    from cnnquiz import i18n

    found = set(languages)
    if len(found) == 1 and (language := found.pop()) in i18n.LANGUAGES:
        i18n.use(language)


def choose(
    banks: Sequence[Bank],
    topics: Sequence[str] = (),
    difficulty: Sequence[int] = (),
    count: int | None = None,
    seed: int = 0,
) -> list[Question]:
    """The questions to export, as the quiz chooses them: on any of ``topics`` (part of a
    name will do), of any of ``difficulty`` (1-3), ``count`` units in a seeded order, or all
    of them in bank order when ``count`` is None. A multi-part item's parts stay together."""
    questions = filter_by_topic([q for b in banks for q in b.questions], topics)
    if difficulty:
        wanted = set(difficulty)
        questions = flatten(u for u in units(questions) if u[0].difficulty in wanted)
    if not questions:
        raise CnnquizError("no question matches the --topic and --difficulty given", "--topic")
    if count is None:
        return in_bank_order(questions)
    return sample(questions, count, random.Random(seed))


def variants(question: Question, n: int, seed: int = 0) -> tuple[Item, ...]:
    """``n`` distinct proven items of a computed question (a fixed question: its one item).

    Variants are drawn with seeds derived from ``seed`` and the item's id, so the parts of a
    multi-part item get the same variants in the same order and the same ``seed`` repeats an
    export. A question with fewer than ``n`` distinct variants gives all it has."""
    if not 1 <= n <= MAX_VARIANTS:
        raise CnnquizError(
            f"--variants must be between 1 and {MAX_VARIANTS}, got {n}", "--variants"
        )
    if not question.is_computed:
        return (_proven(question, question.draw(seed)),)
    unit = question.group or question.id
    base = zlib.crc32(unit.encode()) ^ seed
    items: list[Item] = []
    seen: set[tuple[str, str]] = set()
    for k in range(n * _TRIES_PER_VARIANT):
        item = question.draw((base + 7919 * k) % 2**31)
        if (item.prompt, item.answer_text) in seen:
            continue
        seen.add((item.prompt, item.answer_text))
        items.append(_proven(question, item))
        if len(items) == n:
            break
    return tuple(items)


def spread_seeds(question: Question, n: int, seed: int = 0) -> list[int]:
    """``n`` seeds, one per student, that draw ``question``'s variants as distinct as it has them.

    A computed question's variants are told apart by their variables' values (which the parts
    of a multi-part item share, so every part gets one seed); those with different answers are
    dealt out first, so two students share a key only when the question has fewer distinct
    answers than the class has students, and a variant repeats only when it has fewer distinct
    variants. A fixed question gets a seed per student all the same, so its choices come in
    that student's own order. The same ``seed`` gives the same seeds."""
    unit = question.group or question.id
    base = zlib.crc32(unit.encode()) ^ seed
    candidates = [(base + 7919 * k) % 2**31 for k in range(n * _TRIES_PER_VARIANT)]
    if not question.is_computed:
        return candidates[:n]
    seen: set[str] = set()
    by_answer: dict[str, list[int]] = {}
    for s in candidates:
        variant = question.variant(s)
        values = repr(sorted(variant.values.items()))
        if values not in seen:
            seen.add(values)
            by_answer.setdefault(repr(variant.solution.value), []).append(s)
        if len(by_answer) == n:
            break
    rng = random.Random(f"{unit}:{seed}")
    groups = list(by_answer.values())
    rng.shuffle(groups)
    # round robin: one variant of each answer, then a second of each, ...
    seeds = [g[i] for i in range(max(map(len, groups))) for g in groups if i < len(g)]
    return [seeds[i % len(seeds)] for i in range(n)]


def proven_item(question: Question, seed: int) -> Item:
    """``question``'s item for ``seed``, proven: its own key grades as correct."""
    return _proven(question, question.draw(seed))


def export(questions: Sequence[Question], n: int, seed: int = 0) -> list[Exported]:
    """Each question with its ``n`` proven variants (fixed questions: one)."""
    return [Exported(q, variants(q, n, seed)) for q in questions]


def _proven(question: Question, item: Item) -> Item:
    verdict = grade(item, item.answer_text)
    if verdict.status != "correct":
        raise SpecError(
            f"{question.id}: its key {item.answer_text!r} grades as {verdict.status} "
            f"({verdict.message}); not exported",
            question.where,
        )
    return item
