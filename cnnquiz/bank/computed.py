"""Computed questions: variables drawn from lists and ranges, substituted into templates.

A template writes ``{f}`` where a variable goes. A string that is only a placeholder
(``filters: "{f}"``) becomes the value itself, so the network spec sees a number. Draws are
seeded by the question (``random.Random(f"{group}:{seed}")``): the same seed gives the same
variant everywhere, and all parts of a multi-part item share it.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, overload

from cnnquiz import lines
from cnnquiz.i18n import _

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
MAX_DRAWS = 200
"""Variants that make an invalid network (a kernel larger than its input) are redrawn; a
template with no valid variant in this many draws is an error in the bank."""


MAX_VALUES = 1_000_000
"""A variable takes at most this many values: a range is never built as a list (it is drawn by
index), but a million variants is already far past what a student or ``bank check`` can see."""


class Range(Sequence[int | float]):
    """``lo, lo + step, ..., hi`` (inclusive) computed from the index, never stored.

    ``random.Random.choice`` draws from it exactly as from the list it stands for, so a
    seed gives the same variant as before. Floats are computed in decimal (0.1 steps stay 0.1).
    """

    def __init__(self, lo: Decimal, step: Decimal, length: int, floats: bool) -> None:
        self.lo, self.step, self.length, self.floats = lo, step, length, floats

    def __len__(self) -> int:
        return self.length

    @overload
    def __getitem__(self, index: int) -> int | float: ...

    @overload
    def __getitem__(self, index: slice) -> list[int | float]: ...

    def __getitem__(self, index: int | slice) -> int | float | list[int | float]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.length))]
        if index < 0:
            index += self.length
        if not 0 <= index < self.length:
            raise IndexError("range index out of range")
        value = self.lo + index * self.step
        return float(value) if self.floats else int(value)

    def __repr__(self) -> str:
        return f"Range({self[0]}..{self[-1]}, {self.length} values)"


def _finite(x: Any, what: str) -> Decimal:
    if isinstance(x, str):  # YAML reads 1e-12 (no dot) as a string
        try:
            x = int(x) if re.fullmatch(r"[+-]?\d{1,19}", x.strip()) else float(x)
        except ValueError:
            pass
    if isinstance(x, bool) or not isinstance(x, int | float):
        raise ValueError(f"{what} must be a number, got {x!r}")
    if isinstance(x, float) and not math.isfinite(x):
        raise ValueError(f"{what} must be a finite number, got {x}")
    if isinstance(x, int) and abs(x) > 10**18:
        raise ValueError(f"{what} must lie within ±10^18")
    return Decimal(str(x))


def var_values(spec: Any) -> Sequence[Any]:
    """All values a variable can take: a list, ``{range: [lo, hi], step: n}`` (inclusive) or a
    constant. ValueError (the reason) for a range that is empty, not finite, or has more than
    :data:`MAX_VALUES` values."""
    if isinstance(spec, Mapping) and "range" in spec:
        lo, hi = spec["range"]
        step = spec.get("step", 1)
        d_lo, d_hi = _finite(lo, "the range's start"), _finite(hi, "the range's end")
        d_step = _finite(step, "step")
        if d_step <= 0:
            raise ValueError(f"step must be positive, got {step}")
        if d_hi < d_lo:
            raise ValueError(f"range [{lo}, {hi}] is empty: its end is below its start")
        count = (d_hi - d_lo) / d_step
        if count >= MAX_VALUES:
            raise ValueError(
                f"range [{lo}, {hi}] with step {step} has more than {MAX_VALUES:,} values; "
                "use a larger step or a list"
            )
        floats = not all(isinstance(x, int) and not isinstance(x, bool) for x in (lo, hi, step))
        return Range(d_lo, d_step, int(count) + 1, floats)
    if isinstance(spec, list):
        if not spec:
            raise ValueError("an empty list has nothing to draw")
        return list(spec)
    return [spec]


def draw(var_lists: Mapping[str, Sequence[Any]], rng: random.Random) -> dict[str, Any]:
    """One value per variable, in the order the bank declares them."""
    return {name: rng.choice(values) for name, values in var_lists.items()}


def rng_for(key: str, seed: int) -> random.Random:
    return random.Random(f"{key}:{seed}")


def names_in(obj: Any) -> set[str]:
    """Every ``{name}`` used in the strings of ``obj`` (nested mappings and lists included)."""
    if isinstance(obj, str):
        return set(PLACEHOLDER.findall(obj)) if "{" in obj else set()
    if isinstance(obj, Mapping):
        return set().union(*(names_in(k) | names_in(v) for k, v in obj.items())) if obj else set()
    if isinstance(obj, list | tuple):
        return set().union(*(names_in(v) for v in obj)) if obj else set()
    return set()


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _shown(match: re.Match[str], values: Mapping[str, Any]) -> str:
    name = match.group(1)
    return _show(values[name]) if name in values else match.group(0)


def substitute(obj: Any, values: Mapping[str, Any]) -> Any:
    """``obj`` with placeholders filled in; mappings and lists keep their YAML line numbers."""
    if isinstance(obj, str):
        if "{" not in obj:
            return obj
        whole = PLACEHOLDER.fullmatch(obj.strip())
        if whole and whole.group(1) in values:
            return values[whole.group(1)]
        return PLACEHOLDER.sub(lambda m: _shown(m, values), obj)
    if isinstance(obj, Mapping):
        out = lines.LineDict((k, substitute(v, values)) for k, v in obj.items())
        out.line = getattr(obj, "line", 0)
        out.key_lines = dict(getattr(obj, "key_lines", {}))
        return out
    if isinstance(obj, list):
        items = lines.LineList(substitute(v, values) for v in obj)
        items.line = getattr(obj, "line", 0)
        items.item_lines = list(getattr(obj, "item_lines", [0] * len(obj)))
        return items
    return obj


def working(author: str | None, steps: tuple[str, ...], answer_text: str) -> str:
    """The explanation of a variant: the author's words, then the calculator's own working."""
    parts = []
    if author and author.strip():
        parts.append(author.strip())
    lines = "\n".join(f"- {s}" for s in steps)
    parts.append(_("**Working** (from the calculator):") + f"\n\n{lines}")
    parts.append(_("**Answer:** {answer}").format(answer=answer_text))
    return "\n\n".join(parts)
