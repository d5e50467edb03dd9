"""The network spec: shapes, layers and networks as plain data.

One description serves the calculators, the question banks and the training demo. It is read
from YAML (``input`` and ``layers``) or from the short inline form the command line takes::

    conv 100 k3 s2 same relu; maxpool 2; gap; dense 10 softmax

Shapes are H×W×C, channels last, as Keras and the course notes write them (``200x300x3``);
a dense input is a single number (``1024``). Every error says where it comes from.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, ClassVar

from cnnquiz import yamlio
from cnnquiz.errors import SpecError
from cnnquiz.limits import MAX_COUNT, check_max, number_text, parse_int

Size2 = tuple[int, int]
Padding = str | Size2  # "valid", "same", or pixels added on each side (rows, columns)

ACTIVATIONS = ("relu", "leaky_relu", "elu", "gelu", "sigmoid", "tanh", "softmax", "linear")


@dataclass(frozen=True)
class Shape:
    """A tensor shape without the batch axis: (H, W, C) for images, (N,) for vectors."""

    dims: tuple[int, ...]

    @property
    def is_image(self) -> bool:
        return len(self.dims) == 3

    @property
    def values(self) -> int:
        return math.prod(self.dims)

    def __str__(self) -> str:
        return "x".join(str(d) for d in self.dims)


def parse_shape(text: Any, where: str = "shape") -> Shape:
    """Read ``200x300x3`` (also ``200×300×3``, ``(200, 300, 3)``, ``[200, 300, 3]``) or ``1024``.

    Each dimension is at most 2^31 and the values at most 2^63 - 1 (:mod:`cnnquiz.limits`).
    """
    if isinstance(text, bool):
        raise SpecError(f"expected a shape like 200x300x3 or 1024, got {text!r}", where)
    if isinstance(text, int):
        dims = [text]
    elif isinstance(text, list | tuple):
        dims = list(text)
    else:
        raw = str(text).strip()
        cleaned = raw.strip("()[] ").replace("×", "x").replace("*", "x").replace("X", "x")
        parts = [p.strip() for p in re.split(r"x|,", cleaned)] if cleaned else []
        if not parts or any(not re.fullmatch(r"[+-]?\d+", p) for p in parts):
            raise SpecError(
                f"expected a shape like 200x300x3 (H x W x C) or 1024, got {number_text(raw)}", where
            )
        dims = [parse_int(p, where, "every dimension") for p in parts]
    if not all(isinstance(d, int) and not isinstance(d, bool) for d in dims):
        raise SpecError(f"expected whole numbers in a shape, got {number_text(text)}", where)
    if len(dims) not in (1, 3):
        hint = " (an image needs height, width and channels)" if len(dims) == 2 else ""
        raise SpecError(
            f"expected H x W x C (3 numbers) or a vector length (1 number), got {len(dims)} "
            f"numbers in {number_text(text)}{hint}",
            where,
        )
    if any(d <= 0 for d in dims):
        raise SpecError(f"every dimension must be at least 1, got {number_text(text)}", where)
    for d in dims:
        check_max(d, where, "every dimension")
    shape = Shape(tuple(dims))
    check_max(shape.values, where, f"the values in a shape ({shape})", MAX_COUNT)
    return shape


def channels_first_hint(shape: Shape) -> str | None:
    """A hint when an H×W×C shape looks like PyTorch's C×H×W (``3x200x300``), else None.

    Read channels last, ``3x200x300`` is a 3-pixel-high image with 300 channels. The hint comes
    when the height looks like a channel count (at most 4: gray, RGB, RGBA), the width like an
    image side (more than 4) and the channels at least as many as the width: so PyTorch's
    ``3x224x224`` and ``1x28x28`` get it, the feature maps ``4x4x64`` and ``1x1x1024`` do not.
    """
    if not shape.is_image:
        return None
    h, w, c = shape.dims
    if h <= 4 < w <= c:
        return f"this reads as H×W×C = {h}×{w}×{c}; for PyTorch's C×H×W write {w}x{c}x{h}"
    return None


def parse_size2(value: Any, where: str, what: str = "size", minimum: int = 1) -> Size2:
    """``3``, ``3x5``, ``[3, 5]`` or ``(3, 5)`` → (rows, columns), both from ``minimum`` (1: a
    positive integer) to 2^31."""
    if isinstance(value, bool):
        raise SpecError(f"{what} must be a positive integer or RxC, got {value!r}", where)
    if isinstance(value, int):
        pair = (value, value)
    elif isinstance(value, list | tuple) and len(value) == 2:
        pair = tuple(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*([x×,]\s*[+-]?\d+\s*)?", value):
        nums = [parse_int(n, where, what) for n in re.findall(r"[+-]?\d+", value)]
        pair = (nums[0], nums[-1])
    else:
        raise SpecError(
            f"{what} must be a positive integer or RxC like 3x5, got {number_text(value)}", where
        )
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= minimum for n in pair):
        kind = "a positive integer" if minimum == 1 else f"a whole number of at least {minimum}"
        raise SpecError(f"{what} must be {kind}, got {number_text(value)}", where)
    for n in pair:
        check_max(n, where, what)
    return pair  # type: ignore[return-value]


def _positive_int(value: Any, where: str, what: str) -> int:
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
        value = parse_int(value, where, what)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SpecError(f"{what} must be a positive integer, got {number_text(value)}", where)
    return check_max(value, where, what)


def _padding(value: Any, where: str) -> Padding:
    if isinstance(value, str) and value.strip().lower() in ("valid", "same"):
        return value.strip().lower()
    try:
        rows, cols = parse_size2(value, where, "padding", minimum=0)
    except SpecError as exc:
        if "at most" in exc.message:  # past the limit: that is the message to give
            raise
        raise SpecError(
            f"padding must be valid, same or a number of pixels, got {number_text(value)}", where
        ) from None
    return (rows, cols)


def _activation(value: Any, where: str) -> str | None:
    if value is None:
        return None
    name = _canonical_activation(str(value))
    if name is None:
        raise SpecError(
            f"unknown activation {value!r}; expected one of {', '.join(ACTIVATIONS)}", where
        )
    return None if name == "linear" else name


def _canonical_activation(text: str) -> str | None:
    key = text.strip().lower().replace("-", "").replace("_", "").replace(" ", "")
    aliases = {a.replace("_", ""): a for a in ACTIVATIONS} | {"none": "linear", "identity": "linear"}
    return aliases.get(key)


def _bool(value: Any, where: str, what: str) -> bool:
    if isinstance(value, bool):
        return value
    raise SpecError(f"{what} must be true or false, got {value!r}", where)


def _rate(value: Any, where: str) -> float:
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            pass
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
        raise SpecError(
            f"dropout rate must be a number from 0 to below 1, got {number_text(value)}", where
        )
    return float(value)


# --------------------------------------------------------------------------------------------
# Layers. Each is a frozen dataclass; ``where`` says where it was written, for error messages.


@dataclass(frozen=True)
class Conv:
    filters: int
    kernel: Size2 = (3, 3)
    stride: Size2 = (1, 1)
    padding: Padding = "valid"
    dilation: Size2 = (1, 1)
    bias: bool = True
    activation: str | None = None
    where: str | None = field(default=None, compare=False, repr=False)
    kind: ClassVar[str] = "conv"
    title: ClassVar[str] = "Conv2D"


@dataclass(frozen=True)
class Pool:
    op: str = "max"  # "max" or "avg"
    size: Size2 = (2, 2)
    stride: Size2 | None = None  # None: the pool size, as Keras does
    padding: Padding = "valid"
    where: str | None = field(default=None, compare=False, repr=False)
    kind: ClassVar[str] = "pool"

    @property
    def title(self) -> str:
        return "MaxPool2D" if self.op == "max" else "AvgPool2D"

    @property
    def strides(self) -> Size2:
        return self.stride or self.size


@dataclass(frozen=True)
class Dense:
    units: int
    bias: bool = True
    activation: str | None = None
    where: str | None = field(default=None, compare=False, repr=False)
    kind: ClassVar[str] = "dense"
    title: ClassVar[str] = "Dense"


@dataclass(frozen=True)
class Flatten:
    where: str | None = field(default=None, compare=False, repr=False)
    kind: ClassVar[str] = "flatten"
    title: ClassVar[str] = "Flatten"


@dataclass(frozen=True)
class GlobalPool:
    op: str = "avg"
    where: str | None = field(default=None, compare=False, repr=False)
    kind: ClassVar[str] = "gap"

    @property
    def title(self) -> str:
        return "GlobalAvgPool2D" if self.op == "avg" else "GlobalMaxPool2D"


@dataclass(frozen=True)
class BatchNorm:
    where: str | None = field(default=None, compare=False, repr=False)
    kind: ClassVar[str] = "batchnorm"
    title: ClassVar[str] = "BatchNorm"


@dataclass(frozen=True)
class Dropout:
    rate: float = 0.5
    where: str | None = field(default=None, compare=False, repr=False)
    kind: ClassVar[str] = "dropout"
    title: ClassVar[str] = "Dropout"


@dataclass(frozen=True)
class Activation:
    name: str = "relu"
    alpha: float | None = None  # negative slope of leaky relu, alpha of elu
    where: str | None = field(default=None, compare=False, repr=False)
    kind: ClassVar[str] = "activation"

    @property
    def title(self) -> str:
        return {
            "relu": "ReLU", "leaky_relu": "LeakyReLU", "elu": "ELU", "gelu": "GELU",
            "sigmoid": "Sigmoid", "tanh": "Tanh", "softmax": "Softmax",
        }[self.name]


Layer = Conv | Pool | Dense | Flatten | GlobalPool | BatchNorm | Dropout | Activation


@dataclass(frozen=True)
class Network:
    input: Shape
    layers: tuple[Layer, ...]
    name: str | None = None
    train: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    source: str | None = field(default=None, compare=False, repr=False)


# --------------------------------------------------------------------------------------------
# Reading layers: the names people use (Keras's included), their options, and the inline form.

_KINDS: dict[str, tuple[str, dict[str, Any]]] = {}


def _register(names: str, kind: str, **preset: Any) -> None:
    for name in names.split():
        _KINDS[name] = (kind, preset)


_register("conv conv2d convolution", "conv")
_register("maxpool maxpool2d maxpooling2d pool", "pool", op="max")
_register("avgpool avgpool2d averagepooling2d averagepool avgpooling2d", "pool", op="avg")
_register("dense linear fc fullyconnected", "dense")
_register("flatten", "flatten")
_register("gap globalaveragepooling2d globalavgpool globalavgpool2d globalaveragepool", "gap", op="avg")
_register("gmp globalmaxpooling2d globalmaxpool globalmaxpool2d", "gap", op="max")
_register("batchnorm batchnormalization bn batchnorm2d", "batchnorm")
_register("dropout", "dropout")
_register("activation", "activation")
for _name in ACTIVATIONS:
    if _name != "linear":
        _register(_name.replace("_", ""), "activation", name=_name)

_OPTIONS: dict[str, tuple[str, ...]] = {
    "conv": ("filters", "kernel", "stride", "padding", "dilation", "bias", "activation"),
    "pool": ("size", "stride", "padding", "op"),
    "dense": ("units", "bias", "activation"),
    "flatten": (),
    "gap": ("op",),
    "batchnorm": (),
    "dropout": ("rate",),
    "activation": ("name", "alpha"),
}
_REQUIRED = {"conv": "filters", "dense": "units"}
_KEY_ALIASES = {
    "kernel_size": "kernel", "k": "kernel", "strides": "stride", "s": "stride", "p": "padding",
    "f": "filters", "n": "units", "u": "units", "pool_size": "size", "dilation_rate": "dilation",
    "d": "dilation", "use_bias": "bias", "negative_slope": "alpha", "type": "op", "kind": "op",
}


def _kind_key(name: str) -> str:
    return name.strip().lower().replace("_", "").replace("-", "").replace(" ", "")


def _suggest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def make_layer(name: str, options: Mapping[str, Any] | None, where: str) -> Layer:
    """Build one layer from its name (``conv``, ``MaxPooling2D``...) and its options."""
    key = _kind_key(str(name))
    if key not in _KINDS:
        _unknown_layer(name, where)
    kind, preset = _KINDS[key]
    given: dict[str, Any] = {}
    for raw_key, value in (options or {}).items():
        opt = _KEY_ALIASES.get(str(raw_key).lower(), str(raw_key).lower())
        if opt not in _OPTIONS[kind]:
            allowed = ", ".join(_OPTIONS[kind]) or "no options"
            raise SpecError(
                f"unknown option {raw_key!r} for {name}{_suggest(opt, list(_OPTIONS[kind]))}; "
                f"{name} takes {allowed}",
                _line_where(options, raw_key, where),
            )
        given[opt] = value
    values = dict(preset)
    for opt, value in given.items():
        values[opt] = _convert(kind, opt, value, _line_where(options, opt, where))
    required = _REQUIRED.get(kind)
    if required and required not in values:
        raise SpecError(f"{name} needs {required}", where)
    if kind == "pool" and values.get("op", "max") not in ("max", "avg"):
        raise SpecError(f"pool op must be max or avg, got {values['op']!r}", where)
    if kind == "gap" and values.get("op", "avg") not in ("max", "avg"):
        raise SpecError(f"global pool op must be max or avg, got {values['op']!r}", where)
    cls = {"conv": Conv, "pool": Pool, "dense": Dense, "flatten": Flatten, "gap": GlobalPool,
           "batchnorm": BatchNorm, "dropout": Dropout, "activation": Activation}[kind]
    return cls(**values, where=where)


def _unknown_layer(name: Any, where: str) -> None:
    """Refuse a layer cnnquiz does not know (``lstm``), listing the ones it does."""
    known = "conv, maxpool, avgpool, dense, flatten, gap, gmp, batchnorm, dropout, " + ", ".join(
        a for a in ACTIVATIONS if a != "linear"
    )
    key = _kind_key(str(name))
    raise SpecError(
        f"unknown layer {number_text(str(name))}{_suggest(key, list(_KINDS))}; "
        f"expected one of {known}",
        where,
    )


def _line_where(options: Any, key: Any, where: str) -> str:
    line = getattr(options, "key_lines", {}).get(key)
    if line is None or ":" not in where:
        return where
    return f"{where.rsplit(':', 1)[0]}:{line}"


def _convert(kind: str, opt: str, value: Any, where: str) -> Any:
    if opt in ("filters", "units"):
        return _positive_int(value, where, opt)
    if opt in ("kernel", "size", "stride", "dilation"):
        return parse_size2(value, where, opt)
    if opt == "padding":
        return _padding(value, where)
    if opt == "bias":
        return _bool(value, where, "bias")
    if opt == "activation":
        return _activation(value, where)
    if opt == "rate":
        return _rate(value, where)
    if opt == "op":
        return str(value).strip().lower().replace("average", "avg")
    if opt == "name":
        act = _activation(value, where)
        if act is None:
            raise SpecError("an activation layer needs a non-linear activation", where)
        return act
    if opt == "alpha":
        try:
            alpha = float(value)
        except (TypeError, ValueError, OverflowError):
            alpha = math.nan
        if isinstance(value, bool) or not math.isfinite(alpha):
            raise SpecError(f"alpha must be a finite number, got {number_text(value)}", where)
        return alpha
    raise AssertionError(opt)


def layer_option(kind: str, option: str, value: Any, where: str) -> Any:
    """One option of a layer kind read and checked alone (``"conv", "kernel", "3x5"``).

    The command line's flags use it so that each error names its own flag (``--stride``).
    """
    if option not in _OPTIONS[kind]:
        raise SpecError(f"{kind} takes {', '.join(_OPTIONS[kind]) or 'no options'}, not {option}", where)
    return _convert(kind, option, value, where)


_PRIMARY = {"conv": "filters", "dense": "units", "pool": "size", "dropout": "rate", "activation": "alpha"}
_TOKEN = re.compile(r"^(k|s|d|p)(\d+(?:x\d+)?)$")


def parse_inline_layer(text: str, where: str) -> Layer:
    """``conv 100 k3 s2 same relu``, ``conv(filters=100, kernel=3x5)``, ``maxpool 2``, ``dense 10``."""
    tokens = [t for t in re.split(r"[\s,()]+", text.strip()) if t]
    if not tokens:
        raise SpecError("empty layer", where)
    name, rest = tokens[0], tokens[1:]
    key = _kind_key(name)
    if key not in _KINDS:
        _unknown_layer(name, where)
    kind = _KINDS[key][0]
    options: dict[str, Any] = {}
    for token in rest:
        low = token.lower()
        if "=" in token:
            opt, _, value = token.partition("=")
            options[opt] = _scalar(value)
        elif low in ("same", "valid"):
            options["padding"] = low
        elif low in ("nobias", "no_bias", "bias=false"):
            options["bias"] = False
        elif low in ("max", "avg") and kind in ("pool", "gap"):
            options["op"] = low
        elif kind in ("conv", "dense") and _canonical_activation(low):
            options["activation"] = low
        elif (m := _TOKEN.match(low)) and kind in ("conv", "pool"):
            opt = {"k": "kernel" if kind == "conv" else "size", "s": "stride", "d": "dilation", "p": "padding"}[m[1]]
            options[opt] = m[2]
        elif re.fullmatch(r"[+-]?\d+(\.\d+)?(x\d+)?", low) and kind in _PRIMARY and _PRIMARY[kind] not in options:
            options[_PRIMARY[kind]] = _scalar(low)
        else:
            raise SpecError(f"cannot read {token!r} in layer {text.strip()!r}", where)
    return make_layer(name, options, where)


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
    if isinstance(item, Mapping):
        if "type" in item or "layer" in item:
            options = {k: v for k, v in item.items() if k not in ("type", "layer")}
            if hasattr(item, "key_lines"):
                options = yamlio.LineDict(options)
                options.key_lines = item.key_lines
            return make_layer(str(item.get("type", item.get("layer"))), options, where)
        if len(item) == 1:
            (name, options), = item.items()
            if _kind_key(str(name)) not in _KINDS:
                _unknown_layer(name, where)
            if options is None:
                options = {}
            if isinstance(options, int | float | str) and not isinstance(options, bool):
                kind = _KINDS.get(_kind_key(str(name)), ("?", {}))[0]
                if kind not in _PRIMARY:
                    raise SpecError(f"{name} takes options as a mapping, got {options!r}", where)
                options = {_PRIMARY[kind]: options}
            if not isinstance(options, Mapping):
                raise SpecError(f"options of {name} must be a mapping like {{filters: 32}}", where)
            return make_layer(str(name), options, where)
    raise SpecError(
        "expected a layer like {conv: {filters: 32, kernel: 3}} or 'conv 32 k3'", where
    )


_NETWORK_KEYS = ("input", "layers", "name", "description", "train")


def parse_network(data: Any, source: str = "network") -> Network:
    """A network from parsed YAML (a mapping with ``input`` and ``layers``)."""
    line = getattr(data, "line", None)
    base = f"{source}:{line}" if line else source
    if not isinstance(data, Mapping):
        raise SpecError("expected a network: a mapping with input and layers", base)

    def at(key: Any) -> str:
        ln = yamlio.line_of(data, (key,))
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
        item_lines = getattr(layers_data, "item_lines", None)
        layers = tuple(
            _layer_from_yaml(
                item,
                f"{source}:{item_lines[i]}" if item_lines else f"{source}: layer {i + 1}",
            )
            for i, item in enumerate(layers_data)
        )
    else:
        raise SpecError("the network needs a list of layers", at("layers") if "layers" in data else base)
    train = data.get("train")
    if train is not None and not isinstance(train, Mapping):
        raise SpecError("train must be a mapping of training settings", at("train"))
    name = data.get("name")
    return Network(shape, layers, str(name) if name is not None else None, train, source)


def load_network(path: str | Path) -> Network:
    """Read a network spec from a YAML file."""
    return parse_network(yamlio.load(path), str(path))


def network_from_inline(input_shape: str, layers: str) -> Network:
    """The command line's form: ``--in 200x300x3`` and ``"conv 100 k3 s2 same; ..."``."""
    return Network(parse_shape(input_shape, "--in"), parse_inline_layers(layers, "layers"))


def layer_to_dict(layer: Layer) -> dict[str, Any]:
    """The layer as YAML would write it: ``{"conv": {"filters": 100, ...}}``, defaults left out."""
    name = {"conv": "conv", "dense": "dense", "flatten": "flatten", "batchnorm": "batchnorm",
            "dropout": "dropout", "activation": "activation"}.get(layer.kind)
    if isinstance(layer, Pool):
        name = "maxpool" if layer.op == "max" else "avgpool"
    if isinstance(layer, GlobalPool):
        name = "gap" if layer.op == "avg" else "gmp"
    if isinstance(layer, Activation):
        # relu: {} reads better than activation: {} with the default name left out
        return {layer.name: {} if layer.alpha is None else {"alpha": layer.alpha}}
    default = _defaults(layer)
    options: dict[str, Any] = {}
    for f in fields(layer):
        if f.name in ("where", "op"):
            continue
        value = getattr(layer, f.name)
        if f.name in default and default[f.name] == value:
            continue
        if isinstance(value, tuple):
            value = value[0] if value[0] == value[1] else f"{value[0]}x{value[1]}"
        options[f.name] = value
    return {name: options}


def _defaults(layer: Layer) -> dict[str, Any]:
    out = {}
    for f in fields(layer):
        if f.default is not f.default_factory:  # type: ignore[misc]
            out[f.name] = f.default
    return out


def network_to_dict(network: Network) -> dict[str, Any]:
    data: dict[str, Any] = {"input": str(network.input), "layers": [layer_to_dict(x) for x in network.layers]}
    if network.name:
        data = {"name": network.name, **data}
    return data


def with_where(layer: Layer, where: str) -> Layer:
    return replace(layer, where=where)
