"""RAM, the notes' rules (Geron, Hands-On ML, ch. 14): one prediction, and training on a batch.

Built on the per-layer figures of :mod:`cnnquiz.net.arithmetic`. Flatten and an activation
written as its own layer are views (the registry's ``view``): they share the memory of the layer
before them, so the figures never depend on how the network was written.
"""

from __future__ import annotations

from dataclasses import dataclass

from cnnquiz.errors import SpecError
from cnnquiz.net.figures import NetworkFigures
from cnnquiz.net.optimizers import OPTIMIZER_STATE

VIEW_RULE = (
    "views share memory: flatten and an activation written as its own layer reuse the memory of "
    "the layer before them: a view's input and output count once, and training stores no copy "
    "of it (the same figures as writing `activation:` on the layer)"
)
"""The rule in one line, for the assumptions every face prints."""


@dataclass(frozen=True)
class LiveTensor:
    """A tensor held while the peak layer runs: who made it (0: the input) and its bytes."""

    producer: int
    nbytes: int


@dataclass(frozen=True)
class PredictionRam:
    """One prediction: a layer needs its input and output at once, plus all the parameters.

    A view's input and output are one piece of memory, counted once (``output_bytes`` 0): it never
    needs more than the layer before it, so it is the peak only when nothing but views follows
    the input.
    """

    peak_layer: int  # index of the layer with the largest input + output
    input_bytes: int  # that layer's input
    output_bytes: int  # that layer's output
    param_bytes: int
    # every tensor alive while the peak layer runs, its output last; on a chain its input and
    # output, on a graph also what a later layer still needs (a residual block's input)
    alive: tuple[LiveTensor, ...] = ()

    @property
    def total(self) -> int:
        return self.input_bytes + self.output_bytes + self.param_bytes


@dataclass(frozen=True)
class TrainingRam:
    """Training on a batch: backprop keeps every layer's output for every image."""

    batch: int
    optimizer: str
    outputs_per_image: int  # bytes of all layer outputs that are not views, for one image
    outputs_bytes: int  # batch × outputs_per_image
    inputs_bytes: int  # batch × input
    param_bytes: int
    gradient_bytes: int  # one gradient per trainable parameter
    optimizer_state: int  # values of state the optimizer keeps per trainable parameter
    optimizer_bytes: int  # sgd 0, momentum 1×, adam 2× the trainable parameters

    @property
    def activations_bytes(self) -> int:
        """What backprop keeps of the batch: every layer's output and the input."""
        return self.outputs_bytes + self.inputs_bytes

    @property
    def total(self) -> int:
        return (self.outputs_bytes + self.inputs_bytes + self.param_bytes
                + self.gradient_bytes + self.optimizer_bytes)


def prediction_ram(fig: NetworkFigures) -> PredictionRam:
    bpv = fig.bytes_per_value
    best = None
    prev = fig.input_bytes
    for f in fig.layers:
        out = 0 if f.is_view else f.output_values * bpv
        if best is None or prev + out > best[1] + best[2]:
            best = (f.index, prev, out)
        prev = f.output_values * bpv
    if best is None:
        best = (0, fig.input_bytes, 0)
    return PredictionRam(best[0], best[1], best[2], fig.param_bytes)


def training_ram(fig: NetworkFigures, batch: int, optimizer: str = "sgd") -> TrainingRam:
    if batch < 1:
        raise SpecError(f"batch must be a positive integer, got {batch}", "--batch")
    if optimizer not in OPTIMIZER_STATE:
        raise SpecError(
            f"unknown optimizer {optimizer!r}; expected one of {', '.join(OPTIMIZER_STATE)}", "--optimizer"
        )
    per_image = fig.stored_outputs_bytes
    trainable_bytes = fig.trainable * fig.bytes_per_value
    state = OPTIMIZER_STATE[optimizer]
    return TrainingRam(
        batch=batch,
        optimizer=optimizer,
        outputs_per_image=per_image,
        outputs_bytes=batch * per_image,
        inputs_bytes=batch * fig.input_bytes,
        param_bytes=fig.param_bytes,
        gradient_bytes=trainable_bytes,
        optimizer_state=state,
        optimizer_bytes=state * trainable_bytes,
    )
