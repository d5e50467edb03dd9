"""The plain data the progress store hands out: attempts, cards and statistics.

Frozen dataclasses with no database handle inside, so the app can keep them across threads and
the command line can turn them into JSON with ``to_dict``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class CardInfo:
    """A question's place in the review schedule (one FSRS card per question id).

    ``state`` is ``learning``, ``review`` or ``relearning``; ``step`` the (re)learning step, None
    in review. ``stability`` is in days (how long until recall drops to 90 %), ``difficulty``
    1..10. ``reps`` counts reviews, ``lapses`` the times a card in review was forgotten.
    """

    question_id: str
    due: datetime
    state: str
    step: int | None
    stability: float | None
    difficulty: float | None
    reps: int
    lapses: int
    last_review: datetime | None

    def to_dict(self) -> dict:
        return {
            "question_id": self.question_id,
            "due": self.due.isoformat(),
            "state": self.state,
            "step": self.step,
            "stability": self.stability,
            "difficulty": self.difficulty,
            "reps": self.reps,
            "lapses": self.lapses,
            "last_review": self.last_review.isoformat() if self.last_review else None,
        }


@dataclass(frozen=True)
class Attempt:
    """One recorded answer; ``card`` is the schedule right after it."""

    id: int
    question_id: str
    bank: str
    topics: list[str]
    verdict: str
    answer: str
    seconds: float
    seed: int | None
    answered_at: datetime
    rating: str
    card: CardInfo | None = None


@dataclass(frozen=True)
class DayCount:
    """Answers given on one (local) day."""

    day: date
    answers: int
    correct: int


@dataclass(frozen=True)
class TopicStat:
    """All-time answers about one topic (a question counts for each of its topics)."""

    topic: str
    answers: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.answers if self.answers else 0.0


@dataclass(frozen=True)
class Stats:
    """What ``cnnquiz stats`` and the app's Stats screen show.

    ``days`` runs oldest first and ends today, with zero days included so a chart can draw them.
    ``streak`` counts days in a row with at least one answer, ending today or yesterday (a streak
    is not broken before the day is over).
    """

    days: list[DayCount]
    topics: list[TopicStat]
    streak: int
    answers: int
    correct: int
    questions: int
    first_answer: datetime | None = None
    last_answer: datetime | None = None

    @property
    def accuracy(self) -> float:
        return self.correct / self.answers if self.answers else 0.0

    def to_dict(self) -> dict:
        return {
            "answers": self.answers,
            "correct": self.correct,
            "accuracy": round(self.accuracy, 4),
            "questions": self.questions,
            "streak": self.streak,
            "first_answer": self.first_answer.isoformat() if self.first_answer else None,
            "last_answer": self.last_answer.isoformat() if self.last_answer else None,
            "days": [
                {"day": d.day.isoformat(), "answers": d.answers, "correct": d.correct}
                for d in self.days
            ],
            "topics": [
                {
                    "topic": t.topic,
                    "answers": t.answers,
                    "correct": t.correct,
                    "accuracy": round(t.accuracy, 4),
                }
                for t in self.topics
            ],
        }
