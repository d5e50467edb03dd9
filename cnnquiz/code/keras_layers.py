"""Keras layer calls made into cnnquiz layers: Keras's positional and keyword arguments, its
defaults, and its spellings (``layers.X``, ``keras.layers.X``, ``tf.keras.layers.X``, bare ``X``).

A call is read from its syntax tree only; an argument that changes the figures is read as a
literal (:mod:`cnnquiz.code.literals`), one that does not (a name, an initializer) is checked
for calls that are not Keras's and otherwise left alone. An argument or a layer not understood
is an error at file:line:col.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cnnquiz.code.literals import Env, at, line_of, literal, not_readable, snippet
from cnnquiz.errors import SpecError
from cnnquiz.net import layers as L
from cnnquiz.net.network import Shape

# the names a Keras call may be reached through: tf.keras.layers.Conv2D, keras.Input...
PREFIXES = frozenset({"tf", "tensorflow", "keras", "layers", "models", "experimental", "preprocessing", "tf_keras"})
# calls harmless inside an argument that is not read (an initializer, a regularizer)
_HARMLESS = PREFIXES | {"regularizers", "initializers", "constraints", "optimizers", "losses", "metrics"}
# arguments that change no figure: their values are not read
_IGNORED = frozenset({
    "name", "dtype", "trainable", "seed", "momentum", "epsilon", "renorm", "renorm_clipping",
    "renorm_momentum", "fused", "synchronized", "noise_shape", "activity_regularizer",
    "input_shape", "batch_input_shape", "batch_size", "input_dim", "threshold",
})  # fmt: skip
# layers with no parameters that keep the shape and only act while training or rescale values:
# left out of the network and named in the heading
SKIPPED = frozenset({
    "Rescaling", "RandomFlip", "RandomRotation", "RandomZoom", "RandomContrast",
    "RandomTranslation", "RandomBrightness",
})  # fmt: skip
_ACTIVATION_NAMES = {"silu": "swish", "hard_silu": "hard_swish"}


def dotted(node: ast.AST) -> list[str] | None:
    """``tf.keras.layers.Conv2D`` as its parts, or None for anything but names and attributes."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return [node.id, *reversed(parts)]


def keras_name(func: ast.AST) -> str | None:
    """The class or function a call names, when reached through Keras's spellings."""
    parts = dotted(func)
    if not parts or not all(p in PREFIXES for p in parts[:-1]):
        return None
    return parts[-1]


def check_calls(node: ast.AST, source: str) -> None:
    """Refuse a call inside an argument that is not read, unless it is Keras's own: the code is
    never run, and a call to anything else (``os.system``) is reported, not passed over."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            parts = dotted(sub.func)
            if not parts or parts[0] not in _HARMLESS:
                raise not_readable(sub, source, "an unknown call; the code is read, never run")


class Args:
    """A layer call's arguments, bound to Keras's parameter names."""

    def __init__(self, call: ast.Call, cls: str, params: tuple[str, ...], env: Env, source: str) -> None:
        self.call, self.cls, self.env, self.source = call, cls, env, source
        if len(call.args) > len(params) or any(isinstance(a, ast.Starred) for a in call.args):
            raise SpecError(f"{cls} takes at most {len(params)} positional arguments here", at(call, source))
        self.nodes: dict[str, ast.AST] = dict(zip(params, call.args, strict=False))
        for kw in call.keywords:
            if kw.arg is None:
                raise not_readable(kw.value, source, "** arguments cannot be read; write them out")
            if kw.arg not in params and not _ignored(kw.arg):
                raise SpecError(f"{cls} has no argument {kw.arg} that cnnquiz reads", at(kw, source))
            if kw.arg in params:
                self.nodes[kw.arg] = kw.value
            else:
                check_calls(kw.value, source)

    def get(self, name: str, default: Any = None) -> Any:
        node = self.nodes.get(name)
        return default if node is None else literal(node, self.env, self.source)

    def _bad(self, name: str, what: str) -> SpecError:
        node = self.nodes[name]
        return SpecError(f"{self.cls} {name} must be {what}, got `{snippet(node)}`", at(node, self.source))

    def integer(self, name: str, default: int | None = None) -> int:
        value = self.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self._bad(name, "a positive integer") if name in self.nodes else SpecError(
                f"{self.cls} needs {name}", at(self.call, self.source))
        return value

    def size2(self, name: str, default: Any = None) -> tuple[int, int]:
        value = self.get(name, default)
        pair = (value, value) if isinstance(value, int) else value
        if (not isinstance(pair, tuple) or len(pair) != 2
                or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in pair)):
            if name not in self.nodes:
                raise SpecError(f"{self.cls} needs {name}", at(self.call, self.source))
            raise self._bad(name, "a positive integer or a pair of them")
        return pair[0], pair[1]

    def padding(self) -> str:
        value = self.get("padding", "valid")
        if not isinstance(value, str) or value.lower() not in ("valid", "same"):
            raise self._bad("padding", "'valid' or 'same'")
        return value.lower()

    def activation(self, name: str = "activation") -> str | None:
        parts = dotted(self.nodes[name]) if name in self.nodes else None
        if parts and len(parts) > 1 and set(parts[:-1]) <= {"tf", "keras", "activations", "nn"}:
            value: Any = parts[-1]  # keras.activations.relu, tf.nn.relu: the function named
        else:
            value = self.get(name)
        if value is None or value == "linear":
            return None
        value = _ACTIVATION_NAMES.get(value, value) if isinstance(value, str) else value
        if value not in L.ACTIVATIONS:
            raise self._bad(name, f"one of {', '.join(L.ACTIVATIONS)}")
        return str(value)

    def flag(self, name: str, default: bool) -> bool:
        value = self.get(name, default)
        if not isinstance(value, bool):
            raise self._bad(name, "True or False")
        return value

    def channels_last(self) -> None:
        if self.get("data_format") not in (None, "channels_last"):
            raise self._bad("data_format", "channels_last (cnnquiz's H×W×C)")

    def where(self) -> str:
        return line_of(self.call, self.source)


def _ignored(arg: str) -> bool:
    return arg in _IGNORED or arg.endswith(("_initializer", "_regularizer", "_constraint"))


def _conv(a: Args) -> L.Layer:
    a.channels_last()
    return L.Conv(
        a.integer("filters"), a.size2("kernel_size"), a.size2("strides", 1), a.padding(),
        a.size2("dilation_rate", 1), a.flag("use_bias", True), a.activation(), a.integer("groups", 1),
        where=a.where(),
    )  # fmt: skip


def _depthwise(a: Args) -> L.Layer:
    a.channels_last()
    return L.Depthwise(
        a.size2("kernel_size"), a.size2("strides", 1), a.padding(), a.size2("dilation_rate", 1),
        a.integer("depth_multiplier", 1), a.flag("use_bias", True), a.activation(), where=a.where(),
    )  # fmt: skip


def _separable(a: Args) -> L.Layer:
    a.channels_last()
    return L.Separable(
        a.integer("filters"), a.size2("kernel_size"), a.size2("strides", 1), a.padding(),
        a.size2("dilation_rate", 1), a.integer("depth_multiplier", 1), a.flag("use_bias", True),
        a.activation(), where=a.where(),
    )  # fmt: skip


def _pool(op: str) -> Callable[[Args], L.Layer]:
    def pool(a: Args) -> L.Layer:
        a.channels_last()
        stride = a.size2("strides") if a.get("strides") is not None else None
        return L.Pool(a.size2("pool_size", 2), stride, a.padding(), op, where=a.where())

    return pool


def _global(op: str) -> Callable[[Args], L.Layer]:
    def pool(a: Args) -> L.Layer:
        a.channels_last()
        if a.flag("keepdims", False):
            raise a._bad("keepdims", "False (cnnquiz's global pools give a vector)")
        return L.GlobalPool(op, where=a.where())

    return pool


def _batchnorm(a: Args) -> L.Layer:
    if a.get("axis", -1) not in (-1, 3):
        raise a._bad("axis", "-1 (the channels)")
    if not (a.flag("center", True) and a.flag("scale", True)):
        raise SpecError("BatchNormalization without center or scale is not read: cnnquiz counts "
                        "both (4 parameters per channel)", at(a.call, a.source))  # fmt: skip
    return L.BatchNorm(where=a.where())


def _dropout(a: Args) -> L.Layer:
    rate = a.get("rate")
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate < 1:
        raise a._bad("rate", "a number from 0 to 1") if "rate" in a.nodes else SpecError(
            "Dropout needs rate", at(a.call, a.source))
    return L.Dropout(float(rate), where=a.where())


def _activation(a: Args) -> L.Layer:
    name = a.activation()
    if name is None:
        raise SpecError("Activation needs an activation other than linear", at(a.call, a.source))
    return L.Activation(name, where=a.where())


def _relu(a: Args) -> L.Layer:
    max_value, slope = a.get("max_value"), a.get("negative_slope", 0)
    if slope not in (0, 0.0):
        return L.Activation("leaky_relu", float(slope), where=a.where())
    if max_value is None:
        return L.Activation("relu", where=a.where())
    if max_value in (6, 6.0):
        return L.Activation("relu6", where=a.where())
    raise a._bad("max_value", "None or 6")


def _leaky(a: Args) -> L.Layer:
    slope = a.get("negative_slope", a.get("alpha", 0.3))
    if isinstance(slope, bool) or not isinstance(slope, int | float):
        raise not_readable(a.call, a.source)
    return L.Activation("leaky_relu", float(slope), where=a.where())


def _zeropad(a: Args) -> L.Layer:
    a.channels_last()
    value = a.get("padding", 1)
    if isinstance(value, int):
        value = (value, value)
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, int) for v in value):
        value = ((value[0], value[0]), (value[1], value[1]))
    if (isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, tuple) and len(v) == 2 for v in value)
            and all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for v in value for n in v)):
        return L.ZeroPad((value[0][0], value[0][1], value[1][0], value[1][1]), where=a.where())
    raise a._bad("padding", "an integer, a pair, or ((top, bottom), (left, right))")


def _flatten(a: Args) -> L.Layer:
    a.channels_last()
    return L.Flatten(where=a.where())


def _reshape(a: Args) -> L.Layer:
    if a.get("target_shape") in ((-1,), [-1]):
        return L.Flatten(where=a.where())
    raise SpecError("Reshape is read only as Reshape((-1,)), a flatten; cnnquiz has no other reshape",
                    at(a.call, a.source))  # fmt: skip


def _merge(cls: type[L.Add | L.Concat | L.Multiply]) -> Callable[[Args], L.Layer]:
    def merge(a: Args) -> L.Layer:
        if cls is L.Concat and a.get("axis", -1) not in (-1, 3):
            raise a._bad("axis", "-1 (the channels)")
        return cls(where=a.where())

    return merge


@dataclass(frozen=True)
class Spec:
    params: tuple[str, ...]
    build: Callable[[Args], L.Layer]


_CONV = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "groups", "activation", "use_bias")
_DEPTHWISE = ("kernel_size", "strides", "padding", "depth_multiplier", "data_format", "dilation_rate", "activation", "use_bias")
_SEPARABLE = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "depth_multiplier", "activation", "use_bias")
_POOL = ("pool_size", "strides", "padding", "data_format")

LAYERS: dict[str, Spec] = {
    "Conv2D": Spec(_CONV, _conv),
    "Convolution2D": Spec(_CONV, _conv),
    "DepthwiseConv2D": Spec(_DEPTHWISE, _depthwise),
    "SeparableConv2D": Spec(_SEPARABLE, _separable),
    "SeparableConvolution2D": Spec(_SEPARABLE, _separable),
    "MaxPooling2D": Spec(_POOL, _pool("max")),
    "MaxPool2D": Spec(_POOL, _pool("max")),
    "AveragePooling2D": Spec(_POOL, _pool("avg")),
    "AvgPool2D": Spec(_POOL, _pool("avg")),
    "GlobalAveragePooling2D": Spec(("data_format", "keepdims"), _global("avg")),
    "GlobalAvgPool2D": Spec(("data_format", "keepdims"), _global("avg")),
    "GlobalMaxPooling2D": Spec(("data_format", "keepdims"), _global("max")),
    "GlobalMaxPool2D": Spec(("data_format", "keepdims"), _global("max")),
    "Flatten": Spec(("data_format",), _flatten),
    "Dense": Spec(("units", "activation", "use_bias"), lambda a: L.Dense(
        a.integer("units"), a.flag("use_bias", True), a.activation(), where=a.where())),
    "Dropout": Spec(("rate",), _dropout),
    "BatchNormalization": Spec(("axis", "momentum", "epsilon", "center", "scale"), _batchnorm),
    "Activation": Spec(("activation",), _activation),
    "ReLU": Spec(("max_value", "negative_slope", "threshold"), _relu),
    "LeakyReLU": Spec(("negative_slope", "alpha"), _leaky),
    "ZeroPadding2D": Spec(("padding", "data_format"), _zeropad),
    "Reshape": Spec(("target_shape",), _reshape),
    "Add": Spec((), _merge(L.Add)),
    "Concatenate": Spec(("axis",), _merge(L.Concat)),
    "Multiply": Spec((), _merge(L.Multiply)),
}  # fmt: skip

MERGE_FUNCTIONS = {"add": "Add", "concatenate": "Concatenate", "multiply": "Multiply"}


def read_layer(call: ast.Call, cls: str, env: Env, source: str) -> L.Layer:
    """The cnnquiz layer a Keras layer call (``layers.Conv2D(32, 3, activation="relu")``) makes."""
    spec = LAYERS.get(cls)
    if spec is None:
        raise SpecError(f"{cls} is not a Keras layer cnnquiz reads", at(call, source))
    return spec.build(Args(call, cls, spec.params, env, source))


def check_skipped(call: ast.Call, source: str) -> None:
    """An augmentation or rescaling layer's arguments are not read; they may hold no call."""
    for node in (*call.args, *(kw.value for kw in call.keywords)):
        check_calls(node, source)


def input_shape_of(node: ast.AST, env: Env, source: str) -> Shape | None:
    """The shape a layer states; None where a size is left open (``(None, None, 3)``)."""
    value = literal(node, env, source)
    value = (value,) if isinstance(value, int) else value
    if isinstance(value, tuple) and None in value:
        return None
    if (not isinstance(value, tuple) or len(value) not in (1, 3)
            or not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in value)):
        raise SpecError(f"the input shape must be (H, W, C) or (N,) in numbers, got `{snippet(node)}`",
                        at(node, source))  # fmt: skip
    return Shape(tuple(value))


def keyword(call: ast.Call, *names: str) -> ast.AST | None:
    return next((kw.value for kw in call.keywords if kw.arg in names), None)


def input_of(call: ast.Call, cls: str, env: Env, source: str) -> Shape | None:
    """The input a call states: ``Input(shape=)``, ``InputLayer(input_shape=)``, a layer's
    ``input_shape=`` or a Dense's ``input_dim=``."""
    if cls in ("Input", "InputLayer"):
        node = call.args[0] if call.args else keyword(call, "shape", "input_shape", "batch_shape", "batch_input_shape")
        if node is None:
            raise SpecError(f"{cls} needs shape=", at(call, source))
        if any(kw.arg in ("batch_shape", "batch_input_shape") and kw.value is node for kw in call.keywords):
            if not isinstance(node, ast.Tuple | ast.List) or not node.elts:
                raise SpecError(f"cannot read `{snippet(node)}` as a batch shape", at(node, source))
            return input_shape_of(ast.Tuple(node.elts[1:], ast.Load(), lineno=node.lineno, col_offset=node.col_offset), env, source)
        return input_shape_of(node, env, source)
    node = keyword(call, "input_shape", "input_dim")
    return None if node is None else input_shape_of(node, env, source)
