"""cnnquiz.instruct.source: proven banks, the questions chosen, their variants, categories."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from cnnquiz.bank import bundled_bank_paths
from cnnquiz.bank.model import grade
from cnnquiz.errors import CnnquizError, SpecError
from cnnquiz.instruct.source import (
    MAX_VARIANTS,
    Exported,
    category_name,
    choose,
    export,
    load_proven,
    variants,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "banks"


@pytest.fixture(scope="module")
def banks():
    return load_proven(bundled_bank_paths(), verify=False)


def test_a_bank_check_rejects_is_refused_with_its_first_error():
    with pytest.raises(SpecError) as caught:
        load_proven([FIXTURES / "wrong_key.yaml"], verify=False)
    assert str(caught.value).startswith(f"{FIXTURES / 'wrong_key.yaml'}:3: bank check rejects")
    assert "2,700" in str(caught.value) and "2,800" in str(caught.value)


def test_choose_all_in_bank_order_or_a_seeded_count_keeping_parts_together(banks):
    everything = choose(banks)
    assert len(everything) == sum(len(b.questions) for b in banks)
    picked = choose(banks, count=5, seed=3)
    assert picked == choose(banks, count=5, seed=3)
    assert len({q.group or q.id for q in picked}) == 5
    for q in picked:
        if q.group:  # all its parts came along
            parts = [p for p in everything if p.group == q.group]
            assert all(p in picked for p in parts)


def test_choose_by_topic_and_difficulty(banks):
    pooling = choose(banks, topics=["pooling"], difficulty=[1])
    assert pooling and all(q.difficulty == 1 for q in pooling)
    assert all(any("pooling" in t for t in q.topics) for q in pooling)
    with pytest.raises(CnnquizError, match="no questions on"):
        choose(banks, topics=["no such topic at all"])


def test_variants_are_distinct_proven_and_repeatable(banks):
    computed = next(q for b in banks for q in b.questions if q.is_computed and not q.group)
    items = variants(computed, 6, seed=1)
    assert len(items) == 6
    assert len({(i.prompt, i.answer_text) for i in items}) == 6
    assert all(grade(i, i.answer_text).status == "correct" for i in items)
    assert [i.prompt for i in variants(computed, 6, seed=1)] == [i.prompt for i in items]
    assert [i.prompt for i in variants(computed, 6, seed=2)] != [i.prompt for i in items]


def test_a_fixed_question_has_one_variant_and_the_count_is_bounded(banks):
    fixed = next(q for b in banks for q in b.questions if not q.is_computed)
    assert len(variants(fixed, 10)) == 1
    for n in (0, MAX_VARIANTS + 1):
        with pytest.raises(CnnquizError, match="--variants"):
            variants(fixed, n)


def test_the_parts_of_a_computed_item_get_the_same_draws(banks):
    parts = [q for b in banks for q in b.questions if q.is_computed and q.group]
    group = [q for q in parts if q.group == parts[0].group]
    assert len(group) > 1
    seeds = [[i.seed for i in variants(q, 4)] for q in group]
    assert all(s == seeds[0] for s in seeds)


def test_categories_use_the_bank_file_stem_and_a_category_per_computed_question(banks):
    exported = export(choose(banks), 2)
    fixed = next(e for e in exported if not e.question.is_computed)
    computed = next(e for e in exported if e.question.is_computed and e.question.group)
    assert fixed.category == f"$course$/cnnquiz/{fixed.question.path.stem}"
    assert computed.category == (
        f"$course$/cnnquiz/{computed.question.path.stem}/{computed.question.group}"
    )


def test_a_slash_in_a_name_is_doubled_so_it_stays_one_category():
    assert category_name("a/b") == "a//b"
    banks = load_proven([FIXTURES / "minimal.yaml"], verify=False)
    q = next(q for q in banks[0].questions if q.is_computed)
    moved = dataclasses.replace(q, id="odd/id", path=Path("my/bank.yaml"))
    assert Exported(moved, ()).category == "$course$/cnnquiz/bank/odd//id"
