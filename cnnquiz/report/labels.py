"""Short texts for one cell: a layer and its settings, a size, a layer's memory.

Pure formatting of figures the arithmetic already computed; both faces use these cells.
"""

from __future__ import annotations

from cnnquiz.net.layers import Conv, Dense, Dropout, Pool
from cnnquiz.net.spec import Layer
from cnnquiz.net.units import fmt_mb
from cnnquiz.report.model import LayerRow


def size_text(pair: tuple[int, int]) -> str:
    """``3x5``: rows by columns."""
    return f"{pair[0]}x{pair[1]}"


def _short(pair: tuple[int, int]) -> str:
    return str(pair[0]) if pair[0] == pair[1] else size_text(pair)


def _padding(padding: str | tuple[int, int]) -> str:
    return padding if isinstance(padding, str) else f"p{_short(padding)}"


def _conv_parts(layer: Conv, short: bool = False) -> list[str]:
    parts = [layer.title, str(layer.filters), size_text(layer.kernel)]
    parts += [f"s{_short(layer.stride)}"] if layer.stride != (1, 1) else []
    parts += [] if short and layer.padding == "valid" else [_padding(layer.padding)]
    parts += [f"d{_short(layer.dilation)}"] if layer.dilation != (1, 1) else []
    parts += [] if layer.bias else ["no bias"]
    parts += [layer.activation] if layer.activation else []
    return parts


def _pool_parts(layer: Pool) -> list[str]:
    parts = [layer.title, size_text(layer.size)]
    parts += [f"s{_short(layer.stride)}"] if layer.stride else []
    parts += [] if layer.padding == "valid" else [_padding(layer.padding)]
    return parts


def layer_label(layer: Layer, short: bool = False) -> str:
    """``Conv2D 100 3x3 s2 same relu``: the layer and its settings, in one short cell;
    ``short`` (a graph's long tables) leaves out valid padding, Keras's default."""
    if isinstance(layer, Conv):
        parts = _conv_parts(layer, short)
    elif isinstance(layer, Pool):
        parts = _pool_parts(layer)
    elif isinstance(layer, Dense):
        parts = [layer.title, str(layer.units)]
        parts += [] if layer.bias else ["no bias"]
        parts += [layer.activation] if layer.activation else []
    elif isinstance(layer, Dropout):
        parts = [layer.title, f"{layer.rate:g}"]
    else:
        parts = [layer.title]
    return " ".join(parts)


def memory_cell(row: LayerRow) -> str:
    """What a layer's output takes for one image, as the summary tables show it: its size, or
    for a view (flatten, an activation layer) the layer whose memory it shares."""
    if row.view_of is None:
        return fmt_mb(row.output_bytes)
    return f"view of {row.view_of or 'input'}"
