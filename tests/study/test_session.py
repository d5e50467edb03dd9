"""The face-free session model: selection per mode, grading flow, scores, exams, retries."""

from __future__ import annotations

import pytest

from cnnquiz.study.session import Session, filter_questions, item_seed, select_questions
from tests.fakes import FakeProgress, fake_grade, fake_questions


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def ids(qs):  # noqa: ANN001, ANN201
    return [q.id for q in qs]


class TestSelection:
    def test_practice_puts_due_first_then_new(self):
        qs = fake_questions()
        progress = FakeProgress(due=["q3", "q1"])
        chosen = select_questions("practice", qs, progress, count=4)
        assert ids(chosen)[:2] == ["q3", "q1"]
        # then new ones, one topic at a time: losses, convolution, memory in some seeded order
        assert sorted(ids(chosen)[2:]) in (["q2", "q4"], ["q2", "ram/params"], ["q4", "ram/params"])

    def test_missed_takes_only_last_wrong(self):
        progress = FakeProgress(missed=["q2", "q4"])
        assert ids(select_questions("missed", fake_questions(), progress)) == ["q2", "q4"]

    def test_cram_and_exam_are_shuffled_reproducibly(self):
        qs = fake_questions()
        a = select_questions("exam", qs, None, count=6, seed=3)
        b = select_questions("exam", qs, None, count=6, seed=3)
        assert ids(a) == ids(b)
        assert sorted(ids(a)) == sorted(ids(qs))

    def test_parts_of_one_item_stay_together_in_order(self):
        qs = fake_questions()
        for seed in range(20):
            order = ids(select_questions("cram", qs, None, count=6, seed=seed))
            i = order.index("ram/params")
            assert order[i + 1] == "ram/predict"

    def test_count_limits_and_unknown_mode(self):
        assert len(select_questions("cram", fake_questions(), None, count=2)) == 2
        with pytest.raises(ValueError, match="unknown mode"):
            select_questions("quiz", fake_questions())

    def test_filter_by_topic_and_bank(self):
        qs = fake_questions()
        assert ids(filter_questions(qs, topics=["pooling", "losses"])) == ["q2", "q3"]
        assert filter_questions(qs, banks=["Other bank"]) == []
        assert len(filter_questions(qs)) == 6

    def test_parts_share_a_seed(self):
        qs = fake_questions()
        assert item_seed(5, qs[4]) == item_seed(5, qs[5])
        assert item_seed(5, qs[0]) != item_seed(5, qs[1])
        assert item_seed(5, qs[3], 1) != item_seed(5, qs[3], 0)


class TestAnswering:
    def make(self, mode="practice", **kw):  # noqa: ANN001, ANN201
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

    code = "import sys, cnnquiz.study.session\nprint(' '.join({m.split('.')[0] for m in sys.modules}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    loaded = set(out.stdout.split())
    assert "cnnquiz" in loaded
    assert not loaded & {"textual", "rich", "torch"}


def test_exam_takes_a_multi_part_item_whole_or_not_at_all():
    qs = fake_questions()  # four single questions and one item of two parts
    for seed in range(30):
        chosen = ids(select_questions("exam", qs, None, count=3, seed=seed))
        assert len(chosen) == 3
        assert ("ram/params" in chosen) == ("ram/predict" in chosen)
    only_parts = [q for q in qs if q.group]
    assert ids(select_questions("cram", only_parts, None, count=1)) == ["ram/params"]


def test_first_practice_session_spans_the_topics_of_the_bundled_banks():
    """A new student's first Practice asked 10 questions of one topic in bank order (issue 9.23):
    new questions now take the selected topics in turn, in a seeded order."""
    from cnnquiz.bank import bundled_bank_paths, load_banks

    qs = [q for bank in load_banks(bundled_bank_paths()) for q in bank.questions]
    first = select_questions("practice", qs, FakeProgress(), count=10, seed=5)
    assert len(first) == 10
    assert len({q.topics[0] for q in first}) >= 8
    assert len({q.bank for q in first}) >= 5
    again = select_questions("practice", qs, FakeProgress(), count=10, seed=5)
    assert ids(again) == ids(first)
    other = select_questions("practice", qs, FakeProgress(), count=10, seed=6)
    assert ids(other) != ids(first)
    # within a topic, easier questions first
    every = select_questions("practice", qs, None, count=len(qs), seed=5)
    for topic in {q.topics[0] for q in qs}:
        levels = [q.difficulty for q in every if q.topics[0] == topic and not q.group]
        assert levels == sorted(levels), topic
    # no progress store at all (nothing recorded): the same interleaving
    assert ids(select_questions("practice", qs, None, count=10, seed=5)) == ids(first)
    # a topic filter still holds: two topics alternate
    two = [q for q in qs if q.topics[0] in ("pooling", "memory")]
    order = [q.topics[0] for q in select_questions("practice", two, None, count=6, seed=1)]
    assert order[0::2] == [order[0]] * 3 and order[1::2] == [order[1]] * 3
    assert order[0] != order[1]


def test_interleaving_keeps_parts_together_and_easier_first():
    import random

    from cnnquiz.study.session import interleave_topics

    qs = fake_questions()
    for seed in range(10):
        order = ids(interleave_topics(qs, random.Random(seed)))
        assert sorted(order) == sorted(ids(qs))
        i = order.index("ram/params")
        assert order[i + 1] == "ram/predict"
