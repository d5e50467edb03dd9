"""The rules of the layers that read several inputs: add, concatenate and multiply.

A mismatch is the usual mistake in a residual or Inception block (a shortcut without its
stride, a branch without its padding), so every error names both shapes and where each was
made, and guesses the missing piece the way the frameworks' users would look for it.
"""

from __future__ import annotations

from cnnquiz.errors import SpecError
from cnnquiz.net.figures import Step
from cnnquiz.net.layers import Add, Concat, Multiply
from cnnquiz.net.network import Shape
from cnnquiz.net.spatial import Counts, Operand
from cnnquiz.net.units import fmt_int


def _side(op: Operand) -> str:
    return f"{op.shape} ({op.label})"


def _hint(a: Shape, b: Shape) -> str:
    """What would make two images equal: a stride on the shortcut, or a 1x1 conv to more
    channels; nothing for shapes no single fix reconciles."""
    if not (a.is_image and b.is_image):
        return ""
    (ha, wa, ca), (hb, wb, cb) = a.dims, b.dims
    if (ha, wa) == (hb, wb):
        return f"; a 1x1 conv to {max(ca, cb)} filters on the shortcut?" if ca != cb else ""
    big, small = ((ha, wa), (hb, wb)) if ha >= hb else ((hb, wb), (ha, wa))
    s = -(-big[0] // small[0])  # the least stride that brings the height down to the small one's
    if s > 1 and all(-(-x // s) == y for x, y in zip(big, small, strict=True)):
        return f"; a projection shortcut with stride {s}?"
    return ""


def _mismatch(layer: Add | Concat | Multiply, a: Operand, b: Operand, needs: str) -> SpecError:
    verb = {"add": "an add", "concat": "a concat", "multiply": "a multiply"}[layer.kind]
    return SpecError(f"{layer.kind} of {_side(a)} and {_side(b)}: {verb} needs {needs}{_hint(a.shape, b.shape)}")


def _dims(shape: Shape) -> str:
    return "·".join(str(d) for d in shape.dims)


def add(layer: Add, inputs: tuple[Operand, ...]) -> Counts:
    """Element-wise sum: equal shapes; no multiplications, (n - 1)·values additions."""
    first = inputs[0]
    for other in inputs[1:]:
        if other.shape != first.shape:
            raise _mismatch(layer, first, other, "equal shapes")
    n, shape = len(inputs), first.shape
    sums = Step("additions", "(inputs - 1)·values", f"({n} - 1)·{_dims(shape)}", (n - 1) * shape.values)
    none = Step("parameters", "none: an add learns nothing", "0", 0)
    return Counts(shape, steps=(sums, none))


def concat(layer: Concat, inputs: tuple[Operand, ...]) -> Counts:
    """Joined along the channels (equal H×W), or vectors end to end."""
    first = inputs[0]
    for other in inputs[1:]:
        if first.shape.is_image != other.shape.is_image:
            raise _mismatch(layer, first, other, "images of one height and width, or vectors")
        if first.shape.dims[:-1] != other.shape.dims[:-1]:
            raise _mismatch(layer, first, other, "equal height and width (it joins channels)")
    last = [op.shape.dims[-1] for op in inputs]
    total = sum(last)
    if first.shape.is_image:
        h, w = first.shape.dims[:2]
        output = Shape((h, w, total))
        what, formula = "output channels", " + ".join(f"C_{i}" for i in range(1, len(last) + 1))
    else:
        output = Shape((total,))
        what, formula = "output length", " + ".join(f"N_{i}" for i in range(1, len(last) + 1))
    step = Step(what, formula, " + ".join(fmt_int(x) for x in last), total)
    return Counts(output, steps=(step, Step("parameters", "none: a concat learns nothing", "0", 0)))


def _scales(full: Shape, op: Shape) -> bool:
    """Whether ``op`` is a C vector or 1x1xC that scales every position of the image ``full``
    (a squeeze-and-excitation block's gate)."""
    c = full.dims[-1]
    return op.dims == (c,) or op.dims == (1, 1, c)


def multiply(layer: Multiply, inputs: tuple[Operand, ...]) -> Counts:
    """Element-wise product of equal shapes, or a per-channel gate broadcast over H×W×C:
    one multiplication per output value for each input after the first."""
    at = max(range(len(inputs)), key=lambda i: (inputs[i].shape.values, inputs[i].shape.is_image))
    full = inputs[at]
    c = full.shape.dims[-1]
    for i, other in enumerate(inputs):
        if other.shape != full.shape and not _scales(full.shape, other.shape):
            a, b = (full, other) if at < i else (other, full)
            raise _mismatch(layer, a, b, f"equal shapes, or a {c}-vector (or 1x1x{c}) scaling each position")
    n, shape = len(inputs), full.shape
    macs = (n - 1) * shape.values
    step = Step("multiplications", "(inputs - 1)·values", f"({n} - 1)·{_dims(shape)}", macs)
    if n == 2:
        step = Step("multiplications", "one per output value", _dims(shape), macs)
    none = Step("parameters", "none: a multiply learns nothing", "0", 0)
    return Counts(shape, macs=macs, steps=(step, none))
