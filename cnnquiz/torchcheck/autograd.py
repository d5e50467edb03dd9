"""What autograd really keeps for backward: the bytes of one training forward, measured.

The textbook's RAM rule (``cnnquiz.net.memory``) counts every layer's output; autograd keeps
what each operation needs for its gradient, which differs (a conv keeps its input, max pooling
its indices). ``measure_saved`` counts it under ``saved_tensors_hooks``, deduplicated by storage.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import torch
from torch import nn

from cnnquiz.errors import SpecError
from cnnquiz.net.arithmetic import analyze
from cnnquiz.net.figures import NetworkFigures
from cnnquiz.net.network import Network
from cnnquiz.torchcheck.build import DTYPES, nchw, to_module

REAL_MEASURE_CAP = 256 * 10**6
"""Bytes a real measuring forward may allocate; beyond it autograd is measured on ``meta``."""
REAL_MEASURE_MACS = 2 * 10**9
"""Multiply-accumulates a real measuring forward may cost (about a second on a laptop core)."""


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


class _Saved(NamedTuple):
    nbytes: int
    layer: int  # index of the spec layer that first saved it
    integer: bool  # an integer tensor (max pool's indices)


def _storage_key(t: torch.Tensor) -> int:
    """One key per storage: views of one tensor share it, on real and on meta tensors alike."""
    storage = t.untyped_storage()
    return storage.data_ptr() if t.device.type != "meta" else storage._cdata


def _per_image_estimate(figures: NetworkFigures) -> int:
    """Generous upper bound of a real forward's bytes per image: outputs, padded copies, input."""
    return 3 * (figures.input_bytes + figures.outputs_bytes)


def affordable(figures: NetworkFigures, batch: int, cap_bytes: int = REAL_MEASURE_CAP) -> bool:
    """Whether a real forward of ``batch`` images stays under ``cap_bytes`` and is quick."""
    return (
        batch * _per_image_estimate(figures) <= cap_bytes
        and batch * figures.macs <= REAL_MEASURE_MACS
    )


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
    torch_dtype = DTYPES[dtype]
    real = dtype in ("float32", "float64") and affordable(figures, batch, cap_bytes)
    device = "cpu" if real else "meta"
    torch.manual_seed(0)
    model = to_module(network, device=device, dtype=torch_dtype).train()
    with torch.device(device):
        make = torch.randn if real else torch.empty
        x = make(nchw(network.input, batch), dtype=torch_dtype)
    seen = _record_saved(model, x, batch)
    param_keys = {_storage_key(p) for p in model.parameters()}
    kept = [s for key, s in seen.items() if key not in param_keys]
    per_layer = [0] * len(model)
    for s in kept:
        per_layer[s.layer] += s.nbytes
    input_saved = seen.get(_storage_key(x))
    return SavedTensors(
        batch,
        device,
        dtype,
        total_bytes=sum(s.nbytes for s in kept),
        input_bytes=input_saved.nbytes if input_saved else 0,
        per_layer=tuple(per_layer),
        index_bytes=sum(s.nbytes for s in kept if s.integer),
        param_bytes=sum(s.nbytes for key, s in seen.items() if key in param_keys),
        tensors=len(kept),
    )


def _record_saved(model: nn.Sequential, x: torch.Tensor, batch: int) -> dict[int, _Saved]:
    """Every storage autograd saves while ``model`` runs on ``x``, by key, first saver first.

    The graph (and what it saved) lives until this returns, so the keys stay unique meanwhile.
    """
    seen: dict[int, _Saved] = {}
    current = [0]

    def pack(t: torch.Tensor) -> torch.Tensor:
        key = _storage_key(t)
        if key not in seen:
            integer = not (t.is_floating_point() or t.is_complex())
            seen[key] = _Saved(t.untyped_storage().nbytes(), current[0], integer)
        return t

    hooks = [
        block.register_forward_pre_hook(_set_current(current, i)) for i, block in enumerate(model)
    ]
    try:
        with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            model(x)
    except ValueError as exc:  # batch norm over single values: torch refuses to train on it
        message = f"torch cannot train this network on a batch of {batch}: {exc}"
        raise SpecError(message, "--batch") from None
    finally:
        for hook in hooks:
            hook.remove()
    return seen


def _set_current(current: list[int], index: int) -> Callable[..., None]:
    def hook(_module: nn.Module, _args: object) -> None:
        current[0] = index

    return hook
