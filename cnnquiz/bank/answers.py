"""Reading answers the way people type them: numbers, sizes, shapes, letters, yes/no.

A student types ``2,800``, ``2.8k``, ``3.6 MB``, ``3613600 bytes``, ``100×150×100`` or ``(b)``.
Each reader returns a parsed value or raises :class:`NotAnAnswer` with the reason, so that
input that is not an answer at all (``abc``, ``100x``, an empty line) is told apart from a
wrong answer and counts nothing. Numbers are read in :mod:`cnnquiz.bank.quantities` (the
question's language decides ``2.800``); their names are re-exported here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from cnnquiz.bank.quantities import (
    BYTE_UNITS,
    COUNT_WORDS,
    MAX_ANSWER_CHARS,
    MAX_EXPONENT,
    MAX_NUMBER_CHARS,
    MULTIPLIERS,
    UNIT_NAMES,
    NotAnAnswer,
    Quantity,
    check_length,
    parse_quantity,
    read_number,
    shown,
)
from cnnquiz.i18n import N_, _
from cnnquiz.limits import MAX_DIM

TRUE_WORDS = frozenset("true t yes y waar w juist ja j sand correct right 1".split())
FALSE_WORDS = frozenset("false f no n onwaar o fout nee nej falsk incorrect wrong 0".split())


_SPACES = re.compile(r"\s+")
_END_PUNCTUATION = re.compile(r"[.!;]+$")
_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")


def normalize_text(text: str) -> str:
    """Case-folded, whitespace collapsed, outer quotes and end punctuation dropped."""
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    text = _SPACES.sub(" ", text).strip()
    text = text.strip("`'\"“”‘’ ")
    text = _END_PUNCTUATION.sub("", text).strip()
    return text


def squash(text: str) -> str:
    """Only letters and digits: hyphens, spaces and punctuation do not make an answer wrong."""
    return _NOT_ALPHANUMERIC.sub("", normalize_text(text))


# --------------------------------------------------------------------------------------------
# Shapes


def parse_shape_answer(text: str) -> tuple[int, ...]:
    """``100x150x100``, ``100×150×100``, ``(100, 150, 100)``, ``[100,150,100]``, ``100 150 100``."""
    s = unicodedata.normalize("NFKC", str(text)).strip()
    if not s:
        raise NotAnAnswer(_("empty answer; type a shape like 100x150x100 (H x W x C)"))
    check_length(s)
    s = s.strip("()[]{} ")
    s = re.sub(r"^none\s*[,x×]\s*", "", s, flags=re.IGNORECASE)  # Keras prints (None, H, W, C)
    parts = [p.strip() for p in re.split(r"\s*[x×X*,]\s*|\s+", s)]
    if not parts or any(p == "" for p in parts):
        raise NotAnAnswer(
            _("{typed} is an incomplete shape; type one like 100x150x100").format(typed=shown(text))
        )
    if any(not re.fullmatch(r"\d+", p) for p in parts):
        raise NotAnAnswer(
            _("{typed} is not a shape; type whole numbers like 100x150x100").format(
                typed=shown(text)
            )
        )
    if any(len(p.lstrip("0")) > 10 or int(p) > MAX_DIM for p in parts):
        raise NotAnAnswer(
            _("{typed} is not a shape I can compare (a dimension beyond 2^31 = {most})").format(
                typed=shown(text), most=f"{MAX_DIM:,}"
            )
        )
    return tuple(int(p) for p in parts)


def format_shape(dims: tuple[int, ...]) -> str:
    return "x".join(str(d) for d in dims)


# --------------------------------------------------------------------------------------------
# Choices and yes/no

_LETTER = re.compile(r"^\(?\s*([a-z])\s*[).:]?$", re.IGNORECASE)


def letter(index: int) -> str:
    return "abcdefghijklmnopqrstuvwxyz"[index]


@lru_cache(maxsize=4096)
def _normal_choices(choices: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The choices as answers are compared with them: normalized, and letters and digits only.
    A question's choices are the same at every answer, so they are normalized once."""
    texts = tuple(normalize_text(c) for c in choices)
    return texts, tuple(squash(t) for t in texts)


def parse_choice(text: str, choices: Sequence[str]) -> int:
    """A choice by its text (case and spacing ignored) or its letter: ``b``, ``B)``, ``(b)``."""
    s = normalize_text(text)
    if not s:
        raise NotAnAnswer(
            _("empty answer; type a letter a–{last} or the text of a choice").format(
                last=letter(len(choices) - 1)
            )
        )
    texts, loose = _normal_choices(tuple(choices))
    if s in texts:
        return texts.index(s)
    if (
        squash(s) and loose.count(squash(s)) == 1
    ):  # "binary crossentropy" for "Binary cross-entropy"
        return loose.index(squash(s))
    m = _LETTER.match(s)
    if m:
        index = ord(m.group(1).lower()) - ord("a")
        if index < len(choices):
            return index
        raise NotAnAnswer(
            _("there is no choice {typed}; type a letter a–{last}").format(
                typed=m.group(1), last=letter(len(choices) - 1)
            )
        )
    m = re.match(r"^\(?([a-z])\)\s*(.+)$", s)  # "b) binary cross-entropy"
    if (
        m
        and ord(m.group(1)) - ord("a") < len(choices)
        and normalize_text(m.group(2)) == texts[ord(m.group(1)) - ord("a")]
    ):
        return ord(m.group(1)) - ord("a")
    raise NotAnAnswer(
        _("not one of the choices; type a letter a–{last} or a choice's text").format(
            last=letter(len(choices) - 1)
        )
    )


def parse_multi(text: str, choices: Sequence[str]) -> frozenset[int]:
    """Several choices: letters ``a,c``, ``ac``, ``a c``, ``(a) (c)`` or texts separated by , or ;."""
    s = normalize_text(text)
    if not s:
        raise NotAnAnswer(_("empty answer; type letters like a,c or the texts of the choices"))
    texts = _normal_choices(tuple(choices))[0]
    if s in texts:
        return frozenset({texts.index(s)})
    compact = re.sub(r"[\s,;/&()+]|\band\b|\ben\b", "", s)
    if (
        re.fullmatch(r"[a-z]+", compact)
        and all(ord(c) - 97 < len(choices) for c in compact)
        and not any(normalize_text(p) in texts for p in re.split(r"[,;]", s))
    ):
        if len(set(compact)) == len(compact) or len(compact) <= len(choices):
            return frozenset(ord(c) - 97 for c in compact)
    last: NotAnAnswer | None = None
    for separators in (r"\s*;\s*", r"\s*[;,]\s*|\s+and\s+|\s+en\s+"):
        try:
            picked = {parse_choice(part, choices) for part in re.split(separators, s) if part}
        except NotAnAnswer as exc:
            last = exc
            continue
        if picked:
            return frozenset(picked)
    raise NotAnAnswer(
        _("{why}; for several, type letters like a,c").format(why=last)
        if last
        else _("type letters like a,c")
    )


def parse_truefalse(text: str, language: str = "en") -> bool:
    """true/false, t/f, yes/no, y/n, and the Dutch waar/onwaar, ja/nee, juist/fout, in a
    question of any language; the message names the words of ``language``."""
    s = normalize_text(text)
    if s in TRUE_WORDS:
        return True
    if s in FALSE_WORDS:
        return False
    if not s:
        raise NotAnAnswer(_("empty answer; type true or false"))
    words = TRUE_FALSE_WORDS.get(language, TRUE_FALSE_WORDS["en"])
    return _not_truefalse(text, _(words))


TRUE_FALSE_WORDS = {"en": N_("true/false, yes/no or t/f"), "nl": N_("waar/onwaar or ja/nee")}
"""What a true/false message offers, by the question's language."""


def _not_truefalse(text: str, words: str) -> bool:
    raise NotAnAnswer(
        _("{typed} is not true or false; type {words}").format(typed=shown(text), words=words)
    )


__all__ = [
    "BYTE_UNITS",
    "COUNT_WORDS",
    "FALSE_WORDS",
    "MAX_ANSWER_CHARS",
    "MAX_EXPONENT",
    "MAX_NUMBER_CHARS",
    "MULTIPLIERS",
    "NotAnAnswer",
    "Quantity",
    "TRUE_FALSE_WORDS",
    "TRUE_WORDS",
    "UNIT_NAMES",
    "check_length",
    "format_shape",
    "letter",
    "normalize_text",
    "parse_choice",
    "parse_multi",
    "parse_quantity",
    "parse_shape_answer",
    "parse_truefalse",
    "read_number",
    "shown",
    "squash",
]
