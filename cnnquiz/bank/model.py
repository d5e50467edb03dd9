"""Questions, banks and the concrete items a student answers.

A :class:`Question` is what the bank says; :meth:`Question.draw` turns it into an
:class:`Item` with a prompt, a key and an explanation. A fixed question draws the same item
every time; a computed one draws the variant of that seed.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from cnnquiz.bank import computed
from cnnquiz.bank.answers import (
    BYTE_UNITS,
    COUNT_WORDS,
    NotAnAnswer,
    format_shape,
    normalize_text,
    parse_quantity,
    parse_shape_answer,
    parse_truefalse,
    shown,
)
from cnnquiz.bank.asks import AskOptions, Figure, Trap, evaluate
from cnnquiz.bank.grading import SIZE_TOLERANCE, Key, Verdict, grade_key, key_text, parse_tolerance
from cnnquiz.errors import CnnquizError, SpecError
from cnnquiz.net.arithmetic import OPTIMIZER_STATE
from cnnquiz.net.spec import Network, parse_network
from cnnquiz.net.units import DTYPE_BYTES, fmt_int


class FieldError(CnnquizError):
    """A problem with one field of a question; the loader turns ``field`` into a line."""

    def __init__(self, message: str, field_name: str | tuple = ()) -> None:
        super().__init__(message)
        self.loc = (field_name,) if isinstance(field_name, str) else tuple(field_name)


@dataclass(frozen=True)
class Item:
    """One concrete thing to answer: what the quiz shows and what the grader needs."""

    question: Question
    prompt: str  # Markdown
    kind: str  # numeric | shape | choice | multi | truefalse | text
    choices: list[str] | None
    hints: list[str]
    explanation: str  # Markdown: the worked solution
    answer_text: str  # the key as a person writes it
    seed: int
    key: Key = field(repr=False)
    traps: tuple[Trap, ...] = field(default=(), repr=False)
    values: Mapping[str, Any] = field(default_factory=dict)  # a computed variant's variables


def grade(item: Item, text: str) -> Verdict:
    """Grade what the student typed against the item's key."""
    return grade_key(item.key, text, item.traps)


@dataclass(eq=False)
class Question:
    id: str
    type: str
    bank: str  # the bank's title
    prompt: str
    topics: list[str]
    difficulty: int
    hints: list[str]
    source: str | None
    explanation: str | None
    group: str | None = None  # the parent id of a multi-part item
    part_index: int | None = None  # 1-based position within the group
    path: Path | None = None
    line: int | None = None
    data: Mapping[str, Any] = field(default_factory=dict, repr=False)  # the merged fields
    needs_torch: bool = False  # only `bank check` verification uses torch
    # fixed questions: their key, and the network/figure when they state one
    key: Key | None = field(default=None, repr=False)
    network: Network | None = field(default=None, repr=False)
    figure: Figure | None = field(default=None, repr=False)
    var_lists: dict[str, Sequence[Any]] = field(default_factory=dict, repr=False)

    @property
    def is_computed(self) -> bool:
        return self.type == "computed"

    @property
    def kind(self) -> str:
        if self.is_computed:
            from cnnquiz.bank.schema import SHAPE_ASKS  # pydantic: not on a start from the cache

            return "shape" if self.data.get("ask") in SHAPE_ASKS else "numeric"
        return self.type

    @property
    def where(self) -> str:
        return (
            f"{self.path}:{self.line}"
            if self.path and self.line
            else (str(self.path) if self.path else self.id)
        )

    def draw(self, seed: int = 0) -> Item:
        """The item for ``seed``; a computed question's variant is the same for the same seed."""
        if self.is_computed:
            return self._draw_computed(seed)
        assert self.key is not None
        key = self._shuffled_key(seed)
        return Item(
            self,
            self.prompt,
            self.type,
            list(key.choices) if self.type in ("choice", "multi") else None,
            list(self.hints),
            self.explanation or "",
            key_text(key),
            seed,
            key,
            self.figure.traps if self.figure else (),
        )

    def _shuffled_key(self, seed: int) -> Key:
        """Choices in the order of ``seed`` (so a student learns the answer, not its letter),
        unless the bank says ``shuffle: false``; the key follows its choices."""
        key = self.key
        assert key is not None
        if self.type not in ("choice", "multi") or self.data.get("shuffle") is False:
            return key
        order = list(range(len(key.choices)))
        computed.rng_for(self.id, seed).shuffle(order)
        return replace(
            key,
            choices=tuple(key.choices[i] for i in order),
            choice=order.index(key.choice) if key.choice is not None else None,
            multi=frozenset(order.index(i) for i in key.multi) if key.multi is not None else None,
        )

    def variant(self, seed: int) -> tuple[dict[str, Any], Network, Figure]:
        """The variables, network and figure of a computed question's variant (redrawn while invalid)."""
        rng = computed.rng_for(self.group or self.id, seed)
        last: SpecError | None = None
        for _ in range(computed.MAX_DRAWS):
            values = computed.draw(self.var_lists, rng)
            try:
                network = parse_network(
                    computed.substitute(self.data["network"], values), str(self.path or self.id)
                )
                return (
                    values,
                    network,
                    evaluate(network, self.data["ask"], ask_options(self.data, values)),
                )
            except SpecError as exc:
                last = exc
        raise SpecError(
            f"no valid variant in {computed.MAX_DRAWS} draws; the last: {last}", self.where
        )

    def _draw_computed(self, seed: int) -> Item:
        values, _network, figure = self.variant(seed)
        key = key_from_figure(figure, self.data)
        answer = key_text(key)
        fill = lambda s: computed.substitute(s, values) if s else s  # noqa: E731
        explanation = computed.working(fill(self.explanation), figure.steps, answer)
        return Item(
            self,
            fill(self.prompt),
            self.kind,
            None,
            [fill(h) for h in self.hints],
            explanation,
            answer,
            seed,
            key,
            figure.traps,
            values,
        )


@dataclass
class Bank:
    path: Path
    title: str
    language: str
    questions: list[Question]
    description: str | None = None


def key_mismatch(q: Question) -> str | None:
    """What is wrong with a fixed question's key, if the calculator gives another figure.

    A question that states a network and what it asks already holds the calculator's figure
    (computed on load, no torch): ``bank check`` reports a disagreement as a wrong key, and a
    quiz leaves the question out, so a wrong key never reaches a student. None when they agree
    or when the calculator cannot recompute the key (no network)."""
    if q.is_computed or q.network is None or q.figure is None or q.key is None:
        return None
    value = q.figure.value
    if isinstance(value, tuple):
        if q.key.shape == value:
            return None
        figure = format_shape(value)
    else:
        if q.key.close(Decimal(value)):
            return None
        calc = key_from_figure(q.figure, q.data)
        figure = f"{fmt_int(int(value))} bytes ({key_text(calc)})" if calc.size else key_text(calc)
    layer = f" of layer {q.data['layer']}" if q.data.get("layer") else ""
    message = (
        f"wrong answer key: the answer says {key_text(q.key)}, the calculator gives {figure} "
        f"for {q.data['ask']}{layer}"
    )
    why = next((t.feedback for t in q.figure.traps if _same(t.value, q.key)), None)
    return f"{message} (a known mistake: {why})" if why else message


def _same(value: Any, key: Key) -> bool:
    if isinstance(value, tuple):
        return key.shape == value
    return key.number is not None and key.close(Decimal(value))


# --------------------------------------------------------------------------------------------
# Keys from what the author wrote, or from the calculator


def ask_options(data: Mapping[str, Any], values: Mapping[str, Any] | None = None) -> AskOptions:
    raw = {k: data.get(k) for k in ("layer", "batch", "optimizer", "dtype")}
    if values:
        raw = {k: computed.substitute(v, values) for k, v in raw.items()}
    for name in ("layer", "batch"):
        v = raw[name]
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
            try:
                raw[name] = int(str(v))
                assert raw[name] >= 1
            except (ValueError, AssertionError):
                raise FieldError(
                    f"{name} must be a positive whole number, got {v!r}", name
                ) from None
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
        layer=raw["layer"], batch=raw["batch"] or 32, optimizer=optimizer, dtype=dtype
    )


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


def validate_tolerance(data: Mapping[str, Any]) -> None:
    """FieldError now for a tolerance that cannot be one, so that a computed question (whose
    key is made at each draw) fails on load, not in the middle of a quiz."""
    _tolerance(data, False, Decimal(0), None)


def _tolerance(
    data: Mapping[str, Any], size: bool, number: Decimal, unit: str | None
) -> tuple[Decimal, Decimal]:
    tol = data.get("tolerance")
    if tol is not None:
        try:
            rel, ab = parse_tolerance(tol, BYTE_UNITS.get(unit or "", 1) if size else 1)
        except ValueError as exc:
            raise FieldError(
                f"tolerance must be like 1% or 0.05, got {shown(tol)}: {exc}", "tolerance"
            ) from None
        return rel, ab
    if size or number != number.to_integral_value():
        return SIZE_TOLERANCE, Decimal(0)
    return Decimal(0), Decimal(0)


def key_from_figure(figure: Figure, data: Mapping[str, Any]) -> Key:
    """The key of a computed question (or the calculator's key for a fixed one)."""
    if isinstance(figure.value, tuple):
        return Key("shape", shape=figure.value)
    unit = unit_key(data.get("unit"))
    if figure.is_size and unit not in BYTE_UNITS:
        unit = "mb"
    rel, ab = _tolerance(data, figure.is_size, figure.value, unit)
    return Key(
        "numeric", number=figure.value, size=figure.is_size, unit=unit, rel_tol=rel, abs_tol=ab
    )


def key_from_answer(data: Mapping[str, Any]) -> Key:
    """The key of a fixed question from its ``answer`` (FieldError if it cannot be one)."""
    kind = data["type"]
    answer = data.get("answer")
    choices = tuple(str(c) for c in (data.get("choices") or ()))
    feedback = {str(k): str(v) for k, v in (data.get("feedback") or {}).items()}
    if kind in ("choice", "multi") and len(choices) < 2:
        raise FieldError(f"a {kind} question needs at least two choices", "choices")
    if kind in ("choice", "multi"):
        normal = [normalize_text(c) for c in choices]
        if len(set(normal)) != len(normal):
            raise FieldError("two choices read the same", "choices")
        for k in feedback:
            if normalize_text(k) not in normal:
                raise FieldError(
                    f"feedback for {k!r}, which is not one of the choices", ("feedback", k)
                )
    if answer is None and not (kind == "text" and data.get("pattern")):
        raise FieldError("missing answer", "type")
    try:
        if kind == "numeric":
            return _numeric_key(answer, data)
        if kind == "shape":
            text = ",".join(map(str, answer)) if isinstance(answer, list) else str(answer)
            return Key("shape", shape=parse_shape_answer(text), feedback=feedback)
        if kind == "choice":
            if isinstance(answer, list):
                raise FieldError(
                    "a choice question has one answer; use type: multi for several", "answer"
                )
            return Key(
                "choice", choice=_choice_index(answer, choices), choices=choices, feedback=feedback
            )
        if kind == "multi":
            answers = answer if isinstance(answer, list) else [answer]
            return Key(
                "multi",
                multi=frozenset(_choice_index(a, choices) for a in answers),
                choices=choices,
                feedback=feedback,
            )
        if kind == "truefalse":
            truth = answer if isinstance(answer, bool) else parse_truefalse(str(answer))
            return Key("truefalse", truth=truth, feedback=feedback)
        spellings = tuple(
            str(a)
            for a in (
                answer if isinstance(answer, list) else [answer] if answer is not None else []
            )
        )
        return Key("text", spellings=spellings, pattern=data.get("pattern"), feedback=feedback)
    except NotAnAnswer as exc:
        raise FieldError(f"the answer cannot be read: {exc}", "answer") from None


def _choice_index(answer: Any, choices: tuple[str, ...]) -> int:
    normal = [normalize_text(c) for c in choices]
    text = normalize_text(str(answer))
    if text in normal:
        return normal.index(text)
    close = difflib.get_close_matches(text, normal, n=1)
    hint = f" (did you mean {choices[normal.index(close[0])]!r}?)" if close else ""
    raise FieldError(f"the answer {answer!r} is not among the choices{hint}", "answer")


def _numeric_key(answer: Any, data: Mapping[str, Any]) -> Key:
    if isinstance(answer, bool) or not isinstance(answer, int | float | str):
        raise FieldError(
            f"a numeric answer must be a number or a string like '3.6 MB', got {answer!r}", "answer"
        )
    from cnnquiz.bank.schema import BYTE_ASKS  # pydantic: not on a start from the cache

    q = parse_quantity(str(answer))
    unit = unit_key(data.get("unit"))
    size = q.is_size or unit in BYTE_UNITS or data.get("ask") in BYTE_ASKS
    if size:
        if q.unit is not None and not q.is_size:
            raise FieldError(f"a size needs a byte unit, got {q.unit!r}", "answer")
        if q.is_size:
            unit = unit if unit in BYTE_UNITS else q.unit
            number = q.value * BYTE_UNITS[q.unit]  # type: ignore[index]
        else:
            unit = unit if unit in BYTE_UNITS else "bytes"
            number = q.value * BYTE_UNITS[unit]
    else:
        number = q.value
        unit = unit or q.unit
    rel, ab = _tolerance(data, size, number, unit)
    if number and ab >= abs(number):
        raise FieldError(
            f"tolerance {shown(data.get('tolerance'))} is as large as the answer itself, so 0 "
            "would be correct; use a smaller one or a percentage like 1%",
            "tolerance",
        )
    return Key(
        "numeric",
        number=number,
        size=size,
        unit=unit,
        rel_tol=rel,
        abs_tol=ab,
        feedback={str(k): str(v) for k, v in (data.get("feedback") or {}).items()},
    )


def feedback_traps(key: Key) -> tuple[Trap, ...]:
    """A numeric or shape question's ``feedback`` keyed by wrong answers: ``{"2700": "the bias!"}``."""
    traps = []
    for wrong, why in key.feedback.items():
        try:
            if key.kind == "shape":
                traps.append(Trap(parse_shape_answer(wrong), why))
            elif key.kind == "numeric":
                q = parse_quantity(wrong)
                factor = BYTE_UNITS.get(q.unit or key.unit or "", 1) if key.size else 1
                traps.append(Trap(q.value * factor, why))
        except NotAnAnswer:
            raise FieldError(
                f"feedback key {wrong!r} is not an answer to this question", ("feedback", wrong)
            ) from None
    return tuple(traps)
