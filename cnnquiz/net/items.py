"""One item of a list of layers: a layer or a block's use, with its ``name``, ``from``, ``repeat``.

An item is written as a mapping (``{conv: {filters: 64}, name: stem}``, ``{type: conv, ...}``),
as inline text (``conv 64 k3 same name=a``, ``add from=a,-1``), or as a block's use
(``{basic: {filters: 64}, repeat: 2}``). Reading it checks what it says on its own; what its
``from`` names is resolved against the network by :mod:`cnnquiz.net.graph`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cnnquiz import lines
from cnnquiz.errors import SpecError
from cnnquiz.limits import MAX_LAYERS, number_text
from cnnquiz.net.layers import Layer, kind_of
from cnnquiz.net.options import canonical_activation
from cnnquiz.net.reading import (
    line_where,
    lookup,
    parse_inline_layer,
    suggest,
    yaml_layer,
)

GRAPH_KEYS = ("name", "from", "repeat")
"""What an item may carry beside its layer: where it sits in the network."""

Ref = str | int
"""What ``from`` names: a layer's (or a block use's) name, ``input``, or a negative offset."""

_NAME = re.compile(r"[A-Za-z_][\w.\-]*(/[A-Za-z_][\w.\-]*)*")
_ELEMENT = r"(?:-?\d+|[A-Za-z_][\w./-]*)(?!\s*=)"
_INLINE_KEYS = re.compile(
    rf"(?:(?<=^)|(?<=[\s,(]))(name|from|repeat)\s*=\s*(\[[^\]]*\]|{_ELEMENT}(?:\s*,\s*{_ELEMENT})*)"
)
"""``name=a``, ``from=a,-1`` (or ``from=[a, -1]``), ``repeat=3`` in inline text: found before
the text is split at commas, so that a list of sources stays one value."""


@dataclass(frozen=True)
class Item:
    """A layer (``layer``) or a block's use (``block`` with its ``args``), where it sits."""

    where: str
    layer: Layer | None = None
    block: str | None = None
    args: Any = None
    name: str | None = None
    name_where: str | None = None
    refs: tuple[Ref, ...] | None = None  # None: the item before (or the scope's input)
    listed: bool = False  # ``from`` was a list
    from_where: str | None = None
    repeat: int = 1

    @property
    def title(self) -> str:
        """``Conv2D`` or ``block basic``, for messages."""
        return self.layer.title if self.layer is not None else f"block {self.block}"


def read_item(raw: Any, where: str, blocks: Mapping[str, Any]) -> Item:
    """The item ``raw`` (as YAML or inline text gave it) at ``where``; ``blocks`` are the
    network's block names, which an item may use as it uses a layer."""
    if isinstance(raw, str):
        return _inline_item(raw, where)
    if not isinstance(raw, Mapping) or not raw:
        raise SpecError(
            "expected a layer like {conv: {filters: 32, kernel: 3}} or 'conv 32 k3'", where
        )
    if "type" in raw or "layer" in raw:
        return _typed_item(raw, where)
    heads = [key for key in raw if key not in GRAPH_KEYS]
    if not heads:
        raise SpecError(f"{next(iter(raw))}: needs a layer beside it, e.g. conv: {{filters: 32}}", where)
    head = heads[0]
    if len(heads) > 1:
        key = heads[1]
        raise SpecError(
            f"unexpected key {key!r} beside {head}{suggest(str(key), list(GRAPH_KEYS))}; "
            f"an item is one layer, with name, from or repeat beside it",
            line_where(raw, key, where),
        )
    graph = _graph_keys(raw, where)
    if str(head) in blocks:
        return Item(where, block=str(head), args=raw[head], **graph)
    layer = yaml_layer(head, raw[head], where, tuple(blocks))
    return _checked(Item(where, layer=layer, **graph))


def _typed_item(raw: Mapping[str, Any], where: str) -> Item:
    """``{type: conv, filters: 8, name: a}``: the layer's options and the item's keys side by side."""
    kind_name = raw.get("type", raw.get("layer"))
    graph_keys = [k for k in GRAPH_KEYS if k in raw]
    kind, _ = lookup(kind_name, where)
    if "name" in kind.options and "name" in raw and canonical_activation(str(raw["name"])):
        graph_keys.remove("name")  # ``{type: activation, name: gelu}``: the function's name
    options: Mapping[str, Any] = {
        k: v for k, v in raw.items() if k not in ("type", "layer", *graph_keys)
    }
    if hasattr(raw, "key_lines"):
        options = lines.LineDict(options)
        options.key_lines = raw.key_lines
    graph = _graph_keys({k: raw[k] for k in graph_keys}, where, raw)
    layer = yaml_layer(kind_name, options, where)
    return _checked(Item(where, layer=layer, **graph))


def _inline_item(text: str, where: str) -> Item:
    """``conv 64 k3 same name=a``, ``add from=a,-1``: the keys taken out before the layer is read."""
    found: dict[str, Any] = {}
    for m in _INLINE_KEYS.finditer(text):
        key, value = m[1], m[2]
        if key in found:
            raise SpecError(f"{key}= given twice in {text.strip()!r}", where)
        if key == "from" and ("," in value or value.startswith("[")):
            found[key] = [_inline_ref(v) for v in value.strip("[]").split(",") if v.strip()]
        else:
            found[key] = _inline_ref(value)
    rest = _INLINE_KEYS.sub(" ", text)
    layer = parse_inline_layer(rest, where)
    if "name" in found and canonical_activation(str(found["name"])) and "name" in kind_of(layer).options:
        raise SpecError(
            f"name={found['name']} names the layer; for a {found['name']} activation write "
            f"{found['name']} alone",
            where,
        )
    return _checked(Item(where, layer=layer, **_graph_keys(found, where)))


def _inline_ref(text: str) -> Ref:
    text = text.strip()
    return int(text) if re.fullmatch(r"[+-]?\d+", text) and len(text) < 12 else text


def _graph_keys(raw: Mapping[str, Any], where: str, lines_of: Any = None) -> dict[str, Any]:
    """The item's ``name``, ``from`` and ``repeat``, each checked, with where each is."""
    lines_of = raw if lines_of is None else lines_of
    out: dict[str, Any] = {}
    if "name" in raw:
        out["name_where"] = line_where(lines_of, "name", where)
        out["name"] = check_name(raw["name"], out["name_where"])
    if "from" in raw:
        out["from_where"] = line_where(lines_of, "from", where)
        out["refs"], out["listed"] = _refs(raw["from"], out["from_where"])
    if "repeat" in raw:
        out["repeat"] = _repeat(raw["repeat"], line_where(lines_of, "repeat", where))
    return out


def check_name(value: Any, where: str) -> str:
    """A layer's name: a word (letters, digits, ``_ . -``), not ``input``, not a number."""
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise SpecError(
            f"a name is a word of letters, digits and _ . - starting with a letter, got "
            f"{number_text(value)}",
            where,
        )
    if value == "input":
        raise SpecError("input is the network's (or the block's) input; name the layer otherwise", where)
    return value


def _refs(value: Any, where: str) -> tuple[tuple[Ref, ...], bool]:
    listed = isinstance(value, list | tuple)
    values = list(value) if listed else [value]
    if not values:
        raise SpecError("from lists nothing; give a name, input, -1, or a list of them", where)
    return tuple(_ref(v, where) for v in values), listed


def _ref(value: Any, where: str) -> Ref:
    if isinstance(value, int) and not isinstance(value, bool):
        if value >= 0:
            raise SpecError(
                f"from takes a name, input or a negative offset (-1: the layer before), got "
                f"{number_text(value)}",
                where,
            )
        return value
    if isinstance(value, str) and (value == "input" or _NAME.fullmatch(value)):
        return value
    raise SpecError(
        f"from takes a name, input or a negative offset like -1, got {number_text(value)}", where
    )


def _repeat(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SpecError(f"repeat must be a positive integer, got {number_text(value)}", where)
    if value > MAX_LAYERS:
        raise SpecError(
            f"repeat must be at most {MAX_LAYERS:,} (the most layers a network may have), got "
            f"{number_text(value) if value.bit_length() > 128 else f'{value:,}'}",
            where,
        )
    return value


def _checked(item: Item) -> Item:
    """An item's keys checked against its layer: only add, concat and multiply read a list."""
    assert item.layer is not None
    merge = kind_of(item.layer).merge
    if item.refs is not None and len(item.refs) > 1 and not merge:
        raise SpecError(
            f"{item.layer.title} reads one input, but from lists {len(item.refs)}; only add, "
            "concat and multiply read several",
            item.from_where,
        )
    if merge and (item.refs is None or len(item.refs) < 2):
        raise SpecError(
            f"{item.layer.title} needs a from list of at least two inputs, e.g. from: [input, -1]",
            item.from_where or item.where,
        )
    if merge and item.repeat > 1:
        raise SpecError(
            f"{item.layer.title} cannot repeat: each copy would need its own from list",
            item.where,
        )
    return item
