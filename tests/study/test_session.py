"""The face-free session model: grading flow, scores, exams, retries (selection: test_select)."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from cnnquiz.study.select import Selectable
from cnnquiz.study.session import Session, item_seed
from tests.fakes import FakeProgress, fake_grade, fake_questions


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def ids(qs: Iterable[Selectable]) -> list[str]:
    return [q.id for q in qs]


def test_parts_share_a_seed():
    qs = fake_questions()
    assert item_seed(5, qs[4]) == item_seed(5, qs[5])
    assert item_seed(5, qs[0]) != item_seed(5, qs[1])
    assert item_seed(5, qs[3], 1) != item_seed(5, qs[3], 0)


class TestAnswering:
    def make(self, mode: str = "practice", **kw: object) -> Session:
        qs = fake_questions()[:4]
        self.progress = FakeProgress()
        self.clock = Clock()
        return Session(mode, qs, fake_grade, self.progress, seed=7, clock=self.clock, **kw)

    def test_right_wrong_invalid(self):
        s = self.make()
        self.clock.now += 12
        assert s.submit("2.8 bananas").status == "invalid"
        assert self.progress.records == []  # invalid costs nothing
        assert s.submit("2,800").status == "correct"
        assert self.progress.records[0][:4] == ("q1", "correct", "2,800", 12.0)
        s.advance()
        assert s.submit("MSE").status == "wrong"
        assert (s.correct, s.answered) == (1, 2)
        assert [a.status for a in s.missed()] == ["wrong"]

    def test_rerate_only_after_a_correct_answer(self):
        s = self.make()
        assert not s.rerate("easy")  # nothing answered yet
        s.submit("2800")
        assert s.rerate("easy")
        assert self.progress.rerated == [(1, "easy")]
        s.advance()
        s.submit("MSE")
        assert not s.rerate("hard")

    def test_hints_one_at_a_time(self):
        s = self.make()
        assert s.next_hint() == "Each filter spans 3 channels."
        assert s.next_hint() == "One bias per filter."
        assert s.next_hint() is None

    def test_new_variant_only_for_computed(self):
        s = self.make()
        assert not s.new_variant()
        s.index = 3
        s._draw()
        before = s.item.prompt
        assert s.new_variant()
        assert s.item.prompt != before

    def test_exam_scores_unanswered_as_skipped(self):
        s = self.make("exam", time_limit=60)
        assert not s.feedback
        s.submit("2800")
        s.advance()
        s.skip()
        self.clock.now += 61
        assert s.time_up
        s.finish()
        assert s.finished
        assert s.correct == 1
        assert s.missed() == []  # nothing answered wrong
        assert [a.question.id for a in s.skipped()] == ["q2", "q3", "q4"]
        assert [q.id for q in s.retry_missed().questions] == ["q2", "q3", "q4"]
        scores = {t.topic: (t.correct, t.asked) for t in s.topic_scores()}
        assert scores == {
            "convolution": (1, 2),
            "parameters": (1, 1),
            "losses": (0, 1),
            "pooling": (0, 1),
        }
        assert s.elapsed == 61

    def test_retry_missed_makes_a_new_session(self):
        s = self.make()
        s.submit("1")
        s.advance()
        s.submit("Hinge")
        s.finish()
        retry = s.retry_missed()
        assert retry.mode == "missed" and ids(retry.questions) == ["q1"]
        s2 = self.make()
        s2.submit("2800")
        s2.finish()
        assert s2.retry_missed() is None

    def test_skip_is_not_stored(self):
        s = self.make()
        s.skip()
        assert self.progress.records == []
        assert s.index == 1 and s.answers[0].status == "skipped"

    def test_missed_means_answered_wrong_and_skips_count_apart(self):
        """Results said "Missed (5)" where home said "Missed 4 to retry" (issue 9.24)."""
        s = self.make()
        s.submit("1")  # wrong
        s.advance()
        s.skip()
        s.submit("MSE")  # q3, wrong
        s.advance()
        s.finish()
        assert [a.question.id for a in s.missed()] == ["q1", "q3"]
        assert [a.question.id for a in s.skipped()] == ["q2"]
        assert [r[0] for r in self.progress.records if r[1] == "wrong"] == ["q1", "q3"]
        assert [q.id for q in s.retry_missed().questions] == ["q1", "q3", "q2"]


def test_session_model_imports_no_face_and_no_torch():
    import subprocess
    import sys

    code = (
        "import sys, cnnquiz.study.session\nprint(' '.join({m.split('.')[0] for m in sys.modules}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    loaded = set(out.stdout.split())
    assert "cnnquiz" in loaded
    assert not loaded & {"textual", "rich", "torch"}


def test_the_current_question_is_an_error_once_the_session_is_over():
    s = Session("cram", fake_questions()[2:3], fake_grade, None, seed=1)
    q, item = s.current()
    assert (q.id, item.answer_text) == ("q3", "false")
    assert s.next_hint() is None  # a question without hints
    s.skip()
    assert s.finished and s.question is None
    assert s.next_hint() is None
    with pytest.raises(RuntimeError, match="the session is over"):
        s.current()
    with pytest.raises(RuntimeError, match="the session is over"):
        s.submit("false")
    s.skip()  # nothing to skip: no error, nothing added
    assert [a.status for a in s.answers] == ["skipped"]
