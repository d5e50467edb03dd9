"""Which questions a study session asks, in what order: one policy for the app and ``cnnquiz quiz``.

The rule, for every mode and both faces: a *unit* is a stand-alone question or the chosen parts of
one multi-part item, side by side in part order; a count (``--count N``, the exam's "Questions",
a mode's default) counts units. So a multi-part item counts once and is asked whole or not at
all, as docs/students.md promises for ``--count`` and as an exam paper numbers "question 3 (a),
(b), (c)". Parts of one unit share one seed, hence one variant
(:func:`cnnquiz.study.session.item_seed`). The same ``seed`` gives the same selection.
Face-free and pure: the running score and the progress store are the session's job.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

from cnnquiz.errors import CnnquizError
from cnnquiz.i18n import N_

MODES = ("practice", "cram", "exam", "missed")
MODE_TITLES = {  # English, marked for the catalog: the faces translate them where shown
    "practice": N_("Practice"),
    "cram": N_("Cram"),
    "exam": N_("Exam"),
    "missed": N_("Missed"),
}
DEFAULT_COUNT = {"practice": 10, "cram": 10, "exam": 10, "missed": 50}


class Selectable(Protocol):
    """What selection reads of a question (a bank ``Question`` or a test's fake)."""

    @property
    def id(self) -> str: ...
    @property
    def bank(self) -> str: ...
    @property
    def topics(self) -> Sequence[str]: ...
    @property
    def group(self) -> str | None: ...
    @property
    def part_index(self) -> int | None: ...


class Schedule(Protocol):
    """What selection asks the progress store: the review schedule, by question id."""

    def due(self, _question_ids: Iterable[str], /) -> list[str]: ...
    def new(self, _question_ids: Iterable[str], /) -> list[str]: ...
    def missed_last_time(self, _question_ids: Iterable[str] | None = None, /) -> list[str]: ...


Q = TypeVar("Q", bound=Selectable)


def unit_key(question: Selectable) -> str:
    """The item a question belongs to: its group for a part, else its own id."""
    return question.group or question.id


def units(questions: Iterable[Q]) -> list[list[Q]]:
    """The questions as units, each where its first question stands, parts in part order."""
    by_key: dict[str, list[Q]] = {}
    for q in questions:
        by_key.setdefault(unit_key(q), []).append(q)
    for unit in by_key.values():
        unit.sort(key=lambda p: p.part_index or 0)
    return list(by_key.values())


def flatten(chosen: Iterable[list[Q]]) -> list[Q]:
    return [q for unit in chosen for q in unit]


def count_units(questions: Iterable[Selectable]) -> int:
    """How many questions a student counts: a multi-part item once."""
    return len({unit_key(q) for q in questions})


def in_bank_order(questions: Iterable[Q]) -> list[Q]:
    """Every question, in bank order with each item's parts together (``--all``)."""
    return flatten(units(questions))


# ---- filters ------------------------------------------------------------------------------------
def all_topics(questions: Iterable[Selectable]) -> list[str]:
    return sorted({t for q in questions for t in q.topics}, key=str.casefold)


def match_topics(word: str, known: Iterable[str]) -> list[str]:
    """The topics ``word`` names: an exact name (any case) first, else every name containing it
    (``conv`` finds "convolution")."""
    low = word.strip().casefold()
    names = list(known)
    return [t for t in names if t.casefold() == low] or [t for t in names if low in t.casefold()]


def filter_questions(
    questions: Iterable[Q],
    topics: Iterable[str] | None = None,
    banks: Iterable[str] | None = None,
) -> list[Q]:
    """Questions on any of ``topics`` from any of ``banks`` (None: no filter on that axis)."""
    topic_set = set(topics) if topics is not None else None
    bank_set = set(banks) if banks is not None else None
    return [
        q
        for q in questions
        if (bank_set is None or q.bank in bank_set)
        and (topic_set is None or not topic_set.isdisjoint(q.topics))
    ]


def filter_by_topic(questions: Sequence[Q], wanted: Sequence[str]) -> list[Q]:
    """Questions on any topic the words in ``wanted`` name (:func:`match_topics`); a word that
    names none is an error listing the known topics."""
    if not wanted:
        return list(questions)
    known = all_topics(questions)
    chosen: set[str] = set()
    for word in wanted:
        hits = match_topics(word, known)
        if not hits:
            listed = ", ".join(known) if known else "none (these banks have no topics)"
            raise CnnquizError(f"no questions on {word!r}; topics: {listed}", "--topic")
        chosen.update(hits)
    return filter_questions(questions, topics=chosen)


# ---- order and count ----------------------------------------------------------------------------
def interleave_topics(questions: Sequence[Q], rng: random.Random) -> list[Q]:
    """``questions`` taking their topics in turn: one unit from each topic, then the next round.

    A student's first Practice session asked ten questions of the first bank's first topic in
    bank order; now it spans ten topics. The topics' order is a seeded shuffle; within a topic
    easier questions come first (``difficulty``, where a question has one), ties in a seeded
    shuffle. A unit counts under its first question's first topic.
    """
    by_topic: dict[str, list[tuple[int, float, int, list[Q]]]] = {}
    for n, unit in enumerate(units(questions)):
        first = unit[0]
        topic = first.topics[0] if first.topics else ""
        rank = getattr(first, "difficulty", None) or 0
        by_topic.setdefault(topic, []).append((rank, rng.random(), n, unit))
    queues = [sorted(entries) for entries in by_topic.values()]
    rng.shuffle(queues)
    out: list[Q] = []
    for round_ in range(max((len(q) for q in queues), default=0)):
        for queue in queues:
            if round_ < len(queue):
                out.extend(queue[round_][3])
    return out


def sample(questions: Iterable[Q], count: int | None, rng: random.Random) -> list[Q]:
    """``count`` units (all if None) in a shuffled order: cram, exams and ``cnnquiz quiz``."""
    order = units(questions)
    rng.shuffle(order)
    return flatten(order if count is None else order[:count])


def _practice_order(
    questions: Sequence[Q], progress: Schedule | None, rng: random.Random
) -> list[Q]:
    """Due questions first (most overdue first, as the store orders them), then new ones taking
    the topics in turn; without a store, every question is new."""
    by_id = {q.id: q for q in questions}
    ids = list(by_id)
    due = [i for i in progress.due(ids) if i in by_id] if progress is not None else []
    due_set = set(due)
    fresh = progress.new(ids) if progress is not None else ids
    fresh_qs = [by_id[i] for i in fresh if i in by_id and i not in due_set]
    return [by_id[i] for i in due] + interleave_topics(fresh_qs, rng)


def select_questions(
    mode: str,
    questions: Sequence[Q],
    progress: Schedule | None = None,
    count: int | None = None,
    seed: int = 0,
) -> list[Q]:
    """The questions a session of ``mode`` asks, in order: ``count`` units (the mode's default
    if None) of practice (:func:`_practice_order`), cram and exam (a shuffled sample, ignoring
    the schedule) or missed (those answered wrong last time)."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    n = DEFAULT_COUNT[mode] if count is None else count
    rng = random.Random(seed)
    if mode in ("cram", "exam"):
        return sample(questions, n, rng)
    if mode == "practice":
        order = _practice_order(questions, progress, rng)
    else:
        by_id = {q.id: q for q in questions}
        wrong = progress.missed_last_time(list(by_id)) if progress is not None else []
        order = [by_id[i] for i in wrong if i in by_id]
    return flatten(units(order)[:n])
