"""What a report adds on a graph: who each layer reads, and which tensors make the RAM peak.

Pure, like the rest of ``report``. A chain's report has none of this (its rows keep the fields
they always had); on a graph the table gains a ``from`` column and the prediction RAM names
every tensor alive at the peak, with the reason it is still held (a residual block's input is
kept across the branch for the shortcut's add).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from cnnquiz.net.figures import NetworkFigures
from cnnquiz.net.memory import PredictionRam
from cnnquiz.net.network import Network
from cnnquiz.net.units import fmt_mb
from cnnquiz.report.model import HeldTensor, LayerRow


class Node(Protocol):
    """A row of a table on a graph (``LayerRow``, ``FieldRow``): its place, name and sources."""

    @property
    def index(self) -> int: ...
    @property
    def name(self) -> str | None: ...
    @property
    def scope(self) -> str: ...
    @property
    def sources(self) -> tuple[int, ...]: ...


def local_name(name: str, scope: str) -> str:
    """``main`` for ``basic2/main`` inside ``basic2``: the name as its block wrote it."""
    return name.removeprefix(f"{scope}/") if scope else name


def _source_text(rows: Sequence[Node], row: Node, source: int) -> str:
    """``input``, a name (local to the row's block where it is in it) or the layer's number."""
    if source == 0:
        return "input"
    other = rows[source - 1]
    if other.name is None:
        return str(source)
    return local_name(other.name, row.scope) if other.scope == row.scope else other.name


def from_cell(rows: Sequence[Node], row: Node) -> str:
    """What the table's ``From`` column says: empty where the layer reads the one just above it
    (most rows: the branching stands out), else each source by name or number."""
    if not row.sources or row.sources == (row.index - 1,):
        return ""
    return ", ".join(_source_text(rows, row, s) for s in row.sources)


def inputs_text(row: LayerRow) -> str:
    """A merge layer's input shapes as it combines them: ``56x56x64 + 56x56x64``."""
    joiner = " × " if row.layer == "Multiply" else " + "
    return joiner.join(row.input_shapes)


def layer_ref(fig: NetworkFigures, index: int) -> str:
    """``layer 9 (Add, basic1/add)``, ``layer 3 (ReLU, stem)`` or ``the input``."""
    if index == 0:
        return "the input"
    network = fig.network
    where = network.name_of(index) or network.scope_of(index)
    title = fig.layers[index - 1].name
    return f"layer {index} ({title}, {where})" if where else f"layer {index} ({title})"


def _owner(fig: NetworkFigures, index: int) -> int:
    """The layer whose tensor ``index``'s output is: a view's is its source's (0: the input)."""
    while index and fig.layers[index - 1].is_view:
        index = fig.network.sources(index)[0]
    return index


def _inside(network: Network, index: int, scope: str) -> bool:
    own = network.scope_of(index) if index else ""
    return own == scope or own.startswith(f"{scope}/")


def _block_input(network: Network, producer: int, reader: int) -> str | None:
    """The innermost block use around ``reader`` that ``producer`` is outside of: the tensor is
    that block's input (``basic1``), or None."""
    scope = network.scope_of(reader)
    while scope:
        if not _inside(network, producer, scope):
            return scope
        scope = scope.rpartition("/")[0]
    return None


def _why(fig: NetworkFigures, peak: int, producer: int) -> str:
    """Why a tensor is alive while ``peak`` runs: its output, its input, or a later reader."""
    network = fig.network
    if producer == peak:
        return "its output"
    if producer in {_owner(fig, s) for s in network.sources(peak)}:
        why = "its input"
        if _owner(fig, peak) == producer:  # a view's output is its input's memory
            why = "its input and output (a view)"
        block = _block_input(network, producer, peak)
        return f"{why}, the input of {block}" if block else why
    later = [
        j
        for j in range(peak + 1, len(fig.layers) + 1)
        if any(_owner(fig, s) == producer for s in network.sources(j))
    ]
    if not later:
        return "the network's output"
    reader = later[0]
    block = _block_input(network, producer, reader)
    kept = f"kept for {layer_ref(fig, reader)}"
    return f"the input of {block}, {kept}" if block else kept


def held_tensors(fig: NetworkFigures, pred: PredictionRam) -> tuple[HeldTensor, ...]:
    """Every tensor alive while the peak layer runs, each with why it is held."""
    return tuple(
        HeldTensor(
            producer=t.producer,
            layer=layer_ref(fig, t.producer),
            bytes=t.nbytes,
            why=_why(fig, pred.peak_layer, t.producer),
        )
        for t in pred.alive
    )


def held_working(held: Sequence[HeldTensor], param_bytes: int, total: int) -> str:
    """``0.803 MB + 0.803 MB + 0.803 MB + 0.47 MB (parameters) = 2.88 MB``."""
    terms = [fmt_mb(t.bytes) for t in held]
    return f"{' + '.join(terms)} + {fmt_mb(param_bytes)} (parameters) = {fmt_mb(total)}"
