"""Reading answers the way people type them: each reader against a table of real inputs."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cnnquiz.bank.answers import (
    NotAnAnswer,
    parse_choice,
    parse_multi,
    parse_quantity,
    parse_shape_answer,
    parse_truefalse,
)

CHOICES = ["Mean squared error", "Binary cross-entropy", "Categorical cross-entropy", "Hinge"]


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("2800", "2800", None),
        ("2,800", "2800", None),
        ("2 800", "2800", None),
        ("2\u202f800", "2800", None),
        ("2.8k", "2800", None),
        ("2.8K", "2800", None),
        ("2.8e3", "2800", None),
        ("2.8 x 10^3", "2800", None),
        ("903,400", "903400", None),
        ("1,234,567.5", "1234567.5", None),
        ("1.234.567", "1234567", None),
        ("3,61", "3.61", None),  # a decimal comma, as Dutch students write it
        ("3.6M", "3600000", None),
        ("2.8 million", "2800000", None),
        ("-6", "-6", None),
        ("−6", "-6", None),
        ("3.6 MB", "3.6", "mb"),
        ("3.6MB", "3.6", "mb"),
        ("3613600 bytes", "3613600", "bytes"),
        ("3613600 B", "3613600", "b"),
        ("3.45 MiB", "3.45", "mib"),
        ("2.8 kB", "2.8", "kb"),
        ("0.57 GB", "0.57", "gb"),
        ("2800 params", "2800", "params"),
        ("2.8k parameters", "2800", "parameters"),
        ("~3.6 MB", "3.6", "mb"),
        ("2800.", "2800", None),
        ("3.6 MB.", "3.6", "mb"),
    ],
)
def test_quantities(text, value, unit):
    q = parse_quantity(text)
    assert q.value == Decimal(value)
    assert q.unit == unit


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("abc", "not a number"),
        ("100x", "cannot read 'x'"),
        ("2.8 bananas", "cannot read 'bananas'"),
        ("28 00", "several numbers"),
        ("1,23,4", "cannot read the number"),
    ],
)
def test_not_a_number(text, reason):
    with pytest.raises(NotAnAnswer, match=reason):
        parse_quantity(text)


@pytest.mark.parametrize(
    "text",
    [
        "100x150x100",
        "100×150×100",
        "100 x 150 x 100",
        "(100, 150, 100)",
        "100, 150, 100",
        "[100,150,100]",
        "100X150X100",
        "100*150*100",
        "(None, 100, 150, 100)",
    ],
)
def test_shapes(text):
    assert parse_shape_answer(text) == (100, 150, 100)


@pytest.mark.parametrize("text", ["", "100x", "x150", "100x150.5x3", "abc", "100xx3"])
def test_not_a_shape(text):
    with pytest.raises(NotAnAnswer):
        parse_shape_answer(text)


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("b", 1),
        ("B", 1),
        ("B)", 1),
        ("(b)", 1),
        ("b.", 1),
        ("binary cross-entropy", 1),
        ("  Binary   CROSS-Entropy ", 1),
        ("binary crossentropy", 1),
        ("Binary Cross Entropy", 1),
        ("b) Binary cross-entropy", 1),
        ("hinge", 3),
        ("d", 3),
    ],
)
def test_choices(text, index):
    assert parse_choice(text, CHOICES) == index


@pytest.mark.parametrize(
    ("text", "reason"), [("e", "no choice e"), ("", "empty"), ("cross", "not one of")]
)
def test_not_a_choice(text, reason):
    with pytest.raises(NotAnAnswer, match=reason):
        parse_choice(text, CHOICES)


@pytest.mark.parametrize(
    ("text", "picked"),
    [
        ("a,c", {0, 2}),
        ("ac", {0, 2}),
        ("a c", {0, 2}),
        ("A, C", {0, 2}),
        ("(a) (c)", {0, 2}),
        ("a and d", {0, 3}),
        ("Mean squared error; hinge", {0, 3}),
        ("hinge", {3}),
        ("b", {1}),
    ],
)
def test_multi(text, picked):
    assert parse_multi(text, CHOICES) == picked


def test_multi_texts_with_commas():
    choices = [
        "No shared parameters, so a pattern is learnt everywhere",
        "Too many parameters",
        "Nothing",
    ]
    assert parse_multi(
        "No shared parameters, so a pattern is learnt everywhere; too many parameters", choices
    ) == {0, 1}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("true", True),
        ("T", True),
        ("yes", True),
        ("y", True),
        ("waar", True),
        ("juist", True),
        ("false", False),
        ("f", False),
        ("No", False),
        ("n", False),
        ("onwaar", False),
        ("fout", False),
    ],
)
def test_truefalse(text, value):
    assert parse_truefalse(text) is value


@pytest.mark.parametrize("text", ["", "maybe", "tru"])
def test_not_truefalse(text):
    with pytest.raises(NotAnAnswer):
        parse_truefalse(text)


def test_a_key_written_letter_then_text_reads_back_when_the_choice_starts_with_a_quote():
    # bank check's own round trip typed "B) `valid`: no padding" and read it as no choice: the
    # text after the letter was compared unnormalised with the normalised choice
    choices = ["`same`: output as big as the input", "`valid`: no padding"]
    assert parse_choice("B) `valid`: no padding", choices) == 1
    assert parse_choice("a) `same`: output as big as the input", choices) == 0
