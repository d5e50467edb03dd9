"""One layer read from what people write: a YAML mapping or the short inline form.

``{conv: {filters: 100, kernel: 3}}``, ``{type: conv, filters: 100}`` and ``conv 100 k3`` are
the same layer. What each kind accepts comes from the registry in :mod:`cnnquiz.net.layers`;
each option's value is checked by its reader in :mod:`cnnquiz.net.options`. Where a layer sits
in a network (its name, what it reads) is :mod:`cnnquiz.net.items`'s concern.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NoReturn

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
    name_key,
)
from cnnquiz.net.options import canonical_activation, read_option

_KEY_ALIASES = {
    "kernel_size": "kernel", "k": "kernel", "strides": "stride", "s": "stride", "p": "padding",
    "f": "filters", "n": "units", "u": "units", "pool_size": "size", "dilation_rate": "dilation",
    "d": "dilation", "use_bias": "bias", "negative_slope": "alpha", "type": "op", "kind": "op",
    "depth_multiplier": "multiplier", "output_size": "size",
}  # fmt: skip
"""Other names for options (Keras's and PyTorch's among them), whichever kind takes the option."""


def suggest(word: str, options: list[str]) -> str:
    """`` (did you mean kernel?)`` when ``word`` is close to one of ``options``, else ``""``."""
    import difflib  # only when something is misspelt

    close = difflib.get_close_matches(word, options, n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def lookup(name: Any, where: str, blocks: tuple[str, ...] = ()) -> tuple[LayerKind, Variant]:
    """The kind and variant a layer's name means; an unknown name is refused."""
    found = find_name(str(name))
    if found is None:
        unknown_layer(name, where, blocks)
    return found


def unknown_layer(name: Any, where: str, blocks: tuple[str, ...] = ()) -> NoReturn:
    """Refuse a layer cnnquiz does not know (``lstm``), listing the ones it does (and the
    network's blocks, where it has any)."""
    names = [*NAMES, *blocks]
    also = f", or a block: {', '.join(blocks)}" if blocks else ""
    raise SpecError(
        f"unknown layer {number_text(str(name))}{suggest(name_key(str(name)), names)}; "
        f"expected one of {', '.join(KNOWN)}{also}",
        where,
    )


def make_layer(
    name: str,
    options: Mapping[str, Any] | None,
    where: str,
    found: tuple[LayerKind, Variant] | None = None,
) -> Layer:
    """Build one layer from its name (``conv``, ``MaxPooling2D``...) and its options
    (``found``: what the name means, when the caller has looked it up already)."""
    kind, variant = found or lookup(name, where)
    takes, required = _shape(kind)
    given: dict[str, Any] = {}
    for raw_key, value in (options or {}).items():
        opt = _KEY_ALIASES.get(str(raw_key).lower(), str(raw_key).lower())
        if opt not in takes:
            allowed = ", ".join(kind.options) or "no options"
            raise SpecError(
                f"unknown option {raw_key!r} for {name}{suggest(opt, list(kind.options))}; "
                f"{name} takes {allowed}",
                line_where(options, raw_key, where),
            )
        given[opt] = (raw_key, value)
    values = dict(variant.preset)
    for opt, (raw_key, value) in given.items():
        values[opt] = read_option(opt, value, line_where(options, raw_key, where), kind.kind)
    for option in required:
        if option not in values:
            raise SpecError(f"{name} needs {option}", where)
    return kind.cls(**values, where=where)


_SHAPES: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {}


def _shape(kind: LayerKind) -> tuple[frozenset[str], tuple[str, ...]]:
    """A kind's options and required options, computed once (every layer read asks)."""
    shape = _SHAPES.get(kind.kind)
    if shape is None:
        shape = _SHAPES[kind.kind] = (frozenset(kind.options), kind.required)
    return shape


def line_where(options: Any, key: Any, where: str) -> str:
    """``file:line`` of ``key`` in ``options`` when its line is known, else ``where``."""
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
    return read_option(option, value, where, kind)


_TOKEN = re.compile(r"^(k|s|d|p)(\d+(?:x\d+)?)$")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?(x\d+)?")
_SLOPE_WORDS = ("channel", "one", "all")


def parse_inline_layer(text: str, where: str) -> Layer:
    """``conv 100 k3 s2 same relu``, ``conv(filters=100, kernel=3x5)``, ``maxpool 2``, ``dense 10``."""
    tokens = [t for t in re.split(r"[\s,()]+", text.strip()) if t]
    if not tokens:
        raise SpecError("empty layer", where)
    name, rest = tokens[0], tokens[1:]
    found = lookup(name, where)
    kind = found[0]
    options: dict[str, Any] = {}
    for token in rest:
        opt, value = _inline_option(kind, token, options)
        if opt is None:
            raise SpecError(f"cannot read {token!r} in layer {text.strip()!r}", where)
        options[opt] = value
    return make_layer(name, options, where, found)


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
    if low in _SLOPE_WORDS and "slopes" in kind.options:
        return "slopes", low
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


def yaml_layer(name: Any, options: Any, where: str, blocks: tuple[str, ...] = ()) -> Layer:
    """``{conv: {filters: 32}}``; ``{conv: 32}`` sets the kind's primary option. An unknown
    name is refused with the known ones (and ``blocks``, the network's)."""
    found = lookup(name, where, blocks)
    kind = found[0]
    if options is None:
        return make_layer(str(name), {}, where, found)
    if isinstance(options, int | float | str | list) and not isinstance(options, bool):
        if kind.primary is None:
            raise SpecError(f"{name} takes options as a mapping, got {number_text(options)}", where)
        return make_layer(str(name), {kind.primary: options}, where, found)
    if not isinstance(options, Mapping):
        raise SpecError(f"options of {name} must be a mapping like {{filters: 32}}", where)
    return make_layer(str(name), options, where, found)
