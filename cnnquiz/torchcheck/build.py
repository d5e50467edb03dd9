"""The torch bridge: a spec becomes an ``nn.Module``, and torch checks the arithmetic.

Imported only when torch is needed (verification, the autograd measurement, training): it
imports torch at the top. Nothing here reuses the arithmetic's shapes or padding: channels and
sizes are found by running an empty batch through the layers as they are built (on the CPU or
the meta device), so a wrong formula in ``arithmetic.py`` shows up as a mismatch instead of
being copied.

Tensors are NCHW inside the bridge; the spec and the figures are H×W×C.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from cnnquiz.errors import SpecError
from cnnquiz.net.arithmetic import NetworkFigures, analyze
from cnnquiz.net.layers import (
    Activation,
    BatchNorm,
    Conv,
    Dense,
    Dropout,
    Flatten,
    GlobalPool,
    Layer,
    Network,
    Pool,
    Shape,
)

REAL_MEASURE_CAP = 256 * 10**6
"""Bytes a real measuring forward may allocate; beyond it autograd is measured on ``meta``."""
REAL_MEASURE_MACS = 2 * 10**9
"""Multiply-accumulates a real measuring forward may cost (about a second on a laptop core)."""

_DTYPES = {
    "float32": torch.float32,
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
    "float64": torch.float64,
}


# --------------------------------------------------------------------------------------------
# Building modules


def keras_same_pads(size: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """Pixels before and after one axis for Keras ``same``: out = ceil(in / stride), odd pixel after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + dilation * (kernel - 1) + 1 - size, 0)
    return total // 2, total - total // 2


class AvgPoolExcludingPad(nn.Module):
    """Average pooling over explicit (possibly asymmetric) padding that does not count the padding.

    Keras's ``same`` average pooling divides by the number of real pixels under the window;
    ``nn.AvgPool2d(count_include_pad=False)`` only pads symmetrically, so the padding is applied
    here to the input and to a mask of ones, and the two averages are divided.
    """

    def __init__(
        self, size: tuple[int, int], stride: tuple[int, int], pads: tuple[int, int, int, int]
    ):
        super().__init__()
        self.size, self.stride, self.pads = size, stride, pads  # pads: left, right, top, bottom

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = F.avg_pool2d(F.pad(x, self.pads), self.size, self.stride)
        ones = torch.ones_like(x[:1, :1])
        share = F.avg_pool2d(F.pad(ones, self.pads), self.size, self.stride)
        return mean / share

    def extra_repr(self) -> str:
        return f"size={self.size}, stride={self.stride}, pads={self.pads}"


def activation_module(name: str, alpha: float | None = None) -> nn.Module:
    """The torch module of an activation; softmax runs over the features (dim 1 in NCHW and NC)."""
    if name == "relu":
        return nn.ReLU()
    if name == "leaky_relu":
        return nn.LeakyReLU(0.01 if alpha is None else alpha)
    if name == "elu":
        return nn.ELU(1.0 if alpha is None else alpha)
    if name == "gelu":
        return nn.GELU()
    if name == "sigmoid":
        return nn.Sigmoid()
    if name == "tanh":
        return nn.Tanh()
    if name == "softmax":
        return nn.Softmax(dim=1)
    raise ValueError(f"unknown activation {name!r}")


def _pads(layer: Conv | Pool, x: torch.Tensor) -> tuple[int, int, int, int]:
    """Padding as F.pad wants it (left, right, top, bottom), from the actual input size."""
    h, w = x.shape[2], x.shape[3]
    if isinstance(layer, Conv):
        kernel, stride, dilation = layer.kernel, layer.stride, layer.dilation
    else:
        kernel, stride, dilation = layer.size, layer.strides, (1, 1)
    if layer.padding == "valid":
        return (0, 0, 0, 0)
    if layer.padding == "same":
        top, bottom = keras_same_pads(h, kernel[0], stride[0], dilation[0])
        left, right = keras_same_pads(w, kernel[1], stride[1], dilation[1])
        return (left, right, top, bottom)
    rows, cols = layer.padding
    return (cols, cols, rows, rows)


def _block(layer: Layer, x: torch.Tensor) -> nn.Sequential:
    """The modules of one spec layer, reading tensors shaped like ``x``."""
    parts: list[nn.Module] = []
    if isinstance(layer, Conv):
        left, right, top, bottom = _pads(layer, x)
        symmetric = left == right and top == bottom
        if not symmetric:
            parts.append(nn.ZeroPad2d((left, right, top, bottom)))
        parts.append(
            nn.Conv2d(
                x.shape[1],
                layer.filters,
                layer.kernel,
                stride=layer.stride,
                padding=(top, left) if symmetric else 0,
                dilation=layer.dilation,
                bias=layer.bias,
            )
        )
        if layer.activation:
            parts.append(activation_module(layer.activation))
    elif isinstance(layer, Pool):
        pads = _pads(layer, x)
        if layer.op == "max":
            if any(pads):
                parts.append(nn.ConstantPad2d(pads, float("-inf")))
            parts.append(nn.MaxPool2d(layer.size, layer.strides))
        elif any(pads):
            parts.append(AvgPoolExcludingPad(layer.size, layer.strides, pads))
        else:
            parts.append(nn.AvgPool2d(layer.size, layer.strides))
    elif isinstance(layer, Dense):
        parts.append(nn.Linear(x.shape[1], layer.units, bias=layer.bias))
        if layer.activation:
            parts.append(activation_module(layer.activation))
    elif isinstance(layer, Flatten):
        parts.append(nn.Flatten())  # torch orders C, H, W; Keras H, W, C: same count
    elif isinstance(layer, GlobalPool):
        pool = nn.AdaptiveAvgPool2d(1) if layer.op == "avg" else nn.AdaptiveMaxPool2d(1)
        parts += [pool, nn.Flatten()]
    elif isinstance(layer, BatchNorm):
        parts.append(nn.BatchNorm2d(x.shape[1]) if x.dim() == 4 else nn.BatchNorm1d(x.shape[1]))
    elif isinstance(layer, Dropout):
        parts.append(nn.Dropout(layer.rate))
    elif isinstance(layer, Activation):
        parts.append(activation_module(layer.name, layer.alpha))
    else:  # pragma: no cover - the spec admits no other layer
        raise AssertionError(layer)
    return nn.Sequential(*parts)


def nchw(shape: Shape, batch: int = 1) -> tuple[int, ...]:
    """H×W×C (or N) → the torch shape with a batch axis: (B, C, H, W) or (B, N)."""
    if shape.is_image:
        h, w, c = shape.dims
        return (batch, c, h, w)
    return (batch, *shape.dims)


def hwc(size: torch.Size | tuple[int, ...]) -> Shape:
    """A torch shape (batch first) → the spec's H×W×C (or N)."""
    dims = tuple(size[1:])
    if len(dims) == 3:
        c, h, w = dims
        return Shape((h, w, c))
    return Shape(dims)


def to_module(
    network: Network, device: str | torch.device = "cpu", dtype: torch.dtype = torch.float32
) -> nn.Sequential:
    """The network as ``nn.Sequential`` taking (B, C, H, W) float input.

    Child ``i`` is spec layer ``i + 1`` (itself a small ``nn.Sequential``: padding, the layer,
    its activation), so ``model[i]`` is where hooks go (Grad-CAM: ``model[last_conv_index(net)]``).
    Each layer's input size is found by running an empty batch (0 images: nothing allocated for
    activations) through the layers built so far. On ``meta`` nothing is allocated at all;
    elsewhere the layers are built and initialised on the CPU as torch initialises them
    (``torch.manual_seed`` makes that reproducible), then moved to ``device``.
    A spec that cannot work raises ``SpecError`` naming the layer.
    """
    analyze(network)  # one-line errors naming the layer, before torch sees anything
    target = torch.device(device)
    build = target if target.type == "meta" else torch.device("cpu")
    with torch.device(build):
        x = torch.empty(nchw(network.input, 0), dtype=dtype)
        blocks = []
        with torch.no_grad():
            for layer in network.layers:
                block = _block(layer, x).to(dtype).eval()  # eval: batch norm takes any batch
                x = block(x)
                blocks.append(block)
        model = nn.Sequential(*blocks).train()
    return model if target == build else model.to(target)


def last_conv_index(network: Network) -> int | None:
    """Index in ``to_module(network)`` of the last convolution (Grad-CAM's layer), or None."""
    found = None
    for i, layer in enumerate(network.layers):
        if isinstance(layer, Conv):
            found = i
    return found


def _is_counted_buffer(name: str, buf: torch.Tensor) -> bool:
    """Batch norm's moving mean and variance; not its integer batch counter."""
    return buf.is_floating_point() and not name.endswith("num_batches_tracked")


# --------------------------------------------------------------------------------------------
# Verification: torch's shapes and parameter counts against the arithmetic


@dataclass(frozen=True)
class Mismatch:
    index: int  # 1-based spec layer, 0 for the whole network
    name: str
    what: str  # "output shape", "trainable parameters", "non-trainable values"
    analytic: str
    torch: str

    def __str__(self) -> str:
        where = f"layer {self.index} ({self.name})" if self.index else "network"
        return f"{where} {self.what}: arithmetic {self.analytic}, torch {self.torch}"


@dataclass(frozen=True)
class Verification:
    torch_version: str
    device: str
    shapes: tuple[Shape, ...]  # torch's output shape of each layer, as H×W×C
    trainable: tuple[int, ...]  # sum(p.numel()) of each layer's parameters
    buffers: tuple[int, ...]  # each layer's floating buffers (batch norm's moving statistics)
    mismatches: tuple[Mismatch, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.mismatches

    @property
    def total_trainable(self) -> int:
        return sum(self.trainable)

    @property
    def total_buffers(self) -> int:
        return sum(self.buffers)


VERIFY_CPU_CAP = 32 * 10**6
"""Parameter bytes up to which verification builds real CPU layers (fast, no extra imports);
beyond, it builds them on ``meta`` (nothing allocated; torch's meta convolution costs a
third of a second of imports, which is why small networks avoid it)."""


def verify(network: Network, figures: NetworkFigures, device: str | None = None) -> Verification:
    """Build ``network`` in torch, run an empty batch through each layer, compare with ``figures``.

    ``device``: ``"meta"`` or ``"cpu"``; by default the CPU for networks whose parameters fit
    ``VERIFY_CPU_CAP``, else meta. Either way the batch is empty: no activation is allocated,
    so ``--in 100000x100000x3`` answers at once.
    """
    if device is None:
        device = "cpu" if 4 * figures.params <= VERIFY_CPU_CAP else "meta"
    model = to_module(network, device=device).eval()
    shapes, trainable, buffers, mismatches = [], [], [], []
    with torch.device(device), torch.no_grad():
        x = torch.empty(nchw(network.input, 0))
        for block, fig in zip(model, figures.layers, strict=True):
            x = block(x)
            shape = hwc(x.shape)
            n_train = sum(p.numel() for p in block.parameters() if p.requires_grad)
            n_buf = sum(b.numel() for n, b in block.named_buffers() if _is_counted_buffer(n, b))
            shapes.append(shape)
            trainable.append(n_train)
            buffers.append(n_buf)
            for what, ours, theirs in (
                ("output shape", str(fig.output_shape), str(shape)),
                ("trainable parameters", f"{fig.trainable:,}", f"{n_train:,}"),
                ("non-trainable values", f"{fig.non_trainable:,}", f"{n_buf:,}"),
            ):
                if ours != theirs:
                    mismatches.append(Mismatch(fig.index, fig.name, what, ours, theirs))
    total = sum(p.numel() for p in model.parameters())
    if total != figures.trainable:
        mismatches.append(
            Mismatch(0, "network", "trainable parameters", f"{figures.trainable:,}", f"{total:,}")
        )
    return Verification(
        torch.__version__.split("+")[0],
        device,
        tuple(shapes),
        tuple(trainable),
        tuple(buffers),
        tuple(mismatches),
    )


# --------------------------------------------------------------------------------------------
# What autograd really keeps for backward


@dataclass(frozen=True)
class SavedTensors:
    """Bytes autograd saves for backward during one training forward, deduplicated by storage."""

    batch: int  # the batch that ran, whole
    device: str  # "cpu" (a real forward) or "meta" (shapes only, nothing allocated)
    dtype: str
    total_bytes: int  # activations kept for the batch (parameters excluded)
    input_bytes: int  # of which the network's input itself
    per_layer: tuple[int, ...]  # bytes first saved while each spec layer ran
    index_bytes: int  # of which integer tensors (max pool's indices)
    param_bytes: int  # parameters autograd also references (they exist anyway)
    tensors: int  # distinct storages saved


def _storage_key(t: torch.Tensor) -> int:
    """One key per storage: views of one tensor share it, on real and on meta tensors alike."""
    storage = t.untyped_storage()
    return storage.data_ptr() if t.device.type != "meta" else storage._cdata


def _per_image_estimate(figures: NetworkFigures) -> int:
    """Generous upper bound of a real forward's bytes per image: outputs, padded copies, input."""
    return 3 * (figures.input_bytes + sum(figures.output_bytes(f) for f in figures.layers))


def measure_saved(
    network: Network,
    batch: int,
    dtype: str = "float32",
    figures: NetworkFigures | None = None,
    cap_bytes: int = REAL_MEASURE_CAP,
) -> SavedTensors:
    """Run one training-mode forward under ``saved_tensors_hooks`` and count what is kept.

    A real forward on the CPU when the batch stays under ``cap_bytes`` and is quick to run
    (``REAL_MEASURE_MACS``); otherwise, and for the half precision dtypes the CPU may not run,
    on the meta device, where sizes are exact and nothing is allocated. Either way the whole
    batch runs: nothing is extrapolated.
    """
    figures = figures or analyze(network, dtype)
    torch_dtype = _DTYPES[dtype]
    real = dtype in ("float32", "float64") and affordable(figures, batch, cap_bytes)
    device = "cpu" if real else "meta"
    torch.manual_seed(0)
    model = to_module(network, device=device, dtype=torch_dtype).train()
    param_keys = {_storage_key(p) for p in model.parameters()}
    seen: dict[int, tuple[int, int, bool]] = {}  # storage -> (bytes, layer index, integer?)
    current = [0]

    def pack(t: torch.Tensor) -> torch.Tensor:
        key = _storage_key(t)
        if key not in seen:
            integer = not (t.is_floating_point() or t.is_complex())
            seen[key] = (t.untyped_storage().nbytes(), current[0], integer)
        return t

    hooks = [
        block.register_forward_pre_hook(_set_current(current, i)) for i, block in enumerate(model)
    ]
    with torch.device(device):
        x = (
            torch.randn(nchw(network.input, batch), dtype=torch_dtype)
            if real
            else torch.empty(nchw(network.input, batch), dtype=torch_dtype)
        )
    try:
        with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            y = model(x)
    except ValueError as exc:  # batch norm over single values: torch refuses to train on it
        message = f"torch cannot train this network on a batch of {batch}: {exc}"
        raise SpecError(message, "--batch") from None
    finally:
        for hook in hooks:
            hook.remove()
    del y  # the graph (and what it saved) lived until here; the keys stayed unique
    input_key = _storage_key(x)
    per_layer = [0] * len(model)
    total = index = params = tensors = 0
    for key, (nbytes, layer, integer) in seen.items():
        if key in param_keys:
            params += nbytes
            continue
        tensors += 1
        total += nbytes
        index += nbytes if integer else 0
        per_layer[layer] += nbytes

    input_bytes = seen[input_key][0] if input_key in seen else 0
    return SavedTensors(
        batch, device, dtype, total, input_bytes, tuple(per_layer), index, params, tensors
    )


def _set_current(current: list[int], index: int) -> Callable[..., None]:
    def hook(module: nn.Module, args: object) -> None:
        current[0] = index

    return hook


def affordable(figures: NetworkFigures, batch: int, cap_bytes: int = REAL_MEASURE_CAP) -> bool:
    """Whether a real forward of ``batch`` images stays under ``cap_bytes`` and is quick."""
    return (
        batch * _per_image_estimate(figures) <= cap_bytes
        and batch * figures.macs <= REAL_MEASURE_MACS
    )
