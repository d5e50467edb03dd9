"""Parsed data that remembers where it was written: mappings and lists with line numbers.

Apart from the YAML reader (``yamlio``), so that what holds them (a cached bank's questions,
a network template) can be used, pickled and unpickled without importing a YAML parser:
the app's start from the bank cache never imports ``yaml``.
"""

from __future__ import annotations

from typing import Any


class LineDict(dict):
    """A mapping with ``line`` (where it starts) and ``key_lines`` (where each key is)."""

    line: int = 0
    key_lines: dict[Any, int]


class LineList(list):
    """A sequence with ``line`` (where it starts) and ``item_lines`` (where each item is)."""

    line: int = 0
    item_lines: list[int]


def line_of(data: Any, loc: tuple[Any, ...]) -> int | None:
    """The line of the deepest element of ``loc`` (keys and indexes) that can be located."""
    line = getattr(data, "line", None)
    node = data
    for part in loc:
        if isinstance(node, LineDict) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
    return line
