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
from cnnquiz.net.layers import BatchNorm, Pool
from cnnquiz.net.network import Network
from cnnquiz.torchcheck.build import DTYPES, nchw, to_module
from cnnquiz.torchcheck.graph import Model

REAL_MEASURE_CAP = 256 * 10**6
"""Bytes a real measuring forward may allocate; beyond it autograd is measured on ``meta``."""
REAL_MEASURE_MACS = 2 * 10**9
"""Multiply-accumulates a real measuring forward of the whole batch may cost (about a second
on a slow laptop core)."""
MEASURE_THREADS = 1
"""CPU threads of a measuring forward. A few images are little work to share, and on a busy
machine OpenMP's waiting threads cost many times the work: ResNet-50's forward of one image
took 0.6 s on one thread and 6 s on two of two busy cores (load 5). The figure does not depend
on it."""
SCALED_MEASURE_MACS = 10 * 10**9
"""Multiply-accumulates the small real forward of a scaled measurement may cost: well under a
second on one core with oneDNN (ResNet-50's one image: 4.1 G), less than the second the meta
device's first use spends importing torch's compiler stack. VGG16 (15.5 G for one image, and
553 MB of weights to write) goes to meta."""
SCALED_MEASURE_CAP = 10**9
"""Estimated bytes (``affordable``'s generous three copies per output) the small real forward
may take: ResNet-50's image is estimated at 0.3 GB and really keeps 0.09 GB."""


@dataclass(frozen=True)
class SavedTensors:
    """Bytes autograd saves for backward during one training forward, deduplicated by storage."""

    batch: int  # the batch measured for
    device: str  # "cpu" (real forwards) or "meta" (shapes only, nothing allocated)
    dtype: str
    total_bytes: int  # activations kept for the batch (parameters excluded)
    input_bytes: int  # of which the network's input itself
    per_layer: tuple[int, ...]  # bytes first saved while each spec layer ran
    index_bytes: int  # of which integer tensors (max pool's indices)
    param_bytes: int  # parameters autograd also references (they exist anyway)
    tensors: int  # distinct storages saved
    scaled_from: int | None = None  # the images that ran, when not the whole batch did


class _Saved(NamedTuple):
    nbytes: int
    layer: int  # index of the spec layer that first saved it
    integer: bool  # an integer tensor (max pool's indices)
    per_image: bool  # its first axis is the batch: it grows with the batch


def _storage_key(t: torch.Tensor) -> int:
    """One key per storage: views of one tensor share it, on real and on meta tensors alike."""
    storage = t.untyped_storage()
    return storage.data_ptr() if t.device.type != "meta" else storage._cdata


def _per_image_estimate(figures: NetworkFigures) -> int:
    """Generous upper bound of a real forward's bytes per image: outputs, padded copies, input."""
    return 3 * (figures.input_bytes + figures.outputs_bytes)


def affordable(
    figures: NetworkFigures,
    batch: int,
    cap_bytes: int = REAL_MEASURE_CAP,
    cap_macs: int = REAL_MEASURE_MACS,
) -> bool:
    """Whether a real forward of ``batch`` images stays under ``cap_bytes`` and is quick."""
    return batch * _per_image_estimate(figures) <= cap_bytes and batch * figures.macs <= cap_macs


def scaled_batch(figures: NetworkFigures) -> int:
    """The images of the small forward a large batch's measurement is scaled from: 1, or 2 where
    one image would not tell a tensor kept per image (first axis the batch) from one of one
    image's size (same average pooling's count of real pixels, first axis 1), or where batch
    norm would see one value per channel (a vector, a 1x1 image: no variance, torch refuses)."""
    for f in figures.layers:
        if isinstance(f.layer, Pool) and f.layer.op == "avg" and f.layer.padding != "valid":
            return 2
        if isinstance(f.layer, BatchNorm) and f.input_shape.values == f.input_shape.dims[-1]:
            return 2
    return 1


def measure_saved(
    network: Network,
    batch: int,
    dtype: str = "float32",
    figures: NetworkFigures | None = None,
    cap_bytes: int = REAL_MEASURE_CAP,
    scaled_cap_bytes: int = SCALED_MEASURE_CAP,
) -> SavedTensors:
    """Run a training-mode forward under ``saved_tensors_hooks`` and count what is kept.

    A real forward of the whole batch on the CPU when it stays under ``cap_bytes`` and is quick
    (``REAL_MEASURE_MACS``). Else, when ``scaled_batch`` images (1 or 2) are quick
    (``SCALED_MEASURE_MACS``, ``scaled_cap_bytes``), a real forward of those, and every storage
    kept per image (its first axis the batch) counted for the whole batch: what autograd saves
    per image does not depend on how many images there are, and what it saves once (batch
    norm's statistics) is counted once. Otherwise, and for the half precision dtypes the CPU
    may not run, the whole batch on the meta device, where sizes are exact and nothing is
    allocated (but whose first use imports torch's compiler stack: about a second).
    """
    figures = figures or analyze(network, dtype)
    real = dtype in ("float32", "float64")
    if real and affordable(figures, batch, cap_bytes):
        return _measure(network, dtype, batch, batch)
    runs = scaled_batch(figures)
    small = affordable(figures, runs, scaled_cap_bytes, SCALED_MEASURE_MACS)
    if real and batch > runs and small:
        return _measure(network, dtype, runs, batch)
    return _measure(network, dtype, batch, batch, "meta")


def _measure(
    network: Network, dtype: str, runs: int, batch: int, device: str = "cpu"
) -> SavedTensors:
    """A forward of ``runs`` images, what it keeps per image counted for ``batch``."""
    model = to_module(network, device=device, dtype=DTYPES[dtype], init=False).train()
    if device == "cpu":  # what is saved does not depend on the values: one value is quickest
        with torch.no_grad():
            for p in model.parameters():
                p.fill_(0.01)
    with torch.device(device):
        make = torch.randn if device == "cpu" else torch.empty
        x = make(nchw(network.input, runs), dtype=DTYPES[dtype])
    threads = torch.get_num_threads()
    torch.set_num_threads(MEASURE_THREADS)
    try:
        seen = _record_saved(model, x, runs)
    finally:
        torch.set_num_threads(threads)
    param_keys = {_storage_key(p) for p in model.parameters()}
    kept = [_at(s, runs, batch) for key, s in seen.items() if key not in param_keys]
    per_layer = [0] * len(model)
    for s in kept:
        per_layer[s.layer] += s.nbytes
    input_saved = seen.get(_storage_key(x))
    return SavedTensors(
        batch,
        device,
        dtype,
        total_bytes=sum(s.nbytes for s in kept),
        input_bytes=_at(input_saved, runs, batch).nbytes if input_saved else 0,
        per_layer=tuple(per_layer),
        index_bytes=sum(s.nbytes for s in kept if s.integer),
        param_bytes=sum(s.nbytes for key, s in seen.items() if key in param_keys),
        tensors=len(kept),
        scaled_from=runs if runs != batch else None,
    )


def _at(saved: _Saved, runs: int, batch: int) -> _Saved:
    """A storage measured with ``runs`` images, at ``batch``: per image, it grows with it."""
    if not saved.per_image or runs == batch:
        return saved
    return saved._replace(nbytes=saved.nbytes // runs * batch)


def _record_saved(model: Model, x: torch.Tensor, batch: int) -> dict[int, _Saved]:
    """Every storage autograd saves while ``model`` runs on ``x``, by key, first saver first.

    The graph (and what it saved) lives until this returns, so the keys stay unique meanwhile.
    """
    seen: dict[int, _Saved] = {}
    current = [0]

    def pack(t: torch.Tensor) -> torch.Tensor:
        key = _storage_key(t)
        if key not in seen:
            integer = not (t.is_floating_point() or t.is_complex())
            per_image = t.dim() >= 2 and t.shape[0] == batch
            seen[key] = _Saved(t.untyped_storage().nbytes(), current[0], integer, per_image)
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
