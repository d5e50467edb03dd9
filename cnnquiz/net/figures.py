"""The figures of a network as data: one layer's, the whole network's, and a line of working.

Pure dataclasses, built by :mod:`cnnquiz.net.arithmetic` and read by the RAM rules, the
receptive field, the reports and the torch check; kept apart from the per-kind rules so that
readers of the figures need not import how they are computed.
"""

from __future__ import annotations

from dataclasses import dataclass

from cnnquiz.net.layers import Layer, kind_of
from cnnquiz.net.network import Network, Shape
from cnnquiz.net.units import fmt_int, fmt_sig


@dataclass(frozen=True)
class Step:
    """One line of working: ``output height = ceil(in / stride) = ceil(200 / 2) = 100``."""

    what: str
    formula: str
    numbers: str
    value: int | float  # a count, or a ratio (a separable conv's multiplications against a conv's)

    def __str__(self) -> str:
        shown = fmt_int(self.value) if isinstance(self.value, int) else fmt_sig(self.value)
        if self.numbers == shown:
            return f"{self.what} = {self.formula} = {self.numbers}"
        return f"{self.what} = {self.formula} = {self.numbers} = {shown}"


@dataclass(frozen=True)
class LayerFigures:
    index: int  # 1-based position in the network
    layer: Layer
    input_shape: Shape
    output_shape: Shape
    weights: int  # trainable weights (batch norm: gamma)
    biases: int  # trainable biases (batch norm: beta)
    non_trainable: int  # batch norm's moving mean and variance
    macs: int  # multiply-accumulates for one input
    padding: tuple[int, int, int, int] | None  # pixels added top, bottom, left, right
    steps: tuple[Step, ...]
    sources: tuple[int, ...] = ()  # what it reads: 0 the input, j layer j (Network.sources)
    input_shapes: tuple[Shape, ...] = ()  # the shape of each source; input_shape is the first

    @property
    def name(self) -> str:
        return self.layer.title

    @property
    def trainable(self) -> int:
        return self.weights + self.biases

    @property
    def params(self) -> int:
        return self.trainable + self.non_trainable

    @property
    def output_values(self) -> int:
        return self.output_shape.values

    @property
    def flops(self) -> int:
        """Floating-point operations: a multiply-accumulate is two."""
        return 2 * self.macs

    @property
    def is_view(self) -> bool:
        """Whether the output shares the input's memory (flatten, an activation layer): it takes
        no new bytes, so the RAM figures never depend on how the network was written."""
        return kind_of(self.layer).view


@dataclass(frozen=True)
class NetworkFigures:
    network: Network
    layers: tuple[LayerFigures, ...]
    dtype: str
    bytes_per_value: int

    @property
    def input_shape(self) -> Shape:
        return self.network.input

    @property
    def output_shape(self) -> Shape:
        return self.layers[-1].output_shape if self.layers else self.network.input

    @property
    def input_bytes(self) -> int:
        return self.network.input.values * self.bytes_per_value

    @property
    def params(self) -> int:
        return sum(f.params for f in self.layers)

    @property
    def trainable(self) -> int:
        return sum(f.trainable for f in self.layers)

    @property
    def non_trainable(self) -> int:
        return sum(f.non_trainable for f in self.layers)

    @property
    def macs(self) -> int:
        return sum(f.macs for f in self.layers)

    @property
    def flops(self) -> int:
        return 2 * self.macs

    @property
    def output_values(self) -> int:
        """Every layer's output values for one image, views included."""
        return sum(f.output_values for f in self.layers)

    @property
    def outputs_bytes(self) -> int:
        """Every layer's output bytes for one image, views included."""
        return sum(self.output_bytes(f) for f in self.layers)

    @property
    def stored_outputs_bytes(self) -> int:
        """The new memory all outputs take for one image: views add nothing."""
        return sum(self.stored_bytes(f) for f in self.layers)

    @property
    def param_bytes(self) -> int:
        return self.params * self.bytes_per_value

    def output_bytes(self, f: LayerFigures) -> int:
        return f.output_values * self.bytes_per_value

    def stored_bytes(self, f: LayerFigures) -> int:
        """The new memory a layer's output takes: its bytes, or nothing for a view."""
        return 0 if f.is_view else self.output_bytes(f)

    def shares_with(self, f: LayerFigures) -> int:
        """The layer whose memory a view shares (0: the input); a layer that is no view: itself.

        A view reads one source; on a graph that need not be the layer before it, so this
        follows each view's source back to the layer that made the memory.
        """
        index = f.index
        while index and self.layers[index - 1].is_view:
            view = self.layers[index - 1]
            index = view.sources[0] if view.sources else index - 1
        return index
