"""What the report reads from torch's verdicts, as Protocols: the report never imports torch.

``cnnquiz.torchcheck`` builds the real dataclasses (its verification, the tensors autograd saved,
the receptive fields it measured); any object with these read-only fields will do, which keeps
the report free of where torchcheck keeps them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class TorchMismatch(Protocol):
    @property
    def index(self) -> int: ...  # 1-based spec layer, 0 for the whole network

    @property
    def name(self) -> str: ...

    @property
    def what(self) -> str: ...

    @property
    def analytic(self) -> str: ...

    @property
    def torch(self) -> str: ...


class TorchVerdict(Protocol):
    @property
    def torch_version(self) -> str: ...

    @property
    def device(self) -> str: ...

    @property
    def shapes(self) -> Sequence[object]: ...  # torch's output shape of each layer, H×W×C

    @property
    def mismatches(self) -> Sequence[TorchMismatch]: ...

    @property
    def ok(self) -> bool: ...

    @property
    def total_trainable(self) -> int: ...

    @property
    def total_buffers(self) -> int: ...


class SavedForBackward(Protocol):
    """Bytes autograd saved for backward during one training forward, by storage."""

    @property
    def batch(self) -> int: ...

    @property
    def device(self) -> str: ...

    @property
    def dtype(self) -> str: ...

    @property
    def total_bytes(self) -> int: ...

    @property
    def input_bytes(self) -> int: ...

    @property
    def per_layer(self) -> Sequence[int]: ...

    @property
    def index_bytes(self) -> int: ...

    @property
    def param_bytes(self) -> int: ...

    @property
    def tensors(self) -> int: ...

    @property
    def scaled_from(self) -> int | None: ...  # the images that ran, when not the whole batch


class MeasuredField(Protocol):
    @property
    def index(self) -> int: ...  # 1-based spec layer

    @property
    def field(self) -> tuple[int, int]: ...  # input rows and columns that move its central value

    @property
    def clipped(self) -> tuple[bool, bool]: ...  # the field reaches the border: maybe cut there
