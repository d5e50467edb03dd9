"""Opening the progress database: schema, versioning, and what to do when the file is bad.

The rules, in order:
- WAL journal and a busy timeout, so two cnnquiz processes (the app and a quiz in another
  terminal) can write to it at once; every write runs in ``BEGIN IMMEDIATE`` so a writer waits
  for the other instead of failing half-way.
- ``PRAGMA user_version`` is the schema version. A newer version than this code knows is refused
  with a clear message: overwriting it would throw away the history a newer cnnquiz keeps.
- A file that is not a database, or fails SQLite's quick check, is renamed to
  ``progress.sqlite3.corrupt-<UTC timestamp>`` (with its ``-wal``/``-shm``) and a fresh database
  is started; the caller gets a warning to show. If even that fails (a read-only folder), the
  store runs in memory with a warning rather than crash.
- A table missing from a database of the current version (dropped by hand or by another tool)
  is recreated empty, with a warning; the other tables keep every row.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from cnnquiz.errors import CnnquizError

SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 15.0
TABLES = ("attempt", "card", "review_log")

SCHEMA = """
CREATE TABLE IF NOT EXISTS attempt (
    id INTEGER PRIMARY KEY,
    question_id TEXT NOT NULL,
    bank TEXT NOT NULL,
    topics TEXT NOT NULL,                   -- JSON list, as the bank said at the time
    verdict TEXT NOT NULL CHECK (verdict IN ('correct', 'wrong')),
    answer TEXT NOT NULL,
    seconds REAL NOT NULL,
    seed INTEGER,                           -- the variant of a computed question
    answered_at TEXT NOT NULL               -- UTC, fixed-width ISO 8601: sorts as text
);
CREATE INDEX IF NOT EXISTS attempt_by_question ON attempt (question_id, id);
CREATE INDEX IF NOT EXISTS attempt_by_time ON attempt (answered_at);

CREATE TABLE IF NOT EXISTS card (
    card_id INTEGER PRIMARY KEY,            -- FSRS card_id
    question_id TEXT NOT NULL UNIQUE,
    state INTEGER NOT NULL,                 -- fsrs.State: 1 learning, 2 review, 3 relearning
    step INTEGER,
    stability REAL,
    difficulty REAL,
    due TEXT NOT NULL,
    last_review TEXT,
    reps INTEGER NOT NULL DEFAULT 0,
    lapses INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS card_by_due ON card (due);

CREATE TABLE IF NOT EXISTS review_log (
    id INTEGER PRIMARY KEY,
    attempt_id INTEGER NOT NULL UNIQUE REFERENCES attempt (id),
    card_id INTEGER NOT NULL REFERENCES card (card_id),
    rating INTEGER NOT NULL,                -- fsrs.Rating: 1 again, 2 hard, 3 good, 4 easy
    review_datetime TEXT NOT NULL,
    review_duration INTEGER,                -- milliseconds
    card_before TEXT NOT NULL               -- JSON: the card before this review (for rerating)
);
CREATE INDEX IF NOT EXISTS review_by_card ON review_log (card_id, id);
"""


class ProgressSchemaError(CnnquizError):
    """The database was written by a newer cnnquiz: refuse rather than overwrite it."""


class ProgressWriteError(CnnquizError):
    """An answer could not be stored (disk full, locked too long, file gone): the session goes
    on and says so; what was stored before stays."""


def utc_text(moment: datetime) -> str:
    """Fixed-width UTC ISO text, so SQL comparisons and ORDER BY on the text are by time."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def open_database(path: Path) -> tuple[sqlite3.Connection, str | None]:
    """Open (or create) the store at ``path``; returns the connection and a warning or None."""
    try:
        db, missing = _connect(path)
    except ProgressSchemaError:
        raise
    except (OSError, sqlite3.Error) as exc:
        if isinstance(exc, sqlite3.Error) and is_busy(exc):
            raise CnnquizError(
                "the progress database is locked by another program; try again", str(path)
            ) from None
        reason = str(exc)
    else:
        if not missing:
            return db, None
        names = ", ".join(missing)
        return db, (
            f"progress database {path} had lost its {names} table{'s' if len(missing) > 1 else ''}"
            "; recreated empty (the other tables keep every row)"
        )
    try:
        moved = _move_aside(path)
        return _connect(path)[0], (
            f"progress database {path} could not be read ({reason}); "
            f"moved it to {moved.name} and started a fresh one"
        )
    except (OSError, sqlite3.Error) as exc:
        memory = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        _create_schema(memory)
        return memory, (
            f"progress database {path} could not be read or replaced ({reason}; {exc}); "
            "this session's answers will not be saved"
        )


def _connect(path: Path) -> tuple[sqlite3.Connection, list[str]]:
    """The open connection and the tables that had to be recreated (see ``_create_schema``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
    )
    try:
        db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        check = db.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise sqlite3.DatabaseError(f"quick check: {check}")
        _refuse_future(db, path)  # before WAL: switching journal mode would write the file
        db.execute("PRAGMA journal_mode = WAL")
        # FULL: a committed answer survives even a power cut; one fsync per answer is nothing
        # at human answering speed.
        db.execute("PRAGMA synchronous = FULL")
        db.execute("PRAGMA foreign_keys = ON")
        missing = _create_schema(db, path)
    except BaseException:
        db.close()
        raise
    return db, missing


def _create_schema(db: sqlite3.Connection, path: Path | None = None) -> list[str]:
    """Create or complete the schema inside one write transaction (two first runs may race).

    Returns the tables a database of the current version had lost and that were recreated
    empty; a new database (version 0) returns none. ``CREATE ... IF NOT EXISTS`` leaves the
    tables that are there, with their rows, alone.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        version = _refuse_future(db, path)
        present = {
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        missing = [t for t in TABLES if t not in present]
        if version < SCHEMA_VERSION or missing:
            # executescript() would COMMIT first; statement by statement stays in this transaction
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return missing if version == SCHEMA_VERSION else []


def _refuse_future(db: sqlite3.Connection, path: Path | None) -> int:
    """The schema version, unless it is newer than this code knows: then a clear refusal."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise ProgressSchemaError(
            f"written by a newer cnnquiz (schema version {version}, this one knows up to "
            f"{SCHEMA_VERSION}); upgrade cnnquiz, or set CNNQUIZ_HOME to use another folder",
            str(path) if path else None,
        )
    return version


@contextmanager
def write_transaction(
    db: sqlite3.Connection, lock: threading.Lock, path: Path
) -> Iterator[sqlite3.Connection]:
    """One write transaction; BEGIN IMMEDIATE takes the write lock up front, so two
    processes queue (busy timeout) instead of failing on a read-then-write upgrade."""
    with lock:
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _write_error(exc, path) from None
        try:
            yield db
            db.execute("COMMIT")
        except BaseException as exc:
            if db.in_transaction:
                try:
                    db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # SQLite already rolled back (disk full, I/O error)
            if isinstance(exc, sqlite3.Error):
                raise _write_error(exc, path) from None
            raise


def _write_error(exc: sqlite3.Error, path: Path) -> ProgressWriteError:
    if is_busy(exc):
        why = "the database was locked by another program for too long"
    else:
        why = f"the database refused it ({exc})"
    return ProgressWriteError(f"answer not saved: {why}", str(path))


def is_busy(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _move_aside(path: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    if path.exists():
        path.rename(target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    return target
