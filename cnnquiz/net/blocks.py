"""Blocks: sub-networks defined once under ``blocks:`` and used like a layer, with ``$arguments``.

::

    blocks:
      basic:
        args: {filters: 64}          # defaults; null: the use must give it
        layers:
          - conv: {filters: $filters, kernel: 3, padding: same}
          - add: {}
            from: [input, -1]
    layers:
      - basic: {filters: 128}

Everything about a block that does not depend on its use is checked once, when the network is
read, used or not: its name, its arguments (each declared one used, each ``$name`` declared),
and that no block uses itself, directly or through another. A use substitutes its values into
a copy of the block's layers, keeping the line of each item for error messages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cnnquiz import lines
from cnnquiz.errors import SpecError
from cnnquiz.limits import MAX_BLOCK_DEPTH, number_text
from cnnquiz.net.items import GRAPH_KEYS
from cnnquiz.net.layers import find_name
from cnnquiz.net.reading import line_where, suggest

_WORD = re.compile(r"[A-Za-z_]\w*")
_DOLLAR = re.compile(r"\$(?:\{(\w+)\}|(\w+))")
"""``$filters`` or ``${filters}`` (the braces where a letter follows: ``${k}x3``)."""

_RESERVED = ("input", "name", "from", "repeat", "type", "layer", "args", "layers")


@dataclass(frozen=True)
class Block:
    """A block as declared: its arguments' defaults (None: required) and its layers as written."""

    name: str
    args: Mapping[str, Any]
    layers: list[Any]
    where: str
    dollars: tuple[frozenset[str], ...] = ()  # the $names each of its layers uses

    @property
    def fixed(self) -> tuple[Any, ...]:
        """Its layers that use no argument: the same at every use, so read once."""
        return tuple(item for item, names in zip(self.layers, self.dollars, strict=True) if not names)


def read_blocks(data: Any, source: str, where: str) -> dict[str, Block]:
    """The ``blocks:`` mapping of a network, every block checked (see the module's docstring)."""
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise SpecError("blocks must be a mapping of names to blocks, e.g. basic: {layers: [...]}", where)
    blocks = {}
    for name, body in data.items():
        at = line_where(data, name, where)
        blocks[str(name)] = _read_block(name, body, source, at)
    for block in blocks.values():
        _check_args(block, source)
    _check_no_cycle(blocks, source)
    return blocks


def _check_block_name(name: Any, where: str) -> str:
    if not isinstance(name, str) or not _WORD.fullmatch(name) or name in _RESERVED:
        raise SpecError(
            f"a block's name is a word of letters, digits and _ (not {', '.join(_RESERVED)}), "
            f"got {number_text(name)}",
            where,
        )
    if find_name(name) is not None:
        raise SpecError(f"block {name!r} is named like a layer kind; name it otherwise", where)
    return name


def _read_block(name: Any, body: Any, source: str, where: str) -> Block:
    name = _check_block_name(name, where)
    if isinstance(body, list):
        body = {"layers": body}
    if not isinstance(body, Mapping):
        raise SpecError(f"block {name} must be a mapping with args and layers", where)
    for key in body:
        if key not in ("args", "layers"):
            raise SpecError(
                f"unknown key {key!r} in block {name}{suggest(str(key), ['args', 'layers'])}; "
                "a block has args and layers",
                line_where(body, key, where),
            )
    args = body.get("args") or {}
    if not isinstance(args, Mapping):
        raise SpecError(f"args of block {name} must be a mapping like {{filters: 64}}", where)
    for arg in args:
        if not isinstance(arg, str) or not _WORD.fullmatch(arg):
            raise SpecError(
                f"an argument's name is a word of letters, digits and _, got {number_text(arg)}",
                line_where(args, arg, where),
            )
    layers = body.get("layers")
    if not isinstance(layers, list) or not layers:
        raise SpecError(f"block {name} needs a list of layers", where)
    return Block(name, args, layers, where, tuple(frozenset(dollar_names(x)) for x in layers))


def dollar_names(node: Any) -> set[str]:
    """Every ``$name`` written in ``node``'s values, however deep."""
    if isinstance(node, str):
        return {a or b for a, b in _DOLLAR.findall(node)}
    if isinstance(node, Mapping):
        return set().union(*(dollar_names(v) for v in node.values()))
    if isinstance(node, list | tuple):
        return set().union(*(dollar_names(v) for v in node))
    return set()


def item_where(items: Any, index: int, source: str, fallback: str) -> str:
    """``file:line`` of item ``index`` of a YAML list, when its line is known."""
    item_lines = getattr(items, "item_lines", None)
    return f"{source}:{item_lines[index]}" if item_lines else f"{fallback}: layer {index + 1}"


def refuse_dollars(items: list[Any], source: str, where: str) -> None:
    """``$name`` outside a block's layers: there is no argument it could be."""
    for i, item in enumerate(items):
        found = dollar_names(item)
        if found:
            raise SpecError(
                f"${sorted(found)[0]} outside a block: only a block's layers take $arguments",
                item_where(items, i, source, where),
            )


def _check_args(block: Block, source: str) -> None:
    used: set[str] = set()
    for i, found in enumerate(block.dollars):
        for name in sorted(found - set(block.args)):
            declared = ", ".join(block.args) or "none"
            raise SpecError(
                f"${name} is not an argument of block {block.name}"
                f"{suggest(name, list(block.args))}; it declares {declared} (args: {{{name}: ...}} "
                "declares one)",
                item_where(block.layers, i, source, block.where),
            )
        used |= found
    for arg in block.args:
        if arg not in used:
            raise SpecError(
                f"argument {arg} of block {block.name} is never used: no ${arg} in its layers",
                line_where(block.args, arg, block.where),
            )


def block_used(item: Any, blocks: Mapping[str, Block]) -> str | None:
    """The block an item uses, or None: its key that is not name, from or repeat, as
    :func:`cnnquiz.net.items.read_item` reads it."""
    if isinstance(item, Mapping):
        for key in item:
            if key not in GRAPH_KEYS:
                return str(key) if str(key) in blocks else None
    return None


def uses_of(block: Block, blocks: Mapping[str, Block]) -> list[tuple[str, int]]:
    """The blocks ``block``'s layers use, with the index of the item that uses each."""
    found = [(block_used(item, blocks), i) for i, item in enumerate(block.layers)]
    return [(name, i) for name, i in found if name is not None]


def _check_no_cycle(blocks: Mapping[str, Block], source: str) -> None:
    """Refuse a block that uses itself, directly or through others (it would never end), and
    blocks that nest past ``MAX_BLOCK_DEPTH`` (reading them recurses once per level)."""
    heights: dict[str, int] = {}  # a checked block: how deep the blocks in it nest (1: none)

    def visit(name: str, path: list[str]) -> int:  # path: the uses that led here, name last
        block = blocks[name]
        height = 1
        for used, index in uses_of(block, blocks):
            where = item_where(block.layers, index, source, block.where)
            if used in path:
                chain = " -> ".join([*path[path.index(used) :], used])
                raise SpecError(f"block {used} uses itself ({chain}); a block cannot contain itself", where)
            below = heights.get(used, 1)
            if used not in heights and len(path) < MAX_BLOCK_DEPTH:
                below = visit(used, [*path, used])
            if len(path) + below > MAX_BLOCK_DEPTH:
                nested = [*path, used]
                shown = " -> ".join(nested) if len(nested) <= 4 else f"{path[0]} -> ... -> {used}"
                inside = f", and {below - 1} more inside {used}" if below > 1 else ""
                raise SpecError(
                    f"blocks nest more than {MAX_BLOCK_DEPTH} deep ({shown}{inside}); cnnquiz "
                    f"reads at most {MAX_BLOCK_DEPTH}",
                    where,
                )
            height = max(height, below + 1)
        heights[name] = height
        return height

    for name in blocks:
        if name not in heights:
            visit(name, [name])


def arguments(block: Block, given: Any, where: str) -> dict[str, Any]:
    """The values of ``block``'s arguments at a use: its defaults, replaced by what is given."""
    if given is None:
        given = {}
    if not isinstance(given, Mapping):
        raise SpecError(
            f"a use of block {block.name} takes its arguments as a mapping like "
            f"{{{next(iter(block.args), 'filters')}: 64}}, got {number_text(given)}",
            where,
        )
    for key in given:
        if key not in block.args:
            takes = ", ".join(block.args) or "no arguments"
            raise SpecError(
                f"block {block.name} has no argument {key!r}{suggest(str(key), list(block.args))}; "
                f"it takes {takes}",
                line_where(given, key, where),
            )
    values = {**block.args, **given}
    for arg, value in values.items():
        if value is None:
            raise SpecError(f"block {block.name} needs {arg} (it has no default)", where)
    return values


def substitute_body(block: Block, values: Mapping[str, Any]) -> list[Any]:
    """A use's copy of ``block``'s layers, ``values`` in place of its arguments (the layers that
    use none are the block's own)."""
    body = [
        substitute(item, values) if names else item
        for item, names in zip(block.layers, block.dollars, strict=True)
    ]
    copy = lines.LineList(body)
    _keep_lines(block.layers, copy, "item_lines")
    return copy


def substitute(node: Any, values: Mapping[str, Any]) -> Any:
    """``node`` with each ``$name`` replaced: a whole value by the argument's value as it is
    (a number stays a number), a ``$name`` inside text by its text (``conv $f k3``). Lines kept."""
    if isinstance(node, str):
        whole = _DOLLAR.fullmatch(node)
        if whole:
            return values[whole[1] or whole[2]]
        return _DOLLAR.sub(lambda m: _text(values[m[1] or m[2]]), node)
    if isinstance(node, Mapping):
        copy: dict[Any, Any] = lines.LineDict() if isinstance(node, lines.LineDict) else {}
        copy.update((k, substitute(v, values)) for k, v in node.items())
        _keep_lines(node, copy, "key_lines")
        return copy
    if isinstance(node, list):
        items = lines.LineList() if isinstance(node, lines.LineList) else []
        items.extend(substitute(v, values) for v in node)
        _keep_lines(node, items, "item_lines")
        return items
    return node


def _keep_lines(node: Any, copy: Any, attribute: str) -> None:
    if hasattr(node, attribute):
        copy.line = node.line
        setattr(copy, attribute, getattr(node, attribute))


def _text(value: Any) -> str:
    """An argument's value inside inline text: ``3x5`` for a pair, as the inline form writes it."""
    if isinstance(value, list | tuple):
        return "x".join(str(v) for v in value)
    return str(value)
