"""PyTorch's ``nn`` layers and ``F`` functions as cnnquiz layers, read from their ast calls.

Each layer's arguments are bound the way PyTorch binds them (positional in its order, then
keywords); an argument PyTorch does not have, one this reader cannot honour, or a value that
is not a literal is an error at its line and column.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from cnnquiz.code.literals import Env, at, line_of, literal, snippet
from cnnquiz.errors import SpecError
from cnnquiz.net.layers import (
    Activation,
    AdaptivePool,
    BatchNorm,
    Conv,
    Dense,
    Dropout,
    Flatten,
    Layer,
    Pool,
    Size2,
)


@dataclass(frozen=True)
class Expect:
    """What a layer says it receives: ``in_channels`` of a conv, ``num_features`` of a batch
    norm, ``in_features`` of a linear; checked against what arrives."""

    what: str  # "channels" or "features"
    count: int
    node: ast.Call  # the layer's call, to name it and write the fix
    arg: ast.expr  # the argument that says it, to replace in the fix


@dataclass(frozen=True)
class Module:
    """A layer read from ``nn.X(...)``: the cnnquiz layer and what it expects to receive."""

    layer: Layer
    expect: Expect | None = None
    call: ast.Call | None = None  # where it was made, for its errors


def dotted(node: ast.expr) -> str | None:
    """``nn.Conv2d`` for the ast of ``nn.Conv2d``; None for anything but names and attributes."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = dotted(node.value)
        return f"{head}.{node.attr}" if head else None
    return None


NN_PREFIXES = ("nn.", "torch.nn.", "")
F_PREFIXES = ("F.", "torch.nn.functional.", "nn.functional.", "torch.")


def short_name(name: str, prefixes: tuple[str, ...]) -> str | None:
    for prefix in prefixes:
        if prefix and name.startswith(prefix) and "." not in name[len(prefix) :]:
            return name[len(prefix) :]
    return name if "" in prefixes and "." not in name else None


class Binder:
    """Binds a call's arguments to a PyTorch signature and reads them as literals."""

    def __init__(
        self, call: ast.Call, title: str, params: tuple[str, ...], env: Env, source: str
    ) -> None:
        self.call, self.title, self.env, self.source = call, title, env, source
        self.args: dict[str, ast.expr] = {}
        if len(call.args) > len(params):
            raise SpecError(f"{title} takes at most {len(params)} arguments", at(call, source))
        for name, arg in zip(params, call.args, strict=False):
            if isinstance(arg, ast.Starred):
                raise SpecError(
                    f"cannot read `{snippet(arg)}`: write the arguments", at(arg, source)
                )
            self.args[name] = arg
        for kw in call.keywords:
            if kw.arg is None or kw.arg not in params:
                what = f"`**{snippet(kw.value)}`" if kw.arg is None else f"argument {kw.arg}="
                raise SpecError(
                    f"{title} has no {what} that this reader knows", at(kw.value, source)
                )
            self.args[kw.arg] = kw.value
        for name, node in self.args.items():  # every argument but the input must be literal
            if name not in ("input", "training"):  # F.dropout(x, training=self.training)
                literal(node, env, source)

    def get(self, name: str, default: Any = None) -> Any:
        node = self.args.get(name)
        return default if node is None else literal(node, self.env, self.source)

    def need(self, name: str) -> Any:
        if name not in self.args:
            raise SpecError(f"{self.title} needs its {name}", at(self.call, self.source))
        return self.get(name)

    def int_(self, name: str, default: int | None = None) -> int:
        value = self.need(name) if default is None else self.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise SpecError(
                f"{self.title}'s {name} must be an integer, got {value!r}", self.at(name)
            )
        return value

    def pair(self, name: str, default: int | Size2 | None = None) -> Size2:
        value = self.need(name) if default is None else self.get(name, default)
        if isinstance(value, int) and not isinstance(value, bool):
            return (value, value)
        if (
            isinstance(value, tuple | list)
            and len(value) == 2
            and all(isinstance(v, int) for v in value)
        ):
            return (value[0], value[1])
        raise SpecError(
            f"{self.title}'s {name} must be an integer or a pair, got {value!r}", self.at(name)
        )

    def refuse(self, name: str, allowed: Any, why: str) -> None:
        """An argument this reader cannot honour unless it has its harmless value."""
        if name in self.args and self.get(name) != allowed:
            raise SpecError(
                f"{self.title}'s {name}={self.get(name)!r} is not supported: {why}", self.at(name)
            )

    def expect(self, what: str, name: str) -> Expect:
        return Expect(what, self.int_(name), self.call, self.args[name])

    def at(self, name: str) -> str:
        return at(self.args.get(name, self.call), self.source)


def _conv(b: Binder) -> Module:
    stride, dilation = b.pair("stride", 1), b.pair("dilation", 1)
    padding = b.get("padding", 0)
    if padding == "same" and stride != (1, 1):
        raise SpecError(
            "padding='same' is not supported for strided convolutions (PyTorch refuses it)",
            b.at("padding"),
        )
    if padding not in ("same", "valid"):
        padding = b.pair("padding", 0)
    b.refuse("padding_mode", "zeros", "only zero padding is counted")
    conv = Conv(
        filters=b.int_("out_channels"), kernel=b.pair("kernel_size"), stride=stride, padding=padding,
        dilation=dilation, bias=bool(b.get("bias", True)), groups=b.int_("groups", 1), where=line_of(b.call, b.source),
    )  # fmt: skip
    return Module(conv, b.expect("channels", "in_channels"))


def _pool(op: str) -> Callable[[Binder], Module]:
    def read(b: Binder) -> Module:
        b.refuse("ceil_mode", False, "only floor rounding is counted")
        b.refuse("dilation", 1, "a dilated pool is not counted")
        b.refuse("return_indices", False, "the indices are not a layer output here")
        b.refuse("divisor_override", None, "the average's divisor is the window")
        stride = b.get("stride")
        size = b.pair("kernel_size")
        padding = b.pair("padding", 0)
        return Module(
            Pool(size=size, stride=size if stride is None else b.pair("stride"), padding=padding, op=op, where=line_of(b.call, b.source))
        )  # fmt: skip

    return read


def _adaptive(op: str) -> Callable[[Binder], Module]:
    def read(b: Binder) -> Module:
        return Module(
            AdaptivePool(size=b.pair("output_size"), op=op, where=line_of(b.call, b.source))
        )

    return read


def _flatten(b: Binder) -> Module:
    b.refuse("start_dim", 1, "only flattening all but the batch axis is counted")
    b.refuse("end_dim", -1, "only flattening all but the batch axis is counted")
    return Module(Flatten(where=line_of(b.call, b.source)))


def _linear(b: Binder) -> Module:
    dense = Dense(
        units=b.int_("out_features"),
        bias=bool(b.get("bias", True)),
        where=line_of(b.call, b.source),
    )
    return Module(dense, b.expect("features", "in_features"))


def _batch_norm(what: str) -> Callable[[Binder], Module]:
    def read(b: Binder) -> Module:
        return _batch_norm_of(b, what)

    return read


def _batch_norm_of(b: Binder, what: str) -> Module:
    b.refuse("affine", True, "a batch norm without its scale and shift is not counted")
    b.refuse("track_running_stats", True, "a batch norm without running statistics is not counted")
    return Module(BatchNorm(where=line_of(b.call, b.source)), b.expect(what, "num_features"))


def _dropout(b: Binder) -> Module:
    return Module(Dropout(rate=float(b.get("p", 0.5)), where=line_of(b.call, b.source)))


def _act(
    name: str, alpha: str | None = None, default: float | None = None
) -> Callable[[Binder], Module]:
    def read(b: Binder) -> Module:
        value = float(b.get(alpha, default)) if alpha else None
        return Module(Activation(name=name, alpha=value, where=line_of(b.call, b.source)))

    return read


_CONV = (
    "in_channels",
    "out_channels",
    "kernel_size",
    "stride",
    "padding",
    "dilation",
    "groups",
    "bias",
    "padding_mode",
    "device",
    "dtype",
)
_MAX = ("kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode")
_AVG = ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override")
_BN = ("num_features", "eps", "momentum", "affine", "track_running_stats", "device", "dtype")

LAYERS: dict[str, tuple[tuple[str, ...], Callable[[Binder], Module]]] = {
    "Conv2d": (_CONV, _conv),
    "MaxPool2d": (_MAX, _pool("max")),
    "AvgPool2d": (_AVG, _pool("avg")),
    "AdaptiveAvgPool2d": (("output_size",), _adaptive("avg")),
    "AdaptiveMaxPool2d": (("output_size", "return_indices"), _adaptive("max")),
    "Flatten": (("start_dim", "end_dim"), _flatten),
    "Linear": (("in_features", "out_features", "bias", "device", "dtype"), _linear),
    "BatchNorm2d": (_BN, _batch_norm("channels")),
    "BatchNorm1d": (_BN, _batch_norm("features")),
    "Dropout": (("p", "inplace"), _dropout),
    "Dropout2d": (("p", "inplace"), _dropout),
    "ReLU": (("inplace",), _act("relu")),
    "ReLU6": (("inplace",), _act("relu6")),
    "LeakyReLU": (("negative_slope", "inplace"), _act("leaky_relu", "negative_slope", 0.01)),
    "ELU": (("alpha", "inplace"), _act("elu", "alpha", 1.0)),
    "GELU": (("approximate",), _act("gelu")),
    "SiLU": (("inplace",), _act("swish")),
    "Hardswish": (("inplace",), _act("hard_swish")),
    "Sigmoid": ((), _act("sigmoid")),
    "Tanh": ((), _act("tanh")),
    "Softmax": (("dim",), _act("softmax")),
}
"""``nn.X``: PyTorch's parameters in order, and the reader that makes the layer."""

_X = ("input",)
FUNCTIONS: dict[str, tuple[tuple[str, ...], Callable[[Binder], Module]]] = {
    "relu": (("input", "inplace"), _act("relu")),
    "relu6": (("input", "inplace"), _act("relu6")),
    "leaky_relu": (
        ("input", "negative_slope", "inplace"),
        _act("leaky_relu", "negative_slope", 0.01),
    ),
    "elu": (("input", "alpha", "inplace"), _act("elu", "alpha", 1.0)),
    "gelu": (("input", "approximate"), _act("gelu")),
    "silu": (("input", "inplace"), _act("swish")),
    "hardswish": (("input", "inplace"), _act("hard_swish")),
    "sigmoid": (_X, _act("sigmoid")),
    "tanh": (_X, _act("tanh")),
    "softmax": (("input", "dim", "_stacklevel", "dtype"), _act("softmax")),
    "max_pool2d": (("input",) + _MAX, _pool("max")),
    "avg_pool2d": (("input",) + _AVG, _pool("avg")),
    "adaptive_avg_pool2d": (("input", "output_size"), _adaptive("avg")),
    "adaptive_max_pool2d": (("input", "output_size", "return_indices"), _adaptive("max")),
    "dropout": (("input", "p", "training", "inplace"), _dropout),
}
"""``F.x(input, ...)`` / ``torch.x(input, ...)``: the same, the input first."""


def read_layer(call: ast.Call, env: Env, source: str) -> Module | None:
    """The layer an ``nn.X(...)`` call makes; None when the call names no known layer."""
    name = dotted(call.func)
    short = short_name(name, NN_PREFIXES) if name else None
    if short not in LAYERS:
        return None
    params, make = LAYERS[short]
    return replace(make(Binder(call, f"nn.{short}", params, env, source)), call=call)


def read_function(call: ast.Call, env: Env, source: str) -> tuple[Module, ast.expr] | None:
    """The layer an ``F.x(input, ...)`` call applies, and its input; None when unknown."""
    name = dotted(call.func)
    short = short_name(name, F_PREFIXES) if name else None
    if short not in FUNCTIONS:
        return None
    params, make = FUNCTIONS[short]
    b = Binder(call, name or short, params, env, source)
    if "input" not in b.args:
        raise SpecError(f"{name} needs its input", at(call, source))
    return make(b), b.args["input"]
