"""torch's verdicts as the report reads them (``report.verdicts``), without importing torch."""

from __future__ import annotations

from dataclasses import dataclass

from cnnquiz.net.figures import NetworkFigures


@dataclass(frozen=True)
class FakeMismatch:
    index: int
    name: str
    what: str
    analytic: str
    torch: str


@dataclass(frozen=True)
class FakeVerdict:
    torch_version: str = "9.9.9"
    device: str = "cpu"
    shapes: tuple[str, ...] = ()
    mismatches: tuple[FakeMismatch, ...] = ()
    total_trainable: int = 0
    total_buffers: int = 0

    @property
    def ok(self) -> bool:
        return not self.mismatches


def agreeing(fig: NetworkFigures) -> FakeVerdict:
    return FakeVerdict(
        shapes=tuple(str(f.output_shape) for f in fig.layers),
        total_trainable=fig.trainable,
        total_buffers=fig.non_trainable,
    )


@dataclass(frozen=True)
class FakeSaved:
    batch: int = 50
    device: str = "cpu"
    dtype: str = "float32"
    total_bytes: int = 498_400_600
    input_bytes: int = 36_000_000
    per_layer: tuple[int, ...] = (36_000_000, 300_000_000, 162_400_600)
    index_bytes: int = 0
    param_bytes: int = 3_613_600
    tensors: int = 7
    scaled_from: int | None = None


@dataclass(frozen=True)
class FakeField:
    index: int
    field: tuple[int, int]
    clipped: tuple[bool, bool] = (False, False)
