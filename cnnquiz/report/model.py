"""The calculators' reports as frozen dataclasses: every figure a face prints, already worked out.

Built by ``report.build`` from the net arithmetic, read by attribute in the command line and the
app, and turned into ``--json`` only at the edge (``report.json``). A field's order is its
order in the JSON document; ``JSON_KEY`` names a key that is not the field's name (``global``),
``OMIT_EMPTY`` leaves out a field that is None or empty (``flops`` without ``--flops``,
``hints`` when there is none), as the document always did.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

JSON_KEY = "json_key"
OMIT_EMPTY = "omit_empty"
T = TypeVar("T")


def _omitted_when_empty(default: T) -> T:
    """A field left out of the JSON while it holds its default (None, or no hints)."""
    field: T = dataclasses.field(default=default, metadata={OMIT_EMPTY: True})
    return field


@dataclass(frozen=True)
class InputSize:
    """The network's input: its shape, values and bytes for one image."""

    shape: str
    values: int
    bytes: int


@dataclass(frozen=True)
class Padding:
    """The pixels a layer adds on each side (same padding may add one more bottom/right)."""

    top: int
    bottom: int
    left: int
    right: int

    def sides(self) -> tuple[tuple[str, int], ...]:
        return (
            ("top", self.top),
            ("bottom", self.bottom),
            ("left", self.left),
            ("right", self.right),
        )


@dataclass(frozen=True)
class LayerRow:
    """One layer: shapes, parameters (weights and biases apart), MACs, bytes and its working."""

    index: int
    layer: str  # the layer's title: Conv2D, MaxPool2D, Dense ...
    label: str  # the title and its settings in one short cell: Conv2D 100 3x3 s2 same
    spec: Mapping[str, object]  # the layer as YAML writes it
    input_shape: str
    output_shape: str
    output_dims: tuple[int, ...]
    weights: int
    biases: int
    trainable: int
    non_trainable: int
    params: int
    macs: int
    output_values: int
    output_bytes: int
    view_of: int | None  # the layer whose memory a view shares (0: the input); None: no view
    stored_bytes: int  # the new memory its output takes: output_bytes, or 0 for a view
    padding: Padding | None
    steps: tuple[str, ...]  # the working, one line each
    flops: int | None = _omitted_when_empty(None)  # only with --flops
    # on a graph only (a chain's document is as it always was): the layer's name as written,
    # the block use it came from, what it reads (0: the input, j: layer j) and their shapes
    name: str | None = _omitted_when_empty(None)
    scope: str = _omitted_when_empty("")
    sources: tuple[int, ...] = _omitted_when_empty(())
    input_shapes: tuple[str, ...] = _omitted_when_empty(())


@dataclass(frozen=True)
class Totals:
    """The sums of the summary table's columns: every total is the sum of its rows."""

    params: int
    trainable: int
    non_trainable: int
    param_bytes: int
    macs: int
    output_values: int
    output_bytes: int
    stored_bytes: int
    flops: int | None = _omitted_when_empty(None)


@dataclass(frozen=True)
class Mismatch:
    """One figure torch and the arithmetic disagree on."""

    layer: int  # 1-based, 0 for the whole network
    name: str
    what: str
    arithmetic: str
    torch: str


@dataclass(frozen=True)
class VerificationNote:
    """torch's verdict on the figures, with the sentence the faces print."""

    torch: str  # torch's version
    device: str
    ok: bool
    trainable: int
    buffers: int
    shapes: tuple[str, ...]
    mismatches: tuple[Mismatch, ...]
    sentence: str


@dataclass(frozen=True)
class DenseCost:
    """What one choice (flatten or global average pooling) costs the Dense layer after it."""

    values: int  # values it feeds the Dense layer
    dense_params: int
    step: str


@dataclass(frozen=True)
class NextDense:
    """Flatten against global average pooling, priced in the next Dense layer's parameters."""

    units: int
    flatten: DenseCost
    gap: DenseCost
    ratio: float  # flatten's parameters over gap's
    sentence: str


@dataclass(frozen=True)
class LayersReport:
    """``calc conv|pool|dense|flatten|gap``: one layer (or a few) with every figure's working."""

    calc: str
    input: InputSize
    dtype: str
    bytes_per_value: int
    layers: tuple[LayerRow, ...]
    assumptions: tuple[str, ...]
    verification: VerificationNote | None
    next_dense: NextDense | None = _omitted_when_empty(None)
    hints: tuple[str, ...] = _omitted_when_empty(())


@dataclass(frozen=True)
class HeldTensor:
    """A tensor alive while the peak layer runs, and why it is still held."""

    producer: int  # the layer that made it (0: the network's input)
    layer: str  # ``layer 3 (ReLU, stem)``, ``the input``
    bytes: int
    why: str  # ``its input``, ``its output``, ``input of basic1, kept for layer 9 (Add)``


@dataclass(frozen=True)
class PredictionRamNote:
    """One prediction: the layer with the largest input + output, plus all parameters.

    On a graph the peak is where the most tensors are alive at once: ``held`` names each (a
    residual block's input held across the branch), and ``working`` adds them up."""

    peak_layer: int  # 0: no layer (nothing but the input)
    peak_name: str | None
    input_bytes: int
    output_bytes: int
    param_bytes: int
    total: int
    working: str
    peak_scope: str = _omitted_when_empty("")  # on a graph: the block use of the peak layer
    held: tuple[HeldTensor, ...] = _omitted_when_empty(())  # on a graph: every tensor alive


@dataclass(frozen=True)
class RamTerm:
    """One term of the training RAM: what it counts, its bytes and its working."""

    term: str
    bytes: int
    working: str


@dataclass(frozen=True)
class TrainingRamNote:
    batch: int
    optimizer: str
    terms: tuple[RamTerm, ...]
    total: int


@dataclass(frozen=True)
class AutogradNote:
    """What autograd really saved for backward, beside the textbook's outputs + inputs."""

    batch: int
    device: str
    dtype: str
    saved_bytes: int
    input_bytes: int
    index_bytes: int
    param_bytes_referenced: int
    per_layer: tuple[int, ...]
    tensors: int
    textbook_bytes: int
    measured_on: str
    why: str


@dataclass(frozen=True)
class ModelReport:
    """``calc model``: the summary table, its totals, and the RAM model term by term."""

    calc: str = dataclasses.field(default="model", init=False)
    name: str | None
    source: str | None
    input: InputSize
    dtype: str
    bytes_per_value: int
    layers: tuple[LayerRow, ...]
    totals: Totals
    prediction_ram: PredictionRamNote
    training_ram: TrainingRamNote
    autograd: AutogradNote | None
    assumptions: tuple[str, ...]
    verification: VerificationNote | None
    autograd_skipped: str | None = _omitted_when_empty(None)  # why not measured
    hints: tuple[str, ...] = _omitted_when_empty(())


@dataclass(frozen=True)
class FieldRow:
    """One layer's receptive field and jump (effective stride), with the working."""

    index: int
    layer: str
    label: str
    output_shape: str
    kernel: str
    stride: str
    jump: str
    field: str
    # after flatten, global pooling or dense every value sees the whole input
    is_global: bool = dataclasses.field(metadata={JSON_KEY: "global"})
    working: str
    measured: str | None  # the field torch measured; "(edge)" where the border may cut it
    # on a graph only: the layer's name, its block use and what it reads (its field is the
    # largest over every path from the input)
    name: str | None = _omitted_when_empty(None)
    scope: str = _omitted_when_empty("")
    sources: tuple[int, ...] = _omitted_when_empty(())


@dataclass(frozen=True)
class ReceptiveReport:
    """``calc receptive``: receptive field and jump per layer, the rule and the 3x3 note."""

    calc: str = dataclasses.field(default="receptive", init=False)
    input: InputSize
    dtype: str
    rule: str
    layers: tuple[FieldRow, ...]
    field: str  # the last layer's
    stacked_note: str
    measured_how: str | None  # None: torch measured nothing
    verification: VerificationNote | None
    hints: tuple[str, ...] = _omitted_when_empty(())
