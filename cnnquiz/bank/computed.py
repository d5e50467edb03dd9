"""Computed questions: variables drawn from lists and ranges, substituted into templates.

A template writes ``{f}`` where a variable goes. A string that is only a placeholder
(``filters: "{f}"``) becomes the value itself, so the network spec sees a number. Draws are
seeded by the question (``random.Random(f"{group}:{seed}")``): the same seed gives the same
variant everywhere, and all parts of a multi-part item share it.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from cnnquiz import yamlio

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
MAX_DRAWS = 200
"""Variants that make an invalid network (a kernel larger than its input) are redrawn; a
template with no valid variant in this many draws is an error in the bank."""


def var_values(spec: Any) -> list[Any]:
    """All values a variable can take: a list, ``{range: [lo, hi], step: n}`` (inclusive) or a constant."""
    if isinstance(spec, Mapping) and "range" in spec:
        lo, hi = spec["range"]
        step = spec.get("step", 1)
        if step <= 0 or hi < lo:
            raise ValueError(f"range [{lo}, {hi}] with step {step} is empty")
        if all(isinstance(x, int) and not isinstance(x, bool) for x in (lo, hi, step)):
            return list(range(lo, hi + 1, step))
        d_lo, d_hi, d_step = (Decimal(str(x)) for x in (lo, hi, step))
        count = int((d_hi - d_lo) / d_step) + 1
        return [float(d_lo + i * d_step) for i in range(count)]
    if isinstance(spec, list):
        if not spec:
            raise ValueError("an empty list has nothing to draw")
        return list(spec)
    return [spec]


def draw(var_lists: Mapping[str, list[Any]], rng: random.Random) -> dict[str, Any]:
    """One value per variable, in the order the bank declares them."""
    return {name: rng.choice(values) for name, values in var_lists.items()}


def rng_for(key: str, seed: int) -> random.Random:
    return random.Random(f"{key}:{seed}")


def names_in(obj: Any) -> set[str]:
    """Every ``{name}`` used in the strings of ``obj`` (nested mappings and lists included)."""
    if isinstance(obj, str):
        return set(PLACEHOLDER.findall(obj))
    if isinstance(obj, Mapping):
        return set().union(*(names_in(k) | names_in(v) for k, v in obj.items())) if obj else set()
    if isinstance(obj, list | tuple):
        return set().union(*(names_in(v) for v in obj)) if obj else set()
    return set()


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def substitute(obj: Any, values: Mapping[str, Any]) -> Any:
    """``obj`` with placeholders filled in; mappings and lists keep their YAML line numbers."""
    if isinstance(obj, str):
        whole = PLACEHOLDER.fullmatch(obj.strip())
        if whole and whole.group(1) in values:
            return values[whole.group(1)]
        return PLACEHOLDER.sub(
            lambda m: _show(values[m.group(1)]) if m.group(1) in values else m.group(0), obj
        )
    if isinstance(obj, Mapping):
        out = yamlio.LineDict((k, substitute(v, values)) for k, v in obj.items())
        out.line = getattr(obj, "line", 0)
        out.key_lines = dict(getattr(obj, "key_lines", {}))
        return out
    if isinstance(obj, list):
        items = yamlio.LineList(substitute(v, values) for v in obj)
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
    parts.append(f"**Working** (from the calculator):\n\n{lines}")
    parts.append(f"**Answer:** {answer_text}")
    return "\n\n".join(parts)
