"""The bundled banks' wording, from the expert review (issue 9 items 19 and 20): every variant of
every question reads right, and the ambiguous keys accept what a careful student may answer."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from cnnquiz.bank import computed
from cnnquiz.bank.keys import ChoiceKey, MultiKey
from cnnquiz.bank.loader import load_banks
from cnnquiz.bank.model import Question, grade
from tests.conftest import ROOT

BANKS = sorted((ROOT / "questions").glob("*.yaml"))
ARTICLE = re.compile(r"\b(an?)\s+(\d[\d,.]*)", re.IGNORECASE)


@pytest.fixture(scope="module")
def questions() -> dict[str, Question]:
    return {q.id: q for bank in load_banks(BANKS) for q in bank.questions}


def _variants(q: Question) -> Iterator[dict | None]:
    """Every combination of a computed question's variables (a sample past 20,000)."""
    if not q.is_computed:
        yield None
        return
    assert q.template is not None
    var_lists = q.template.var_lists
    names = sorted(var_lists)
    if sum(1 for _ in itertools.islice(itertools.product(*var_lists.values()), 20_001)) > 20_000:
        yield from (q.draw(seed).values for seed in range(300))
        return
    for combo in itertools.product(*(var_lists[n] for n in names)):
        yield dict(zip(names, combo, strict=True))


def _texts(q: Question, values: dict | None) -> Iterator[str]:
    for text in (q.prompt, q.explanation or "", *q.hints):
        yield computed.substitute(text, values) if values else text


def _spoken_with_a_vowel(number: str) -> bool:
    """8, 11, 18, 80-89, 800..., 11,000...: the numbers read with "an"."""
    digits = number.replace(",", "").split(".")[0]
    return digits[0] == "8" or (digits[:2] in ("11", "18") and len(digits) % 3 == 2)


@pytest.mark.slow  # draws every variant of the bundled banks
def test_articles_before_numbers_fit_every_variant(questions):
    wrong = {}
    for q in questions.values():
        for values in _variants(q):
            for text in _texts(q, values):
                for m in ARTICLE.finditer(text):
                    if (m.group(1).lower() == "an") != _spoken_with_a_vowel(m.group(2)):
                        wrong.setdefault(q.id, set()).add(m.group(0))
    assert wrong == {}


@pytest.mark.parametrize("qid", ["arch-c-se-block", "c1x1-c-params", "conv-c-explicit-padding"])
def test_no_article_depends_on_a_drawn_number(questions, qid):
    q = questions[qid]
    for text in (q.prompt, q.explanation or "", *q.hints):
        assert not re.search(r"\ban?\s+\{", text, re.IGNORECASE), text


def test_no_explanation_has_stray_quotes(questions):
    """A YAML block explanation keeps quotes literally: ``Each layer: "3·3·8·8 = 576..."``."""
    stray = [
        q.id
        for q in questions.values()
        for text in (q.explanation or "", *q.hints)
        if text.count('"') % 2 or re.search(r':\s"[^"\n]*"\s*$', text, re.MULTILINE)
    ]
    assert stray == []


def test_explanations_are_in_english(questions):
    assert not [q.id for q in questions.values() if "niet optellen" in (q.explanation or "")]
    assert "once this layer has computed its output" in questions["ram-do-not-add"].explanation


@pytest.mark.parametrize("typed", ["1957", "1958", "in 1957", "1958."])
def test_the_perceptron_year_accepts_the_report_and_the_paper(questions, typed):
    item = questions["hist-perceptron"].draw(0)
    assert grade(item, typed).status == "correct"


def test_the_perceptron_year_is_still_a_year(questions):
    item = questions["hist-perceptron"].draw(0)
    assert [grade(item, t).status for t in ("1959", "1943", "19578")] == ["wrong"] * 3
    assert "1957" in item.explanation and "1958" in item.explanation


def test_the_perceptron_accepts_both_years_in_plain_quiz(cli, tmp_path: Path):
    bank = tmp_path / "one.yaml"
    text = (ROOT / "questions" / "history.yaml").read_text(encoding="utf-8")
    start = text.index("  - id: hist-perceptron")
    end = text.index("  - id:", start + 10)
    bank.write_text(
        "title: one\ndefaults: {topics: [history]}\nquestions:\n" + text[start:end], encoding="utf-8"
    )
    result = cli("quiz", str(bank), "--plain", input="1957\n")
    assert result.returncode == 0, result.stderr
    assert "Correct" in result.stdout


def test_mse_distractors_are_wrong_for_a_reason(questions):
    q = questions["loss-mse-avoid"]
    assert isinstance(q.key, MultiKey)
    choices = q.key.choices
    assert not any("unit" in c for c in choices)  # "same unit as the target" is RMSE's point
    assert "RMSE" in q.explanation


def test_worked_example_names_gerons_figures(questions):
    total = questions["ram-worked-example/train-total"].draw(0)
    words = " ".join(total.explanation.split())
    assert "564.6 MB" in words and "neglects the gradients" in words
    verdict = grade(total, "564.6 MB")
    assert verdict.status == "wrong" and "Geron" in verdict.feedback
    third = questions["ram-worked-example/bytes-3"].draw(0)
    assert "about 1.5 MB" in third.explanation
    assert "Geron" in grade(third, "1.5 MB").feedback


def _right_choice(q: Question) -> str:
    assert isinstance(q.key, ChoiceKey)
    return q.key.choices[q.key.choice]


def test_review_wording(questions):
    vgg = questions["arch-vgg-kernels"]
    assert "up to 512" in _right_choice(vgg) and "stay at 512" in vgg.explanation
    why = questions["arch-resnet-why"]
    assert "vanish" not in _right_choice(why)
    assert "not vanishing gradients" in why.explanation
    assert "zeros" in questions["arch-resnet-shapes"].explanation
    linear = questions["dense-linear-stack"].key.feedback
    assert "vanishing or exploding" in linear["Because gradients vanish in linear layers after a few steps"]
    rank = questions["tensor-conv-input-rank"].key.feedback["Nothing: Conv2D accepts any 3D array as a batch"]
    assert "raises an error" in rank and "PyTorch" in rank
