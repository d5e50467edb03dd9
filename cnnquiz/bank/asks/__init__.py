"""What a question may ask about a network, declared once: its name, the calculator's handler,
the kind of answer (a count, a size in bytes, a shape) and the unit a size is shown in.

The schema's list of asks, which asks answer with a shape or in bytes, and the dispatch of
:func:`evaluate` all read :data:`ASKS`; a new ask is one line here and its handler.

Each handler returns a :class:`Solution`: the value, the derivation lines the explanation is
built from, and the *traps*: the figures a student gets by a known mistake (forgetting the
bias, adding up the layers' RAM, valid instead of same padding), each with the feedback that
names the mistake.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from importlib import import_module
from typing import TYPE_CHECKING, Any, Literal

from cnnquiz.bank.asks.solution import AskOptions, Solution, Trap, Value
from cnnquiz.errors import SpecError

if TYPE_CHECKING:
    from cnnquiz.net.figures import NetworkFigures
    from cnnquiz.net.network import Network

AnswerKind = Literal["count", "size", "shape"]
Handler = Callable[["Network", "NetworkFigures", AskOptions], Solution]


@dataclass(frozen=True)
class Ask:
    """One ask. Its handler is named (``module``, ``function`` and fixed keyword arguments) and
    imported on first use: loading a bank, or a start from the bank cache, reads only the
    registry's names and kinds, not the calculator behind them."""

    name: str
    module: str  # in cnnquiz.bank.asks
    function: str
    answer: AnswerKind
    unit: str | None = None  # the unit a size is shown in unless the question names one
    fixed: tuple[tuple[str, Any], ...] = field(default=(), repr=False)

    @property
    def handler(self) -> Handler:
        found = getattr(import_module(f"{__name__}.{self.module}"), self.function)
        return partial(found, **dict(self.fixed)) if self.fixed else found

    @property
    def question_type(self) -> str:
        """The fixed question type whose answer this ask gives: ``shape`` or ``numeric``."""
        return "shape" if self.answer == "shape" else "numeric"


def _count(name: str, handler: str, **fixed: Any) -> Ask:
    module, function = handler.split(".")
    return Ask(name, module, function, "count", fixed=tuple(fixed.items()))


def _size(name: str, handler: str) -> Ask:
    module, function = handler.split(".")
    return Ask(name, module, function, "size", "mb")


def _shape(name: str, handler: str) -> Ask:
    module, function = handler.split(".")
    return Ask(name, module, function, "shape")


ASKS: dict[str, Ask] = {
    a.name: a
    for a in (
        _count("params", "counts.params", which="params"),
        _count("trainable_params", "counts.params", which="trainable_params"),
        _count("non_trainable_params", "counts.params", which="non_trainable_params"),
        _count("weights", "counts.params", which="weights"),
        _count("biases", "counts.params", which="biases"),
        _shape("output_shape", "shapes.output_shape"),
        _count("output_values", "shapes.output_values"),
        _size("output_bytes", "memory.output_bytes"),
        _size("input_bytes", "memory.input_bytes"),
        _size("param_bytes", "counts.param_bytes"),
        _count("macs", "counts.macs"),
        _count("flops", "counts.macs", flops=True),
        _size("ram_predict", "memory.ram_predict"),
        _size("ram_train", "memory.ram_train"),
        _size("ram_train_outputs", "memory.ram_train_outputs"),
        _shape("receptive_field", "receptive.receptive"),
    )
}


def evaluate(
    network: Network,
    ask: str,
    opts: AskOptions | None = None,
    fig: NetworkFigures | None = None,
) -> Solution:
    """The calculator's answer to ``ask`` about ``network``; SpecError if the network cannot work.

    ``fig`` is the network's analysis in ``opts.dtype`` when the caller already has it."""
    from cnnquiz.net.arithmetic import analyze

    opts = opts or AskOptions()
    if opts.layer_name is not None:
        opts = replace(opts, layer=layer_named(network, opts.layer_name))
    fig = fig or analyze(network, opts.dtype)
    if opts.layer is not None and not 1 <= opts.layer <= len(fig.layers):
        raise SpecError(
            f"layer {opts.layer} does not exist; the network has {len(fig.layers)} layers"
        )
    declared = ASKS.get(ask)
    if declared is None:
        raise SpecError(f"unknown ask {ask!r}")
    return declared.handler(network, fig, opts)


def layer_named(network: Network, name: str) -> int:
    """The position (1-based) of the layer ``name:`` names; SpecError listing the names."""
    names = [network.name_of(i) for i in range(1, len(network.layers) + 1)]
    if name in names:
        return names.index(name) + 1
    known = ", ".join(n for n in names if n) or "none"
    raise SpecError(f"no layer is named {name!r}; the named layers are {known}")


def is_size(solution: Solution) -> bool:
    """Whether the solution is a number of bytes (shown in MB, graded with a tolerance)."""
    declared = ASKS.get(solution.ask)
    return declared is not None and declared.answer == "size"


__all__ = [
    "ASKS",
    "Ask",
    "AskOptions",
    "Solution",
    "Trap",
    "Value",
    "evaluate",
    "is_size",
    "layer_named",
]
