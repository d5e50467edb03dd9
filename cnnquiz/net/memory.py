"""RAM, the notes' rules (Geron, Hands-On ML, ch. 14): one prediction, and training on a batch.

Built on the per-layer figures of :mod:`cnnquiz.net.arithmetic`. Flatten and an activation
written as its own layer are views (the registry's ``view``): they share the memory of the layer
before them, so the figures never depend on how the network was written.

One prediction on a graph follows each tensor's lifetime: it lives from the layer that makes it
until the last layer that reads it (through any view of it) has run, and the network's output
to the end. On a chain only a layer's input and output are ever alive together: the notes' rule,
max over layers of input + output.
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
    """One prediction: while a layer runs it needs its inputs, its output and every earlier
    output a later layer still reads, plus all the parameters; the peak is the largest of these.

    A view's input and output are one piece of memory, counted once (``output_bytes`` 0): it never
    needs more than the layer before it, so it is the peak only when nothing but views follows
    the input.
    """

    peak_layer: int  # index of the layer running at the peak (0: a network of no layers)
    input_bytes: int  # every other tensor alive then: on a chain, that layer's input
    output_bytes: int  # that layer's output (0 for a view: it takes no new memory)
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


def _lifetimes(fig: NetworkFigures) -> tuple[dict[int, int], dict[int, int]]:
    """Each tensor's bytes and the last layer that needs it, keyed by the layer that made it
    (0: the input). A view makes no tensor: reading it reads its source's."""
    size = {0: fig.input_bytes}
    size.update((f.index, fig.output_bytes(f)) for f in fig.layers if not f.is_view)
    last = {producer: producer for producer in size}
    for f in fig.layers:
        for j in f.sources or (f.index - 1,):
            owner = fig.shares_with(fig.layers[j - 1]) if j else 0
            last[owner] = max(last[owner], f.index)
    final = fig.shares_with(fig.layers[-1]) if fig.layers else 0
    last[final] = len(fig.layers)  # the output is what the prediction is for: kept to the end
    return size, last


def prediction_ram(fig: NetworkFigures) -> PredictionRam:
    """Walk the layers in order; at each, the bytes alive are the tensors made so far and still
    needed (its inputs, its output, what later layers read). The peak is the largest, the
    first of equals."""
    if not fig.layers:
        return PredictionRam(0, fig.input_bytes, 0, fig.param_bytes, (LiveTensor(0, fig.input_bytes),))
    size, last = _lifetimes(fig)
    dies: dict[int, list[int]] = {}
    for producer, end in last.items():
        dies.setdefault(end, []).append(producer)
    live: dict[int, int] = {0: size[0]}
    peak: tuple[int, int, tuple[tuple[int, int], ...]] = (0, -1, ())
    for f in fig.layers:
        if not f.is_view:
            live[f.index] = size[f.index]
        held = sum(live.values())
        if held > peak[1]:
            peak = (f.index, held, tuple(live.items()))
        for producer in dies.get(f.index, ()):
            del live[producer]
    index, held, alive = peak
    out = 0 if fig.layers[index - 1].is_view else size[index]
    tensors = tuple(LiveTensor(producer, nbytes) for producer, nbytes in alive)
    return PredictionRam(index, held - out, out, fig.param_bytes, tensors)


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
