"""The progress store: history, the FSRS schedule, rerating, bad files and two writers at once."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from fsrs import Card, Rating, Scheduler

from cnnquiz import paths
from cnnquiz.progress import Progress, ProgressSchemaError

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path):
    with Progress(tmp_path / "progress.sqlite3") as p:
        yield p


def _answer(p: Progress, qid: str, verdict: str, at: datetime, topics=("conv",), **kw):
    return p.record(qid, "Convolution arithmetic", list(topics), verdict, "2800", now=at, **kw)


def test_home_env_moves_the_data(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNQUIZ_HOME", str(tmp_path / "elsewhere"))
    assert paths.data_dir() == tmp_path / "elsewhere"
    assert paths.runs_dir() == tmp_path / "elsewhere" / "runs"
    with Progress() as p:
        p.record("q", "B", ["t"], "correct", "1", now=T0)
    assert (tmp_path / "elsewhere" / "progress.sqlite3").is_file()


def test_history_is_stored_with_every_field(store):
    _answer(store, "conv-params", "wrong", T0, topics=["conv", "params"], seconds=12.5, seed=7)
    _answer(store, "conv-params", "correct", T0 + timedelta(minutes=3))
    history = store.attempts("conv-params")
    assert [(a.verdict, a.rating) for a in history] == [("wrong", "again"), ("correct", "good")]
    first = history[0]
    assert (first.bank, first.topics, first.answer, first.seconds, first.seed) == (
        "Convolution arithmetic", ["conv", "params"], "2800", 12.5, 7,
    )  # fmt: skip
    assert first.answered_at == T0
    assert store.attempts("other") == []
    # a broken stopwatch (negative, NaN) records 0 s rather than failing the answer
    assert _answer(store, "clock", "correct", T0, seconds=float("nan")).seconds == 0.0
    assert _answer(store, "clock", "correct", T0, seconds=-3).seconds == 0.0


def test_invalid_verdict_is_never_recorded(store):
    with pytest.raises(ValueError, match="verdict"):
        _answer(store, "q", "invalid", T0)
    assert store.attempts() == [] and store.card("q") is None


def test_again_is_soon_and_good_is_later(store):
    wrong = _answer(store, "q-wrong", "wrong", T0).card
    right = _answer(store, "q-right", "correct", T0).card
    # FSRS default learning steps: Again -> step 0 (1 minute), Good -> step 1 (10 minutes)
    assert (wrong.state, wrong.step, wrong.due) == ("learning", 0, T0 + timedelta(minutes=1))
    assert (right.state, right.step, right.due) == ("learning", 1, T0 + timedelta(minutes=10))
    assert right.stability == pytest.approx(2.3065) and wrong.stability == pytest.approx(0.212)
    # a second Good after the 10-minute step graduates the card to review, days away
    t1 = T0 + timedelta(minutes=11)
    graduated = _answer(store, "q-right", "correct", t1).card
    assert graduated.state == "review" and graduated.reps == 2
    assert graduated.due - t1 >= timedelta(days=2)
    # the same reviews done by hand with fsrs give the same card
    card, _ = Scheduler(enable_fuzzing=False).review_card(
        Card(card_id=1, due=T0), Rating.Good, review_datetime=T0
    )
    card, _ = Scheduler(enable_fuzzing=False).review_card(card, Rating.Good, review_datetime=t1)
    assert (graduated.due, graduated.stability, graduated.difficulty) == (
        card.due, card.stability, card.difficulty,
    )  # fmt: skip
    assert store.card("q-right") == graduated


def test_forgetting_a_review_card_is_a_lapse(store):
    _answer(store, "q", "correct", T0)
    _answer(store, "q", "correct", T0 + timedelta(minutes=11))
    due = store.card("q").due
    lapsed = _answer(store, "q", "wrong", due).card
    assert (lapsed.state, lapsed.reps, lapsed.lapses) == ("relearning", 3, 1)
    assert lapsed.due == due + timedelta(minutes=10)  # the relearning step


def test_a_computed_question_is_one_card_whatever_its_variant(store):
    for n, seed in enumerate((11, 12, 13)):
        _answer(store, "conv-out-computed", "correct", T0 + timedelta(days=n), seed=seed)
    assert [a.seed for a in store.attempts("conv-out-computed")] == [11, 12, 13]
    assert store.card("conv-out-computed").reps == 3
    assert len({log.card_id for log in store.review_log()}) == 1


def test_rerate_recomputes_from_the_card_before(store):
    a = _answer(store, "q", "correct", T0, seconds=4)
    good = a.card
    easy = store.rerate(a.id, "easy")
    assert (easy.state, easy.reps, easy.last_review) == ("review", 1, T0)
    assert easy.due == T0 + timedelta(days=8)  # Easy skips the learning steps: S0 = 8.2956 days
    hard = store.rerate(a.id, "hard")
    assert (hard.state, hard.due) == ("learning", T0 + timedelta(minutes=5, seconds=30))
    assert store.card("q") == hard
    assert [log.rating for log in store.review_log()] == [Rating.Hard]
    assert store.review_log()[0].review_duration == 4000
    assert store.attempts("q")[0].rating == "hard"
    assert store.rerate(a.id, "good") == good  # back to where it was


def test_rerate_is_refused_where_it_makes_no_sense(store):
    wrong = _answer(store, "q", "wrong", T0)
    with pytest.raises(ValueError, match="correct answer"):
        store.rerate(wrong.id, "easy")
    first = _answer(store, "r", "correct", T0)
    _answer(store, "r", "correct", T0 + timedelta(minutes=11))
    with pytest.raises(ValueError, match="latest"):
        store.rerate(first.id, "easy")
    with pytest.raises(ValueError, match="rating"):
        store.rerate(first.id, "again")
    with pytest.raises(LookupError):
        store.rerate(999, "easy")


def test_due_new_and_missed(store):
    _answer(store, "a", "wrong", T0)  # due T0 + 1 min
    _answer(store, "b", "correct", T0 - timedelta(hours=1))  # due T0 - 50 min: most overdue
    _answer(store, "c", "correct", T0)  # due T0 + 10 min
    _answer(store, "d", "wrong", T0)
    _answer(store, "d", "correct", T0 + timedelta(minutes=2))  # no longer missed
    ids = ["a", "b", "c", "d", "e", "f"]
    assert store.due(ids, now=T0 + timedelta(minutes=5)) == ["b", "a"]
    assert store.due(["a", "c"], now=T0 + timedelta(hours=1)) == ["a", "c"]
    assert store.due(ids, now=T0 - timedelta(days=1)) == []
    assert store.new(["f", "a", "e"]) == ["f", "e"]
    assert store.missed_last_time() == ["a"]
    assert store.missed_last_time(["d", "a", "zzz"]) == ["a"]


def test_mastery_weights_correct_answers_by_retrievability(store):
    _answer(store, "p1", "correct", T0)  # stability 2.3065 days
    _answer(store, "p2", "wrong", T0)
    topic_of = {"p1": ["conv", "params"], "p2": ["conv"], "p3": ["pool"]}
    assert store.mastery(topic_of, now=T0) == {"conv": 0.5, "params": 1.0, "pool": 0.0}
    later = store.mastery(topic_of, now=T0 + timedelta(days=3))
    s = Scheduler()
    expected = (1 + s._FACTOR * 3 / 2.3065) ** s._DECAY  # the FSRS forgetting curve
    assert later["params"] == pytest.approx(expected) and 0.8 < expected < 0.9
    assert later["conv"] == pytest.approx(expected / 2)


def test_stats_per_day_topics_streak_and_totals(store):
    today = T0 + timedelta(days=10)
    for days_ago, verdict, topics in [
        (0, "correct", ["conv"]), (0, "wrong", ["conv", "ram"]), (1, "correct", ["ram"]),
        (2, "correct", ["conv"]), (4, "wrong", ["pool"]),
    ]:  # fmt: skip
        _answer(store, f"q{days_ago}{verdict}", verdict, today - timedelta(days=days_ago), topics)
    s = store.stats(now=today, days=7, tz=UTC)
    assert [(d.day, d.answers, d.correct) for d in s.days][-5:] == [
        (date(2026, 3, 8), 1, 0), (date(2026, 3, 9), 0, 0), (date(2026, 3, 10), 1, 1),
        (date(2026, 3, 11), 1, 1), (date(2026, 3, 12), 2, 1),
    ]  # fmt: skip
    assert len(s.days) == 7 and s.days[0].day == date(2026, 3, 6)
    assert [(t.topic, t.answers, t.correct) for t in s.topics] == [
        ("conv", 3, 2), ("pool", 1, 0), ("ram", 2, 1),
    ]  # fmt: skip
    assert (s.streak, s.answers, s.correct, s.questions) == (3, 5, 3, 5)
    assert s.accuracy == pytest.approx(0.6)
    # a streak survives until the day is over, then breaks
    assert store.stats(now=today + timedelta(days=1), tz=UTC).streak == 3
    assert store.stats(now=today + timedelta(days=2), tz=UTC).streak == 0
    assert json.loads(json.dumps(s.to_dict()))["topics"][0] == {
        "topic": "conv", "answers": 3, "correct": 2, "accuracy": 0.6667,
    }  # fmt: skip


def test_empty_stats(store):
    s = store.stats(now=T0, tz=UTC)
    assert (s.answers, s.streak, s.questions, s.topics, len(s.days)) == (0, 0, 0, [], 30)
    assert s.first_answer is None and s.accuracy == 0.0


def test_history_survives_reopening(tmp_path):
    path = tmp_path / "progress.sqlite3"
    with Progress(path) as p:
        _answer(p, "q", "correct", T0)
    with Progress(path) as p:
        assert p.warning is None
        assert [a.verdict for a in p.attempts()] == ["correct"]
        assert p.card("q").due == T0 + timedelta(minutes=10)


@pytest.mark.slow  # subprocesses and SQLite retries
@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_corrupt_database_is_moved_aside(tmp_path, damage):
    path = tmp_path / "progress.sqlite3"
    if damage == "garbage":
        path.write_bytes(b"this is not a database\x00\xff" * 200)
    else:
        with Progress(path) as p:
            for n in range(300):
                _answer(p, f"q{n}", "correct", T0, topics=["x" * 200])
        data = path.read_bytes()
        assert len(data) > 8192
        path.write_bytes(data[: len(data) // 3])
    original = path.read_bytes()
    with Progress(path) as p:
        assert p.warning and "started a fresh one" in p.warning
        moved = list(tmp_path.glob("progress.sqlite3.corrupt-*"))
        assert len(moved) == 1 and moved[0].name in p.warning
        assert moved[0].read_bytes() == original
        _answer(p, "q", "wrong", T0)
        assert [a.question_id for a in p.attempts()] == ["q"]
    with Progress(path) as p:
        assert p.warning is None and len(p.attempts()) == 1


def test_an_unusable_folder_falls_back_to_memory(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    with Progress(blocker / "progress.sqlite3") as p:
        assert "will not be saved" in p.warning
        assert _answer(p, "q", "correct", T0).card.reps == 1
    assert blocker.read_text() == "a file where the data folder should be"


def test_a_newer_schema_is_refused_not_overwritten(tmp_path):
    path = tmp_path / "progress.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE future (x)")
    db.execute("PRAGMA user_version = 99")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(ProgressSchemaError, match="newer cnnquiz.*schema version 99"):
        Progress(path)
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("*.corrupt-*"))


def test_two_stores_in_one_process_interleave(tmp_path):
    path = tmp_path / "progress.sqlite3"
    with Progress(path) as one, Progress(path) as two:
        for n in range(10):
            _answer(one if n % 2 else two, "shared", "correct", T0 + timedelta(days=n))
        assert one.card("shared").reps == 10 == two.card("shared").reps


def test_threads_share_one_store(store):
    """The app records from worker threads: one lock around the connection keeps it sound."""
    threads = [
        threading.Thread(target=lambda k=k: [
            _answer(store, f"t{k}", "correct", T0 + timedelta(minutes=n)) for n in range(20)
        ])
        for k in range(4)
    ]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(store.attempts()) == 80
    assert [store.card(f"t{k}").reps for k in range(4)] == [20, 20, 20, 20]


WRITER = textwrap.dedent(
    """
    import sys, time
    from datetime import UTC, datetime, timedelta
    from pathlib import Path
    from cnnquiz.progress import Progress
    p = Progress(sys.argv[1])
    t0 = datetime(2026, 3, 2, tzinfo=UTC)
    Path(sys.argv[1] + ".ready-" + sys.argv[2]).touch()  # start together: a real race
    while len(list(Path(sys.argv[1]).parent.glob("*.ready-*"))) < 2:
        time.sleep(0.005)
    for n in range(int(sys.argv[3])):
        p.record(f"q{n % 3}", "B", ["t"], "correct" if n % 2 else "wrong", sys.argv[2],
                 now=t0 + timedelta(minutes=n))
        time.sleep(0.003)  # a pause between answers, or one writer starves the other
    p.close()
    """
)


@pytest.mark.slow  # subprocesses and SQLite retries
def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    path = tmp_path / "progress.sqlite3"
    Progress(path).close()  # schema in place; the race is on the answers
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), name, "100"])
        for name in ("one", "two")
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    with Progress(path) as p:
        assert p.warning is None
        answers = [a.answer for a in p.attempts()]
        assert sorted(answers) == ["one"] * 100 + ["two"] * 100
        assert sum(p.card(f"q{n}").reps for n in range(3)) == 200
        # every review started from the card the previous one left: reps 0, 1, 2, ... per card
        rows = p._query("SELECT card_id, card_before FROM review_log ORDER BY id")
    per_card: dict[int, list[int]] = {}
    for card_id, before in rows:
        per_card.setdefault(card_id, []).append(json.loads(before)["reps"])
    assert all(reps == list(range(len(reps))) for reps in per_card.values())


def test_a_locked_database_refuses_the_answer_and_keeps_the_rest(tmp_path):
    from cnnquiz.progress import ProgressWriteError
    from tests.fakes import held_write_lock

    store = Progress(tmp_path / "p.sqlite3")
    store.record("q1", "B", ["t"], "correct", "1")
    with held_write_lock(store):
        with pytest.raises(ProgressWriteError) as caught:
            store.record("q2", "B", ["t"], "wrong", "2")
        assert str(caught.value) == (
            f"{store.path}: answer not saved: "
            "the database was locked by another program for too long"
        )
        with pytest.raises(ProgressWriteError):
            store.rerate(1, "easy")
    assert [a.question_id for a in store.attempts()] == ["q1"]
    assert store.card("q2") is None  # nothing half-written
    store.record("q2", "B", ["t"], "wrong", "2")  # the lock is gone: writing works again
    assert [a.question_id for a in store.attempts()] == ["q1", "q2"]
