"""The progress store: every answer, and the FSRS review schedule built from them.

One FSRS card per question id (a computed question is one card whatever its variant; a prompt
edited to fix a typo keeps its history). A correct answer reviews the card as Good, a wrong one
as Again; the student may turn a Good into Hard or Easy right after (``rerate``). Each answer is
one transaction holding the attempt, the review log row and the updated card, so killing the
program loses at most the answer in flight.

Values a person or another tool wrote into the file by hand (topics that are not JSON, a due
date that is not a date, a state FSRS does not know) must not take the student's history down:
on opening, an unreadable card is rescheduled as due now (its answers kept, nothing deleted),
and an answer with unreadable topics or time still counts in the totals but not per topic or
per day. Each kind of damage is one line in ``warning``.

Fuzzing (FSRS's random spread of long intervals) is off: the schedule of a few hundred exam
questions needs no de-clumping, and a reproducible schedule is easier to test and to explain.
"""

from __future__ import annotations

import json
import math
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from fsrs import Card, Rating, ReviewLog, Scheduler, State

from cnnquiz import paths
from cnnquiz.net.units import fmt_count
from cnnquiz.progress.database import (
    ProgressWriteError,
    open_database,
    utc_text,
    write_transaction,
)
from cnnquiz.progress.records import Attempt, CardInfo, Stats
from cnnquiz.progress.rows import (
    ATTEMPT_COLUMNS,
    CARD_COLUMNS,
    KNOWN_RATINGS,
    answer_warnings,
    as_utc,
    attempt_from_row,
    card_from_row,
    first_few,
    info_from_row,
    info_of,
    insert_sql,
    read_count,
    read_time,
    tally,
)

VERDICT_RATING = {"correct": Rating.Good, "wrong": Rating.Again}
RERATINGS = {"hard": Rating.Hard, "good": Rating.Good, "easy": Rating.Easy}


class Progress:
    """The student's answers and review schedule in one SQLite file (see the module docstring).

    Safe to share between threads (one lock around the connection) and between processes (WAL,
    busy timeout, ``BEGIN IMMEDIATE`` writes). ``warning`` says when a bad file was moved aside.
    """

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else paths.progress_path()
        self._db, opened = open_database(self.path)
        self._lock = threading.Lock()
        self.scheduler = Scheduler(enable_fuzzing=False)
        self.warnings: list[str] = [opened] if opened else []
        self.warnings += self._repair()

    @property
    def warning(self) -> str | None:
        """What went wrong on opening, one sentence per kind of damage; None when all is well."""
        return "; ".join(self.warnings) or None

    # -- writing ------------------------------------------------------------------------------

    def record(
        self,
        question_id: str,
        bank: str,
        topics: Iterable[str],
        verdict: str,
        answer: str,
        seconds: float = 0.0,
        seed: int | None = None,
        now: datetime | None = None,
    ) -> Attempt:
        """Store one graded answer and review its card: correct = Good, wrong = Again.

        Invalid answers are never recorded (they cost the student nothing): passing
        ``verdict="invalid"`` is a programming error and raises ValueError.
        """
        if verdict not in VERDICT_RATING:
            raise ValueError(f"verdict must be 'correct' or 'wrong', got {verdict!r}")
        moment = as_utc(now)
        topics = list(topics)
        seconds = float(seconds) if math.isfinite(seconds) and seconds > 0 else 0.0
        rating = VERDICT_RATING[verdict]
        attempt = {
            "question_id": question_id,
            "bank": bank,
            "topics": json.dumps(topics),
            "verdict": verdict,
            "answer": answer,
            "seconds": float(seconds),
            "seed": seed,
            "answered_at": utc_text(moment),
        }
        with self._write() as db:
            before, reps, lapses = _card_before(db, question_id, moment)
            after, log = self.scheduler.review_card(
                before, rating, review_datetime=moment, review_duration=round(seconds * 1000)
            )
            attempt_id = _row_id(db.execute(insert_sql("attempt", attempt), attempt))
            review = _review_row(attempt_id, before, reps, lapses, log, moment)
            db.execute(insert_sql("review_log", review), review)
            # a lapse, as Anki counts it: a card that had graduated to review is forgotten
            lapses += rating == Rating.Again and before.state == State.Review
            info = self._store_card(db, question_id, after, reps + 1, lapses)
        return Attempt(
            attempt_id,
            question_id,
            bank,
            topics,
            verdict,
            answer,
            float(seconds),
            seed,
            moment,
            rating.name.lower(),
            info,
        )

    def rerate(self, attempt_id: int, rating: str, now: datetime | None = None) -> CardInfo:
        """Replace the Good of a correct answer by Hard or Easy (or back to Good).

        The card is recomputed from its state before that review (kept in the review log row), at
        the time of the answer. Only a question's latest answer can be rerated: a later review
        was scheduled from this one. ``now`` is accepted for a uniform clock argument; the review
        keeps the time it was answered.
        """
        del now
        if rating not in RERATINGS:
            raise ValueError(f"rating must be one of {', '.join(RERATINGS)}, got {rating!r}")
        with self._write() as db:
            row = db.execute(
                "SELECT r.id, r.card_id, r.review_datetime, r.review_duration, r.card_before, "
                "a.verdict, a.question_id FROM review_log r JOIN attempt a ON a.id = r.attempt_id "
                "WHERE r.attempt_id = ?",
                (attempt_id,),
            ).fetchone()
            if row is None:
                raise LookupError(f"no recorded attempt {attempt_id}")
            log_id, card_id, when, duration, before_json, verdict, question_id = row
            if verdict != "correct":
                raise ValueError("only a correct answer can be rated Hard or Easy")
            latest = db.execute(
                "SELECT MAX(id) FROM review_log WHERE card_id = ?", (card_id,)
            ).fetchone()[0]
            if latest != log_id:
                raise ValueError(
                    f"{question_id} was answered again since; only the latest answer can be rerated"
                )
            before = json.loads(before_json)
            after, _ = self.scheduler.review_card(
                Card.from_dict(before),
                RERATINGS[rating],
                review_datetime=datetime.fromisoformat(when),
                review_duration=duration,
            )
            db.execute(
                "UPDATE review_log SET rating = ? WHERE id = ?", (int(RERATINGS[rating]), log_id)
            )
            return self._store_card(db, question_id, after, before["reps"] + 1, before["lapses"])

    # -- reading ------------------------------------------------------------------------------

    def card(self, question_id: str) -> CardInfo | None:
        """The question's schedule, or None if it was never answered."""
        row = self._query(f"SELECT {CARD_COLUMNS} FROM card WHERE question_id = ?", (question_id,))
        return info_from_row(row[0]) if row else None  # None too if it cannot be read

    def attempts(self, question_id: str | None = None) -> list[Attempt]:
        """The stored history, oldest first (of one question, or of all)."""
        where, args = (
            ("WHERE a.question_id = ?", (question_id,)) if question_id is not None else ("", ())
        )
        rows = self._query(
            f"SELECT {ATTEMPT_COLUMNS} FROM attempt a "
            f"LEFT JOIN review_log r ON r.attempt_id = a.id {where} ORDER BY a.id",
            args,
        )
        return [a for a in map(attempt_from_row, rows) if a is not None]

    def due(self, question_ids: Iterable[str], now: datetime | None = None) -> list[str]:
        """The given ids whose card is due at ``now``, most overdue first.

        A question never answered is not due: it is new (see ``new``)."""
        wanted = set(question_ids)
        rows = self._query(
            "SELECT question_id FROM card WHERE due <= ? ORDER BY due, card_id",
            (utc_text(as_utc(now)),),
        )
        return [qid for (qid,) in rows if qid in wanted]

    def new(self, question_ids: Iterable[str]) -> list[str]:
        """The ids never answered, in the given order."""
        seen = {qid for (qid,) in self._query("SELECT question_id FROM card")}
        return [qid for qid in question_ids if qid not in seen]

    def missed_last_time(self, question_ids: Iterable[str] | None = None) -> list[str]:
        """Questions whose latest recorded attempt was wrong: most recent first, or in the
        order of ``question_ids`` when given (then limited to them)."""
        rows = self._query(
            "SELECT a.question_id FROM attempt a JOIN (SELECT MAX(id) AS id FROM attempt "
            "GROUP BY question_id) latest ON latest.id = a.id WHERE a.verdict = 'wrong' "
            "ORDER BY a.id DESC"
        )
        missed = [qid for (qid,) in rows]
        if question_ids is None:
            return missed
        missed_set = set(missed)
        return [qid for qid in question_ids if qid in missed_set]

    def mastery(
        self, topic_of: Mapping[str, Iterable[str]], now: datetime | None = None
    ) -> dict[str, float]:
        """Per topic, 0..1: the mean over that topic's questions of the FSRS retrievability
        (predicted chance of recall now) when the latest attempt was correct, 0 when it was
        wrong or the question was never answered. So mastery grows with right answers and fades
        when reviews are skipped.

        ``topic_of`` maps each question id to its topics (``{q.id: q.topics for q in bank}``).
        """
        moment = as_utc(now)
        latest = dict(
            self._query(
                "SELECT a.question_id, a.verdict FROM attempt a JOIN (SELECT MAX(id) AS id FROM "
                "attempt GROUP BY question_id) latest ON latest.id = a.id"
            )
        )
        cards = {
            row[1]: card
            for row in self._query(f"SELECT {CARD_COLUMNS} FROM card")
            if (card := card_from_row(row)) is not None
        }
        totals: dict[str, list[float]] = {}
        for qid, topics in topic_of.items():
            score = 0.0
            if latest.get(qid) == "correct" and qid in cards:
                score = self.scheduler.get_card_retrievability(cards[qid], moment)
            for topic in topics:
                totals.setdefault(topic, []).append(score)
        return {topic: sum(scores) / len(scores) for topic, scores in totals.items()}

    def stats(self, now: datetime | None = None, days: int = 30, tz: tzinfo | None = None) -> Stats:
        """Answers per day over the last ``days`` days (``tz``: the day boundaries, default the
        local time zone), all-time accuracy per topic, the streak and the totals."""
        rows = self._query("SELECT answered_at, verdict, topics FROM attempt ORDER BY answered_at")
        (questions,) = self._query("SELECT COUNT(DISTINCT question_id) FROM attempt")[0]
        return tally(rows, questions, as_utc(now), days, tz)

    def review_log(self) -> list[ReviewLog]:
        """Every review as fsrs ReviewLog objects, oldest first: what ``fsrs.Optimizer`` takes
        to fit the parameters to this student (``log.to_dict()`` gives plain rows)."""
        rows = self._query(
            "SELECT card_id, rating, review_datetime, review_duration "
            "FROM review_log ORDER BY review_datetime, id"
        )
        logs = []
        for cid, r, t, d in rows:
            when = read_time(t)
            if r in KNOWN_RATINGS and when is not None:  # a row written by hand that cannot be read
                logs.append(ReviewLog(cid, Rating(r), when, d))
        return logs

    def _repair(self) -> list[str]:
        """Reschedule unreadable cards as due now; count answers with unreadable fields.

        Returns one warning per kind of damage. Nothing is deleted: a card keeps its question,
        repetitions and lapses (its answers are in ``attempt``), and an answer row is never
        changed, only left out where its bad field would be needed.
        """
        warnings = []
        broken = [
            row for row in self._query(f"SELECT {CARD_COLUMNS} FROM card")
            if card_from_row(row) is None
        ]  # fmt: skip
        if broken:
            now = utc_text(datetime.now(UTC))
            kept = [
                (int(State.Learning), now, read_count(r[8]), read_count(r[9]), r[0]) for r in broken
            ]
            try:
                with self._write() as db:
                    db.executemany(
                        "UPDATE card SET state = ?, step = 0, stability = NULL, difficulty = NULL, "
                        "due = ?, last_review = NULL, reps = ?, lapses = ? WHERE card_id = ?",
                        kept,
                    )
                done = "rescheduled them as due now"
            except ProgressWriteError:
                done = "left them as they are (the database could not be written)"
            names = first_few(str(row[1]) for row in broken)
            warnings.append(
                f"progress: {fmt_count(len(broken), 'review card')} had unreadable values ({names}); "
                f"{done}, their answers are kept"
            )
        rows = self._query("SELECT question_id, topics, answered_at FROM attempt")
        return warnings + answer_warnings(rows)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals ----------------------------------------------------------------------------

    def _write(self) -> AbstractContextManager[sqlite3.Connection]:
        return write_transaction(self._db, self._lock, self.path)

    def _query(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def _store_card(
        self, db: sqlite3.Connection, question_id: str, card: Card, reps: int, lapses: int
    ) -> CardInfo:
        db.execute(
            "UPDATE card SET state = ?, step = ?, stability = ?, difficulty = ?, due = ?, "
            "last_review = ?, reps = ?, lapses = ? WHERE card_id = ?",
            (
                int(card.state),
                card.step,
                card.stability,
                card.difficulty,
                utc_text(card.due),
                utc_text(card.last_review) if card.last_review else None,
                reps,
                lapses,
                card.card_id,
            ),
        )
        return info_of(question_id, card, reps, lapses)


def _card_before(
    db: sqlite3.Connection, question_id: str, moment: datetime
) -> tuple[Card, int, int]:
    """The question's card before this review with its repetitions and lapses; a question
    answered for the first time gets a new card (a card that cannot be read starts afresh,
    keeping its counts)."""
    row = db.execute(
        f"SELECT {CARD_COLUMNS} FROM card WHERE question_id = ?", (question_id,)
    ).fetchone()
    if row is not None:
        card = card_from_row(row) or Card(card_id=row[0], due=moment)
        return card, read_count(row[8]), read_count(row[9])
    card_id = _row_id(
        db.execute(
            "INSERT INTO card (question_id, state, step, due) VALUES (?, ?, 0, ?)",
            (question_id, int(State.Learning), utc_text(moment)),
        )
    )
    return Card(card_id=card_id, due=moment), 0, 0


def _row_id(cursor: sqlite3.Cursor) -> int:
    """The id of the row an INSERT just added (sqlite3 sets it after every one)."""
    if cursor.lastrowid is None:
        raise sqlite3.DatabaseError("an INSERT gave no row id")
    return cursor.lastrowid


def _review_row(
    attempt_id: int, before: Card, reps: int, lapses: int, log: ReviewLog, moment: datetime
) -> dict[str, object]:
    """The review log row of an answer; it keeps the card as it was before, so ``rerate`` can
    review it again with another rating."""
    return {
        "attempt_id": attempt_id,
        "card_id": before.card_id,
        "rating": int(log.rating),
        "review_datetime": utc_text(moment),
        "review_duration": log.review_duration,
        "card_before": json.dumps({**before.to_dict(), "reps": reps, "lapses": lapses}),
    }
