"""Numbers read in the question's language: ``2.800`` is 2800 in a Dutch question and 2.8 in an
English one; a number the two conventions read differently is a hint when the other reading is
the answer, never a silent wrong; keys shown to a Dutch student are written the Dutch way."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnquiz.bank import convention
from cnnquiz.bank.answers import NotAnAnswer, parse_quantity, parse_truefalse
from cnnquiz.bank.grading import grade_key
from cnnquiz.bank.keys import NumberKey, ShapeKey, TrueFalseKey, key_text
from cnnquiz.bank.quantities import other_reading_of

# (typed, value in a Dutch question, value in an English question)
READINGS = [
    ("2800", "2800", "2800"),
    ("2.800", "2800", "2.8"),
    ("2,800", "2.8", "2800"),
    ("2 800", "2800", "2800"),
    ("2\u00a0800", "2800", "2800"),
    ("0,5", "0.5", "0.5"),
    ("0.5", "0.5", "0.5"),
    ("3,6", "3.6", "3.6"),
    ("3.6", "3.6", "3.6"),
    ("3,61", "3.61", "3.61"),
    ("150.528", "150528", "150.528"),
    ("150,528", "150.528", "150528"),
    ("1.234.567", "1234567", "1234567"),
    ("1,234,567", "1234567", "1234567"),
    ("1.234.567,5", "1234567.5", "1234567.5"),
    ("1,234,567.5", "1234567.5", "1234567.5"),
    ("0,500", "0.5", "0.5"),  # a leading 0 is never a group of thousands
    ("0.500", "0.5", "0.5"),
    ("2.8000", "2.8", "2.8"),  # four digits after the mark: a decimal in both
    ("12345.678", "12345.678", "12345.678"),
    ("-2.800", "-2800", "-2.8"),
    ("2 800,5", "2800.5", "2800.5"),
    ("2,8k", "2800", "2800"),
    ("2.800k", "2800000", "2800"),
    ("3,6e6", "3600000", "3600000"),
]


@pytest.mark.parametrize(("typed", "dutch", "english"), READINGS)
def test_each_language_reads_its_own_way(typed, dutch, english):
    assert parse_quantity(typed, "nl").value == Decimal(dutch)
    assert parse_quantity(typed, "en").value == Decimal(english)
    assert parse_quantity(typed).value == Decimal(english)  # outside a bank: English


@pytest.mark.parametrize(("typed", "dutch", "english"), READINGS)
def test_the_other_reading_only_where_they_differ(typed, dutch, english):
    dutch_q, english_q = parse_quantity(typed, "nl"), parse_quantity(typed, "en")
    if Decimal(dutch) == Decimal(english):
        assert other_reading_of(typed, dutch_q, "nl") is None
        assert other_reading_of(typed, english_q, "en") is None
    else:
        assert other_reading_of(typed, dutch_q, "nl") == english_q
        assert other_reading_of(typed, english_q, "en") == dutch_q


@pytest.mark.parametrize(
    ("typed", "value", "unit"),
    [
        ("3,6 MB", "3.6", "mb"),
        ("3,61 MB", "3.61", "mb"),
        ("2.800 gewichten", "2800", "gewichten"),
        ("2.800 parameters", "2800", "parameters"),
        ("3.613.600 bytes", "3613600", "bytes"),
        ("720 kB", "720", "kb"),
        ("2,8 miljoen", "2800000", None),
        ("ca. 3,6 MB", "3.6", "mb"),
        ("2.800 vermenigvuldigingen", "2800", "vermenigvuldigingen"),
    ],
)
def test_dutch_units_and_words(typed, value, unit):
    q = parse_quantity(typed, "nl")
    assert q.value == Decimal(value)
    assert q.unit == unit


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("abc", "type one like 2800, 2.800, 2,8k or 3,6 MB"),
        ("", "type a number like 2800, 2,8k or 3,6 MB"),
        ("1,23,4", "cannot read the number"),
        ("2,8 appels", "cannot read 'appels'"),
    ],
)
def test_not_a_number_in_a_dutch_question(text, reason):
    with pytest.raises(NotAnAnswer, match=reason):
        parse_quantity(text, "nl")


def test_bank_text_is_read_in_the_language_of_the_bank_being_read():
    assert parse_quantity("2.800").value == Decimal("2.8")
    with convention.reading("nl"):
        assert parse_quantity("2.800").value == Decimal(2800)
        assert parse_quantity("2.800", "en").value == Decimal("2.8")  # a language given wins
    assert parse_quantity("2.800").value == Decimal("2.8")


@pytest.mark.parametrize("word", ["ja", "waar", "j", "w", "juist", "true", "yes"])
def test_dutch_true(word):
    assert parse_truefalse(word, "nl") is True


@pytest.mark.parametrize("word", ["nee", "onwaar", "n", "fout", "false", "no"])
def test_dutch_false(word):
    assert parse_truefalse(word, "nl") is False


def test_true_false_messages_name_the_words_of_the_language():
    with pytest.raises(NotAnAnswer, match="type waar/onwaar or ja/nee"):
        parse_truefalse("misschien", "nl")
    with pytest.raises(NotAnAnswer, match="type true/false, yes/no or t/f"):
        parse_truefalse("maybe", "en")


KEYS = [
    (NumberKey(Decimal(2800)), "2,800", "2.800"),
    (NumberKey(Decimal(150528)), "150,528", "150.528"),
    (NumberKey(Decimal("0.5")), "0.5", "0,5"),
    (NumberKey(Decimal(3613600), size=True, unit="bytes"), "3,613,600 bytes", "3.613.600 bytes"),
    (
        NumberKey(Decimal(3613600), size=True, unit="mb", rel_tol=Decimal("0.005")),
        "3.61 MB",
        "3,61 MB",
    ),
    (NumberKey(Decimal(12600000), size=True, unit="mb"), "12.6 MB", "12,6 MB"),
    (ShapeKey((100, 150, 100)), "100x150x100", "100x150x100"),
    (TrueFalseKey(True), "true", "waar"),
    (TrueFalseKey(False), "false", "onwaar"),
]


@pytest.mark.parametrize(("key", "english", "dutch"), KEYS)
def test_keys_are_written_the_way_the_student_writes(key, english, dutch):
    assert key_text(key) == english
    assert key_text(key, "en") == english
    assert key_text(key, "nl") == dutch
    assert grade_key(key, english, language="en").status == "correct"
    assert grade_key(key, dutch, language="nl").status == "correct"
    wrong = grade_key(key, "1", language="nl")
    assert wrong.expected == dutch


@pytest.mark.parametrize(
    ("language", "typed", "key", "message"),
    [
        (
            "en",
            "2.800",
            "2800",
            "'2.800' reads as 2.8 (in this question the dot is the decimal point and a comma "
            "groups thousands); for 2800 write 2800 or 2,800",
        ),
        (
            "en",
            "2,800",
            "2.8",
            "'2,800' reads as 2800 (in this question the dot is the decimal point and a comma "
            "groups thousands); for 2.8 write 2.8",
        ),
        (
            "nl",
            "2,800",
            "2800",
            "'2,800' reads as 2,8 (in this question the comma is the decimal sign and a dot "
            "groups thousands); for 2800 write 2800 or 2.800",
        ),
        (
            "nl",
            "2.800",
            "2.8",
            "'2.800' reads as 2800 (in this question the comma is the decimal sign and a dot "
            "groups thousands); for 2,8 write 2,8",
        ),
        (
            "nl",
            "150,528 gewichten",
            "150528",
            "'150,528' is a decimal number here (in this question the comma is the decimal sign and a "
            "dot groups thousands); for 150528 write 150528 or 150.528",
        ),
    ],
)
def test_the_other_convention_gets_a_hint_not_a_wrong(language, typed, key, message):
    verdict = grade_key(NumberKey(Decimal(key)), typed, language=language)
    assert verdict.status == "invalid"
    assert not verdict.counts
    assert verdict.message == message


def test_a_hint_only_when_the_other_reading_is_the_answer():
    key = NumberKey(Decimal(2800))
    assert grade_key(key, "2.700", language="en").status == "wrong"  # 2.7 and 2700: both wrong
    assert grade_key(key, "2,700", language="nl").status == "wrong"
    size = NumberKey(Decimal(3613600), size=True, unit="mb", rel_tol=Decimal("0.005"))
    assert grade_key(size, "3.613 MB", language="en").status == "correct"
    assert grade_key(size, "3,613 MB", language="nl").status == "correct"
    assert "reads as 3613" in grade_key(size, "3,613 MB", language="en").message
    assert "reads as 3613" in grade_key(size, "3.613 MB", language="nl").message


def _dutch(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@given(st.integers(min_value=-(10**15), max_value=10**15))
@settings(max_examples=150, deadline=None)
def test_any_whole_number_written_the_dutch_way_reads_back(n):
    assert parse_quantity(_dutch(n), "nl").value == n
    assert parse_quantity(f"{n:,}".replace(",", " "), "nl").value == n
    assert parse_quantity(str(n), "nl").value == n


@given(
    st.integers(min_value=0, max_value=10**12),
    st.integers(min_value=0, max_value=9999).map(lambda f: str(f).rstrip("0") or "0"),
)
@settings(max_examples=150, deadline=None)
def test_any_decimal_written_the_dutch_way_reads_back(whole, frac):
    text = f"{_dutch(whole)},{frac}"
    assert parse_quantity(text, "nl").value == Decimal(f"{whole}.{frac}")


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["en", "nl"]))
@settings(max_examples=150, deadline=None)
def test_a_correct_answer_in_the_question_s_own_writing_is_never_refused(n, language):
    key = NumberKey(Decimal(n))
    for typed in {str(n), key_text(key, language), f"{n:,}".replace(",", " ")}:
        assert grade_key(key, typed, language=language).status == "correct", typed


@given(
    st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False, allow_infinity=False),
    st.sampled_from(["en", "nl"]),
)
@settings(max_examples=150, deadline=None)
def test_a_number_both_conventions_read_alike_is_graded_alike(value, language):
    typed = format(value.normalize(), "f")
    if convention.ambiguous(typed):
        return  # 2.800 itself: the case above
    key = NumberKey(value)
    assert grade_key(key, typed, language="en").status == "correct"
    assert grade_key(key, typed, language="nl").status == "correct"
