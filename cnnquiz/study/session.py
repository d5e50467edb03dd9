"""A study session over question banks: the questions of one sitting and the score so far.

Face-free on purpose: the Textual app drives it with key presses, ``cnnquiz quiz`` with lines
and the tests with plain calls, so the rules (an invalid answer costs nothing, an exam gives no
feedback until the end, a skip is not stored) live here once. Which questions, in what order, is
:mod:`cnnquiz.study.select`'s job. The bank and the progress store are seen through the
Protocols below, so a bank ``Question`` and a test's fake both fit, and mypy checks both.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from cnnquiz.errors import CnnquizError
from cnnquiz.study.select import Selectable, unit_key


class ItemLike(Protocol):
    """A drawn question as the faces show it: ``cnnquiz.bank.Item`` or a test's fake."""

    @property
    def prompt(self) -> str: ...  # Markdown
    @property
    def kind(self) -> str: ...  # numeric | shape | choice | multi | truefalse | text
    @property
    def choices(self) -> Sequence[str] | None: ...
    @property
    def hints(self) -> Sequence[str]: ...
    @property
    def explanation(self) -> str: ...  # Markdown: the worked solution
    @property
    def answer_text(self) -> str: ...  # the key as a person writes it
    @property
    def seed(self) -> int: ...


ItemT = TypeVar("ItemT", bound=ItemLike)
ItemT_co = TypeVar("ItemT_co", bound=ItemLike, covariant=True)


class QuestionLike(Selectable, Protocol[ItemT_co]):
    """A question the session asks: selectable, and drawn (a computed one per seed) as an item."""

    @property
    def is_computed(self) -> bool: ...
    def draw(self, seed: int) -> ItemT_co: ...


class VerdictLike(Protocol):
    """What grading says: ``cnnquiz.bank.Verdict`` or a test's fake."""

    @property
    def status(self) -> str: ...  # "correct" | "wrong" | "invalid"
    @property
    def message(self) -> str: ...  # one line: why invalid, or what was expected
    @property
    def feedback(self) -> str | None: ...  # the mistake, when the grader can tell
    @property
    def expected(self) -> str: ...


class Recorded(Protocol):
    @property
    def id(self) -> int: ...


class Recorder(Protocol):
    """What the session asks of the progress store: keep an answer, rerate it."""

    def record(
        self,
        _question_id: str,
        _bank: str,
        _topics: Sequence[str],
        _verdict: str,
        _answer: str,
        /,
        seconds: float = 0.0,
        seed: int | None = None,
    ) -> Recorded: ...
    def rerate(self, _attempt_id: int, _rating: str, /) -> object: ...


def item_seed(base: int, question: Selectable, variant: int = 0) -> int:
    """The seed a question is drawn with: parts of one item share it, so they share the variant."""
    key = unit_key(question)
    return (base * 1_000_003 + zlib.crc32(key.encode()) + variant * 7919) % (2**31)


@dataclass
class Answer(Generic[ItemT]):
    """One question's outcome in the session: its item, what was typed and the verdict."""

    question: QuestionLike[ItemT]
    item: ItemT
    text: str
    status: str  # "correct" | "wrong" | "skipped"
    verdict: VerdictLike | None = None  # None for a skip
    seconds: float = 0.0
    attempt_id: int | None = None  # the store's id, to rerate it
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
class Session(Generic[ItemT]):
    """The questions of one sitting and what happened to each.

    ``grade`` is ``cnnquiz.bank.grade`` (injected so the model is testable with fakes);
    ``clock`` returns seconds and is fixed in tests and snapshots.
    """

    mode: str
    questions: Sequence[QuestionLike[ItemT]]
    grade: Callable[[ItemT, str], VerdictLike]
    progress: Recorder | None = None
    seed: int = 0
    time_limit: float | None = None  # seconds, exams only
    clock: Callable[[], float] = time.monotonic
    index: int = 0
    answers: list[Answer[ItemT]] = field(default_factory=list)
    hints_shown: int = 0
    variant: int = 0
    item: ItemT | None = None  # the current question, drawn (None only with no questions)
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
    def question(self) -> QuestionLike[ItemT] | None:
        return self.questions[self.index] if self.index < self.total else None

    def current(self) -> tuple[QuestionLike[ItemT], ItemT]:
        """The question being asked and its drawn item; an error once the session is over."""
        q = self.question
        if self.finished or q is None or self.item is None:
            raise RuntimeError("the session is over")
        return q, self.item

    def _draw(self) -> None:
        self.hints_shown = 0
        q = self.question
        self.item = q.draw(item_seed(self.seed, q, self.variant)) if q is not None else None
        self.question_started = self.clock()

    def next_hint(self) -> str | None:
        """The next hint, one at a time; None when there are no more."""
        hints = self.item.hints if self.item is not None else ()
        if self.hints_shown >= len(hints):
            return None
        self.hints_shown += 1
        return hints[self.hints_shown - 1]

    def new_variant(self) -> bool:
        """Draw another variant of a computed question (False for a fixed one)."""
        q = self.question
        if q is None or not q.is_computed:
            return False
        self.variant += 1
        self._draw()
        return True

    # ---- answering --------------------------------------------------------------------------
    def submit(self, text: str) -> VerdictLike:
        """Grade ``text``; a valid answer is stored (with the review schedule) and recorded here.

        An invalid answer (``2.8 bananas``) costs nothing: nothing is stored and the same
        question stays. The caller moves on with :meth:`advance`.
        """
        q, item = self.current()
        verdict = self.grade(item, text)
        if verdict.status == "invalid":
            return verdict
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
                    seed=item.seed,
                )
            except CnnquizError as exc:  # the store says why (disk full, locked): carry on
                self.unsaved = str(exc)
            else:
                attempt_id = attempt.id
        self.answers.append(Answer(q, item, text, verdict.status, verdict, seconds, attempt_id))
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
            q, item = self.current()
            seconds = max(0.0, self.clock() - self.question_started)
            self.answers.append(Answer(q, item, "", "skipped", seconds=seconds))
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

    def missed(self) -> list[Answer[ItemT]]:
        """The questions answered wrong: "missed" means the same here, on the results screen and
        in the home screen's "Missed N to retry" (the store's latest verdict was wrong). A skip
        is not an answer and is not stored, so it is counted apart, by :meth:`skipped`."""
        return [a for a in self.answers if a.status == "wrong"]

    def skipped(self) -> list[Answer[ItemT]]:
        """Questions left unanswered (Ctrl+S), plus, in an exam, the questions never reached."""
        out = [a for a in self.answers if a.status == "skipped"]
        if self.mode == "exam":
            reached = {id(a.question) for a in self.answers}
            for i, q in enumerate(self.questions):
                if id(q) not in reached:
                    shown = self.item if i == self.index else None  # the one on screen
                    item = shown if shown is not None else q.draw(item_seed(self.seed, q, 0))
                    out.append(Answer(q, item, "", "skipped"))
        return out

    def retry_missed(self) -> Session[ItemT] | None:
        """A new session of the missed and the skipped questions (fresh variants)."""
        qs = [a.question for a in self.missed() + self.skipped()]
        if not qs:
            return None
        return Session(
            "missed", qs, self.grade, self.progress, seed=self.seed + 1, clock=self.clock
        )
