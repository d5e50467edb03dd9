"""How a bank's language writes numbers, and the answer a number typed the other way means.

English writes ``2,800.5`` (the dot is the decimal point, the comma groups thousands); Dutch
writes ``2.800,5`` (the comma is the decimal sign, the dot groups thousands). A space groups
thousands in both. Only one written form reads differently in the two: one separator after one
to three digits (the first not 0) and before exactly three (``2.800``, ``2,800``, ``150.528``).
Every other form means the same number in both, so it is read that way in either language
(``3,6`` is 3.6 and ``1.234.567`` is 1234567 in an English question too).

The loader reads a bank's own answer strings in the bank's language (:func:`reading`, around
one file); the grader is handed the question's language.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from cnnquiz.i18n import _

DECIMAL_COMMA = frozenset({"nl", "da"})
"""Languages whose decimal sign is the comma (and whose thousands are grouped by a dot)."""

_READING: ContextVar[str] = ContextVar("cnnquiz_bank_reading", default="en")
_AMBIGUOUS = re.compile(r"[1-9]\d{0,2}[.,]\d{3}")
_SWAP = str.maketrans(",.", ".,")


def other_reading(language: str) -> str:
    """A language of the other convention: where ``2.800`` means what it does not here."""
    return "en" if language in DECIMAL_COMMA else "nl"


@contextmanager
def reading(language: str) -> Iterator[None]:
    """Numbers in a bank's own text (its answers, its feedback keys) read in ``language``."""
    token = _READING.set(language)
    try:
        yield
    finally:
        _READING.reset(token)


def read_in() -> str:
    """The language numbers are read in where no language is given: the bank being read's."""
    return _READING.get()


def ambiguous(number: str) -> bool:
    """Whether ``number`` (the digits and separators typed, sign and spaces gone) reads as
    another number in the other convention: ``2.800`` and ``2,800``, not ``3,6`` or ``0.500``."""
    return _AMBIGUOUS.fullmatch(number) is not None


def localized(text: str, language: str) -> str:
    """A number written the English way (``3,613,600``, ``3.61 MB``) written in ``language``
    (``3.613.600``, ``3,61 MB``)."""
    return text.translate(_SWAP) if language in DECIMAL_COMMA else text


def digits(value: Decimal, language: str) -> str:
    """``value`` without grouping, in ``language``'s decimal sign: ``2800``, ``2.8``, ``2,8``."""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return localized(text, language)


def grouped(value: Decimal, language: str) -> str:
    """A whole ``value`` with its thousands grouped as ``language`` groups them."""
    return localized(f"{int(value):,}", language)


def misread(typed: str, read: Decimal, meant: Decimal, language: str) -> str:
    """Why ``typed`` is not taken: it reads as ``read`` here, where the answer ``meant`` (its
    reading in the other convention) is written another way."""
    rule = (
        _("in this question the comma is the decimal sign and a dot groups thousands")
        if language in DECIMAL_COMMA
        else _("in this question the dot is the decimal point and a comma groups thousands")
    )
    if meant == meant.to_integral_value():
        how = _("{plain} or {grouped}").format(
            plain=digits(meant, language), grouped=grouped(meant, language)
        )
    else:
        how = digits(meant, language)
    read_text = digits(read, language)
    template = (
        _("{typed} is a decimal number here ({rule}); for {meant} write {how}")
        if repr(read_text) == typed  # 150,528 in Dutch: the same digits, read as a decimal
        else _("{typed} reads as {read} ({rule}); for {meant} write {how}")
    )
    return template.format(
        typed=typed, read=read_text, rule=rule, meant=digits(meant, language), how=how
    )
