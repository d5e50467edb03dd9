"""Verification: torch's shapes and parameter counts against the arithmetic's.

Each layer is built in torch (``build.to_module``) and an empty batch runs through it: torch
finds every size itself, so agreement is evidence, not a copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from cnnquiz.net.figures import LayerFigures, NetworkFigures
from cnnquiz.net.network import Network, Shape
from cnnquiz.torchcheck.build import hwc, nchw, to_module
from cnnquiz.torchcheck.graph import node_outputs


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


VERIFY_CPU_CAP = 2 * 10**9
"""Parameter bytes up to which verification builds CPU layers (uninitialised: the memory is
reserved, never written, so VGG16's 553 MB cost nothing); beyond, it builds them on ``meta``
(nothing allocated at all, but torch's meta kernels import its compiler stack on first use:
about a second, which is why every network that can avoids it)."""


def _is_counted_buffer(name: str, buf: torch.Tensor) -> bool:
    """Batch norm's moving mean and variance; not its integer batch counter."""
    return buf.is_floating_point() and not name.endswith("num_batches_tracked")


@dataclass(frozen=True)
class _Measured:
    """What torch found for one layer."""

    shape: Shape
    trainable: int
    buffers: int


def _measure(block: nn.Module, y: torch.Tensor) -> _Measured:
    """The output shape ``y`` of ``block``, and the values it holds."""
    trainable = sum(p.numel() for p in block.parameters() if p.requires_grad)
    buffers = sum(b.numel() for n, b in block.named_buffers() if _is_counted_buffer(n, b))
    return _Measured(hwc(y.shape), trainable, buffers)


def _compare(fig: LayerFigures, got: _Measured) -> list[Mismatch]:
    return [
        Mismatch(fig.index, fig.name, what, ours, theirs)
        for what, ours, theirs in (
            ("output shape", str(fig.output_shape), str(got.shape)),
            ("trainable parameters", f"{fig.trainable:,}", f"{got.trainable:,}"),
            ("non-trainable values", f"{fig.non_trainable:,}", f"{got.buffers:,}"),
        )
        if ours != theirs
    ]


def verify(network: Network, figures: NetworkFigures, device: str | None = None) -> Verification:
    """Build ``network`` in torch, run an empty batch through each layer, compare with ``figures``.

    ``device``: ``"meta"`` or ``"cpu"``; by default the CPU for networks whose parameters fit
    ``VERIFY_CPU_CAP``, else meta. Either way the batch is empty: no activation is allocated,
    so ``--in 100000x100000x3`` answers at once.
    """
    if device is None:
        device = "cpu" if 4 * figures.params <= VERIFY_CPU_CAP else "meta"
    model = to_module(network, device=device, init=False).eval()
    measured: list[_Measured] = []
    mismatches: list[Mismatch] = []
    with torch.device(device), torch.no_grad():
        x = torch.empty(nchw(network.input, 0))
        for block, y, fig in zip(model, node_outputs(model, x), figures.layers, strict=True):
            measured.append(_measure(block, y))
            mismatches += _compare(fig, measured[-1])
    total = sum(p.numel() for p in model.parameters())
    if total != figures.trainable:
        mismatches.append(
            Mismatch(0, "network", "trainable parameters", f"{figures.trainable:,}", f"{total:,}")
        )
    return Verification(
        torch.__version__.split("+")[0],
        device,
        tuple(m.shape for m in measured),
        tuple(m.trainable for m in measured),
        tuple(m.buffers for m in measured),
        tuple(mismatches),
    )
