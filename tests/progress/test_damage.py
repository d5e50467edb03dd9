"""A database that opens but holds values nobody can read (issue 9 item 11).

Topics that are not JSON, a due date that is not a date, a state FSRS does not know, a table
dropped by hand: ``stats`` and ``quiz`` warn in one line each and go on; no good row is lost.
"""

from __future__ import annotations

import json
import sqlite3
import textwrap
from datetime import UTC, datetime, timedelta

import pytest

from cnnquiz import paths
from cnnquiz.progress import Progress

BANK = textwrap.dedent(
    """\
    title: Damage
    questions:
      - id: dmg-a
        type: numeric
        prompt: How many parameters does a 3x3 conv with 1 input channel and 1 filter have?
        answer: 10
        topics: [convolution]
      - id: dmg-b
        type: numeric
        prompt: How many weights has a dense layer from 4 inputs to 2 units, biases included?
        answer: 10
        topics: [dense]
    """
)


def _fill() -> None:
    """Five good answers, yesterday and today, on three questions."""
    now = datetime.now(UTC) - timedelta(minutes=5)
    with Progress() as p:
        for days_ago, qid, verdict, topics in [
            (1, "dmg-a", "correct", ["convolution"]),
            (1, "dmg-b", "wrong", ["dense"]),
            (0, "dmg-a", "correct", ["convolution"]),
            (0, "dmg-b", "correct", ["dense"]),
            (0, "other", "correct", ["pooling"]),
        ]:
            p.record(qid, "Damage", topics, verdict, "10", now=now - timedelta(days=days_ago))


def _damage(*statements: str) -> None:
    db = sqlite3.connect(paths.progress_path())
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()


def _rows(table: str) -> int:
    db = sqlite3.connect(paths.progress_path())
    try:
        return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        db.close()


BAD_VALUES = (
    "UPDATE attempt SET topics = 'not json' WHERE id = 1",
    "UPDATE attempt SET topics = '{\"a\": 1}' WHERE id = 2",
    "UPDATE card SET due = 'garbage' WHERE question_id = 'dmg-a'",
    "UPDATE card SET state = 99 WHERE question_id = 'dmg-b'",
    "UPDATE card SET last_review = 'yesterday', stability = 'x' WHERE question_id = 'other'",
    "UPDATE review_log SET rating = 17 WHERE id = 3",
)


def test_stats_skips_bad_values_and_keeps_every_answer(cli):
    _fill()
    _damage(*BAD_VALUES)
    out = cli("stats", "--json")
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    doc = json.loads(out.stdout)
    assert (doc["answers"], doc["correct"], doc["questions"]) == (5, 4, 3)
    # the two answers with unreadable topics count in the totals, not per topic
    assert {t["topic"]: t["answers"] for t in doc["topics"]} == {
        "convolution": 1,
        "dense": 1,
        "pooling": 1,
    }
    warnings = [line for line in out.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "\n" not in warnings[0]
    assert "3 review cards had unreadable values (dmg-a, dmg-b, other)" in warnings[0]
    assert "2 answers with unreadable topics" in warnings[0]
    # the cards were rescheduled (due now), never deleted; every answer is still there
    assert (_rows("attempt"), _rows("card"), _rows("review_log")) == (5, 3, 5)
    with Progress() as p:
        assert p.warning is not None and "topics" in p.warning  # the answers stay as they were
        assert "review card" not in p.warning  # the cards were repaired on the first opening
        assert p.card("dmg-a").state == "learning"
        assert len(p.attempts()) == 5
        assert len(p.review_log()) == 4  # the row with rating 17 is left out, not deleted
    text = cli("stats")
    assert text.returncode == 0 and "Traceback" not in text.stderr
    assert "5 answers, 4 right" in text.stdout


def test_an_unreadable_time_counts_in_the_totals_only(cli):
    _fill()
    _damage("UPDATE attempt SET answered_at = 'last tuesday' WHERE id = 5")
    out = cli("stats", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["answers"] == 5 and sum(d["answers"] for d in doc["days"]) == 4
    assert "1 answer with unreadable time (other)" in out.stderr


@pytest.mark.parametrize("table", ["attempt", "card", "review_log"])
def test_a_dropped_table_is_recreated_empty_and_the_others_kept(cli, table):
    _fill()
    before = {t: _rows(t) for t in ("attempt", "card", "review_log")}
    _damage(f"DROP TABLE {table}")
    out = cli("stats", "--json")
    assert out.returncode == 0, out.stderr
    assert f"had lost its {table} table; recreated empty" in out.stderr
    after = {t: _rows(t) for t in ("attempt", "card", "review_log")}
    assert after == before | {table: 0}
    assert json.loads(out.stdout)["answers"] == (0 if table == "attempt" else 5)


def test_quiz_answers_over_bad_cards_and_repairs_them(cli, tmp_path):
    _fill()
    _damage(*BAD_VALUES)
    bank = tmp_path / "damage.yaml"
    bank.write_text(BANK, encoding="utf-8")
    out = cli("quiz", "--plain", "--all", str(bank), input="10\n10\n")
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    assert "review cards had unreadable values" in out.stderr
    assert _rows("attempt") == 7  # the five before, and the two just given
    with Progress() as p:
        assert [a.question_id for a in p.attempts()][-2:] == ["dmg-a", "dmg-b"]
        assert p.card("dmg-a").reps == 3 and p.card("dmg-b").reps == 3


def test_quiz_with_a_dropped_card_table(cli, tmp_path):
    _fill()
    _damage("DROP TABLE card")
    bank = tmp_path / "damage.yaml"
    bank.write_text(BANK, encoding="utf-8")
    out = cli("quiz", "--plain", "--all", str(bank), input="10\n10\n")
    assert out.returncode == 0, out.stderr
    assert "recreated empty" in out.stderr
    assert _rows("attempt") == 7 and _rows("card") == 2
