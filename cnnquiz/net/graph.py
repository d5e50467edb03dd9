"""A list of items made into the flat network that runs: blocks expanded, each ``from`` resolved.

The layers come out in the order they run, each with the indexes it reads (0: the network's
input, j: layer j), its name qualified by the block uses around it (``down1/main``) and its
scope (``down1``). Names are local to a scope (the network's top, or one use of a block): a
``from`` looks them up in its own scope, an offset counts the items before it there (-1: the
one just before; before the first, the scope's input), and ``input`` is the scope's input.
A use of a block is one item of its scope: its name (or ``basic1``, ``basic2``...) names its
output. Everything that would make a network that cannot run forward, or that computes
something never used, is refused here with the line it was written on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cnnquiz.errors import SpecError
from cnnquiz.limits import MAX_LAYERS
from cnnquiz.net.blocks import (
    Block,
    arguments,
    block_used,
    item_where,
    refuse_dollars,
    substitute_body,
)
from cnnquiz.net.items import Item, Ref, read_item
from cnnquiz.net.layers import Layer
from cnnquiz.net.reading import suggest


class _InBlock(SpecError):
    """An error inside a block's use, already told which use: the uses around it add nothing."""


@dataclass
class Flat:
    """The network as it runs: parallel lists, one entry per layer (see ``Network``)."""

    layers: list[Layer] = field(default_factory=list)
    sources: list[tuple[int, ...]] = field(default_factory=list)
    names: list[str | None] = field(default_factory=list)
    scopes: list[str] = field(default_factory=list)


@dataclass
class _Scope:
    """One scope being expanded: the network's top or one use of a block."""

    path: str  # "" at the top, "down1", "stage1/basic2"
    input: int  # what ``input`` means here
    labels: set[str]  # every name given in this scope, before or after
    outputs: list[int] = field(default_factory=list)  # each item's (each copy's) output
    defined: list[str] = field(default_factory=list)  # names given so far, in order

    def qualified(self, name: str) -> str:
        return f"{self.path}/{name}" if self.path else name

    @property
    def title(self) -> str:
        return f"block use {self.path}" if self.path else "the network"


class Expander:
    """Expands a network's items (and its blocks' uses) into one ``Flat`` network."""

    def __init__(self, source: str, blocks: Mapping[str, Block]) -> None:
        self.source = source
        self.blocks = blocks
        self.flat = Flat()
        self.table: dict[str, int] = {}  # qualified name -> the index of its output
        # a block's layers that use no argument are read once, however often it is used
        self.fixed = {id(raw) for block in blocks.values() for raw in block.fixed}
        self.read: dict[int, Item] = {}

    def expand(self, raw_items: list[Any], where: str, at: str | None = None) -> Flat:
        """The flat network; ``where`` names items without a line, ``at`` the list itself."""
        if self.blocks and expanded_size(raw_items, self.blocks) > MAX_LAYERS:
            raise SpecError(
                f"the network expands to more than {MAX_LAYERS:,} layers (its blocks and "
                f"repeats multiply); cnnquiz reads at most {MAX_LAYERS:,}",
                at or where,
            )
        try:
            self.scope(raw_items, where, "", 0)
        except SpecError:
            refuse_dollars(raw_items, self.source, where)  # the better message, if that is why
            raise
        self._check_used()
        return self.flat

    def scope(self, raw_items: list[Any], where: str, path: str, input_index: int) -> int:
        """Expand one scope's items; the index of its output (its last item's)."""
        if len(self.flat.layers) + len(raw_items) > MAX_LAYERS:  # before reading a million
            raise SpecError(
                f"the network has more than {MAX_LAYERS:,} layers; cnnquiz reads at most "
                f"{MAX_LAYERS:,}",
                item_where(raw_items, MAX_LAYERS - len(self.flat.layers), self.source, where),
            )
        items = [self._item(raw_items, i, where) for i in range(len(raw_items))]
        self._check_copies(items)
        labels = _labels(items, path)
        here = _Scope(path, input_index, {x for copies in labels for x in copies if x})
        for item, copies in zip(items, labels, strict=True):
            for copy, label in enumerate(copies):
                sources = self._sources(item, copy, here, copies)
                if item.block is not None:
                    out = self._use(item, label or item.block, here, sources)
                else:
                    assert item.layer is not None
                    out = self._add(item.layer, sources, here.qualified(label) if label else None, path)
                if label:
                    self._define(here, label, out, item)
                here.outputs.append(out)
        return here.outputs[-1]

    def _item(self, raw_items: list[Any], index: int, where: str) -> Item:
        raw = raw_items[index]
        item = self.read.get(id(raw)) if id(raw) in self.fixed else None
        if item is None:
            item = read_item(raw, item_where(raw_items, index, self.source, where), self.blocks)
            if id(raw) in self.fixed:
                self.read[id(raw)] = item
        return item

    def _check_copies(self, items: list[Item]) -> None:
        """Refuse the items whose repeats alone take the network past the limit, before any
        copy is made (a few lines of YAML aliases can repeat a layer millions of times)."""
        total = len(self.flat.layers)
        for item in items:
            total += item.repeat
            if total > MAX_LAYERS:
                raise SpecError(
                    f"the network expands to more than {MAX_LAYERS:,} layers (its repeats add "
                    f"up); cnnquiz reads at most {MAX_LAYERS:,}",
                    item.where,
                )

    def _define(self, here: _Scope, label: str, out: int, item: Item) -> None:
        key = here.qualified(label)
        if key in self.table:
            raise SpecError(f"the name {key!r} is given twice", item.name_where or item.where)
        self.table[key] = out
        here.defined.append(label)

    def _sources(self, item: Item, copy: int, here: _Scope, own: list[str | None]) -> tuple[int, ...]:
        if copy > 0 or item.refs is None:  # the item before; a repeat's copies follow each other
            return (here.outputs[-1] if here.outputs else here.input,)
        return tuple(self._ref(ref, item, here, own) for ref in item.refs)

    def _ref(self, ref: Ref, item: Item, here: _Scope, own: list[str | None]) -> int:
        if ref == "input":
            return here.input
        if isinstance(ref, int):
            position = len(here.outputs) + ref
            if position < -1:
                before = len(here.outputs)
                raise SpecError(
                    f"from: {ref} goes past the start of {here.title}: it has {before} "
                    f"item{'s' if before != 1 else ''} before this one (and its input)",
                    item.from_where,
                )
            return here.outputs[position] if position >= 0 else here.input
        found = self.table.get(here.qualified(ref))
        if found is not None:
            return found
        head = ref.split("/")[0]
        if head in own:
            raise SpecError(
                f"from: {ref} is this {item.title} itself; a network runs forward (a cycle?)",
                item.from_where,
            )
        if head in here.labels:
            raise SpecError(
                f"from: {ref} comes later in {here.title}; a network runs forward (a cycle?)",
                item.from_where,
            )
        known = ["input", *here.defined]
        raise SpecError(
            f"from: unknown name {ref!r}{suggest(ref, known)}; known here: {', '.join(known)}",
            item.from_where,
        )

    def _use(self, item: Item, label: str, here: _Scope, sources: tuple[int, ...]) -> int:
        """Expand one use of a block, reading ``sources`` (one) as its input."""
        assert item.block is not None
        if len(sources) > 1:
            raise SpecError(
                f"block {item.block} reads one input, but from lists {len(sources)}; only add, "
                "concat and multiply read several",
                item.from_where,
            )
        block = self.blocks[item.block]
        body = substitute_body(block, arguments(block, item.args, item.where))
        path = here.qualified(label)
        try:
            return self.scope(body, block.where, path, sources[0])
        except _InBlock:
            raise
        except SpecError as exc:
            raise _InBlock(
                f"{exc.message} (in {path}: block {block.name} used at {item.where})", exc.where
            ) from None

    def _add(self, layer: Layer, sources: tuple[int, ...], name: str | None, scope: str) -> int:
        flat = self.flat
        if len(flat.layers) >= MAX_LAYERS:
            raise SpecError(
                f"the network has more than {MAX_LAYERS:,} layers once its blocks and repeats "
                f"are expanded; cnnquiz reads at most {MAX_LAYERS:,}",
                layer.where,
            )
        flat.layers.append(layer)
        flat.sources.append(sources)
        flat.names.append(name)
        flat.scopes.append(scope)
        return len(flat.layers)

    def _check_used(self) -> None:
        """Every layer's output is read by a later one, but the last's: the network's output."""
        flat = self.flat
        used = {j for sources in flat.sources for j in sources}
        for i, layer in enumerate(flat.layers[:-1], 1):
            if i not in used:
                name, scope = flat.names[i - 1], flat.scopes[i - 1]
                about = f", {name}" if name else f", in {scope}" if scope else ""
                which = f"layer {i} ({layer.title}{about})"
                if (layer.where or "").endswith(f"layer {i}"):  # inline: the where says which
                    which = f"{layer.title}{about}"
                raise SpecError(
                    f"{which}: its output is never used; the network's output is the last "
                    "layer's",
                    layer.where,
                )


def _labels(items: list[Item], path: str) -> list[list[str | None]]:
    """Each item's copies' names: its ``name`` (numbered when repeated: ``a1``, ``a2``), a
    block's use unnamed ``basic1``, ``basic2``... counted in its scope, else None. A name
    given twice in one scope is refused where it is given the second time."""
    counts: dict[str, int] = {}
    seen: set[str] = set()
    out: list[list[str | None]] = []
    for item in items:
        n = item.repeat
        copies: list[str | None]
        if item.name:
            copies = [item.name] if n == 1 else [f"{item.name}{k}" for k in range(1, n + 1)]
        elif item.block:
            start = counts.get(item.block, 0)
            counts[item.block] = start + n
            copies = [f"{item.block}{k}" for k in range(start + 1, start + n + 1)]
        else:
            copies = [None] * n
        for label in copies:
            if label in seen:
                scope = f"block use {path}" if path else "the network"
                raise SpecError(
                    f"the name {label!r} is given twice in {scope}; names in one scope differ",
                    item.name_where or item.where,
                )
            if label:
                seen.add(label)
        out.append(copies)
    return out


def expanded_size(raw_items: list[Any], blocks: Mapping[str, Block]) -> int:
    """How many layers ``raw_items`` make at least, counted without expanding anything (a
    repeat written as ``$n`` counts once), so that a spec whose blocks nest and repeat into
    millions of layers is refused before any is built."""
    sizes: dict[str, int] = {}

    def size(items: list[Any]) -> int:
        total = 0
        for item in items:
            repeat = item.get("repeat", 1) if isinstance(item, Mapping) else 1
            if isinstance(repeat, bool) or not isinstance(repeat, int) or not 0 < repeat <= MAX_LAYERS:
                repeat = 1  # ``$n``, or a mistake the item's reader will name
            name = block_used(item, blocks)
            total += repeat * (block_size(name) if name else 1)
            if total > MAX_LAYERS:  # enough to refuse; the exact figure is not needed
                return total
        return total

    def block_size(name: str) -> int:
        if name not in sizes:
            sizes[name] = size(blocks[name].layers)
        return sizes[name]

    return size(raw_items)
