"""Golden grading tables: (what the student typed, the verdict, the feedback) for every type.

The fixtures are in tests/fixtures/banks/grading.yaml; a feedback of None means "no targeted
feedback", a string means the feedback must contain it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cnnquiz.bank import grade, load_bank

BANK = load_bank(Path(__file__).parents[1] / "fixtures" / "banks" / "grading.yaml")
DUTCH = load_bank(Path(__file__).parents[1] / "fixtures" / "banks" / "grading-nl.yaml")
ITEMS = {q.id: q.draw(0) for q in [*BANK.questions, *DUTCH.questions]}

C, W, I = "correct", "wrong", "invalid"  # noqa: E741

GOLDEN = {
    "g-params": [
        ("2800", C, None),
        ("2,800", C, None),
        ("2 800", C, None),
        ("2.8k", C, None),
        ("2.8e3", C, None),
        ("2800 params", C, None),
        ("2.8 x 10^3", C, None),
        ("2700", W, "you forgot the bias: 2,700 + 100"),
        ("1000", W, "each filter spans all 3 input channels"),
        ("2790", W, "a count must be exact"),
        ("28000", W, None),
        ("abc", I, "not a number"),
        ("100x", I, "cannot read"),
        ("", I, "empty"),
        ("2.8 MB", I, "asks for a count"),
        ("2.800", I, "'2.800' reads as 2.8 (in this question the dot is the decimal point"),
        ("2,8k", C, None),
    ],
    "g-param-bytes": [
        ("3613600", C, None),
        ("3,613,600 bytes", C, None),
        ("3.6 MB", C, None),
        ("3.61 MB", C, None),
        ("3.6136e6", C, None),
        ("3.6M", C, None),
        ("3529 kB", W, "that is KiB, not kB"),
        ("3.45 MB", W, "that is MiB, not MB"),
        ("3.45 MiB", C, None),
        ("3.4 MB", W, None),
        ("3.6", W, "read as bytes"),
        ("3613600 params", I, "asks for a size"),
        ("three", I, "not a number"),
    ],
    "g-ram-mb": [
        ("12.6", C, None),
        ("12.6 MB", C, None),
        ("12613600 bytes", C, None),
        ("12,6 MB", C, None),
        ("0.0126 GB", C, None),
        ("12.03", W, "that is MiB, not MB"),
        (
            "14.1 MB",
            W,
            "do not add them up: one prediction needs one layer's input and output at once",
        ),
        ("14.8", W, "do not add them up"),
        ("9 MB", W, "add the parameters"),
        ("12.6 MiB", W, "that is MB, not MiB"),
        ("13 MB", W, None),
    ],
    "g-train": [
        ("569 MB", C, None),
        ("569.2 MB", C, None),
        ("0.57 GB", C, None),
        ("18.46 MB", W, "you forgot ×batch"),
        ("565.6 MB", W, "add the gradients"),
        ("526 MB", W, "only the layer outputs"),
    ],
    "g-tolerance": [("0.01", C, None), ("0.0105", C, None), ("1e-2", C, None), ("0.012", W, None)],
    "g-feedback-number": [("2700", C, None), ("2,800", W, "includes the biases"), ("27", W, None)],
    "g-shape": [
        ("100x150x100", C, None),
        ("100×150×100", C, None),
        ("(100, 150, 100)", C, None),
        ("100, 150, 100", C, None),
        ("[100,150,100]", C, None),
        ("(None, 100, 150, 100)", C, None),
        ("99x149x100", W, "that is the output of valid padding"),
        ("100x100x150", W, "C×H×W order"),
        ("198x298x100", W, None),
        ("200x300x100", W, "ignores the stride"),
        ("150x100x100", W, "height and width are swapped"),
        ("100x150", I, "the shape has 3 numbers (height × width × channels), you typed 2"),
        ("55x55", I, "the wrong number of dimensions"),
        ("100x150x100x1", I, "you typed 4"),
        ("100x", I, "incomplete"),
        ("abc", I, "not a shape"),
        ("", I, "empty"),
    ],
    "g-rf": [("7x7", C, None), ("7", C, None), ("(7, 7)", C, None), ("9x9", W, None)],
    "g-choice": [
        ("b", C, None),
        ("B)", C, None),
        ("(b)", C, None),
        ("binary cross-entropy", C, None),
        ("BINARY  Cross-Entropy", C, None),
        ("a", W, "MSE treats the probability"),
        ("Mean squared error", W, "regression target"),
        ("d", W, None),
        ("e", I, "no choice e"),
        ("", I, "empty"),
        ("cross", I, "not one of the choices"),
    ],
    "g-multi": [
        ("a,b", C, None),
        ("ab", C, None),
        ("b a", C, None),
        ("A, B", C, None),
        ("the kernel weights; the biases", C, None),
        ("a", W, "you missed b"),
        ("a,b,c", W, "stride is a hyperparameter"),
        ("c,d", W, "you missed a, b"),
        ("z", I, "no choice z"),
        ("", I, "empty"),
    ],
    "g-tf": [
        ("false", C, None),
        ("F", C, None),
        ("no", C, None),
        ("n", C, None),
        ("onwaar", C, None),
        ("fout", C, None),
        ("true", W, None),
        ("waar", W, None),
        ("juist", W, None),
        ("yes", W, None),
        ("maybe", I, "not true or false"),
        ("", I, "empty"),
    ],
    "g-text": [
        ("feature map", C, None),
        ("Feature  Map", C, None),
        ("activation map", C, None),
        ("feature maps", C, None),
        ("featuremap.", C, None),
        ("Feature-map", C, None),
        ("  FEATURE MAP ", C, None),
        ("filter", W, "makes the feature map"),
        ("kernel", W, None),
        ("", I, "empty"),
    ],
}


# A Dutch bank (language: nl): the comma is the decimal sign, a dot or a space groups thousands.
GOLDEN_NL = {
    "nl-params": [
        ("2800", C, None),
        ("2.800", C, None),
        ("2 800", C, None),
        ("2,8k", C, None),
        ("2,8 duizend", C, None),
        ("2.800 parameters", C, None),
        ("2.800 gewichten", C, None),
        ("2.700", W, "je bent de bias vergeten"),
        ("2700", W, "je bent de bias vergeten"),
        ("1.000", W, "each filter spans all 3 input channels"),
        ("2.790", W, "a count must be exact"),
        ("2,800", I, "'2,800' reads as 2,8 (in this question the comma is the decimal sign"),
        ("2,800", I, "for 2800 write 2800 or 2.800"),
        ("2,8", W, None),
        ("twee", I, "type one like 2800, 2.800, 2,8k or 3,6 MB"),
        ("2,8 MB", I, "asks for a count"),
    ],
    "nl-param-bytes": [
        ("3,6 MB", C, None),
        ("3.6 MB", C, None),
        ("3,61 MB", C, None),
        ("3.613.600 bytes", C, None),
        ("3 613 600 bytes", C, None),
        ("3.613,6 kB", C, None),
        ("3,45 MB", W, "that is MiB, not MB: 1 MB = 1.000.000 bytes"),
        ("3.613 MB", I, "'3.613' reads as 3613"),
        ("3,4 MB", W, None),
    ],
    "nl-ram-mb": [
        ("12,6", C, None),
        ("12,6 MB", C, None),
        ("12.6 MB", C, None),
        ("12.613.600 bytes", C, None),
        ("0,0126 GB", C, None),
        ("12,03", W, "that is MiB, not MB"),
        ("14,1 MB", W, "do not add them up"),
        ("13 MB", W, None),
    ],
    "nl-pixels": [
        ("150.528", C, None),
        ("150528", C, None),
        ("150 528", C, None),
        ("150,528", I, "'150,528' is a decimal number here"),
        ("150.529", W, "a count must be exact"),
        ("160.000", W, None),
    ],
    "nl-rate": [("0,5", C, None), ("0.5", C, None), (",5", C, None), ("0,05", W, None)],
    "nl-shape": [
        ("100x150x100", C, None),
        ("(100, 150, 100)", C, None),
        ("99x149x100", W, "that is the output of valid padding"),
        ("100x150", I, "you typed 2"),
    ],
    "nl-tf": [
        ("onwaar", C, None),
        ("nee", C, None),
        ("n", C, None),
        ("fout", C, None),
        ("false", C, None),
        ("waar", W, "er valt niets te leren"),
        ("ja", W, "er valt niets te leren"),
        ("true", W, "er valt niets te leren"),
        ("misschien", I, "type waar/onwaar or ja/nee"),
    ],
    "nl-computed": [("8.000", C, None), ("8000", C, None), ("8,000", I, "reads as 8")],
}


def _cases():
    for qid, rows in [*GOLDEN.items(), *GOLDEN_NL.items()]:
        for text, status, feedback in rows:
            yield pytest.param(qid, text, status, feedback, id=f"{qid}:{text!r}")


@pytest.mark.parametrize(("qid", "text", "status", "feedback"), _cases())
def test_golden(qid, text, status, feedback):
    verdict = grade(ITEMS[qid], text)
    assert verdict.status == status, verdict
    if status == "invalid":
        assert feedback in verdict.message
    elif feedback is None:
        assert verdict.feedback is None, verdict.feedback
    else:
        assert verdict.feedback is not None and feedback in verdict.feedback, verdict.feedback


def test_every_type_has_a_table():
    kinds = {ITEMS[qid].kind for qid in GOLDEN}
    assert kinds == {"numeric", "shape", "choice", "multi", "truefalse", "text"}
    assert set(GOLDEN_NL) == {q.id for q in DUTCH.questions}


@pytest.mark.parametrize(
    ("qid", "expected"),
    [
        ("nl-params", "2.800"),
        ("nl-param-bytes", "3,6 MB"),
        ("nl-ram-mb", "12,6 MB"),
        ("nl-pixels", "150.528"),
        ("nl-rate", "0,5"),
        ("nl-shape", "100x150x100"),
        ("nl-tf", "onwaar"),
        ("nl-computed", "8.000"),
    ],
)
def test_a_dutch_key_is_written_the_dutch_way_and_grades_correct(qid, expected):
    item = ITEMS[qid]
    assert item.question.language == "nl"
    assert item.answer_text == expected
    assert grade(item, expected).status == "correct"
    wrong = "9x9x9" if item.kind == "shape" else "1"
    assert grade(item, wrong).message == f"expected {expected}"


@pytest.mark.parametrize(
    ("qid", "expected"),
    [
        ("g-params", "2,800"),
        ("g-param-bytes", "3,613,600 bytes"),
        ("g-ram-mb", "12.6 MB"),
        ("g-shape", "100x150x100"),
        ("g-choice", "B) Binary cross-entropy"),
        ("g-multi", "A) The kernel weights; B) The biases"),
        ("g-tf", "false"),
        ("g-text", "feature map"),
    ],
)
def test_answer_text_is_the_key_as_written_and_grades_correct(qid, expected):
    item = ITEMS[qid]
    assert item.answer_text == expected
    assert grade(item, expected).status == "correct"


def test_wrong_verdict_says_what_was_expected():
    verdict = grade(ITEMS["g-params"], "2700")
    assert verdict.message == "expected 2,800"
    assert verdict.expected == "2,800"
    assert not grade(ITEMS["g-params"], "abc").counts


SHUFFLED = """\
title: Shuffled
questions:
  - id: loss
    type: choice
    prompt: Which loss for one sigmoid output?
    choices: [Mean squared error, Binary cross-entropy, Categorical cross-entropy, Hinge]
    answer: Binary cross-entropy
    feedback: {Mean squared error: MSE treats the probability as a regression target.}
  - id: learns
    type: multi
    prompt: What does a Conv2D layer learn?
    choices: [The kernel weights, The biases, The stride, The padding]
    answer: [The kernel weights, The biases]
  - id: fixed
    type: choice
    shuffle: false
    prompt: How many bytes in a float32?
    choices: ["1", "2", "4", "8"]
    answer: "4"
"""


def test_choices_come_in_a_new_order_per_draw_and_the_key_follows(tmp_path):
    path = tmp_path / "shuffled.yaml"
    path.write_text(SHUFFLED)
    loss, learns, fixed = load_bank(path).questions
    assert loss.draw(7).choices == loss.draw(7).choices  # the same seed, the same order
    assert len({tuple(loss.draw(s).choices) for s in range(20)}) > 4
    for s in range(20):
        item = loss.draw(s)
        right = item.choices.index("Binary cross-entropy")
        assert item.answer_text == f"{'ABCD'[right]}) Binary cross-entropy"
        assert grade(item, "abcd"[right]).status == "correct"
        assert grade(item, "Binary crossentropy").status == "correct"
        verdict = grade(item, "abcd"[item.choices.index("Mean squared error")])
        assert verdict.status == "wrong"
        assert verdict.feedback == "MSE treats the probability as a regression target."
        item = learns.draw(s)
        picks = sorted("abcd"[item.choices.index(c)] for c in ("The kernel weights", "The biases"))
        assert grade(item, ",".join(picks)).status == "correct"
        assert grade(item, picks[0]).status == "wrong"
    assert {tuple(fixed.draw(s).choices) for s in range(20)} == {("1", "2", "4", "8")}
    assert grade(fixed.draw(3), "c").status == "correct"


HUGE = [
    "1e1000000",
    "1e99999999999999999999",
    "-1e-99999999999999999999",
    "9" * 1_000_000,
    "9" * 5000,
    "1" * 65,
    "2.8e101",
    "2.8 x 10^1000000",
    "1e1000000 MB",
    "1e99 billion",
    "1e1000000k params",
    "9" * 200 + "x1x1",
    "99999999999x1x1",
    "a" * 100_000,
]


@pytest.mark.parametrize("qid", ["g-params", "g-param-bytes", "g-ram-mb", "g-tolerance",
                                 "g-shape", "g-rf"])
@pytest.mark.parametrize("text", HUGE, ids=lambda t: t[:24])
def test_numbers_past_comparison_are_invalid_not_a_crash(qid, text):
    """Issue 9.4: answers that overflow exact decimal arithmetic (or the str-to-int limit) are
    not answers: they count nothing and say so in one short line."""
    verdict = grade(ITEMS[qid], text)
    assert verdict.status == "invalid", verdict
    assert "\n" not in verdict.message and len(verdict.message) < 200, verdict.message


@pytest.mark.parametrize("qid", list(ITEMS))
def test_a_pasted_megabyte_is_no_answer_of_any_kind(qid):
    verdict = grade(ITEMS[qid], "9" * 1_000_000)
    assert verdict.status == "invalid"
    assert verdict.message == "1,000,000 characters is not an answer (at most 500)"


def test_huge_numbers_say_they_cannot_be_compared():
    message = grade(ITEMS["g-params"], "1e1000000").message
    assert message == "'1e1000000' is not a number I can compare (a power of ten beyond ±100)"
    assert "not a number I can compare" in grade(ITEMS["g-params"], "9" * 100).message
    assert "beyond 2^31" in grade(ITEMS["g-shape"], "99999999999x1x1").message
    # within the limits the arithmetic stays exact
    assert grade(ITEMS["g-params"], "2.8e3").status == "correct"
    assert grade(ITEMS["g-params"], "1e100").status == "wrong"
    assert grade(ITEMS["g-tolerance"], "1000e-5").status == "correct"
