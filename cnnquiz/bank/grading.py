"""Grading: a typed answer against a key, with feedback that names the mistake when it can.

Three verdicts: ``correct``, ``wrong`` and ``invalid``. Invalid input (``abc``, ``100x``, an
empty line) is not an answer at all: it says why and counts nothing. A wrong answer that a
known mistake produces (a :class:`~cnnquiz.bank.asks.Trap`, a distractor, MiB for MB) gets
that mistake named.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from cnnquiz.bank.answers import (
    BYTE_UNITS,
    MAX_EXPONENT,
    UNIT_NAMES,
    NotAnAnswer,
    check_length,
    format_shape,
    letter,
    normalize_text,
    parse_choice,
    parse_multi,
    parse_quantity,
    parse_shape_answer,
    parse_truefalse,
    squash,
)
from cnnquiz.bank.asks import Trap
from cnnquiz.net.units import fmt_int, fmt_sig

Status = Literal["correct", "wrong", "invalid"]
SIZE_TOLERANCE = Decimal("0.005")  # 0.5 %: "3.6 MB" for 3,613,600 bytes, as the notes round
_EPS = Decimal("1e-9")
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


@dataclass(frozen=True)
class Key:
    """The right answer in a form the grader compares against (sizes in bytes)."""

    kind: str  # numeric | shape | choice | multi | truefalse | text
    number: Decimal | None = None
    size: bool = False
    unit: str | None = None  # lower-case: "mb", "bytes", or a count word like "params"
    rel_tol: Decimal = Decimal(0)
    abs_tol: Decimal = Decimal(0)  # in bytes for sizes
    shape: tuple[int, ...] | None = None
    choice: int | None = None
    multi: frozenset[int] | None = None
    truth: bool | None = None
    spellings: tuple[str, ...] = ()
    pattern: str | None = None
    choices: tuple[str, ...] = ()
    feedback: Mapping[str, str] = field(default_factory=dict)

    def close(self, value: Decimal, target: Decimal | None = None) -> bool:
        target = self.number if target is None else target
        assert target is not None
        allowed = max(self.rel_tol * abs(target), self.abs_tol) + _EPS * max(abs(target), 1)
        return abs(value - target) <= allowed


def parse_tolerance(value: Any, unit_factor: int = 1) -> tuple[Decimal, Decimal]:
    """``1%`` → relative 0.01; ``0.05`` → absolute 0.05 in the key's unit (→ bytes for sizes).

    ValueError (the reason) for anything else: not a number, NaN or infinite (NaN would make
    every answer correct), negative, or a relative tolerance of 100 % or more (it accepts 0)."""
    text = str(value).strip()
    relative = isinstance(value, str) and text.endswith("%")
    if isinstance(value, bool) or len(text) > 40:
        raise ValueError("not a number")
    try:
        number = Decimal(text[:-1].strip() if relative else text)
    except InvalidOperation:
        raise ValueError("not a number") from None
    if not number.is_finite():
        raise ValueError("it must be a finite number (NaN or infinity would accept any answer)")
    if number < 0:
        raise ValueError("it cannot be negative")
    if relative:
        if number >= 100:
            raise ValueError("a relative tolerance of 100% or more accepts 0 for any key")
        return number / 100, Decimal(0)
    if number and not -MAX_EXPONENT <= number.adjusted() <= MAX_EXPONENT:
        raise ValueError(f"it must lie within 10^±{MAX_EXPONENT}")
    return Decimal(0), number * unit_factor


def key_text(key: Key) -> str:
    """The key as a person writes it: ``2,800``, ``3.61 MB``, ``100x150x100``, ``B) Hinge``."""
    if key.kind == "numeric":
        assert key.number is not None
        if key.size and key.unit in BYTE_UNITS and key.unit not in ("b", "byte", "bytes"):
            factor = Decimal(BYTE_UNITS[key.unit])
            for digits in range(3, 16):
                shown = round_sig(key.number / factor, digits)
                if key.close(shown * factor):
                    return f"{plain(shown)} {UNIT_NAMES[key.unit]}"
        return _plain_number(key.number) + (" bytes" if key.size else "")
    if key.kind == "shape":
        return format_shape(key.shape or ())
    if key.kind == "choice":
        assert key.choice is not None
        return f"{letter(key.choice).upper()}) {key.choices[key.choice]}"
    if key.kind == "multi":
        return "; ".join(f"{letter(i).upper()}) {key.choices[i]}" for i in sorted(key.multi or ()))
    if key.kind == "truefalse":
        return "true" if key.truth else "false"
    return key.spellings[0] if key.spellings else f"(matching /{key.pattern}/)"


def round_sig(value: Decimal, digits: int) -> Decimal:
    """``value`` rounded to ``digits`` significant figures (exact decimal arithmetic)."""
    if value == 0:
        return Decimal(0)
    exponent = value.adjusted() - digits + 1
    return value.quantize(Decimal(1).scaleb(exponent))


def plain(value: Decimal) -> str:
    """A decimal in plain notation without trailing zeros: 0.000004, 3.61, 1,640."""
    text = format(value.normalize(), "f")
    text = text.rstrip("0").rstrip(".") if "." in text else text
    whole, dot, frac = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}{int(whole.lstrip('-')):,}{dot}{frac}"


def _plain_number(n: Decimal) -> str:
    if n == n.to_integral_value():
        return fmt_int(int(n))
    return format(n.normalize(), "f")


def grade_key(key: Key, text: str, traps: tuple[Trap, ...] = ()) -> Verdict:
    """Grade ``text`` against ``key``; ``traps`` are the wrong answers known mistakes produce."""
    expected = key_text(key)
    try:
        check_length(str(text))
        status, feedback = _GRADERS[key.kind](key, str(text), traps)
    except NotAnAnswer as exc:
        return Verdict("invalid", str(exc), None, expected)
    message = "correct" if status == "correct" else f"expected {expected}"
    return Verdict(status, message, feedback, expected)


def _trap_feedback(traps: tuple[Trap, ...], matches) -> str | None:
    for trap in traps:
        if matches(trap.value):
            return trap.feedback
    return None


def _numeric(key: Key, text: str, traps: tuple[Trap, ...]) -> tuple[Status, str | None]:
    q = parse_quantity(text)
    assert key.number is not None
    if key.size:
        if q.unit is not None and not q.is_size:
            raise NotAnAnswer(
                f"the question asks for a size (like 3.6 MB), not a number of {q.unit}"
            )
        if q.unit:
            value = q.value * BYTE_UNITS[q.unit]
        elif q.scaled:
            value = q.value  # "3.6M": millions of bytes
        else:
            value = q.value * BYTE_UNITS.get(
                key.unit or "bytes", 1
            )  # a bare number is in the key's unit
    else:
        if q.is_size:
            raise NotAnAnswer(
                f"the question asks for a count{f' of {key.unit}' if key.unit else ''}, "
                f"not a size in {UNIT_NAMES[q.unit or 'b']}"
            )
        value = q.value
    if key.close(value):
        return "correct", None
    feedback = _trap_feedback(
        traps, lambda v: isinstance(v, Decimal) and v != key.number and key.close(value, v)
    )
    if feedback is None and key.size:
        feedback = _size_feedback(key, q.value, q.unit or ("" if q.scaled else key.unit or "bytes"))
    if (
        feedback is None
        and key.number
        and key.rel_tol < Decimal("0.02")
        and abs(value - key.number) <= abs(key.number) * Decimal("0.02")
    ):
        feedback = (
            "close, but not within the tolerance: check your rounding"
            if key.size or key.rel_tol
            else "close, but a count must be exact"
        )
    return "wrong", feedback


def _size_feedback(key: Key, typed: Decimal, unit: str) -> str | None:
    assert key.number is not None
    other = _BINARY.get(unit)
    if other and key.close(typed * BYTE_UNITS[other]):
        shown, meant = UNIT_NAMES[unit], UNIT_NAMES[other]
        return f"that is {meant}, not {shown}: 1 {shown} = {fmt_int(BYTE_UNITS[unit])} bytes"
    if unit in ("b", "byte", "bytes", "") or not unit:
        for scale, name in ((10**6, "MB"), (10**3, "kB")):
            if key.close(typed * scale):
                return f"that number is read as bytes here; write the unit: {fmt_sig(float(typed))} {name}"
    return None


def _shape(key: Key, text: str, traps: tuple[Trap, ...]) -> tuple[Status, str | None]:
    dims = parse_shape_answer(text)
    want = key.shape or ()
    if dims == want or (len(want) == 2 and want[0] == want[1] and dims == (want[0],)):
        return "correct", None
    feedback = _trap_feedback(traps, lambda v: isinstance(v, tuple) and v == dims)
    if feedback is None and len(dims) != len(want):
        # not a wrong shape but no answer to this question: it counts nothing, like "100x"
        raise NotAnAnswer(
            f"the shape has {len(want)} numbers"
            + (" (height × width × channels)" if len(want) == 3 else "")
            + f", you typed {len(dims)}: the wrong number of dimensions"
        )
    return "wrong", feedback


def _choice(key: Key, text: str, traps: tuple[Trap, ...]) -> tuple[Status, str | None]:
    index = parse_choice(text, list(key.choices))
    if index == key.choice:
        return "correct", None
    return "wrong", key.feedback.get(key.choices[index])


def _multi(key: Key, text: str, traps: tuple[Trap, ...]) -> tuple[Status, str | None]:
    picked = parse_multi(text, list(key.choices))
    want = key.multi or frozenset()
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
        notes.insert(0, f"not {', '.join(letter(i) for i in extra)}")
    if missing:
        notes.insert(0, f"you missed {', '.join(letter(i) for i in missing)}")
    return "wrong", "; ".join(notes) or None


def _truefalse(key: Key, text: str, traps: tuple[Trap, ...]) -> tuple[Status, str | None]:
    value = parse_truefalse(text)
    if value == key.truth:
        return "correct", None
    return "wrong", key.feedback.get(str(value).lower())


def _text(key: Key, text: str, traps: tuple[Trap, ...]) -> tuple[Status, str | None]:
    s = normalize_text(text)
    if not s:
        raise NotAnAnswer("empty answer; type a word or a phrase")
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


_GRADERS = {
    "numeric": _numeric,
    "shape": _shape,
    "choice": _choice,
    "multi": _multi,
    "truefalse": _truefalse,
    "text": _text,
}
