"""The network spec: a network read from YAML or from the inline form, and written back.

One description serves the calculators, the question banks and the training demo. It is read
from YAML (``input`` and ``layers``) or from the short inline form the command line takes::

    conv 100 k3 s2 same relu; maxpool 2; gap; dense 10 softmax

Shapes are H×W×C, channels last, as Keras and the course notes write them (``200x300x3``);
a dense input is a single number (``1024``). Every error says where it comes from. What each
layer kind accepts comes from the registry in :mod:`cnnquiz.net.layers`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any, NoReturn

from cnnquiz import lines
from cnnquiz.errors import SpecError
from cnnquiz.limits import number_text
from cnnquiz.net.layers import (
    KNOWN,
    NAMES,
    Layer,
    LayerKind,
    Variant,
    find_name,
    kind_named,
    kind_of,
    name_key,
)
from cnnquiz.net.network import Network
from cnnquiz.net.options import canonical_activation, parse_shape, read_option

_KEY_ALIASES = {
    "kernel_size": "kernel", "k": "kernel", "strides": "stride", "s": "stride", "p": "padding",
    "f": "filters", "n": "units", "u": "units", "pool_size": "size", "dilation_rate": "dilation",
    "d": "dilation", "use_bias": "bias", "negative_slope": "alpha", "type": "op", "kind": "op",
}  # fmt: skip
"""Other names for options (Keras's among them), whichever kind takes the option."""


def _suggest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def _lookup(name: Any, where: str) -> tuple[LayerKind, Variant]:
    """The kind and variant a layer's name means; an unknown name is refused."""
    found = find_name(str(name))
    if found is None:
        _unknown_layer(name, where)
    return found


def make_layer(name: str, options: Mapping[str, Any] | None, where: str) -> Layer:
    """Build one layer from its name (``conv``, ``MaxPooling2D``...) and its options."""
    kind, variant = _lookup(name, where)
    given: dict[str, Any] = {}
    for raw_key, value in (options or {}).items():
        opt = _KEY_ALIASES.get(str(raw_key).lower(), str(raw_key).lower())
        if opt not in kind.options:
            allowed = ", ".join(kind.options) or "no options"
            raise SpecError(
                f"unknown option {raw_key!r} for {name}{_suggest(opt, list(kind.options))}; "
                f"{name} takes {allowed}",
                _line_where(options, raw_key, where),
            )
        given[opt] = value
    values = dict(variant.preset)
    for opt, value in given.items():
        values[opt] = read_option(opt, value, _line_where(options, opt, where))
    for required in kind.required:
        if required not in values:
            raise SpecError(f"{name} needs {required}", where)
    return kind.cls(**values, where=where)


def _unknown_layer(name: Any, where: str) -> NoReturn:
    """Refuse a layer cnnquiz does not know (``lstm``), listing the ones it does."""
    raise SpecError(
        f"unknown layer {number_text(str(name))}{_suggest(name_key(str(name)), list(NAMES))}; "
        f"expected one of {', '.join(KNOWN)}",
        where,
    )


def _line_where(options: Any, key: Any, where: str) -> str:
    line = getattr(options, "key_lines", {}).get(key)
    if line is None or ":" not in where:
        return where
    return f"{where.rsplit(':', 1)[0]}:{line}"


def layer_option(kind: str, option: str, value: Any, where: str) -> Any:
    """One option of a layer kind read and checked alone (``"conv", "kernel", "3x5"``).

    The command line's flags use it so that each error names its own flag (``--stride``).
    """
    options = kind_named(kind).options
    if option not in options:
        raise SpecError(f"{kind} takes {', '.join(options) or 'no options'}, not {option}", where)
    return read_option(option, value, where)


_TOKEN = re.compile(r"^(k|s|d|p)(\d+(?:x\d+)?)$")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?(x\d+)?")


def parse_inline_layer(text: str, where: str) -> Layer:
    """``conv 100 k3 s2 same relu``, ``conv(filters=100, kernel=3x5)``, ``maxpool 2``, ``dense 10``."""
    tokens = [t for t in re.split(r"[\s,()]+", text.strip()) if t]
    if not tokens:
        raise SpecError("empty layer", where)
    name, rest = tokens[0], tokens[1:]
    kind, _ = _lookup(name, where)
    options: dict[str, Any] = {}
    for token in rest:
        opt, value = _inline_option(kind, token, options)
        if opt is None:
            raise SpecError(f"cannot read {token!r} in layer {text.strip()!r}", where)
        options[opt] = value
    return make_layer(name, options, where)


def _inline_option(kind: LayerKind, token: str, given: Mapping[str, Any]) -> tuple[str | None, Any]:
    """The option one inline token sets, and its value; (None, None) when it sets none.

    Which tokens a kind reads follows from its options: ``max`` where there is an ``op``, an
    activation where there is ``activation``, ``k3 s2`` where there is a ``stride``, a bare
    number for its primary option.
    """
    low = token.lower()
    if "=" in token:
        opt, _, value = token.partition("=")
        return opt, _scalar(value)
    if low in ("same", "valid"):
        return "padding", low
    if low in ("nobias", "no_bias", "bias=false"):
        return "bias", False
    if low in ("max", "avg") and "op" in kind.options:
        return "op", low
    if "activation" in kind.options and canonical_activation(low):
        return "activation", low
    if (m := _TOKEN.match(low)) and "stride" in kind.options:
        window = "kernel" if "kernel" in kind.options else "size"
        return {"k": window, "s": "stride", "d": "dilation", "p": "padding"}[m[1]], m[2]
    if _NUMBER.fullmatch(low) and kind.primary and kind.primary not in given:
        return kind.primary, _scalar(low)
    return None, None


def _scalar(value: str) -> Any:
    v = value.strip()
    if re.fullmatch(r"[+-]?\d+", v):
        # a long one stays text: the option's own reader refuses it with the limit in the message
        return int(v) if len(v) <= 18 else v
    if re.fullmatch(r"[+-]?\d*\.\d+", v):
        return float(v)
    if v.lower() in ("true", "false"):
        return v.lower() == "true"
    return v


def parse_inline_layers(text: str, where: str = "layers") -> tuple[Layer, ...]:
    """Layers separated by ``;``, ``->`` or new lines."""
    parts = [p for p in re.split(r";|->|→|\n", text) if p.strip()]
    if not parts:
        raise SpecError("no layers given", where)
    return tuple(parse_inline_layer(p, f"{where}: layer {i}") for i, p in enumerate(parts, 1))


def _layer_from_yaml(item: Any, where: str) -> Layer:
    if isinstance(item, str):
        return parse_inline_layer(item, where)
    if isinstance(item, Mapping) and ("type" in item or "layer" in item):
        options: Mapping[str, Any] = {k: v for k, v in item.items() if k not in ("type", "layer")}
        if hasattr(item, "key_lines"):
            options = lines.LineDict(options)
            options.key_lines = item.key_lines
        return make_layer(str(item.get("type", item.get("layer"))), options, where)
    if isinstance(item, Mapping) and len(item) == 1:
        ((name, options),) = item.items()
        return make_layer(str(name), _yaml_options(name, options, where), where)
    raise SpecError(
        "expected a layer like {conv: {filters: 32, kernel: 3}} or 'conv 32 k3'", where
    )


def _yaml_options(name: Any, options: Any, where: str) -> Mapping[str, Any]:
    """``{conv: {filters: 32}}``'s options; ``{conv: 32}`` sets the kind's primary option."""
    kind, _ = _lookup(name, where)
    if options is None:
        return {}
    if isinstance(options, int | float | str) and not isinstance(options, bool):
        if kind.primary is None:
            raise SpecError(f"{name} takes options as a mapping, got {options!r}", where)
        return {kind.primary: options}
    if not isinstance(options, Mapping):
        raise SpecError(f"options of {name} must be a mapping like {{filters: 32}}", where)
    return options


_NETWORK_KEYS = ("input", "layers", "name", "description", "train")


def parse_network(data: Any, source: str = "network") -> Network:
    """A network from parsed YAML (a mapping with ``input`` and ``layers``)."""
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
                f"unknown key {key!r}{_suggest(str(key), list(_NETWORK_KEYS))}; a network has "
                f"{', '.join(_NETWORK_KEYS)}",
                at(key),
            )
    if "input" not in data:
        raise SpecError("the network needs an input shape, e.g. input: 200x300x3", base)
    shape = parse_shape(data["input"], at("input"))
    layers_data = data.get("layers")
    if isinstance(layers_data, str):
        layers = parse_inline_layers(layers_data, at("layers"))
    elif isinstance(layers_data, list) and layers_data:
        layers = _yaml_layers(layers_data, source)
    else:
        raise SpecError("the network needs a list of layers", at("layers") if "layers" in data else base)
    train = data.get("train")
    if train is not None and not isinstance(train, Mapping):
        raise SpecError("train must be a mapping of training settings", at("train"))
    name = data.get("name")
    return Network(shape, layers, str(name) if name is not None else None, train, source)


def _yaml_layers(items: list[Any], source: str) -> tuple[Layer, ...]:
    item_lines = getattr(items, "item_lines", None)
    return tuple(
        _layer_from_yaml(
            item, f"{source}:{item_lines[i]}" if item_lines else f"{source}: layer {i + 1}"
        )
        for i, item in enumerate(items)
    )


def load_network(path: str | Path) -> Network:
    """Read a network spec from a YAML file."""
    from cnnquiz import yamlio  # the YAML parser only when a file is read

    return parse_network(yamlio.load(path), str(path))


def network_from_inline(input_shape: str, layers: str) -> Network:
    """The command line's form: ``--in 200x300x3`` and ``"conv 100 k3 s2 same; ..."``."""
    return Network(parse_shape(input_shape, "--in"), parse_inline_layers(layers, "layers"))


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
        if isinstance(value, tuple):
            value = value[0] if value[0] == value[1] else f"{value[0]}x{value[1]}"
        options[f.name] = value
    return {variant.name: options}


def network_to_dict(network: Network) -> dict[str, Any]:
    data: dict[str, Any] = {"input": str(network.input), "layers": [layer_to_dict(x) for x in network.layers]}
    if network.name:
        data = {"name": network.name, **data}
    return data
