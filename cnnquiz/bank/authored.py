"""Keys from what the author wrote, or from the calculator, checked as the loader reads them.

Every check raises :class:`FieldError` naming the field, which the loader turns into the
field's line; a question whose key cannot be made is never asked.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cnnquiz.bank import computed
from cnnquiz.bank.answers import (
    BYTE_UNITS,
    COUNT_WORDS,
    NotAnAnswer,
    normalize_text,
    parse_quantity,
    parse_shape_answer,
    parse_truefalse,
    shown,
)
from cnnquiz.bank.asks import ASKS, AskOptions, Solution, Trap
from cnnquiz.bank.keys import (
    SIZE_TOLERANCE,
    ChoiceKey,
    Key,
    MultiKey,
    NumberKey,
    ShapeKey,
    TextKey,
    TrueFalseKey,
    parse_tolerance,
)
from cnnquiz.errors import CnnquizError
from cnnquiz.net.optimizers import OPTIMIZER_STATE
from cnnquiz.net.units import DTYPE_BYTES

FieldLoc = str | int


class FieldError(CnnquizError):
    """A problem with one field of a question; the loader turns ``field`` into a line."""

    def __init__(self, message: str, field_name: str | tuple[FieldLoc, ...] = ()) -> None:
        super().__init__(message)
        self.loc = (field_name,) if isinstance(field_name, str) else tuple(field_name)


@dataclass(frozen=True)
class KeyRules:
    """How the calculator's number becomes a key: the unit the author wants it in (as the
    grader knows it) and the tolerance as written (checked on load)."""

    unit: str | None = None
    tolerance: str | int | float | None = None


ASK_OPTIONS = ("layer", "batch", "optimizer", "dtype")


def key_rules(data: Mapping[str, Any]) -> KeyRules:
    """The unit and tolerance of ``data``; FieldError now for either that cannot be one, so
    that a computed question (whose key is made at each draw) fails on load, not in a quiz."""
    rules = KeyRules(unit_key(data.get("unit")), data.get("tolerance"))
    tolerance(rules, False, Decimal(0))
    return rules


def ask_options(data: Mapping[str, Any], values: Mapping[str, Any] | None = None) -> AskOptions:
    """``layer``, ``batch``, ``optimizer`` and ``dtype`` as the calculator takes them (with a
    variant's ``values`` filled in); FieldError for one it cannot take."""
    raw = {k: data.get(k) for k in ASK_OPTIONS}
    if values:
        raw = {k: computed.substitute(v, values) for k, v in raw.items()}
    layer_name = _name(raw["layer"])
    layer = None if layer_name else _positive(raw["layer"], "layer")
    batch = _positive(raw["batch"], "batch")
    optimizer = str(raw["optimizer"] or "sgd").lower()
    if optimizer not in OPTIMIZER_STATE:
        raise FieldError(
            f"unknown optimizer {optimizer!r}; expected one of {', '.join(OPTIMIZER_STATE)}",
            "optimizer",
        )
    dtype = str(raw["dtype"] or "float32").lower()
    if dtype not in DTYPE_BYTES:
        raise FieldError(
            f"unknown dtype {dtype!r}; expected one of {', '.join(DTYPE_BYTES)}", "dtype"
        )
    return AskOptions(
        layer=layer,
        layer_name=layer_name,
        batch=batch or 32,
        optimizer=optimizer,
        dtype=dtype,
    )


def _name(value: Any) -> str | None:
    """``layer: projection``: a layer named on a graph, as opposed to a number (``2``, ``"2"``)."""
    if not isinstance(value, str) or re.fullmatch(r"\s*[+-]?\d+\s*", value):
        return None
    return value.strip() or None


def _positive(value: Any, name: str) -> int | None:
    """A positive whole number as written (``2`` or ``"2"``), None when not written."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
        return value
    try:
        number = int(str(value))
    except ValueError:
        number = 0
    if number < 1:
        raise FieldError(f"{name} must be a positive whole number, got {value!r}", name)
    return number


def unit_key(unit: Any) -> str | None:
    """The unit as the grader knows it (lower case); FieldError for a unit it cannot read."""
    if unit is None:
        return None
    low = str(unit).strip().casefold()
    if low not in BYTE_UNITS and low not in COUNT_WORDS:
        raise FieldError(
            f"unknown unit {unit!r}; sizes: bytes, kB, MB, GB, KiB, MiB, GiB; counts: params, "
            "weights, biases, macs, flops, values...",
            "unit",
        )
    return low


def tolerance(rules: KeyRules, size: bool, number: Decimal) -> tuple[Decimal, Decimal]:
    """(relative, absolute) tolerance: the author's, else 0.5 % for sizes and fractions."""
    tol = rules.tolerance
    if tol is not None:
        factor = BYTE_UNITS.get(rules.unit or "", 1) if size else 1
        try:
            return parse_tolerance(tol, factor)
        except ValueError as exc:
            raise FieldError(
                f"tolerance must be like 1% or 0.05, got {shown(tol)}: {exc}", "tolerance"
            ) from None
    if size or number != number.to_integral_value():
        return SIZE_TOLERANCE, Decimal(0)
    return Decimal(0), Decimal(0)


def key_from_solution(solution: Solution, rules: KeyRules) -> NumberKey | ShapeKey:
    """The key of a computed question (or the calculator's key for a fixed one)."""
    if isinstance(solution.value, tuple):
        return ShapeKey(solution.value)
    declared = ASKS[solution.ask]
    size = declared.answer == "size"
    unit = rules.unit
    if size and unit not in BYTE_UNITS:
        unit = declared.unit
    rel, ab = tolerance(KeyRules(unit, rules.tolerance), size, solution.value)
    return NumberKey(solution.value, size=size, unit=unit, rel_tol=rel, abs_tol=ab)


def key_from_answer(data: Mapping[str, Any]) -> Key:
    """The key of a fixed question from its ``answer`` (FieldError if it cannot be one)."""
    kind = data["type"]
    answer = data.get("answer")
    choices = tuple(str(c) for c in (data.get("choices") or ()))
    feedback = {str(k): str(v) for k, v in (data.get("feedback") or {}).items()}
    if kind in ("choice", "multi"):
        _check_choices(kind, choices, feedback)
    if answer is None and not (kind == "text" and data.get("pattern")):
        raise FieldError("missing answer", "type")
    try:
        return _key_of_kind(kind, answer, choices, feedback, data)
    except NotAnAnswer as exc:
        raise FieldError(f"the answer cannot be read: {exc}", "answer") from None


def _check_choices(kind: str, choices: tuple[str, ...], feedback: Mapping[str, str]) -> None:
    if len(choices) < 2:
        raise FieldError(f"a {kind} question needs at least two choices", "choices")
    normal = [normalize_text(c) for c in choices]
    if len(set(normal)) != len(normal):
        raise FieldError("two choices read the same", "choices")
    for k in feedback:
        if normalize_text(k) not in normal:
            raise FieldError(
                f"feedback for {k!r}, which is not one of the choices", ("feedback", k)
            )


def _key_of_kind(
    kind: str,
    answer: Any,
    choices: tuple[str, ...],
    feedback: dict[str, str],
    data: Mapping[str, Any],
) -> Key:
    if kind == "numeric":
        return _number_key(answer, data)
    if kind == "shape":
        text = ",".join(map(str, answer)) if isinstance(answer, list) else str(answer)
        return ShapeKey(parse_shape_answer(text), feedback)
    if kind == "choice":
        if isinstance(answer, list):
            raise FieldError(
                "a choice question has one answer; use type: multi for several", "answer"
            )
        return ChoiceKey(_choice_index(answer, choices), choices, feedback)
    if kind == "multi":
        answers = answer if isinstance(answer, list) else [answer]
        return MultiKey(frozenset(_choice_index(a, choices) for a in answers), choices, feedback)
    if kind == "truefalse":
        truth = answer if isinstance(answer, bool) else parse_truefalse(str(answer))
        return TrueFalseKey(truth, feedback)
    written = answer if isinstance(answer, list) else [answer] if answer is not None else []
    return TextKey(tuple(str(a) for a in written), data.get("pattern"), feedback)


def _choice_index(answer: Any, choices: tuple[str, ...]) -> int:
    normal = [normalize_text(c) for c in choices]
    text = normalize_text(str(answer))
    if text in normal:
        return normal.index(text)
    close = difflib.get_close_matches(text, normal, n=1)
    hint = f" (did you mean {choices[normal.index(close[0])]!r}?)" if close else ""
    raise FieldError(f"the answer {answer!r} is not among the choices{hint}", "answer")


def _number_key(answer: Any, data: Mapping[str, Any]) -> NumberKey:
    if isinstance(answer, bool) or not isinstance(answer, int | float | str):
        raise FieldError(
            f"a numeric answer must be a number or a string like '3.6 MB', got {answer!r}", "answer"
        )
    q = parse_quantity(str(answer))
    unit = unit_key(data.get("unit"))
    ask = ASKS.get(data.get("ask") or "")
    size = q.is_size or unit in BYTE_UNITS or (ask is not None and ask.answer == "size")
    if size:
        if q.unit is not None and not q.is_size:
            raise FieldError(f"a size needs a byte unit, got {q.unit!r}", "answer")
        written = q.unit if q.unit is not None and q.is_size else None
        size_unit = unit if unit is not None and unit in BYTE_UNITS else (written or "bytes")
        number = q.value * BYTE_UNITS[written or size_unit]
        unit = size_unit
    else:
        number = q.value
        unit = unit or q.unit
    rel, ab = tolerance(KeyRules(unit, data.get("tolerance")), size, number)
    if number and ab >= abs(number):
        raise FieldError(
            f"tolerance {shown(data.get('tolerance'))} is as large as the answer itself, so 0 "
            "would be correct; use a smaller one or a percentage like 1%",
            "tolerance",
        )
    return NumberKey(
        number,
        size=size,
        unit=unit,
        rel_tol=rel,
        abs_tol=ab,
        feedback={str(k): str(v) for k, v in (data.get("feedback") or {}).items()},
    )


def feedback_traps(key: Key) -> tuple[Trap, ...]:
    """A numeric or shape question's ``feedback`` keyed by wrong answers: ``{"2700": "the bias!"}``."""
    if not isinstance(key, NumberKey | ShapeKey):
        return ()
    traps = []
    for wrong, why in key.feedback.items():
        try:
            if isinstance(key, ShapeKey):
                traps.append(Trap(parse_shape_answer(wrong), why))
            else:
                q = parse_quantity(wrong)
                factor = BYTE_UNITS.get(q.unit or key.unit or "", 1) if key.size else 1
                traps.append(Trap(q.value * factor, why))
        except NotAnAnswer:
            raise FieldError(
                f"feedback key {wrong!r} is not an answer to this question", ("feedback", wrong)
            ) from None
    return tuple(traps)
