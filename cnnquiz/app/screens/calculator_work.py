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
    """The network typed: a YAML network (``input:`` and ``layers:``, maybe ``blocks:``), a YAML
    list of layers, or the inline form (one layer per line or separated by ``;``, with
    ``name=`` and ``from=`` where it branches) on the shape typed above.

    More than ``MAX_LAYERS`` layers (or ``MAX_CHARS`` characters) is refused with the limit
    in the message, before any of it is parsed where the count shows in the text."""
    from cnnquiz import yamlio
    from cnnquiz.net.spec import network_from_inline, parse_network

    text = layers_text.strip()
    if not text:
        raise CnnquizError("type at least one layer, e.g. conv 32 k3 same", "layers")
    if len(text) > MAX_CHARS:
        raise CnnquizError(
            f"{fmt_int(len(text))} characters; the calculator screen reads at most "
            f"{fmt_int(MAX_CHARS)} (cnnquiz calc model FILE reads more)",
            "layers",
        )
    if looks_like_code(text):
        network = _from_code(shape_text, text)
    elif text.startswith("-") or text.startswith("input:") or "\ninput:" in text:
        data = yamlio.loads(text, "layers")
        if isinstance(data, list):
            data = {"input": shape_text.strip(), "layers": data}
        network = parse_network(data, "layers")
    else:
        lines = [part for line in text.splitlines() for part in line.split(";") if part.strip()]
        _check_layer_count(len(lines))
        # name= and from= make a graph of it: conv 8 name=a; relu; add from=a,-1
        network = network_from_inline(shape_text.strip(), text, "input", "layers")
    _check_layer_count(len(network.layers))
    return network


_CODE_MARKS = ("import ", "Sequential(", "nn.", "layers.", "Conv2D(", "Conv2d(", "Model(", "class ")


def looks_like_code(text: str) -> bool:
    """Whether the layers box holds Keras or PyTorch code (pasted) rather than layers: the
    inline form and YAML never call anything, code always does."""
    return "(" in text and any(mark in text for mark in _CODE_MARKS)


def _from_code(shape_text: str, text: str, source: str = "code") -> Network:
    """The network the code builds, read (never run): on its own input shape where it states
    one (Keras), else on the shape typed above (PyTorch)."""
    from dataclasses import replace

    from cnnquiz.code import read_code
    from cnnquiz.net.spec import parse_shape

    try:
        read = read_code(text, source)
    except CnnquizError:
        if not shape_text.strip():
            raise
        read = read_code(text, source, parse_shape(shape_text.strip(), "input"))
    return replace(read.network, name=read.what)


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


@dataclass(frozen=True)
class Opened:
    """A spec file or a zoo network, as the screen's boxes take it: its YAML text (the screen
    shows what it computes, and it can be edited) and its input shape."""

    title: str  # the network's name, or the file's
    shape: str
    text: str


def open_spec(arg: str, shape_text: str = "") -> Opened:
    """The YAML of the zoo network ``arg`` names (``resnet18``) or of a network file, or the
    code of a ``.py`` file (read on its own input shape, else on ``shape_text``, the shape box's,
    as pasted code is); the network is parsed once here, so a file that does not parse is
    refused with its line."""
    from pathlib import Path

    from cnnquiz import zoo  # the bundled networks, once a network is opened

    name = arg.strip()
    if not name:
        raise CnnquizError("type a network file (net.yaml, net.py) or a zoo name (resnet18)", "open")
    is_code = name.endswith(".py")
    network = None if is_code else zoo.resolve(name, "open")
    path = zoo.path(name) if name in zoo.names() else Path(name)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:  # gone or unreadable (or, for code, never there)
        raise CnnquizError(f"cannot read it: {exc.strerror or exc}", str(path)) from None
    if len(text) > MAX_CHARS:
        raise CnnquizError(
            f"{fmt_int(len(text))} characters; the calculator screen reads at most "
            f"{fmt_int(MAX_CHARS)} (cnnquiz calc model {name} reads it)",
            str(path),
        )
    if network is None:
        network = _from_code(shape_text, text, str(path))
    _check_layer_count(len(network.layers))
    title = path.name if is_code else network.name or path.name
    return Opened(title, str(network.input), text)
