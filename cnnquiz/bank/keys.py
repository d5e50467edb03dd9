"""Answer keys: one frozen type per kind of answer, and each key as a person writes it.

A key holds what the grader compares against and nothing else: a number (sizes in bytes) with
its tolerance, a shape, the index of the right choice, the set of right choices, true or false,
the accepted spellings. :data:`Key` is their union; the grader dispatches on the type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from cnnquiz.bank.answers import BYTE_UNITS, MAX_EXPONENT, UNIT_NAMES, format_shape, letter
from cnnquiz.bank.convention import localized
from cnnquiz.i18n import _
from cnnquiz.net.units import fmt_int

SIZE_TOLERANCE = Decimal("0.005")  # 0.5 %: "3.6 MB" for 3,613,600 bytes, as the notes round
_EPS = Decimal("1e-9")
Feedback = Mapping[str, str]  # a wrong answer (or choice) -> why it is wrong


def _no_feedback() -> Feedback:
    return {}


@dataclass(frozen=True)
class NumberKey:
    """A count or, with ``size``, a number of bytes."""

    number: Decimal
    size: bool = False
    unit: str | None = None  # lower-case: "mb", "bytes", or a count word like "params"
    rel_tol: Decimal = Decimal(0)
    abs_tol: Decimal = Decimal(0)  # in bytes for sizes
    feedback: Feedback = field(default_factory=_no_feedback)

    def close(self, value: Decimal, target: Decimal | None = None) -> bool:
        """Whether ``value`` is ``target`` (the key's number) within the key's tolerance."""
        target = self.number if target is None else target
        allowed = max(self.rel_tol * abs(target), self.abs_tol) + _EPS * max(abs(target), Decimal(1))
        return abs(value - target) <= allowed


@dataclass(frozen=True)
class ShapeKey:
    shape: tuple[int, ...]
    feedback: Feedback = field(default_factory=_no_feedback)


@dataclass(frozen=True)
class ChoiceKey:
    choice: int
    choices: tuple[str, ...]
    feedback: Feedback = field(default_factory=_no_feedback)

    def shuffled(self, order: list[int]) -> ChoiceKey:
        """The key with its choices in ``order`` (old indices); the answer follows its choice."""
        return ChoiceKey(
            order.index(self.choice), tuple(self.choices[i] for i in order), self.feedback
        )


@dataclass(frozen=True)
class MultiKey:
    picks: frozenset[int]
    choices: tuple[str, ...]
    feedback: Feedback = field(default_factory=_no_feedback)

    def shuffled(self, order: list[int]) -> MultiKey:
        return MultiKey(
            frozenset(order.index(i) for i in self.picks),
            tuple(self.choices[i] for i in order),
            self.feedback,
        )


@dataclass(frozen=True)
class TrueFalseKey:
    truth: bool
    feedback: Feedback = field(default_factory=_no_feedback)


@dataclass(frozen=True)
class TextKey:
    spellings: tuple[str, ...]
    pattern: str | None = None
    feedback: Feedback = field(default_factory=_no_feedback)


Key = NumberKey | ShapeKey | ChoiceKey | MultiKey | TrueFalseKey | TextKey


TRUTH_WORDS = {"en": ("false", "true"), "nl": ("onwaar", "waar")}
"""How a true/false key is written, by the question's language (both read in either)."""


def key_text(key: Key, language: str = "en") -> str:
    """The key as a person writes it in ``language``: ``2,800``, ``3.61 MB``, ``100x150x100``,
    ``B) Hinge``; in Dutch ``2.800``, ``3,61 MB``, ``waar``."""
    if isinstance(key, NumberKey):
        return localized(_number_text(key), language)
    if isinstance(key, ShapeKey):
        return format_shape(key.shape)
    if isinstance(key, ChoiceKey):
        return f"{letter(key.choice).upper()}) {key.choices[key.choice]}"
    if isinstance(key, MultiKey):
        return "; ".join(f"{letter(i).upper()}) {key.choices[i]}" for i in sorted(key.picks))
    if isinstance(key, TrueFalseKey):
        return TRUTH_WORDS.get(language, TRUTH_WORDS["en"])[key.truth]
    if key.spellings:
        return key.spellings[0]
    return _("(matching /{pattern}/)").format(pattern=key.pattern)


def _number_text(key: NumberKey) -> str:
    """A size in the key's unit with the fewest digits the tolerance accepts; a count exact."""
    if key.size and key.unit in BYTE_UNITS and key.unit not in ("b", "byte", "bytes"):
        factor = Decimal(BYTE_UNITS[key.unit])
        for digits in range(3, 16):
            shown = round_sig(key.number / factor, digits)
            if key.close(shown * factor):
                return f"{plain(shown)} {UNIT_NAMES[key.unit]}"
    return _plain_number(key.number) + (" bytes" if key.size else "")


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
