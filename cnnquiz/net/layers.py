"""Layers as plain data, and the one registry of layer kinds.

A layer kind is declared once, in ``KINDS``: its dataclass (whose fields are its options, their
defaults, and, without a default, what it requires), the names people write for it (Keras's
included), the option a bare number sets inline, its title, and whether its output is a view.
Parsing, writing back to YAML, the tables' titles and the RAM rules all read that one entry.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from typing import Any

from cnnquiz.errors import SpecError

Size2 = tuple[int, int]
Padding = str | Size2  # "valid", "same", or pixels added on each side (rows, columns)

ACTIVATIONS = (
    "relu", "leaky_relu", "elu", "gelu", "sigmoid", "tanh", "softmax", "relu6", "swish",
    "hard_swish", "hard_sigmoid", "softplus", "linear",
)  # fmt: skip


# --------------------------------------------------------------------------------------------
# Layers. Each is a frozen dataclass whose fields are its options; ``where`` says where it was
# written, for error messages. Its kind and title come from the registry below.


@dataclass(frozen=True)
class BaseLayer:
    """What every layer has: where it was written, and its kind and title from the registry."""

    where: str | None = field(default=None, compare=False, repr=False, kw_only=True)

    @property
    def kind(self) -> str:
        """The registry's key for this layer's kind: ``conv``, ``pool``..."""
        return kind_of(self).kind

    @property
    def title(self) -> str:
        """As the tables print it: ``Conv2D``, ``MaxPool2D``, ``ReLU``."""
        return kind_of(self).variant_of(self).title


@dataclass(frozen=True)
class Conv(BaseLayer):
    filters: int
    kernel: Size2 = (3, 3)
    stride: Size2 = (1, 1)
    padding: Padding = "valid"
    dilation: Size2 = (1, 1)
    bias: bool = True
    activation: str | None = None
    groups: int = 1  # channels split into groups, each convolved apart (ResNeXt, depthwise)


@dataclass(frozen=True)
class Depthwise(BaseLayer):
    """Keras DepthwiseConv2D: each input channel convolved alone, ``multiplier`` maps each."""

    kernel: Size2 = (3, 3)
    stride: Size2 = (1, 1)
    padding: Padding = "valid"
    dilation: Size2 = (1, 1)
    multiplier: int = 1
    bias: bool = True
    activation: str | None = None


@dataclass(frozen=True)
class Separable(BaseLayer):
    """Keras SeparableConv2D: a depthwise convolution, then a 1x1 (pointwise) to ``filters``;
    the bias is the pointwise one's."""

    filters: int
    kernel: Size2 = (3, 3)
    stride: Size2 = (1, 1)
    padding: Padding = "valid"
    dilation: Size2 = (1, 1)
    multiplier: int = 1
    bias: bool = True
    activation: str | None = None


@dataclass(frozen=True)
class ZeroPad(BaseLayer):
    """Keras ZeroPadding2D: zeros added around the image, pixels top, bottom, left, right."""

    padding: tuple[int, int, int, int] = (1, 1, 1, 1)


def _check_op(op: str, what: str, where: str | None) -> None:
    if op not in ("max", "avg"):
        raise SpecError(f"{what} op must be max or avg, got {op!r}", where)


@dataclass(frozen=True)
class Pool(BaseLayer):
    size: Size2 = (2, 2)
    stride: Size2 | None = None  # None: the pool size, as Keras does
    padding: Padding = "valid"
    op: str = "max"  # "max" or "avg"

    def __post_init__(self) -> None:
        _check_op(self.op, "pool", self.where)

    @property
    def strides(self) -> Size2:
        return self.stride or self.size


@dataclass(frozen=True)
class Dense(BaseLayer):
    units: int
    bias: bool = True
    activation: str | None = None


@dataclass(frozen=True)
class Flatten(BaseLayer):
    pass


@dataclass(frozen=True)
class GlobalPool(BaseLayer):
    op: str = "avg"

    def __post_init__(self) -> None:
        _check_op(self.op, "global pool", self.where)


@dataclass(frozen=True)
class AdaptivePool(BaseLayer):
    """PyTorch's AdaptiveAvgPool2d / AdaptiveMaxPool2d: pooled to ``size`` whatever the input."""

    size: Size2
    op: str = "avg"

    def __post_init__(self) -> None:
        _check_op(self.op, "adaptive pool", self.where)


@dataclass(frozen=True)
class BatchNorm(BaseLayer):
    pass


@dataclass(frozen=True)
class Dropout(BaseLayer):
    rate: float = 0.5


@dataclass(frozen=True)
class Activation(BaseLayer):
    name: str = "relu"
    alpha: float | None = None  # negative slope of leaky relu, alpha of elu


@dataclass(frozen=True)
class PReLU(BaseLayer):
    """A leaky relu whose negative slopes are learnt: one per channel (``channel``: PyTorch's
    ``PReLU(C)``, Keras's ``shared_axes=[1, 2]``), one in all (``one``: PyTorch's default) or
    one per value (``all``: Keras's default)."""

    slopes: str = "channel"


@dataclass(frozen=True)
class Add(BaseLayer):
    """Element-wise sum of inputs of one shape (a residual shortcut)."""


@dataclass(frozen=True)
class Concat(BaseLayer):
    """Inputs of one height and width joined along the channels (an Inception module)."""


@dataclass(frozen=True)
class Multiply(BaseLayer):
    """Element-wise product; a C vector (or 1x1xC) scales every position of H×W×C (an SE block)."""


Layer = (
    Conv | Depthwise | Separable | ZeroPad | Pool | AdaptivePool | Dense | Flatten | GlobalPool
    | BatchNorm | Dropout | Activation | PReLU | Add | Concat | Multiply
)  # fmt: skip


# --------------------------------------------------------------------------------------------
# The registry: every layer kind, declared once.


@dataclass(frozen=True)
class Variant:
    """One name of a kind with the options it implies: ``maxpool`` is a pool whose op is max."""

    name: str  # as YAML is written back and the list of known layers says it
    title: str  # as the tables print it
    aliases: tuple[str, ...] = ()  # other names read as this one (Keras's class names...)
    preset: tuple[tuple[str, Any], ...] = ()  # (option, value) the name sets

    def matches(self, layer: BaseLayer) -> bool:
        return all(getattr(layer, opt) == value for opt, value in self.preset)


@dataclass(frozen=True)
class LayerKind:
    """A layer kind: its options are its dataclass's fields, with their defaults."""

    kind: str
    cls: type[Layer]
    variants: tuple[Variant, ...]
    primary: str | None = None  # the option a bare number sets: conv 32, maxpool 2, {dense: 10}
    view: bool = False  # the output is a view of the input: it takes no new memory
    merge: bool = False  # reads several inputs (add, concat, multiply): ``from`` lists them

    @property
    def options(self) -> tuple[str, ...]:
        return tuple(f.name for f in fields(self.cls) if f.name != "where")

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in fields(self.cls) if f.default is MISSING)

    def defaults(self) -> dict[str, Any]:
        return {f.name: f.default for f in fields(self.cls) if f.default is not MISSING}

    def variant_of(self, layer: BaseLayer) -> Variant:
        """The name that writes ``layer`` back: the first variant whose preset it matches."""
        for variant in self.variants:
            if variant.matches(layer):
                return variant
        raise ValueError(f"no name for {layer!r}")


def _activation_variants() -> tuple[Variant, ...]:
    titles = {
        "relu": "ReLU", "leaky_relu": "LeakyReLU", "elu": "ELU", "gelu": "GELU",
        "sigmoid": "Sigmoid", "tanh": "Tanh", "softmax": "Softmax", "relu6": "ReLU6",
        "swish": "Swish", "hard_swish": "HardSwish", "hard_sigmoid": "HardSigmoid",
        "softplus": "Softplus",
    }  # fmt: skip
    # ``activation`` alone is a relu: the dataclass's default name
    aliases = {
        "relu": ("activation",), "swish": ("silu",), "hard_swish": ("hardswish", "hard_silu"),
        "hard_sigmoid": ("hardsigmoid",),
    }  # fmt: skip
    return tuple(
        Variant(name, titles[name], aliases.get(name, ()), (("name", name),))
        for name in ACTIVATIONS
        if name != "linear"
    )


KINDS: tuple[LayerKind, ...] = (
    LayerKind("conv", Conv, (Variant("conv", "Conv2D", ("conv2d", "convolution")),), "filters"),
    LayerKind(
        "depthwise",
        Depthwise,
        (Variant("depthwise", "DepthwiseConv2D", ("depthwiseconv2d", "dwconv", "depthwiseconv")),),
        "kernel",
    ),
    LayerKind(
        "separable",
        Separable,
        (Variant("separable", "SeparableConv2D", ("separableconv2d", "sepconv", "separableconv")),),
        "filters",
    ),
    LayerKind("zeropad", ZeroPad, (Variant("zeropad", "ZeroPadding2D", ("zeropadding2d", "zeropad2d")),), "padding"),
    LayerKind(
        "pool",
        Pool,
        (
            Variant("maxpool", "MaxPool2D", ("maxpool2d", "maxpooling2d", "pool"), (("op", "max"),)),
            Variant(
                "avgpool",
                "AvgPool2D",
                ("avgpool2d", "averagepooling2d", "averagepool", "avgpooling2d"),
                (("op", "avg"),),
            ),
        ),
        "size",
    ),
    LayerKind("dense", Dense, (Variant("dense", "Dense", ("linear", "fc", "fullyconnected")),), "units"),
    LayerKind("flatten", Flatten, (Variant("flatten", "Flatten"),), view=True),
    LayerKind(
        "gap",
        GlobalPool,
        (
            Variant(
                "gap",
                "GlobalAvgPool2D",
                ("globalaveragepooling2d", "globalavgpool", "globalavgpool2d", "globalaveragepool"),
                (("op", "avg"),),
            ),
            Variant(
                "gmp",
                "GlobalMaxPool2D",
                ("globalmaxpooling2d", "globalmaxpool", "globalmaxpool2d"),
                (("op", "max"),),
            ),
        ),
    ),
    LayerKind(
        "adaptivepool",
        AdaptivePool,
        (
            Variant(
                "adaptivepool",
                "AdaptiveAvgPool2D",
                ("adaptiveavgpool2d", "adaptiveavgpool", "adaptivepool2d"),
                (("op", "avg"),),
            ),
            Variant("adaptivemaxpool", "AdaptiveMaxPool2D", ("adaptivemaxpool2d",), (("op", "max"),)),
        ),
        "size",
    ),
    LayerKind(
        "batchnorm",
        BatchNorm,
        (Variant("batchnorm", "BatchNorm", ("batchnormalization", "bn", "batchnorm2d")),),
    ),
    LayerKind("dropout", Dropout, (Variant("dropout", "Dropout"),), "rate"),
    # an activation written as its own layer is applied in place, as ``activation:`` is
    LayerKind("activation", Activation, _activation_variants(), "alpha", view=True),
    # a prelu is an activation layer too (its slopes are parameters): a view, as the others
    LayerKind("prelu", PReLU, (Variant("prelu", "PReLU"),), "slopes", view=True),
    LayerKind("add", Add, (Variant("add", "Add"),), merge=True),
    LayerKind("concat", Concat, (Variant("concat", "Concatenate", ("concatenate", "cat")),), merge=True),
    LayerKind("multiply", Multiply, (Variant("multiply", "Multiply", ("mul",)),), merge=True),
)

_BY_CLASS: dict[type, LayerKind] = {k.cls: k for k in KINDS}
_BY_KIND: dict[str, LayerKind] = {k.kind: k for k in KINDS}


def name_key(name: str) -> str:
    """How a layer's name is looked up: ``MaxPooling2D``, ``max_pool`` and ``maxpool`` alike."""
    return name.strip().lower().replace("_", "").replace("-", "").replace(" ", "")


_BY_NAME: dict[str, tuple[LayerKind, Variant]] = {
    name_key(name): (kind, variant)
    for kind in KINDS
    for variant in kind.variants
    for name in (variant.name, *variant.aliases)
}

NAMES: tuple[str, ...] = tuple(_BY_NAME)
"""Every name a layer may be written with, as ``name_key`` reads it."""

KNOWN: tuple[str, ...] = tuple(v.name for k in KINDS for v in k.variants)
"""The names an error lists: one per variant (``conv, maxpool, avgpool, dense...``)."""


def kind_of(layer: BaseLayer) -> LayerKind:
    return _BY_CLASS[type(layer)]


def kind_named(kind: str) -> LayerKind:
    """The kind under its registry key (``"conv"``), as the command line's flags name it."""
    return _BY_KIND[kind]


def find_name(name: str) -> tuple[LayerKind, Variant] | None:
    """The kind and variant a written name means (``MaxPooling2D``), or None."""
    return _BY_NAME.get(name_key(name))
