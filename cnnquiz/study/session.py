"""A study session over question banks: which questions, in what order, and the score so far.

Face-free on purpose: the Textual app drives it with key presses and the tests drive it with
plain calls, so the rules (practice puts due cards first, an invalid answer costs nothing, an
exam gives no feedback until the end) live here once. Progress is optional and duck-typed:
anything with the ``Progress`` methods used below will do.
"""

from __future__ import annotations

import random
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from cnnquiz.errors import CnnquizError

MODES = ("practice", "cram", "exam", "missed")
MODE_TITLES = {
    "practice": "Practice",
    "cram": "Cram",
    "exam": "Exam",
    "missed": "Missed",
}
DEFAULT_COUNT = {"practice": 10, "cram": 10, "exam": 10, "missed": 50}


class ProgressLike(Protocol):
    def record(
        self,
        question_id: str,
        bank: str,
        topics: list[str],
        verdict: str,
        answer: str,
        seconds: float = 0.0,
        seed: int | None = None,
    ) -> Any: ...
    def rerate(self, attempt_id: int, rating: str) -> Any: ...
    def due(self, qids: Iterable[str]) -> list[str]: ...
    def new(self, qids: Iterable[str]) -> list[str]: ...
    def missed_last_time(self, qids: Iterable[str] | None = None) -> list[str]: ...


def filter_questions(
    questions: Iterable[Any],
    topics: Iterable[str] | None = None,
    banks: Iterable[str] | None = None,
) -> list[Any]:
    """Questions on any of ``topics`` from any of ``banks`` (None: no filter on that axis)."""
    topic_set = set(topics) if topics is not None else None
    bank_set = set(banks) if banks is not None else None
    out = []
    for q in questions:
        if bank_set is not None and q.bank not in bank_set:
            continue
        if topic_set is not None and not topic_set.intersection(q.topics):
            continue
        out.append(q)
    return out


def _keep_groups_together(chosen: list[Any], pool: Sequence[Any]) -> list[Any]:
    """Parts of one multi-part item stay side by side, in part order, as an exam prints them."""
    by_group: dict[str, list[Any]] = {}
    for q in pool:
        if getattr(q, "group", None):
            by_group.setdefault(q.group, []).append(q)
    out: list[Any] = []
    seen_groups: set[str] = set()
    chosen_ids = {q.id for q in chosen}
    for q in chosen:
        group = getattr(q, "group", None)
        if not group:
            out.append(q)
            continue
        if group in seen_groups:
            continue
        seen_groups.add(group)
        parts = sorted(by_group[group], key=lambda p: p.part_index or 0)
        out.extend(p for p in parts if p.id in chosen_ids)
    return out


def select_questions(
    mode: str,
    questions: Sequence[Any],
    progress: ProgressLike | None = None,
    count: int | None = None,
    seed: int = 0,
) -> list[Any]:
    """The questions a session of ``mode`` asks, in order.

    practice: due for review first (most overdue first, as the store orders them), then new ones
    taking the topics in turn (:func:`interleave_topics`);
    cram: any, shuffled, ignoring the schedule; exam: a shuffled sample; missed: those answered
    wrong last time.
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    n = DEFAULT_COUNT[mode] if count is None else count
    by_id = {q.id: q for q in questions}
    ids = list(by_id)
    rng = random.Random(seed)
    if mode == "practice":
        due = progress.due(ids) if progress is not None else []
        due_set = set(due)
        fresh = progress.new(ids) if progress is not None else ids
        fresh_qs = [by_id[i] for i in fresh if i in by_id and i not in due_set]
        order = due + [q.id for q in interleave_topics(fresh_qs, rng)]
    elif mode == "missed":
        order = progress.missed_last_time(ids) if progress is not None else []
    else:
        return _sample_units(questions, n, rng)
    chosen = [by_id[i] for i in order if i in by_id][:n]
    return _keep_groups_together(chosen, questions)


def interleave_topics(questions: Sequence[Any], rng: random.Random) -> list[Any]:
    """``questions`` taking their topics in turn: one from each topic, then the next round.

    A student's first Practice session asked ten questions of the first bank's first topic in
    bank order; now it spans ten topics. The topics' order is a seeded shuffle; within a topic
    easier questions come first (``difficulty``), ties in a seeded shuffle. A question counts
    under its first topic; a multi-part item moves as one unit, its parts in order.
    """
    by_topic: dict[str, list[tuple[int, float, int, list[Any]]]] = {}
    units: dict[str, list[Any]] = {}
    for q in questions:
        units.setdefault(getattr(q, "group", None) or f"\0{q.id}", []).append(q)
    for n, unit in enumerate(units.values()):
        unit.sort(key=lambda p: p.part_index or 0)
        first = unit[0]
        topic = first.topics[0] if first.topics else ""
        rank = getattr(first, "difficulty", None) or 0
        by_topic.setdefault(topic, []).append((rank, rng.random(), n, unit))
    queues = [sorted(entries) for entries in by_topic.values()]
    rng.shuffle(queues)
    out: list[Any] = []
    for round_ in range(max((len(q) for q in queues), default=0)):
        for queue in queues:
            if round_ < len(queue):
                out.extend(queue[round_][3])
    return out


def _sample_units(questions: Sequence[Any], n: int, rng: random.Random) -> list[Any]:
    """Up to ``n`` questions in random order, taking a multi-part item whole or not at all
    (an exam does not ask part 3 of a worked example without parts 1 and 2)."""
    units: dict[str, list[Any]] = {}
    for q in questions:
        units.setdefault(getattr(q, "group", None) or f"\0{q.id}", []).append(q)
    order = [sorted(u, key=lambda p: p.part_index or 0) for u in units.values()]
    rng.shuffle(order)
    chosen: list[Any] = []
    for unit in order:
        if len(chosen) + len(unit) <= n:
            chosen.extend(unit)
    if not chosen and order:  # every item is longer than n: the first n parts of one
        chosen = order[0][:n]
    return chosen


def item_seed(base: int, question: Any, variant: int = 0) -> int:
    """The seed a question is drawn with: parts of one item share it, so they share the variant."""
    key = getattr(question, "group", None) or question.id
    return (base * 1_000_003 + zlib.crc32(key.encode()) + variant * 7919) % (2**31)


@dataclass
class Answer:
    """One question's outcome in the session: its item, what was typed and the verdict."""

    question: Any
    item: Any
    text: str
    status: str  # "correct" | "wrong" | "skipped"
    verdict: Any = None
    seconds: float = 0.0
    attempt_id: Any = None
    rating: str | None = None  # "hard" | "easy" after a rerate

    @property
    def correct(self) -> bool:
        return self.status == "correct"


@dataclass(frozen=True)
class TopicScore:
    topic: str
    correct: int
    asked: int

    @property
    def ratio(self) -> float:
        return self.correct / self.asked if self.asked else 0.0


@dataclass
class Session:
    """The questions of one sitting and what happened to each.

    ``grade`` is ``cnnquiz.bank.grade`` (injected so the model is testable with fakes);
    ``clock`` returns seconds and is fixed in tests and snapshots.
    """

    mode: str
    questions: list[Any]
    grade: Callable[[Any, str], Any]
    progress: ProgressLike | None = None
    seed: int = 0
    time_limit: float | None = None  # seconds, exams only
    clock: Callable[[], float] = time.monotonic
    index: int = 0
    answers: list[Answer] = field(default_factory=list)
    hints_shown: int = 0
    variant: int = 0
    item: Any = None
    started: float = 0.0
    question_started: float = 0.0
    finished_at: float | None = None
    unsaved: str | None = None  # why the last answer or rating could not be stored

    def __post_init__(self) -> None:
        self.started = self.question_started = self.clock()
        self._draw()

    # ---- the current question ---------------------------------------------------------------
    @property
    def feedback(self) -> bool:
        """Practice, cram and missed say at once whether an answer was right; an exam waits."""
        return self.mode != "exam"

    @property
    def total(self) -> int:
        return len(self.questions)

    @property
    def finished(self) -> bool:
        return self.finished_at is not None or self.index >= self.total

    @property
    def question(self) -> Any:
        return self.questions[self.index] if self.index < self.total else None

    def _draw(self) -> None:
        self.hints_shown = 0
        q = self.question
        self.item = q.draw(item_seed(self.seed, q, self.variant)) if q is not None else None
        self.question_started = self.clock()

    def next_hint(self) -> str | None:
        """The next hint, one at a time; None when there are no more."""
        hints = list(getattr(self.item, "hints", None) or [])
        if self.item is None or self.hints_shown >= len(hints):
            return None
        self.hints_shown += 1
        return hints[self.hints_shown - 1]

    def new_variant(self) -> bool:
        """Draw another variant of a computed question (False for a fixed one)."""
        q = self.question
        if q is None or not getattr(q, "is_computed", False):
            return False
        self.variant += 1
        self._draw()
        return True

    # ---- answering --------------------------------------------------------------------------
    def submit(self, text: str) -> Any:
        """Grade ``text``; a valid answer is stored (with the review schedule) and recorded here.

        An invalid answer (``2.8 bananas``) costs nothing: nothing is stored and the same
        question stays. The caller moves on with :meth:`advance`.
        """
        if self.finished:
            raise RuntimeError("the session is over")
        verdict = self.grade(self.item, text)
        if verdict.status == "invalid":
            return verdict
        q = self.question
        seconds = max(0.0, self.clock() - self.question_started)
        attempt_id = None
        if self.progress is not None:
            try:
                attempt = self.progress.record(
                    q.id,
                    q.bank,
                    list(q.topics),
                    verdict.status,
                    text,
                    seconds=seconds,
                    seed=self.item.seed,
                )
            except CnnquizError as exc:  # the store says why (disk full, locked): carry on
                self.unsaved = str(exc)
            else:
                attempt_id = getattr(attempt, "id", attempt)
        self.answers.append(
            Answer(q, self.item, text, verdict.status, verdict, seconds, attempt_id)
        )
        return verdict

    def take_unsaved(self) -> str | None:
        """Why the last answer or rating was not stored (once), for the face to say so."""
        message, self.unsaved = self.unsaved, None
        return message

    def rerate(self, rating: str) -> bool:
        """After a correct answer, Hard or Easy instead of Good; False if not allowed now."""
        if rating not in ("hard", "easy") or not self.answers:
            return False
        last = self.answers[-1]
        if not last.correct or last.question is not self.question:
            return False
        if self.progress is not None and last.attempt_id is not None:
            try:
                self.progress.rerate(last.attempt_id, rating)
            except CnnquizError as exc:
                self.unsaved = str(exc)
                return False
        last.rating = rating
        return True

    @property
    def answered_current(self) -> bool:
        return (
            bool(self.answers)
            and self.answers[-1].question is self.question
            and self.answers[-1].item is self.item
        )

    def skip(self) -> None:
        """Leave the question unanswered: not stored, and in an exam it scores nothing."""
        if self.finished:
            return
        if not self.answered_current:
            q = self.question
            self.answers.append(
                Answer(
                    q,
                    self.item,
                    "",
                    "skipped",
                    seconds=max(0.0, self.clock() - self.question_started),
                )
            )
        self.advance()

    def advance(self) -> None:
        """On to the next question (the session ends after the last)."""
        if self.finished:
            return
        self.index += 1
        self.variant = 0
        if self.index >= self.total:
            self.finish()
        else:
            self._draw()

    def finish(self) -> None:
        if self.finished_at is None:
            self.finished_at = self.clock()

    # ---- time -------------------------------------------------------------------------------
    @property
    def elapsed(self) -> float:
        end = self.finished_at if self.finished_at is not None else self.clock()
        return max(0.0, end - self.started)

    @property
    def remaining(self) -> float | None:
        if self.time_limit is None:
            return None
        return max(0.0, self.time_limit - self.elapsed)

    @property
    def time_up(self) -> bool:
        return self.time_limit is not None and self.elapsed >= self.time_limit

    # ---- score ------------------------------------------------------------------------------
    @property
    def correct(self) -> int:
        return sum(a.correct for a in self.answers)

    @property
    def answered(self) -> int:
        return sum(a.status != "skipped" for a in self.answers)

    def topic_scores(self) -> list[TopicScore]:
        """Correct over asked per topic; an exam counts unanswered questions as asked."""
        asked: dict[str, int] = {}
        right: dict[str, int] = {}
        outcomes = {id(a.question): a for a in self.answers}
        pool = self.questions if self.mode == "exam" else [a.question for a in self.answers]
        for q in pool:
            a = outcomes.get(id(q))
            for t in q.topics:
                asked[t] = asked.get(t, 0) + 1
                right[t] = right.get(t, 0) + (1 if a is not None and a.correct else 0)
        return [TopicScore(t, right[t], asked[t]) for t in sorted(asked)]

    def missed(self) -> list[Answer]:
        """The questions answered wrong: "missed" means the same here, on the results screen and
        in the home screen's "Missed N to retry" (the store's latest verdict was wrong). A skip
        is not an answer and is not stored, so it is counted apart, by :meth:`skipped`."""
        return [a for a in self.answers if a.status == "wrong"]

    def skipped(self) -> list[Answer]:
        """Questions left unanswered (Ctrl+S), plus, in an exam, the questions never reached."""
        out = [a for a in self.answers if a.status == "skipped"]
        if self.mode == "exam":
            reached = {id(a.question) for a in self.answers}
            for i, q in enumerate(self.questions):
                if id(q) not in reached:
                    out.append(
                        Answer(
                            q,
                            q.draw(item_seed(self.seed, q, 0)) if i != self.index else self.item,
                            "",
                            "skipped",
                        )
                    )
        return out

    def retry_missed(self) -> Session | None:
        """A new session of the missed and the skipped questions (fresh variants)."""
        qs = [a.question for a in self.missed() + self.skipped()]
        if not qs:
            return None
        return Session(
            "missed", qs, self.grade, self.progress, seed=self.seed + 1, clock=self.clock
        )
