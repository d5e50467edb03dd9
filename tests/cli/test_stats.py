"""``cnnquiz stats`` as a user runs it: the figures it prints come from the recorded answers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cnnquiz.progress import Progress

UTC_ENV = {"TZ": "UTC"}  # day boundaries in the subprocess match the ones used here


def _bank_ids() -> list[str] | None:
    """The bundled question ids, or None while the bank engine cannot load them."""
    try:
        from cnnquiz.bank import bundled_bank_paths, load_banks

        return [q.id for bank in load_banks(bundled_bank_paths()) for q in bank.questions]
    except Exception:  # mirrors the command, which then skips the due count
        return None


def _fill() -> tuple[datetime, list[str]]:
    """Six answers over three days ending today; two questions missed 2 minutes ago (due now)."""
    ids = (_bank_ids() or [])[:3] or ["conv-a", "conv-b", "pool-a"]
    now = datetime.now(UTC)
    with Progress() as p:
        for days_ago, qid, verdict, topics in [
            (2, ids[0], "correct", ["convolution"]),
            (1, ids[0], "correct", ["convolution"]),
            (1, ids[1], "correct", ["convolution", "parameters"]),
            (0, ids[2], "correct", ["pooling"]),
            (0, ids[1], "wrong", ["convolution", "parameters"]),
            (0, ids[2], "wrong", ["pooling"]),
        ]:
            at = now - timedelta(days=days_ago) if days_ago else now - timedelta(minutes=2)
            p.record(qid, "Bank", topics, verdict, "42", now=at)
    return now, ids


def test_json_figures(cli):
    now, ids = _fill()
    out = cli("stats", "--json", "--days", "5", env=UTC_ENV)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert (doc["answers"], doc["correct"], doc["questions"], doc["streak"]) == (6, 4, 3, 3)
    assert doc["accuracy"] == 0.6667
    today = now.date()
    assert [(d["day"], d["answers"], d["correct"]) for d in doc["days"]] == [
        ((today - timedelta(days=4)).isoformat(), 0, 0),
        ((today - timedelta(days=3)).isoformat(), 0, 0),
        ((today - timedelta(days=2)).isoformat(), 1, 1),
        ((today - timedelta(days=1)).isoformat(), 2, 2),
        (today.isoformat(), 3, 1),
    ]
    assert {t["topic"]: (t["answers"], t["correct"]) for t in doc["topics"]} == {
        "convolution": (4, 3),
        "parameters": (2, 1),
        "pooling": (2, 1),
    }
    bank_ids = _bank_ids()
    if bank_ids is None:
        assert doc["due_now"] is None and doc["new"] is None
    else:  # the two missed 2 minutes ago are due (Again: 1 minute); the rest of the bank is new
        assert doc["due_now"] == 2
        assert doc["new"] == len(bank_ids) - 3


def test_human_output(cli):
    _fill()
    out = cli("stats", "--days", "3", env=UTC_ENV)
    assert out.returncode == 0, out.stderr
    assert "Answers per day (last 3 days)" in out.stdout
    assert "3 (1 right)" in out.stdout and "2 (2 right)" in out.stdout
    assert "Streak: 3 days · 6 answers, 4 right (67%) · 3 questions seen" in out.stdout
    rows = {line.split()[0]: line.split()[1:4] for line in out.stdout.splitlines() if "%" in line}
    assert rows["convolution"] == ["4", "3", "75%"] and rows["pooling"] == ["2", "1", "50%"]
    bank_ids = _bank_ids()
    if bank_ids is not None:
        expected = f"Bundled banks: 2 due for review now · {len(bank_ids) - 3} never answered"
        assert expected in out.stdout


def test_empty_history_is_a_friendly_line(cli):
    out = cli("stats", env=UTC_ENV)
    assert out.returncode == 0 and out.stderr == ""
    assert out.stdout.startswith("No answers yet")
    doc = json.loads(cli("stats", "--json").stdout)
    assert (doc["answers"], doc["streak"], len(doc["days"])) == (0, 0, 14)


def test_corrupt_database_warns_and_carries_on(cli, _isolated_home):
    (_isolated_home / "progress.sqlite3").write_bytes(b"\x00garbage" * 100)
    out = cli("stats", "--json")
    assert out.returncode == 0
    assert out.stderr.startswith("cnnquiz: warning: progress database")
    assert "moved it to progress.sqlite3.corrupt-" in out.stderr
    assert json.loads(out.stdout)["answers"] == 0


def test_bad_days_is_a_usage_error(cli):
    out = cli("stats", "--days", "0")
    assert out.returncode == 2
    assert "--days" in out.stderr and "Traceback" not in out.stderr


def test_a_bank_without_topics(cli):
    """Issue 9 item 1: every question of the minimal bank (no topics anywhere) answered, then
    ``stats`` shows the totals and says there are no topics instead of an empty table."""
    from cnnquiz.bank import load_banks

    minimal = Path(__file__).parents[1] / "fixtures" / "banks" / "minimal.yaml"
    (bank,) = load_banks([minimal])
    assert bank.questions and all(not q.topics for q in bank.questions)
    with Progress() as p:
        for n, q in enumerate(bank.questions):
            p.record(q.id, bank.title, q.topics, "correct" if n % 2 else "wrong", "x")
    out = cli("stats", env=UTC_ENV)
    assert out.returncode == 0 and out.stderr == "", out.stderr
    assert "the questions answered so far have no topics" in out.stdout
    n = len(bank.questions)
    assert f"{n} answers, {n // 2} right" in out.stdout
    doc = json.loads(cli("stats", "--json", env=UTC_ENV).stdout)
    assert (doc["answers"], doc["topics"]) == (n, [])


def test_one_of_each_reads_in_the_singular(cli):
    """One day, one answer, one question: "1 day", never "1 days"."""
    with Progress() as p:
        p.record("conv-a", "Bank", ["convolution"], "correct", "42", now=datetime.now(UTC))
    out = cli("stats", "--days", "1", env=UTC_ENV)
    assert out.returncode == 0, out.stderr
    assert "Answers per day (last 1 day)" in out.stdout
    assert "Streak: 1 day · 1 answer, 1 right (100%) · 1 question seen" in out.stdout
