"""What the calculator screen's worker does with what is typed: parse it, compute its figures.

Pure and free of Textual (the screen runs ``calculate`` in a thread worker): the network from
the typed text, its arithmetic and its ``report.model.ModelReport``, or the one-line error that
says why not. The limits keep a paste from freezing the screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cnnquiz.errors import CnnquizError
from cnnquiz.net.units import fmt_int

if TYPE_CHECKING:  # imported when the worker first runs, not when the app starts
    from cnnquiz.net.figures import NetworkFigures
    from cnnquiz.net.spec import Network
    from cnnquiz.report.model import ModelReport

# 1,000 layers take well under a second to compute and show; 10,000 took 59 s to verify and
# made the screen unusable. Deeper networks are for ``cnnquiz calc model FILE``.
MAX_LAYERS = 1_000
MAX_CHARS = 100_000  # about 20 characters a layer, five times over
MAX_BATCH = 10**9  # images per batch: any real batch, and the byte counts stay readable


def parse_calculator(shape_text: str, layers_text: str) -> Network:
    """The network typed: a YAML network (``input:`` and ``layers:``), a YAML list of layers,
    or the inline form (one layer per line or separated by ``;``) on the shape typed above.

    More than ``MAX_LAYERS`` layers (or ``MAX_CHARS`` characters) is refused with the limit
    in the message, before any of it is parsed where the count shows in the text."""
    from cnnquiz import yamlio
    from cnnquiz.net.spec import Network, parse_inline_layers, parse_network, parse_shape

    text = layers_text.strip()
    if not text:
        raise CnnquizError("type at least one layer, e.g. conv 32 k3 same", "layers")
    if len(text) > MAX_CHARS:
        raise CnnquizError(
            f"{fmt_int(len(text))} characters; the calculator screen reads at most "
            f"{fmt_int(MAX_CHARS)} (cnnquiz calc model FILE reads more)",
            "layers",
        )
    if text.startswith("-") or text.startswith("input:") or "\ninput:" in text:
        data = yamlio.loads(text, "layers")
        if isinstance(data, list):
            data = {"input": shape_text.strip(), "layers": data}
        network = parse_network(data, "layers")
    else:
        lines = [part for line in text.splitlines() for part in line.split(";") if part.strip()]
        _check_layer_count(len(lines))
        network = Network(
            parse_shape(shape_text.strip(), "input"), parse_inline_layers(text, "layers")
        )
    _check_layer_count(len(network.layers))
    return network


def _check_layer_count(count: int) -> None:
    if count > MAX_LAYERS:
        raise CnnquizError(
            f"{fmt_int(count)} layers; the calculator screen takes at most {fmt_int(MAX_LAYERS)} "
            "(cnnquiz calc model FILE takes more)",
            "layers",
        )


@dataclass(frozen=True)
class Computed:
    """The figures of what is typed: the network and its arithmetic (what a torch check
    compares) and the report the screen shows."""

    network: Network
    figures: NetworkFigures
    report: ModelReport


@dataclass(frozen=True)
class Calculation:
    """What the worker computed for one state of the screen: the figures, or why not."""

    token: str  # the shape and layers it is about (what a torch check is about too)
    inputs: tuple[str, str, str, str]  # shape, layers, batch, optimizer as typed
    computed: Computed | None = None  # None: ``error`` says why
    error: str | None = None
    batch_error: bool = False


def calculate(shape: str, layers: str, batch_text: str, optimizer: str) -> Calculation:
    """Parse and analyse what is typed (pure; runs in a worker thread). Any failure becomes the
    one-line ``error``: a paste must never take the app down."""
    from cnnquiz.net.arithmetic import analyze
    from cnnquiz.report.build import model_report

    inputs = (shape, layers, batch_text, optimizer)
    token = f"{shape}\n{layers}"
    batch_text = batch_text.strip() or "1"
    if batch_text.isdigit() and len(batch_text) > len(str(MAX_BATCH)):
        return Calculation(
            token,
            inputs,
            error=f"batch: {len(batch_text)} digits; at most {fmt_int(MAX_BATCH)}",
            batch_error=True,
        )
    try:
        batch = int(batch_text)
        if not 1 <= batch <= MAX_BATCH:
            raise ValueError
    except ValueError:
        shown = batch_text if len(batch_text) <= 20 else batch_text[:20] + "…"
        return Calculation(
            token,
            inputs,
            error=f"batch: expected a whole number from 1 to {fmt_int(MAX_BATCH)}, got {shown!r}",
            batch_error=True,
        )
    try:
        network = parse_calculator(shape, layers)
        figures = analyze(network)
        report = model_report(figures, batch, optimizer)
    except CnnquizError as exc:
        return Calculation(token, inputs, error=str(exc))
    except (ValueError, OverflowError, RecursionError, MemoryError) as exc:
        first = (str(exc).splitlines() or [""])[0][:200]
        return Calculation(token, inputs, error=f"layers: cannot compute this: {first}")
    return Calculation(token, inputs, Computed(network, figures, report))
