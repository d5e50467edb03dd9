"""Grading: a typed answer against a key, with feedback that names the mistake when it can.

Three verdicts: ``correct``, ``wrong`` and ``invalid``. Invalid input (``abc``, ``100x``, an
empty line) is not an answer at all: it says why and counts nothing. A wrong answer that a
known mistake produces (a :class:`~cnnquiz.bank.asks.Trap`, a distractor, MiB for MB) gets
that mistake named. Each kind of key (:mod:`cnnquiz.bank.keys`) has its grader.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from cnnquiz.bank.answers import (
    BYTE_UNITS,
    UNIT_NAMES,
    NotAnAnswer,
    Quantity,
    check_length,
    letter,
    normalize_text,
    parse_choice,
    parse_multi,
    parse_quantity,
    parse_shape_answer,
    parse_truefalse,
    read_number,
    shown,
    squash,
)
from cnnquiz.bank.asks import Trap, Value
from cnnquiz.bank.convention import localized, misread, other_reading
from cnnquiz.bank.keys import (
    TRUTH_WORDS,
    ChoiceKey,
    Key,
    MultiKey,
    NumberKey,
    ShapeKey,
    TextKey,
    TrueFalseKey,
    key_text,
)
from cnnquiz.bank.quantities import other_reading_of
from cnnquiz.i18n import _
from cnnquiz.net.units import fmt_int, fmt_sig

Status = Literal["correct", "wrong", "invalid"]
Outcome = tuple[Status, str | None]  # the status and the mistake named, if the grader can
_BINARY = {"kb": "kib", "mb": "mib", "gb": "gib", "kib": "kb", "mib": "mb", "gib": "gb"}


@dataclass(frozen=True)
class Verdict:
    status: Status
    message: str  # one line: why invalid, or what was expected
    feedback: str | None = None  # the mistake, when the tool can tell
    expected: str = ""

    @property
    def counts(self) -> bool:
        return self.status != "invalid"


def grade_key(
    key: Key,
    text: str,
    traps: tuple[Trap, ...] = (),
    expected: str | None = None,
    language: str = "en",
) -> Verdict:
    """Grade ``text`` against ``key``; ``traps`` are the wrong answers known mistakes produce.

    ``expected`` is :func:`key_text` of ``key`` when the caller has it already (an item does).
    ``language`` is the question's: it decides how ``2.800`` reads (2.8 in English, 2800 in
    Dutch), and a number the other convention reads as the key is not an answer but a hint."""
    expected = key_text(key, language) if expected is None else expected
    try:
        check_length(str(text))
        status, feedback = _grade(key, str(text), traps, language)
    except NotAnAnswer as exc:
        return Verdict("invalid", str(exc), None, expected)
    message = _("correct") if status == "correct" else _("expected {key}").format(key=expected)
    return Verdict(status, message, feedback, expected)


def _grade(key: Key, text: str, traps: tuple[Trap, ...], language: str) -> Outcome:
    if isinstance(key, NumberKey):
        return _number(key, text, traps, language)
    if isinstance(key, ShapeKey):
        return _shape(key, text, traps)
    if isinstance(key, ChoiceKey):
        return _choice(key, text)
    if isinstance(key, MultiKey):
        return _multi(key, text)
    if isinstance(key, TrueFalseKey):
        return _truefalse(key, text, language)
    return _text(key, text)


def _trap_feedback(traps: tuple[Trap, ...], matches: Callable[[Value], bool]) -> str | None:
    for trap in traps:
        if matches(trap.value):
            return trap.feedback
    return None


def _number(key: NumberKey, text: str, traps: tuple[Trap, ...], language: str) -> Outcome:
    q = parse_quantity(text, language)
    value = _size_value(key, q) if key.size else _count_value(key, q)
    if key.close(value):
        return "correct", None
    other = other_reading_of(text, q, language)
    if other is not None and key.close(_size_value(key, other) if key.size else other.value):
        # 2.800 or 2,800 written the other way: say how it reads, not "wrong"
        read = read_number(q.number, language)  # the number as typed, without its unit
        meant = read_number(q.number, other_reading(language))
        raise NotAnAnswer(misread(shown(q.number), read, meant, language))
    feedback = _trap_feedback(
        traps, lambda v: isinstance(v, Decimal) and v != key.number and key.close(value, v)
    )
    if feedback is None and key.size:
        unit = q.unit or ("" if q.scaled else key.unit or "bytes")
        feedback = _size_feedback(key, q.value, unit, language)
    if (
        feedback is None
        and key.number
        and key.rel_tol < Decimal("0.02")
        and abs(value - key.number) <= abs(key.number) * Decimal("0.02")
    ):
        feedback = (
            _("close, but not within the tolerance: check your rounding")
            if key.size or key.rel_tol
            else _("close, but a count must be exact")
        )
    return "wrong", feedback


def _size_value(key: NumberKey, q: Quantity) -> Decimal:
    """What was typed, in bytes; NotAnAnswer for a count where a size is asked."""
    if q.unit is not None and not q.is_size:
        raise NotAnAnswer(
            _("the question asks for a size (like 3.6 MB), not a number of {unit}").format(
                unit=q.unit
            )
        )
    if q.unit:
        return q.value * BYTE_UNITS[q.unit]
    if q.scaled:
        return q.value  # "3.6M": millions of bytes
    return q.value * BYTE_UNITS.get(key.unit or "bytes", 1)  # a bare number is in the key's unit


def _count_value(key: NumberKey, q: Quantity) -> Decimal:
    if q.is_size:
        size = UNIT_NAMES[q.unit or "b"]
        raise NotAnAnswer(
            _("the question asks for a count of {what}, not a size in {unit}").format(
                what=key.unit, unit=size
            )
            if key.unit
            else _("the question asks for a count, not a size in {unit}").format(unit=size)
        )
    return q.value


def _size_feedback(key: NumberKey, typed: Decimal, unit: str, language: str) -> str | None:
    other = _BINARY.get(unit)
    if other and key.close(typed * BYTE_UNITS[other]):
        written, meant = UNIT_NAMES[unit], UNIT_NAMES[other]
        return _("that is {meant}, not {unit}: 1 {unit} = {n} bytes").format(
            meant=meant, unit=written, n=localized(fmt_int(BYTE_UNITS[unit]), language)
        )
    if unit in ("b", "byte", "bytes", "") or not unit:
        for scale, name in ((10**6, "MB"), (10**3, "kB")):
            if key.close(typed * scale):
                size = localized(f"{fmt_sig(float(typed))} {name}", language)
                return _("that number is read as bytes here; write the unit: {size}").format(
                    size=size
                )
    return None


def _shape(key: ShapeKey, text: str, traps: tuple[Trap, ...]) -> Outcome:
    dims = parse_shape_answer(text)
    want = key.shape
    if dims == want or (len(want) == 2 and want[0] == want[1] and dims == (want[0],)):
        return "correct", None
    feedback = _trap_feedback(traps, lambda v: isinstance(v, tuple) and v == dims)
    if feedback is None and len(dims) != len(want):
        # not a wrong shape but no answer to this question: it counts nothing, like "100x"
        raise NotAnAnswer(
            (
                _(
                    "the shape has {n} numbers (height × width × channels), you typed {typed}: "
                    "the wrong number of dimensions"
                )
                if len(want) == 3
                else _(
                    "the shape has {n} numbers, you typed {typed}: the wrong number of dimensions"
                )
            ).format(n=len(want), typed=len(dims))
        )
    return "wrong", feedback


def _choice(key: ChoiceKey, text: str) -> Outcome:
    index = parse_choice(text, key.choices)
    if index == key.choice:
        return "correct", None
    return "wrong", key.feedback.get(key.choices[index])


def _multi(key: MultiKey, text: str) -> Outcome:
    picked = parse_multi(text, key.choices)
    want = key.picks
    if picked == want:
        return "correct", None
    notes = [
        key.feedback[key.choices[i]]
        for i in sorted(picked - want)
        if key.choices[i] in key.feedback
    ]
    missing = sorted(want - picked)
    extra = sorted(picked - want)
    if extra:
        notes.insert(0, _("not {letters}").format(letters=", ".join(letter(i) for i in extra)))
    if missing:
        notes.insert(
            0, _("you missed {letters}").format(letters=", ".join(letter(i) for i in missing))
        )
    return "wrong", "; ".join(notes) or None


def _truefalse(key: TrueFalseKey, text: str, language: str) -> Outcome:
    value = parse_truefalse(text, language)
    if value == key.truth:
        return "correct", None
    said = str(value).lower()  # feedback keyed true/false, or waar/onwaar in a Dutch bank
    return "wrong", key.feedback.get(said, key.feedback.get(TRUTH_WORDS["nl"][value]))


def _text(key: TextKey, text: str) -> Outcome:
    s = normalize_text(text)
    if not s:
        raise NotAnAnswer(_("empty answer; type a word or a phrase"))
    if s in {normalize_text(x) for x in key.spellings} or squash(s) in {
        squash(x) for x in key.spellings
    }:
        return "correct", None
    if key.pattern and re.fullmatch(key.pattern, s, re.IGNORECASE):
        return "correct", None
    for wrong, why in key.feedback.items():
        if normalize_text(wrong) == s:
            return "wrong", why
    return "wrong", None
