"""The calculator's solution of an ask, with its working and its traps (shared by the asks).

A :class:`Solution` is what the calculator says about a network for one ask; a :class:`Trap`
is a wrong answer that a known mistake produces, with the feedback that names the mistake.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from cnnquiz.i18n import _, number
from cnnquiz.net.units import fmt_int, fmt_mb

if TYPE_CHECKING:
    from cnnquiz.net.figures import LayerFigures, NetworkFigures

Value = Decimal | tuple[int, ...]


@dataclass(frozen=True)
class Trap:
    """A wrong answer that a known mistake produces, and the feedback that names it.

    ``message`` is an author's text (a bank's ``feedback:``), shown as written, or, with
    ``args``, the calculator's English template: banks are parsed once and cached, so the
    template is marked for the catalog where it is written (:func:`said`) and translated, its
    numbers in the language's notation, only when :attr:`feedback` is read (while grading).
    """

    value: Value
    message: str
    args: tuple[tuple[str, str], ...] | None = None  # the template's fields, English-formatted

    @property
    def feedback(self) -> str:
        if self.args is None:
            return self.message
        fields = {name: number(text) for name, text in self.args}
        return _(self.message).format(**fields)


def said(value: Value, message: str, **args: object) -> Trap:
    """A calculator's trap: ``message`` is an English template (marked with ``N_``) whose
    ``{fields}`` are ``args``, numbers as :func:`fmt_int` and ``mb`` write them."""
    return Trap(value, message, tuple((k, str(v)) for k, v in args.items()))


@dataclass(frozen=True)
class Solution:
    """One ask answered: the value (a count, a number of bytes or a shape), the working lines
    the explanation is built from, and the traps."""

    ask: str
    value: Value
    steps: tuple[str, ...]
    traps: tuple[Trap, ...] = ()


@dataclass(frozen=True)
class AskOptions:
    layer: int | None = None  # 1-based
    # a layer named on a graph (``projection``, ``basic2/main``) instead of counted: the
    # position of a node in a graph with blocks and repeats is hard to count by hand, its name
    # is what the author wrote; :func:`cnnquiz.bank.asks.evaluate` turns it into ``layer``
    layer_name: str | None = None
    batch: int = 32
    optimizer: str = "sgd"
    dtype: str = "float32"


def count(n: int | Decimal) -> Decimal:
    return Decimal(int(n))


def mb(n: int) -> str:
    return fmt_mb(n)


def selected(fig: NetworkFigures, opts: AskOptions) -> list[LayerFigures]:
    return [fig.layers[opts.layer - 1]] if opts.layer else list(fig.layers)


def where(fig: NetworkFigures, opts: AskOptions) -> str:
    if opts.layer:
        f = fig.layers[opts.layer - 1]
        return f"layer {f.index} ({f.name})"
    return "the network"


def step_lines(layers: Iterable[LayerFigures], prefix: str) -> list[str]:
    out = []
    for f in layers:
        for s in f.steps:
            if s.what.startswith(prefix):
                out.append(f"layer {f.index} ({f.name}): {s}")
    return out


def sum_line(what: str, parts: list[int]) -> str:
    total = sum(parts)
    if len(parts) == 1:
        return f"{what} = {fmt_int(total)}"
    return f"{what} = {' + '.join(fmt_int(p) for p in parts)} = {fmt_int(total)}"


def target(fig: NetworkFigures, opts: AskOptions) -> LayerFigures:
    """The layer asked about: ``layer: N`` or the last one."""
    return fig.layers[opts.layer - 1] if opts.layer else fig.layers[-1]
