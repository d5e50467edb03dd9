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
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path

from fsrs import Card, Rating, ReviewLog, Scheduler, State

from cnnquiz import paths
from cnnquiz.net.units import fmt_count
from cnnquiz.progress.database import ProgressWriteError, is_busy, open_database, utc_text
from cnnquiz.progress.records import Attempt, CardInfo, DayCount, Stats, TopicStat

VERDICT_RATING = {"correct": Rating.Good, "wrong": Rating.Again}
RERATINGS = {"hard": Rating.Hard, "good": Rating.Good, "easy": Rating.Easy}

_CARD_COLUMNS = (
    "card_id, question_id, state, step, stability, difficulty, due, last_review, reps, lapses"
)
_ATTEMPT_COLUMNS = (
    "a.id, a.question_id, a.bank, a.topics, a.verdict, a.answer, a.seconds, a.seed, "
    "a.answered_at, r.rating"
)


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
        moment = _utc(now)
        topics = list(topics)
        seconds = float(seconds) if math.isfinite(seconds) and seconds > 0 else 0.0
        rating = VERDICT_RATING[verdict]
        with self._write() as db:
            row = db.execute(
                f"SELECT {_CARD_COLUMNS} FROM card WHERE question_id = ?", (question_id,)
            ).fetchone()
            if row is None:
                card_id = db.execute(
                    "INSERT INTO card (question_id, state, step, due) VALUES (?, ?, 0, ?)",
                    (question_id, int(State.Learning), utc_text(moment)),
                ).lastrowid
                before, reps, lapses = Card(card_id=card_id, due=moment), 0, 0
            else:
                before = _card_from_row(row) or Card(card_id=row[0], due=moment)
                reps, lapses = _count(row[8]), _count(row[9])
            after, log = self.scheduler.review_card(
                before, rating, review_datetime=moment, review_duration=round(seconds * 1000)
            )
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
            attempt_id = db.execute(_insert("attempt", attempt), attempt).lastrowid
            snapshot = {**before.to_dict(), "reps": reps, "lapses": lapses}
            review = {
                "attempt_id": attempt_id,
                "card_id": before.card_id,
                "rating": int(log.rating),
                "review_datetime": utc_text(moment),
                "review_duration": log.review_duration,
                "card_before": json.dumps(snapshot),
            }
            db.execute(_insert("review_log", review), review)
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
        row = self._query(f"SELECT {_CARD_COLUMNS} FROM card WHERE question_id = ?", (question_id,))
        return _info_from_row(row[0]) if row else None  # None too if it cannot be read

    def attempts(self, question_id: str | None = None) -> list[Attempt]:
        """The stored history, oldest first (of one question, or of all)."""
        where, args = (
            ("WHERE a.question_id = ?", (question_id,)) if question_id is not None else ("", ())
        )
        rows = self._query(
            f"SELECT {_ATTEMPT_COLUMNS} FROM attempt a "
            f"LEFT JOIN review_log r ON r.attempt_id = a.id {where} ORDER BY a.id",
            args,
        )
        return [a for a in map(_attempt_from_row, rows) if a is not None]

    def due(self, question_ids: Iterable[str], now: datetime | None = None) -> list[str]:
        """The given ids whose card is due at ``now``, most overdue first.

        A question never answered is not due: it is new (see ``new``)."""
        wanted = set(question_ids)
        rows = self._query(
            "SELECT question_id FROM card WHERE due <= ? ORDER BY due, card_id",
            (utc_text(_utc(now)),),
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
        moment = _utc(now)
        latest = dict(
            self._query(
                "SELECT a.question_id, a.verdict FROM attempt a JOIN (SELECT MAX(id) AS id FROM "
                "attempt GROUP BY question_id) latest ON latest.id = a.id"
            )
        )
        cards = {
            row[1]: card
            for row in self._query(f"SELECT {_CARD_COLUMNS} FROM card")
            if (card := _card_from_row(row)) is not None
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
        moment = _utc(now)
        rows = self._query("SELECT answered_at, verdict, topics FROM attempt ORDER BY answered_at")
        per_day: dict[date, list[int]] = {}
        per_topic: dict[str, list[int]] = {}
        times = []
        for stamp, verdict, topic_text in rows:
            right = verdict == "correct"
            # an answer whose time or topics cannot be read still counts in the totals
            when = _time(stamp)
            if when is not None:
                times.append(when)
                counts = per_day.setdefault(when.astimezone(tz).date(), [0, 0])
                counts[0] += 1
                counts[1] += right
            for topic in dict.fromkeys(_topics(topic_text) or ()):
                counts = per_topic.setdefault(topic, [0, 0])
                counts[0] += 1
                counts[1] += right
        today = moment.astimezone(tz).date()  # tz None: local time, DST-aware per date
        window = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
        streak, day = 0, today if today in per_day else today - timedelta(days=1)
        while day in per_day:
            streak, day = streak + 1, day - timedelta(days=1)
        (questions,) = self._query("SELECT COUNT(DISTINCT question_id) FROM attempt")[0]
        return Stats(
            days=[DayCount(d, *per_day.get(d, (0, 0))) for d in window],
            topics=[TopicStat(name, *per_topic[name]) for name in sorted(per_topic)],
            streak=streak,
            answers=len(rows),
            correct=sum(v == "correct" for _, v, _ in rows),
            questions=questions,
            first_answer=min(times) if times else None,
            last_answer=max(times) if times else None,
        )

    def review_log(self) -> list[ReviewLog]:
        """Every review as fsrs ReviewLog objects, oldest first: what ``fsrs.Optimizer`` takes
        to fit the parameters to this student (``log.to_dict()`` gives plain rows)."""
        rows = self._query(
            "SELECT card_id, rating, review_datetime, review_duration "
            "FROM review_log ORDER BY review_datetime, id"
        )
        logs = []
        for cid, r, t, d in rows:
            when = _time(t)
            if r in _RATINGS and when is not None:  # a row written by hand that cannot be read
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
            row for row in self._query(f"SELECT {_CARD_COLUMNS} FROM card")
            if _card_from_row(row) is None
        ]  # fmt: skip
        if broken:
            now = utc_text(datetime.now(UTC))
            try:
                with self._write() as db:
                    for row in broken:
                        db.execute(
                            "UPDATE card SET state = ?, step = 0, stability = NULL, "
                            "difficulty = NULL, due = ?, last_review = NULL, reps = ?, lapses = ? "
                            "WHERE card_id = ?",
                            (int(State.Learning), now, _count(row[8]), _count(row[9]), row[0]),
                        )
                done = "rescheduled them as due now"
            except ProgressWriteError:
                done = "left them as they are (the database could not be written)"
            names = _some(str(row[1]) for row in broken)
            warnings.append(
                f"progress: {fmt_count(len(broken), 'review card')} had unreadable values ({names}); "
                f"{done}, their answers are kept"
            )
        rows = self._query("SELECT question_id, topics, answered_at FROM attempt")
        bad_topics = [qid for qid, topics, _ in rows if _topics(topics) is None]
        bad_times = [qid for qid, _, stamp in rows if _time(stamp) is None]
        for bad, what, leaves in (
            (bad_topics, "topics", "per topic"),
            (bad_times, "time", "per day"),
        ):
            if bad:
                warnings.append(
                    f"progress: {fmt_count(len(bad), 'answer')} with unreadable {what} ({_some(bad)}) "
                    f"count in the totals but not {leaves}"
                )
        return warnings

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals ----------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; BEGIN IMMEDIATE takes the write lock up front, so two
        processes queue (busy timeout) instead of failing on a read-then-write upgrade."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self._write_error(exc) from None
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException as exc:
                if self._db.in_transaction:
                    try:
                        self._db.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass  # SQLite already rolled back (disk full, I/O error)
                if isinstance(exc, sqlite3.Error):
                    raise self._write_error(exc) from None
                raise

    def _write_error(self, exc: sqlite3.Error) -> ProgressWriteError:
        if is_busy(exc):
            why = "the database was locked by another program for too long"
        else:
            why = f"the database refused it ({exc})"
        return ProgressWriteError(f"answer not saved: {why}", str(self.path))

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
        return CardInfo(
            question_id,
            card.due,
            card.state.name.lower(),
            card.step,
            card.stability,
            card.difficulty,
            reps,
            lapses,
            card.last_review,
        )


def _insert(table: str, row: dict) -> str:
    """INSERT with named parameters: the column list cannot drift from the values."""
    return f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})"


def _utc(moment: datetime | None) -> datetime:
    """Now, or the given moment in UTC (FSRS insists on UTC); a naive datetime is taken as UTC."""
    if moment is None:
        return datetime.now(UTC)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


_RATINGS = {int(r) for r in Rating}
_STATES = {int(s) for s in State}


def _time(text: object) -> datetime | None:
    """A stored UTC time, or None when the text is not one."""
    try:
        moment = datetime.fromisoformat(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _topics(text: object) -> list[str] | None:
    """The stored JSON list of topic names, or None when it is not one."""
    try:
        topics = json.loads(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        return None
    return topics


def _count(value: object) -> int:
    return value if isinstance(value, int) and value >= 0 else 0


def _real(value: object) -> bool:
    return value is None or (isinstance(value, int | float) and math.isfinite(value))


def _some(names: Iterable[str], most: int = 3) -> str:
    """The first ``most`` names, then how many more: a warning stays one short line."""
    names = list(dict.fromkeys(names))
    more = len(names) - most
    return ", ".join(names[:most]) + (f" and {more} more" if more > 0 else "")


def _card_from_row(row: tuple) -> Card | None:
    """The FSRS card of a stored row; None when a value cannot be read (see ``_repair``)."""
    card_id, _, state, step, stability, difficulty, due, last_review = row[:8]
    due_at, last_at = _time(due), _time(last_review) if last_review is not None else None
    if (
        state not in _STATES
        or due_at is None
        or (last_review is not None and last_at is None)
        or not (step is None or (isinstance(step, int) and step >= 0))
        or not (_real(stability) and _real(difficulty))
    ):
        return None
    return Card(
        card_id=card_id,
        state=State(state),
        step=step,
        stability=stability,
        difficulty=difficulty,
        due=due_at,
        last_review=last_at,
    )


def _info_from_row(row: tuple) -> CardInfo | None:
    card = _card_from_row(row)
    if card is None:
        return None
    return CardInfo(
        row[1],
        card.due,
        card.state.name.lower(),
        card.step,
        card.stability,
        card.difficulty,
        _count(row[8]),
        _count(row[9]),
        card.last_review,
    )


def _attempt_from_row(row: tuple) -> Attempt | None:
    """An answer as stored; one whose time cannot be read is left out (topics: none)."""
    aid, qid, bank, topics, verdict, answer, seconds, seed, answered_at, rating = row
    when = _time(answered_at)
    if when is None:
        return None
    return Attempt(
        aid,
        qid,
        bank,
        _topics(topics) or [],
        verdict,
        answer,
        seconds,
        seed,
        when,
        Rating(rating).name.lower() if rating in _RATINGS else "",
    )
