"""What the GIFT and Moodle XML writers share: each item's answers as Moodle grades them.

A number becomes a value in the key's own unit with an absolute margin (a relative tolerance
turned into the margin for that key); the wrong answers the bank names (its ``feedback:`` and
the calculator's traps) become answers worth 0 % with their feedback, so Moodle says what the
quiz says. A shape becomes the spellings cnnquiz accepts. Names and idnumbers come from the
question id and the variant, so the same export twice is the same file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from cnnquiz.bank.answers import BYTE_UNITS, UNIT_NAMES, NotAnAnswer, parse_quantity
from cnnquiz.bank.keys import ChoiceKey, MultiKey, NumberKey, ShapeKey, TextKey
from cnnquiz.bank.model import Item
from cnnquiz.instruct.source import Exported

SIZE_UNITS = ("bytes", "kb", "mb", "gb", "kib", "mib", "gib")  # what Moodle's unit box accepts


@dataclass(frozen=True)
class Numeric:
    """A numeric key as Moodle grades it: ``value`` ± ``margin``, both in ``unit``."""

    value: Decimal
    margin: Decimal
    unit: str | None  # "MB", "bytes"... for a size; None for a count
    units: tuple[tuple[str, Decimal], ...]  # every size unit and its multiplier (value x m)
    wrong: tuple[tuple[Decimal, Decimal, str], ...]  # a known wrong value, its margin, why


def numeric(item: Item) -> Numeric:
    key = item.key
    if not isinstance(key, NumberKey):
        raise TypeError(f"{item.question.id} is not numeric")
    factor = Decimal(BYTE_UNITS[key.unit or "bytes"]) if key.size else Decimal(1)
    wrong: dict[Decimal, str] = {}
    for text, why in key.feedback.items():
        value = _typed_value(key, text)
        if value is not None and not key.close(value):
            wrong.setdefault(value, why)
    for trap in item.traps:
        if isinstance(trap.value, Decimal) and not key.close(trap.value):
            wrong.setdefault(trap.value, trap.feedback)
    unit = UNIT_NAMES[key.unit or "bytes"] if key.size else None
    units: tuple[tuple[str, Decimal], ...] = ()
    if key.size:
        units = tuple(
            (UNIT_NAMES[u], factor / BYTE_UNITS[u]) for u in _unit_order(key.unit or "bytes")
        )
    return Numeric(
        _in(key.number, factor),
        _in(_margin(key, key.number), factor),
        unit,
        units,
        tuple((_in(v, factor), _in(_margin(key, v), factor), why) for v, why in wrong.items()),
    )


def _unit_order(first: str) -> list[str]:
    """The key's unit first (Moodle's base unit, multiplier 1), then the other sizes."""
    return [first] + [u for u in SIZE_UNITS if UNIT_NAMES[u] != UNIT_NAMES[first]]


def _margin(key: NumberKey, target: Decimal) -> Decimal:
    return max(key.rel_tol * abs(target), key.abs_tol)


def _in(value: Decimal, factor: Decimal) -> Decimal:
    return (value / factor).normalize() if factor != 1 else value.normalize()


def _typed_value(key: NumberKey, text: str) -> Decimal | None:
    """A wrong answer the bank names, as the grader reads it (bytes for a size)."""
    try:
        q = parse_quantity(text)
    except NotAnAnswer:
        return None
    if not key.size:
        return None if q.is_size else q.value
    if q.unit in BYTE_UNITS:
        return q.value * BYTE_UNITS[q.unit]
    if q.unit is not None:
        return None
    return q.value if q.scaled else q.value * BYTE_UNITS.get(key.unit or "bytes", 1)


def number(value: Decimal) -> str:
    """Plain decimal notation, no grouping, no exponent: what every parser reads."""
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def shape_spellings(shape: tuple[int, ...]) -> tuple[str, ...]:
    """``100x150x100``, ``100×150×100``, ``(100, 150, 100)``: the spellings students type."""
    dims = [str(d) for d in shape]
    spellings = ["x".join(dims), "×".join(dims), f"({', '.join(dims)})", " x ".join(dims)]
    return tuple(dict.fromkeys(spellings))


def accepted_shapes(key: ShapeKey) -> tuple[str, ...]:
    """The key's spellings, and a square window's one number (``7`` for ``7x7``), as the
    quiz accepts it."""
    square = len(key.shape) == 2 and key.shape[0] == key.shape[1]
    return shape_spellings(key.shape) + ((str(key.shape[0]),) if square else ())


def wrong_shapes(item: Item) -> tuple[tuple[tuple[str, ...], str], ...]:
    """The wrong shapes the calculator's traps name, each spelled as a student would."""
    key = item.key
    assert isinstance(key, ShapeKey)
    return tuple(
        (shape_spellings(t.value), t.feedback)
        for t in item.traps
        if isinstance(t.value, tuple) and t.value != key.shape
    )


def short_answers(item: Item) -> tuple[tuple[str, ...], tuple[tuple[str, str | None], ...]]:
    """A shape or text question as Moodle's short answer: the accepted spellings, and each
    wrong spelling the bank or the calculator names with why it is wrong (unescaped)."""
    key = item.key
    if isinstance(key, ShapeKey):
        right, wrong = accepted_shapes(key), wrong_shapes(item)
    else:
        assert isinstance(key, TextKey)
        right, wrong = key.spellings, tuple(((w,), why) for w, why in key.feedback.items())
    return right, tuple((s, why) for spellings, why in wrong for s in spellings)


def shares(n: int) -> str:
    """100 % split ``n`` ways as Moodle writes its grades (33.33333, 12.5)."""
    return number(round(Decimal(100) / n, 5))


def fractions(key: ChoiceKey | MultiKey) -> list[str]:
    """Each choice's grade in percent: the right one 100; several right ones share 100 and
    the wrong ones share -100, so ticking every box earns nothing."""
    if isinstance(key, ChoiceKey):
        return ["100" if i == key.choice else "0" for i in range(len(key.choices))]
    right = shares(len(key.picks))
    wrong_count = len(key.choices) - len(key.picks)
    wrong = f"-{shares(wrong_count)}" if wrong_count else "0"
    return [right if i in key.picks else wrong for i in range(len(key.choices))]


def short_answer(text: str) -> str:
    """An accepted spelling as Moodle's short answer matches it: ``*`` is its wildcard, so a
    literal one is written ``\\*``."""
    return text.replace("*", "\\*")


def general_feedback(item: Item) -> str:
    """Markdown: the hints, then the worked explanation."""
    blocks = []
    if item.hints:
        label = "Hint" if len(item.hints) == 1 else "Hints"
        blocks.append(f"**{label}:**\n\n" + "\n".join(f"- {h}" for h in item.hints))
    if item.explanation:
        blocks.append(item.explanation)
    return "\n\n".join(blocks)


@dataclass(frozen=True)
class Variant:
    """One question Moodle will hold: which exported question, which of its variants."""

    exported: Exported
    index: int  # 0-based

    @property
    def item(self) -> Item:
        return self.exported.items[self.index]

    @property
    def name(self) -> str:
        """``conv-params`` for a fixed question, ``conv-c-params (3/10)`` for a variant."""
        q, n = self.exported.question, len(self.exported.items)
        return q.id if not q.is_computed else f"{q.id} ({self.index + 1}/{n})"

    @property
    def idnumber(self) -> str:
        q = self.exported.question
        return q.id if not q.is_computed else f"{q.id}.v{self.index + 1}"


def each_variant(exported: Iterable[Exported]) -> Iterator[Variant]:
    for e in exported:
        for k in range(len(e.items)):
            yield Variant(e, k)


def groups(exported: Sequence[Exported]) -> Iterator[list[Exported]]:
    """The exported questions in order, a multi-part item's parts together in one list."""
    run: list[Exported] = []
    for e in exported:
        group = e.question.group
        if run and (group is None or run[0].question.group != group):
            yield run
            run = []
        run.append(e)
    if run:
        yield run
