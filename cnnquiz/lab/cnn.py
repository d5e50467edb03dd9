"""The lab's configurable CNN: a few hyperparameters in, an ordinary cnnquiz network spec out.

The network is built as the course builds one by hand: blocks of convolution (+ batch norm)
+ ReLU, halved by 2x2 max pooling between blocks, then a head that turns the feature maps into
one vector (``gap``: global average pooling, one value per channel; ``max``: one more max
pooling and a flatten, so the dense layer's weights grow with the image size), optional hidden
dense layers, and a softmax layer with one unit per class. Dropout, when asked, comes before
each dense layer. No gin and no torch here: ``gin_config`` binds the values, ``check_cnn``
refuses wrong ones, ``cnn_spec`` writes the spec that ``calc model`` and ``train`` read.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from cnnquiz.errors import SpecError
from cnnquiz.net.network import Network
from cnnquiz.net.spec import parse_network

POOLINGS = ("max", "gap")

# The defaults give the demo's network (cnnquiz/train/networks.py's DEMO_SPEC) layer for layer.
CNN_DEFAULTS: dict[str, Any] = {
    "filters": (16, 32, 64),
    "kernel": 3,
    "pooling": "gap",
    "dense_units": (),
    "dropout": 0.0,
    "batchnorm": True,
    "name": "lab-cnn",
}


class Expected(str):
    """What a check returns for a wrong value: what it expected (never a valid value itself)."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _ints(value: Any, *, at_most: int) -> tuple[int, ...] | None:
    """A whole number or a tuple/list of them, each from 1 to ``at_most``; None if not."""
    items = value if isinstance(value, tuple | list) else (value,)
    if all(_is_int(v) and 1 <= v <= at_most for v in items):
        return tuple(items)
    return None


def _filters(value: Any) -> tuple[int, ...] | Expected:
    found = _ints(value, at_most=4096)
    if not found:
        return Expected(
            "a tuple of filter counts (1 to 4096), one per conv block, such as (16, 32, 64)"
        )
    return found


def _dense_units(value: Any) -> tuple[int, ...] | Expected:
    if value in ((), [], None, 0):
        return ()
    found = _ints(value, at_most=65536)
    return found if found is not None else Expected("a tuple of hidden units, such as (64,), or ()")


def _kernel(value: Any) -> int | Expected:
    return value if _is_int(value) and 1 <= value <= 15 else Expected("a whole number from 1 to 15")


def _pooling(value: Any) -> str:
    return value if value in POOLINGS else Expected("'max' or 'gap'")


def _dropout(value: Any) -> float | Expected:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if ok and math.isfinite(value) and 0 <= value < 1:
        return float(value)
    return Expected("a number from 0 to below 1")


def _batchnorm(value: Any) -> bool | Expected:
    return value if isinstance(value, bool) else Expected("True or False")


def _name(value: Any) -> str:
    ok = isinstance(value, str) and bool(value.strip())
    return value if ok else Expected("a name in quotes")


# Each hyperparameter and what checks it: the value converted, or what was expected.
_CHECKS: dict[str, Callable[[Any], Any]] = {
    "filters": _filters,
    "kernel": _kernel,
    "pooling": _pooling,
    "dense_units": _dense_units,
    "dropout": _dropout,
    "batchnorm": _batchnorm,
    "name": _name,
}


def check_cnn(values: Mapping[str, Any], where: Callable[[str], str]) -> dict[str, Any]:
    """The ``cnn`` values checked and normalised (tuples of ints, float dropout).

    ``where(name)`` says where ``cnn.<name>`` was set (``lab.gin:12``, ``--bind '...'``) for
    the one-line ``SpecError`` a wrong value raises.
    """
    checked = {}
    for name, value in values.items():
        result = _CHECKS[name](value)
        if isinstance(result, Expected):
            raise SpecError(f"cnn.{name} must be {result}, got {value!r}", where(f"cnn.{name}"))
        checked[name] = result
    return checked


def _block(filters: int, kernel: int, batchnorm: bool) -> list[dict[str, Any]]:
    layers: list[dict[str, Any]] = [
        {"conv": {"filters": filters, "kernel": kernel, "padding": "same"}}
    ]
    if batchnorm:
        layers.append({"batchnorm": {}})
    layers.append({"relu": {}})
    return layers


def cnn_spec(
    values: Mapping[str, Any], input_shape: tuple[int, int, int], classes: int
) -> dict[str, Any]:
    """The spec (as YAML would hold it) for checked ``values`` on ``input_shape`` (H, W, C)
    images with ``classes`` outputs."""
    layers: list[dict[str, Any]] = []
    filters = values["filters"]
    for i, count in enumerate(filters):
        layers += _block(count, values["kernel"], values["batchnorm"])
        if i < len(filters) - 1 or values["pooling"] == "max":
            layers.append({"maxpool": {"size": 2}})
    layers.append({"gap": {}} if values["pooling"] == "gap" else {"flatten": {}})
    for units in values["dense_units"]:
        if values["dropout"]:
            layers.append({"dropout": {"rate": values["dropout"]}})
        layers.append({"dense": {"units": units, "activation": "relu"}})
    if values["dropout"]:
        layers.append({"dropout": {"rate": values["dropout"]}})
    layers.append({"dense": {"units": classes, "activation": "softmax"}})
    h, w, c = input_shape
    return {"name": values["name"], "input": f"{h}x{w}x{c}", "layers": layers}


def cnn_network(
    values: Mapping[str, Any],
    input_shape: tuple[int, int, int],
    classes: int,
    train: Mapping[str, Any],
    source: str,
) -> Network:
    """``cnn_spec`` read as any spec is, with its ``train:`` settings; ``source`` names where
    it came from (the gin file) in the errors the spec's arithmetic raises later, such as an
    image too small for the blocks' pooling."""
    spec = cnn_spec(values, input_shape, classes) | {"train": dict(train)}
    return parse_network(spec, source)
