"""Which questions a command-line quiz asks, in what order: face-free and reproducible.

A multi-part item is one unit: its parts stay together, in order, and share one seed (so one
variant) through :func:`cnnquiz.study.session.item_seed`. ``--count`` counts units, ``--seed``
repeats a quiz exactly. The running score and progress recording are
:class:`cnnquiz.study.session.Session`'s job.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from typing import Any

from cnnquiz.errors import CnnquizError


def all_topics(questions: Iterable[Any]) -> list[str]:
    return sorted({t for q in questions for t in q.topics}, key=str.casefold)


def filter_by_topic(questions: Sequence[Any], wanted: Sequence[str]) -> list[Any]:
    """Questions on any of ``wanted``: exact topic names (any case) first, else a part of one.

    ``--topic conv`` finds "convolution"; an unknown topic is an error listing the known ones.
    """
    if not wanted:
        return list(questions)
    known = all_topics(questions)
    chosen: set[str] = set()
    for w in wanted:
        low = w.strip().casefold()
        exact = [t for t in known if t.casefold() == low]
        partial = [t for t in known if low in t.casefold()]
        if not (exact or partial):
            listed = ", ".join(known) if known else "none (these banks have no topics)"
            raise CnnquizError(f"no questions on {w!r}; topics: {listed}", "--topic")
        chosen.update(exact or partial)
    return [q for q in questions if chosen.intersection(q.topics)]


def units(questions: Sequence[Any]) -> list[list[Any]]:
    """Stand-alone questions and whole multi-part items (parts in part order), in bank order."""
    out: list[list[Any]] = []
    by_group: dict[str, list[Any]] = {}
    for q in questions:
        group = getattr(q, "group", None)
        if group is None:
            out.append([q])
        elif group in by_group:
            by_group[group].append(q)
        else:
            by_group[group] = [q]
            out.append(by_group[group])
    for unit in out:
        unit.sort(key=lambda q: getattr(q, "part_index", None) or 0)
    return out


def plan(
    questions: Sequence[Any], count: int | None = None, seed: int = 0, shuffle: bool = True
) -> list[Any]:
    """The questions to ask: ``count`` units (all if None), shuffled by ``seed``, parts together."""
    chosen = units(questions)
    if shuffle:
        random.Random(seed).shuffle(chosen)
    if count is not None:
        chosen = chosen[:count]
    return [q for unit in chosen for q in unit]


def needs_computed(questions: Iterable[Any]) -> bool:
    return any(getattr(q, "is_computed", False) for q in questions)
