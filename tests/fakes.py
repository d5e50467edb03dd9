"""Small stand-ins for banks and progress, for the session model's unit tests and the snapshots.

The pilot tests use the real bank engine and the real progress store; these fakes pin what a
unit test or a snapshot must not depend on (the clock, today's date, FSRS's intervals). Each
has the shape of what it stands for: ``cnnquiz.app.protocol`` says what the app reads of an
item, a question and the progress store, and ``tests/app/test_protocol.py`` holds the fakes and
the real classes to it (mypy does too, at the end of this file).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from cnnquiz.app.protocol import ItemView, ProgressStore, QuestionView
    from cnnquiz.progress import Progress, Stats


@dataclass
class FakeItem:
    question: FakeQuestion
    prompt: str
    kind: str
    choices: list[str] | None
    hints: list[str]
    explanation: str
    answer_text: str
    seed: int


@dataclass
class FakeQuestion:
    id: str
    type: str
    answer: str
    bank: str = "Fake bank"
    topics: list[str] = field(default_factory=lambda: ["convolution"])
    choices: list[str] | None = None
    hints: list[str] = field(default_factory=list)
    group: str | None = None
    part_index: int | None = None
    is_computed: bool = False

    def draw(self, seed: int) -> FakeItem:
        prompt = f"Question {self.id}" + (f" (variant {seed % 1000})" if self.is_computed else "")
        kind = "numeric" if self.type == "computed" else self.type
        return FakeItem(
            self,
            prompt,
            kind,
            self.choices,
            self.hints,
            f"Because {self.answer}.",
            self.answer,
            seed,
        )


def fake_grade(item: FakeItem, text: str) -> SimpleNamespace:
    """Numbers must parse; anything else is compared case-blind."""
    typed = text.strip().replace(",", "")
    if item.kind == "numeric":
        try:
            float(typed)
        except ValueError:
            return SimpleNamespace(
                status="invalid",
                message=f"{text!r} is not a number",
                feedback=None,
                expected=item.answer_text,
            )
    ok = typed.lower() == item.answer_text.lower()
    return SimpleNamespace(
        status="correct" if ok else "wrong",
        message="",
        feedback=None if ok else "check the bias",
        expected=item.answer_text,
    )


class FakeProgress:
    """Records in memory; ``due``/``new``/``missed`` are whatever the test sets."""

    def __init__(
        self,
        due: list[str] | None = None,
        missed: list[str] | None = None,
        warning: str | None = None,
    ) -> None:
        self.records: list[tuple] = []
        self.rerated: list[tuple] = []
        self._due = list(due or [])
        self._missed = list(missed or [])
        self.warning = warning

    def record(
        self,
        question_id: str,
        bank: str,
        topics: list[str],
        verdict: str,
        answer: str,
        seconds: float = 0.0,
        seed: int | None = None,
    ) -> SimpleNamespace:
        self.records.append((question_id, verdict, answer, seconds, seed))
        return SimpleNamespace(id=len(self.records))

    def rerate(self, attempt_id: int, rating: str) -> None:
        self.rerated.append((attempt_id, rating))

    def due(self, qids: Iterable[str]) -> list[str]:
        return [q for q in self._due if q in set(qids)]

    def new(self, qids: Iterable[str]) -> list[str]:
        seen = {r[0] for r in self.records} | set(self._due) | set(self._missed)
        return [q for q in qids if q not in seen]

    def missed_last_time(self, qids: Iterable[str] | None = None) -> list[str]:
        wanted = None if qids is None else set(qids)
        return [q for q in self._missed if wanted is None or q in wanted]

    def mastery(self, topic_of: Mapping[str, Iterable[str]], /) -> dict[str, float]:
        out: dict[str, list[float]] = {}
        for qid, topics in topic_of.items():
            score = 1.0 if any(r[0] == qid and r[1] == "correct" for r in self.records) else 0.0
            for t in topics:
                out.setdefault(t, []).append(score)
        return {t: sum(v) / len(v) for t, v in out.items()}

    def stats(self) -> Stats:
        from cnnquiz.progress import DayCount, Stats, TopicStat

        end = date(2026, 3, 14)
        counts = [0, 3, 5, 0, 8, 4, 6]
        days = [
            DayCount(end - timedelta(days=len(counts) - 1 - i), n, n // 2 + 1 if n else 0)
            for i, n in enumerate(counts)
        ]
        topics = [
            TopicStat("convolution", 14, 11),
            TopicStat("memory", 8, 3),
            TopicStat("pooling", 4, 4),
        ]
        return Stats(days, topics, streak=3, answers=26, correct=18, questions=12)


def fake_questions() -> list[FakeQuestion]:
    return [
        FakeQuestion(
            "q1",
            "numeric",
            "2800",
            topics=["convolution", "parameters"],
            hints=["Each filter spans 3 channels.", "One bias per filter."],
        ),
        FakeQuestion(
            "q2",
            "choice",
            "Hinge",
            topics=["losses"],
            choices=["MSE", "Binary cross-entropy", "Hinge"],
        ),
        FakeQuestion("q3", "truefalse", "false", topics=["pooling"]),
        FakeQuestion("q4", "computed", "100", topics=["convolution"], is_computed=True),
        FakeQuestion(
            "ram/params", "numeric", "903400", topics=["memory"], group="ram", part_index=0
        ),
        FakeQuestion(
            "ram/predict", "numeric", "12.6", topics=["memory"], group="ram", part_index=1
        ),
    ]


async def calculator_settled(pilot: Pilot[None]) -> None:
    """Wait until the calculator shows the figures for what is typed now: they are computed
    after a pause in the typing, in a worker thread. Polls (no timing is asserted); gives up
    after about 20 s so a hang fails instead of blocking the suite."""
    from cnnquiz.app.screens.calculator import CalculatorScreen

    screen = pilot.app.screen
    assert isinstance(screen, CalculatorScreen)
    for _ in range(400):
        await pilot.pause(0.05)
        if not screen.busy:
            await pilot.pause()
            return
    raise AssertionError("the calculator never showed the figures for what is typed")


def sync(fn: Callable[..., Coroutine[Any, Any, Any]]) -> Callable[..., Any]:
    """Run an async test with asyncio.run (the project has no pytest asyncio plugin)."""
    import asyncio
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return asyncio.run(fn(*args, **kwargs))

    return wrapper


class held_write_lock:  # lower case: used as a context manager, reads like one
    """Another program holds ``progress``'s write lock: its next write waits 50 ms, then fails
    as SQLite does when a database stays locked past the busy timeout."""

    def __init__(self, progress: Progress) -> None:
        import sqlite3

        self.progress = progress
        progress._db.execute("PRAGMA busy_timeout = 50")
        self.other = sqlite3.connect(progress.path, isolation_level=None)

    def __enter__(self) -> held_write_lock:
        self.other.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, *exc: object) -> None:
        self.other.execute("ROLLBACK")
        self.other.close()


async def cram_until(pilot: Pilot[None], qid: str) -> None:
    """Open a Cram session and skip (Ctrl+S) until question ``qid`` is on screen."""
    from cnnquiz.app.screens.question import QuestionScreen

    await pilot.press("c")
    screen = pilot.app.screen
    assert isinstance(screen, QuestionScreen)
    while screen.session.question.id != qid:
        await pilot.press("ctrl+s")


def agreeing_verdict(figures: Any) -> SimpleNamespace:
    """What ``cnnquiz.torchcheck.verify.verify`` returns when torch agrees, without importing torch."""
    return SimpleNamespace(
        ok=True, total_trainable=figures.trainable, torch_version="x", device="meta", mismatches=()
    )


if TYPE_CHECKING:  # mypy tests/fakes.py: each fake has the shape of what it stands for
    _item: type[ItemView] = FakeItem
    _question: type[QuestionView] = FakeQuestion
    _progress: type[ProgressStore] = FakeProgress
