"""The one selection policy: units, topic filter, sampling, per mode; for the app and ``cnnquiz quiz``.

The rule both faces follow: a count counts units (a stand-alone question or one multi-part
item's chosen parts, side by side in part order), as docs/students.md promises for ``--count``.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnquiz.errors import CnnquizError
from cnnquiz.study.select import (
    MODES,
    Selectable,
    count_units,
    filter_by_topic,
    filter_questions,
    in_bank_order,
    interleave_topics,
    sample,
    select_questions,
    units,
)
from tests.fakes import FakeProgress, fake_questions

WORKED = Path(__file__).parents[1] / "fixtures" / "banks" / "worked.yaml"
TOPICS = ["convolution", "pooling", "memory", "losses"]
BANKS = ["A", "B"]


def ids(qs: Iterable[Selectable]) -> list[str]:
    return [q.id for q in qs]


@dataclass(frozen=True)
class Q:
    id: str
    bank: str
    topics: tuple[str, ...]
    group: str | None = None
    part_index: int | None = None
    difficulty: int = 1


@st.composite
def pools(draw: st.DrawFn) -> list[Q]:
    """Stand-alone questions and items of 2-4 parts, in any order (the rule must not rely on
    a bank listing parts in order)."""
    out: list[Q] = []
    for n, parts in enumerate(draw(st.lists(st.integers(0, 4), max_size=12))):
        topics = tuple(draw(st.lists(st.sampled_from(TOPICS), max_size=2, unique=True)))
        bank = draw(st.sampled_from(BANKS))
        level = draw(st.integers(1, 3))
        if parts < 2:
            out.append(Q(f"q{n}", bank, topics, difficulty=level))
        else:
            out += [Q(f"g{n}/{p}", bank, topics, f"g{n}", p, level) for p in range(1, parts + 1)]
    return draw(st.permutations(out))


class Schedule:
    """The store's schedule as a test sets it: some due, some answered wrong, the rest new."""

    def __init__(self, due: list[str], missed: list[str]) -> None:
        self._due, self._missed = due, missed

    def due(self, question_ids: Iterable[str]) -> list[str]:
        return [q for q in self._due if q in set(question_ids)]

    def new(self, question_ids: Iterable[str]) -> list[str]:
        seen = set(self._due) | set(self._missed)
        return [q for q in question_ids if q not in seen]

    def missed_last_time(self, question_ids: Iterable[str] | None = None) -> list[str]:
        return [q for q in self._missed if question_ids is None or q in set(question_ids)]


def assert_units_kept_together(chosen: list[Q]) -> None:
    """Each item's parts stand side by side, in part order, once each."""
    assert len(set(ids(chosen))) == len(chosen)
    keys = [q.group or q.id for q in chosen]
    for key in set(keys):
        at = [i for i, k in enumerate(keys) if k == key]
        assert at == list(range(at[0], at[0] + len(at))), key
        parts = [chosen[i].part_index or 0 for i in at]
        assert parts == sorted(parts), key


# ---- properties ---------------------------------------------------------------------------------
@settings(max_examples=200, deadline=None, derandomize=True)
@given(pools(), st.sampled_from(["cram", "exam"]), st.integers(0, 8), st.integers(0, 2**31))
def test_a_sample_counts_items_once_and_takes_them_whole(pool, mode, count, seed):
    chosen = select_questions(mode, pool, None, count, seed)
    assert_units_kept_together(chosen)
    assert count_units(chosen) == min(count, count_units(pool))
    for key in {q.group for q in chosen if q.group}:
        assert sum(q.group == key for q in chosen) == sum(q.group == key for q in pool)
    assert ids(select_questions(mode, pool, None, count, seed)) == ids(chosen)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(pools(), st.data(), st.integers(0, 8), st.integers(0, 2**31))
def test_practice_and_missed_count_units_of_what_the_schedule_offers(pool, data, count, seed):
    due = data.draw(st.lists(st.sampled_from(ids(pool)), unique=True) if pool else st.just([]))
    rest = [i for i in ids(pool) if i not in due]
    missed = data.draw(st.lists(st.sampled_from(rest), unique=True) if rest else st.just([]))
    schedule = Schedule(due, missed)
    offered = {"practice": [i for i in ids(pool) if i not in missed], "missed": missed}
    for mode, allowed in offered.items():
        chosen = select_questions(mode, pool, schedule, count, seed)
        assert_units_kept_together(chosen)
        assert set(ids(chosen)) <= set(allowed)
        eligible = [q for q in pool if q.id in allowed]
        assert count_units(chosen) == min(count, count_units(eligible))
        assert ids(select_questions(mode, pool, schedule, count, seed)) == ids(chosen)
    practice = ids(select_questions("practice", pool, schedule, len(pool), seed))
    due_units = {q.group or q.id for q in pool if q.id in due}
    first = select_questions("practice", pool, schedule, len(due_units), seed)
    assert {q.group or q.id for q in first} == due_units  # due ones come first
    assert sorted(practice) == sorted(offered["practice"])


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    pools(),
    st.none() | st.lists(st.sampled_from(TOPICS), max_size=3),
    st.none() | st.lists(st.sampled_from(BANKS), max_size=2),
)
def test_filter_keeps_exactly_the_wanted_topics_and_banks(pool, topics, banks):
    kept = filter_questions(pool, topics, banks)
    wanted = [
        q
        for q in pool
        if (topics is None or set(topics) & set(q.topics)) and (banks is None or q.bank in banks)
    ]
    assert kept == wanted


@settings(max_examples=100, deadline=None, derandomize=True)
@given(pools(), st.integers(0, 2**31))
def test_interleaving_and_bank_order_keep_every_question_once(pool, seed):
    for order in (interleave_topics(pool, random.Random(seed)), in_bank_order(pool)):
        assert_units_kept_together(order)
        assert sorted(ids(order)) == sorted(ids(pool))
    assert sorted(ids(sample(pool, None, random.Random(seed)))) == sorted(ids(pool))


# ---- examples -----------------------------------------------------------------------------------
def test_practice_puts_due_first_then_new():
    qs = fake_questions()
    progress = FakeProgress(due=["q3", "q1"])
    chosen = ids(select_questions("practice", qs, progress, count=4))
    assert chosen[:2] == ["q3", "q1"]
    # then two new units, one topic at a time: losses, convolution, memory in a seeded order
    assert sorted(chosen[2:]) in (
        ["q2", "q4"],
        ["q2", "ram/params", "ram/predict"],
        ["q4", "ram/params", "ram/predict"],
    )


def test_missed_takes_only_last_wrong():
    progress = FakeProgress(missed=["q2", "q4"])
    assert ids(select_questions("missed", fake_questions(), progress)) == ["q2", "q4"]


def test_cram_and_exam_are_shuffled_reproducibly():
    qs = fake_questions()
    a = select_questions("exam", qs, None, count=6, seed=3)
    b = select_questions("exam", qs, None, count=6, seed=3)
    assert ids(a) == ids(b)
    assert sorted(ids(a)) == sorted(ids(qs))


def test_parts_of_one_item_stay_together_in_order():
    qs = fake_questions()
    for seed in range(20):
        order = ids(select_questions("cram", qs, None, count=6, seed=seed))
        i = order.index("ram/params")
        assert order[i + 1] == "ram/predict"


def test_count_counts_a_multi_part_item_once_and_unknown_mode():
    """The app's exam sampled parts (count 3 took 3 parts) while ``cnnquiz quiz --count`` took
    items: one rule now, the one docs/students.md promises for --count."""
    qs = fake_questions()  # four single questions and one item of two parts
    for seed in range(30):
        chosen = ids(select_questions("exam", qs, None, count=3, seed=seed))
        assert count_units(select_questions("exam", qs, None, count=3, seed=seed)) == 3
        assert len(chosen) in (3, 4)
        assert ("ram/params" in chosen) == ("ram/predict" in chosen)
    only_parts = [q for q in qs if q.group]
    assert ids(select_questions("cram", only_parts, None, count=1)) == ["ram/params", "ram/predict"]
    with pytest.raises(ValueError, match="unknown mode"):
        select_questions("quiz", fake_questions())
    for mode in MODES:
        assert select_questions(mode, qs, FakeProgress(missed=["q1"]), count=0) == []


def test_filter_by_topic_and_bank():
    qs = fake_questions()
    assert ids(filter_questions(qs, topics=["pooling", "losses"])) == ["q2", "q3"]
    assert filter_questions(qs, banks=["Other bank"]) == []
    assert len(filter_questions(qs)) == 6


def test_a_topic_word_names_an_exact_topic_first_else_every_topic_containing_it():
    qs = fake_questions()
    assert ids(filter_by_topic(qs, ["Losses "])) == ["q2"]
    assert ids(filter_by_topic(qs, ["conv"])) == ["q1", "q4"]
    assert filter_by_topic(qs, []) == qs
    with pytest.raises(CnnquizError, match="no questions on 'gans'; topics: convolution, losses"):
        filter_by_topic(qs, ["gans"])


def test_units_of_a_real_bank_keep_the_worked_item_whole():
    from cnnquiz.bank import load_bank

    questions = load_bank(WORKED).questions
    assert [len(u) for u in units(questions)] == [1, 1, 10]
    for seed in range(10):
        chosen = select_questions("cram", questions, None, count=2, seed=seed)
        if any(q.group for q in chosen):
            start = [q.group for q in chosen].index("worked-computed")
            assert [q.part_index for q in chosen[start : start + 10]] == list(range(1, 11))
        assert count_units(chosen) == 2
    assert ids(filter_by_topic(questions, ["RAM"])) == ids(questions)


def test_first_practice_session_spans_the_topics_of_the_bundled_banks():
    """A new student's first Practice asked 10 questions of one topic in bank order (issue 9.23):
    new questions now take the selected topics in turn, in a seeded order."""
    from cnnquiz.bank import bundled_bank_paths, load_banks

    qs = [q for bank in load_banks(bundled_bank_paths()) for q in bank.questions]
    first = select_questions("practice", qs, FakeProgress(), count=10, seed=5)
    assert count_units(first) == 10
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
    qs = fake_questions()
    for seed in range(10):
        order = ids(interleave_topics(qs, random.Random(seed)))
        assert sorted(order) == sorted(ids(qs))
        i = order.index("ram/params")
        assert order[i + 1] == "ram/predict"
