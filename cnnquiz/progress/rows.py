"""Rows of the progress file read back as values, whatever a hand or another tool wrote there.

Pure functions over the tuples ``sqlite3`` returns: a stored card becomes an FSRS ``Card``, an
answer an ``Attempt``, and a value that cannot be read becomes None instead of an exception, so
``Progress`` can reschedule a damaged card or leave a damaged answer out of one tally while the
rest of the student's history stays readable (see ``Progress._repair``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, tzinfo

from fsrs import Card, Rating, State

from cnnquiz.net.units import fmt_count
from cnnquiz.progress.records import Attempt, CardInfo, DayCount, Stats, TopicStat

CARD_COLUMNS = (
    "card_id, question_id, state, step, stability, difficulty, due, last_review, reps, lapses"
)
ATTEMPT_COLUMNS = (
    "a.id, a.question_id, a.bank, a.topics, a.verdict, a.answer, a.seconds, a.seed, "
    "a.answered_at, r.rating"
)


def insert_sql(table: str, row: dict) -> str:
    """INSERT with named parameters: the column list cannot drift from the values."""
    return f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})"


def as_utc(moment: datetime | None) -> datetime:
    """Now, or the given moment in UTC (FSRS insists on UTC); a naive datetime is taken as UTC."""
    if moment is None:
        return datetime.now(UTC)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


KNOWN_RATINGS = {int(r) for r in Rating}
_STATES = {int(s) for s in State}


def read_time(text: object) -> datetime | None:
    """A stored UTC time, or None when the text is not one."""
    try:
        moment = datetime.fromisoformat(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def read_topics(text: object) -> list[str] | None:
    """The stored JSON list of topic names, or None when it is not one."""
    try:
        topics = json.loads(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        return None
    return topics


def read_count(value: object) -> int:
    return value if isinstance(value, int) and value >= 0 else 0


def _real(value: object) -> bool:
    return value is None or (isinstance(value, int | float) and math.isfinite(value))


def first_few(names: Iterable[str], most: int = 3) -> str:
    """The first ``most`` names, then how many more: a warning stays one short line."""
    names = list(dict.fromkeys(names))
    more = len(names) - most
    return ", ".join(names[:most]) + (f" and {more} more" if more > 0 else "")


def card_from_row(row: tuple) -> Card | None:
    """The FSRS card of a stored row; None when a value cannot be read (see ``_repair``)."""
    card_id, _, state, step, stability, difficulty, due, last_review = row[:8]
    due_at, last_at = read_time(due), read_time(last_review) if last_review is not None else None
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


def info_from_row(row: tuple) -> CardInfo | None:
    card = card_from_row(row)
    return None if card is None else info_of(row[1], card, read_count(row[8]), read_count(row[9]))


def info_of(question_id: str, card: Card, reps: int, lapses: int) -> CardInfo:
    """The schedule as the faces read it: FSRS's card without FSRS's types."""
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


def attempt_from_row(row: tuple) -> Attempt | None:
    """An answer as stored; one whose time cannot be read is left out (topics: none)."""
    aid, qid, bank, topics, verdict, answer, seconds, seed, answered_at, rating = row
    when = read_time(answered_at)
    if when is None:
        return None
    return Attempt(
        aid,
        qid,
        bank,
        read_topics(topics) or [],
        verdict,
        answer,
        seconds,
        seed,
        when,
        Rating(rating).name.lower() if rating in KNOWN_RATINGS else "",
    )


def tally(
    rows: list[tuple], questions: int, moment: datetime, days: int, tz: tzinfo | None
) -> Stats:
    """``Progress.stats`` from the (answered_at, verdict, topics) rows, oldest first."""
    per_day: dict[date, list[int]] = {}
    per_topic: dict[str, list[int]] = {}
    times = []
    for stamp, verdict, topic_text in rows:
        right = verdict == "correct"
        # an answer whose time or topics cannot be read still counts in the totals
        when = read_time(stamp)
        if when is not None:
            times.append(when)
            counts = per_day.setdefault(when.astimezone(tz).date(), [0, 0])
            counts[0] += 1
            counts[1] += right
        for topic in dict.fromkeys(read_topics(topic_text) or ()):
            counts = per_topic.setdefault(topic, [0, 0])
            counts[0] += 1
            counts[1] += right
    today = moment.astimezone(tz).date()  # tz None: local time, DST-aware per date
    window = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    streak, day = 0, today if today in per_day else today - timedelta(days=1)
    while day in per_day:
        streak, day = streak + 1, day - timedelta(days=1)
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


def answer_warnings(rows: list[tuple]) -> list[str]:
    """One warning per kind of unreadable field in the (question_id, topics, answered_at) rows
    of the answers: such an answer counts in the totals, not where the field is needed."""
    bad_topics = [qid for qid, topics, _ in rows if read_topics(topics) is None]
    bad_times = [qid for qid, _, stamp in rows if read_time(stamp) is None]
    return [
        f"progress: {fmt_count(len(bad), 'answer')} with unreadable {what} ({first_few(bad)}) "
        f"count in the totals but not {leaves}"
        for bad, what, leaves in (
            (bad_topics, "topics", "per topic"),
            (bad_times, "time", "per day"),
        )
        if bad
    ]
