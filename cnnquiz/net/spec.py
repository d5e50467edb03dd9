"""The network spec: a network read from YAML or from the inline form, and written back.

One description serves the calculators, the question banks and the training demo. It is read
from YAML (``input``, ``layers`` and, for networks that branch, ``blocks``) or from the short
inline form the command line takes::

    conv 100 k3 s2 same relu; maxpool 2; gap; dense 10 softmax
    conv 64 k3 same name=a; relu; conv 64 k3 same; add from=a,-1

Shapes are H×W×C, channels last, as Keras and the course notes write them (``200x300x3``);
a dense input is a single number (``1024``). Every error says where it comes from. One layer
is read by :mod:`cnnquiz.net.reading`, an item of a list (a layer or a block's use, with its
``name``, ``from``, ``repeat``) by :mod:`cnnquiz.net.items`, blocks by :mod:`cnnquiz.net.blocks`,
and the whole is made into the flat network that runs by :mod:`cnnquiz.net.graph`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from cnnquiz import lines
from cnnquiz.errors import SpecError
from cnnquiz.net.blocks import read_blocks
from cnnquiz.net.graph import Expander
from cnnquiz.net.layers import Layer, ZeroPad, kind_of
from cnnquiz.net.network import Network, Shape
from cnnquiz.net.options import parse_shape
from cnnquiz.net.reading import layer_option, make_layer, parse_inline_layer, suggest

__all__ = [
    "Layer", "Network", "Shape", "layer_option", "layer_to_dict", "load_network", "make_layer",
    "network_from_inline", "network_to_dict", "parse_inline_layer", "parse_inline_layers",
    "parse_network", "parse_shape",
]  # fmt: skip

_NETWORK_KEYS = ("input", "layers", "name", "description", "train", "blocks")


def parse_network(data: Any, source: str = "network") -> Network:
    """A network from parsed YAML (a mapping with ``input`` and ``layers``, maybe ``blocks``)."""
    line = getattr(data, "line", None)
    base = f"{source}:{line}" if line else source
    if not isinstance(data, Mapping):
        raise SpecError("expected a network: a mapping with input and layers", base)

    def at(key: Any) -> str:
        ln = lines.line_of(data, (key,))
        return f"{source}:{ln}" if ln else f"{source}: {key}"

    for key in data:
        if key not in _NETWORK_KEYS:
            raise SpecError(
                f"unknown key {key!r}{suggest(str(key), list(_NETWORK_KEYS))}; a network has "
                f"{', '.join(_NETWORK_KEYS)}",
                at(key),
            )
    if "input" not in data:
        raise SpecError("the network needs an input shape, e.g. input: 200x300x3", base)
    shape = parse_shape(data["input"], at("input"))
    blocks = read_blocks(data.get("blocks"), source, at("blocks"))
    layers_data = data.get("layers")
    if isinstance(layers_data, str):
        items: list[Any] = _inline_items(layers_data, at("layers"))
        where = at("layers")
    elif isinstance(layers_data, list) and layers_data:
        items, where = layers_data, source
    else:
        raise SpecError("the network needs a list of layers", at("layers") if "layers" in data else base)
    train = data.get("train")
    if train is not None and not isinstance(train, Mapping):
        raise SpecError("train must be a mapping of training settings", at("train"))
    name = data.get("name")
    named = str(name) if name is not None else None
    return _network(shape, items, where, source, blocks, named, train, at("layers"))


def _network(
    shape: Shape,
    items: list[Any],
    where: str,
    source: str,
    blocks: Mapping[str, Any] | None = None,
    name: str | None = None,
    train: Mapping[str, Any] | None = None,
    at: str | None = None,
) -> Network:
    """The flat network ``items`` make: a chain keeps ``inputs`` empty, as it always had."""
    flat = Expander(source, blocks or {}).expand(items, where, at)
    chain = all(sources == (i,) for i, sources in enumerate(flat.sources))
    return Network(
        shape,
        tuple(flat.layers),
        name,
        train,
        source,
        inputs=() if chain else tuple(flat.sources),
        names=tuple(flat.names) if any(flat.names) else (),
        scopes=tuple(flat.scopes) if any(flat.scopes) else (),
    )


def _inline_items(text: str, where: str) -> list[str]:
    """Layers separated by ``;``, ``->`` or new lines, each one inline item."""
    parts = [p for p in re.split(r";|->|→|\n", text) if p.strip()]
    if not parts:
        raise SpecError("no layers given", where)
    items = lines.LineList(parts)
    items.item_lines = []  # no lines: each is ``where, layer i``
    return items


def parse_inline_layers(text: str, where: str = "layers") -> tuple[Layer, ...]:
    """The layers of a chain written inline (``conv 8 k3; relu``); one that branches is refused:
    its layers alone would not say what each reads (:func:`network_from_inline` keeps that)."""
    network = _network(Shape((1,)), _inline_items(text, where), where, where)
    if network.inputs:
        raise SpecError(
            "these layers branch (from=); read them with their input shape as one network", where
        )
    return network.layers


def load_network(path: str | Path) -> Network:
    """Read a network spec from a YAML file."""
    from cnnquiz import yamlio  # the YAML parser only when a file is read

    return parse_network(yamlio.load(path), str(path))


def network_from_inline(
    input_shape: str, layers: str, shape_where: str = "--in", where: str = "layers"
) -> Network:
    """The command line's form: ``--in 200x300x3`` and ``"conv 100 k3 s2 same; ..."``, with
    ``name=`` and ``from=`` where it branches (``conv 8 name=a; relu; add from=a,-1``)."""
    shape = parse_shape(input_shape, shape_where)
    network = _network(shape, _inline_items(layers, where), where, where)
    return replace(network, source=None)  # typed, not read from a file: no source to name


_NONE = object()  # no default: never equal to a value


def layer_to_dict(layer: Layer) -> dict[str, Any]:
    """The layer as YAML would write it: ``{"conv": {"filters": 100, ...}}``, defaults left out.

    The name is the kind's variant (``maxpool``, ``relu``): the options it implies are left out
    too, so ``relu: {}`` reads better than ``activation: {}``.
    """
    kind = kind_of(layer)
    variant = kind.variant_of(layer)
    implied = {opt for opt, _ in variant.preset}
    default = kind.defaults()
    options: dict[str, Any] = {}
    for f in fields(layer):
        value = getattr(layer, f.name)
        if f.name == "where" or f.name in implied or default.get(f.name, _NONE) == value:
            continue
        if isinstance(layer, ZeroPad) and f.name == "padding":
            value = _zero_padding_text(value)
        elif isinstance(value, tuple):
            value = value[0] if value[0] == value[1] else f"{value[0]}x{value[1]}"
        options[f.name] = value
    return {variant.name: options}


def _zero_padding_text(padding: tuple[int, int, int, int]) -> Any:
    """A zeropad's (top, bottom, left, right) as Keras writes it: 1, ``1x2``, [[t, b], [l, r]]."""
    top, bottom, left, right = padding
    if top == bottom and left == right:
        return top if top == left else f"{top}x{left}"
    return [[top, bottom], [left, right]]


def network_to_dict(network: Network) -> dict[str, Any]:
    """The network as YAML would write it, blocks expanded: each layer with its ``name`` and,
    where it reads something other than the layer before, its ``from``; ``parse_network``
    reads it back to the same network."""
    items = []
    for i, layer in enumerate(network.layers, 1):
        item = layer_to_dict(layer)
        name = network.name_of(i)
        if name:
            item["name"] = name
        sources = network.sources(i)
        if sources != (i - 1,) or kind_of(layer).merge:
            refs = [_ref_to(network, i, j) for j in sources]
            item["from"] = refs if kind_of(layer).merge else refs[0]
        items.append(item)
    data: dict[str, Any] = {"input": str(network.input), "layers": items}
    if network.name:
        data = {"name": network.name, **data}
    return data


def _ref_to(network: Network, i: int, j: int) -> str | int:
    """How layer ``i`` names its source ``j``: ``input``, its name, or an offset (-1)."""
    if j == 0:
        return "input"
    return network.name_of(j) or j - i
