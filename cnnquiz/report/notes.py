"""The words around the figures: assumptions, the torch verdict, and why autograd differs.

Pure, like the rest of ``report``: no Rich, no torch (torch's verdicts are read through the
Protocols of ``report.verdicts``).
"""

from __future__ import annotations

from collections.abc import Sequence

from cnnquiz.net.figures import NetworkFigures
from cnnquiz.net.layers import (
    Activation,
    BatchNorm,
    Conv,
    Dense,
    Depthwise,
    Dropout,
    Flatten,
    Pool,
    Separable,
)
from cnnquiz.net.memory import VIEW_RULE
from cnnquiz.net.spec import Layer
from cnnquiz.net.units import fmt_count, fmt_int
from cnnquiz.report.model import AutogradNote, Mismatch, VerificationNote
from cnnquiz.report.verdicts import SavedForBackward, TorchVerdict

_SAME = (
    "padding same (Keras/TensorFlow): out = ceil(in / stride), total padding = "
    "max((out - 1)·stride + k - in, 0), the odd pixel on the bottom/right"
)
_VALID = "padding valid: none, out = floor((in - k) / stride) + 1"
_NUMBER = "padding p: p pixels on each side, out = floor((in + 2p - d·(k - 1) - 1) / stride) + 1"
_RAM = (
    "RAM for one prediction: max over layers of (input + output) + parameters (Geron, ch. 14)",
    "RAM for training: backprop keeps every layer's output: B·outputs + B·input + "
    "parameters + gradients + optimizer state (sgd 0, momentum 1×, adam 2× the parameters)",
    VIEW_RULE,
)
_RAM_GRAPH = (
    "RAM for one prediction on a graph: a tensor lives from the layer that makes it until its "
    "last reader has run (the network's output to the end); the peak is the most bytes alive "
    "while one layer runs, plus parameters (on a chain: max of input + output, Geron, ch. 14)",
    *_RAM[1:],
)


def assumptions(fig: NetworkFigures, flops: bool = False, ram: bool = False) -> tuple[str, ...]:
    """The conventions behind the figures, only those this network uses."""
    layers = fig.network.layers
    lines = [
        "shapes are H×W×C, channels last (Keras); the PyTorch check runs the same layers in NCHW",
        *_padding_lines(layers),
        *_layer_lines(layers),
        f"{fig.dtype}: {fig.bytes_per_value} bytes per value; MB = 10^6 bytes",
        "MACs: multiply-accumulates for one image"
        + ("; FLOPs = 2 × MACs" if flops else " (FLOPs would be 2 × MACs)"),
    ]
    if not ram:
        return tuple(lines)
    return (*lines, *(_RAM_GRAPH if fig.network.is_graph else _RAM))


_CONVS = Conv | Depthwise | Separable
_WINDOWED = _CONVS | Pool


def _padding_lines(layers: Sequence[Layer]) -> list[str]:
    """The padding rules the convolutions and poolings use, and dilation's and stride's."""
    paddings = {
        ("number" if isinstance(x.padding, tuple) else x.padding)
        for x in layers
        if isinstance(x, _WINDOWED)
    }
    lines = [
        rule
        for name, rule in (("same", _SAME), ("valid", _VALID), ("number", _NUMBER))
        if name in paddings
    ]
    if any(isinstance(x, _CONVS) and x.dilation != (1, 1) for x in layers):
        lines.append("dilation d: a k-wide kernel covers d·(k - 1) + 1 pixels")
    if any(isinstance(x, Pool) and x.stride is None for x in layers):
        lines.append("pooling stride defaults to the pool size (Keras)")
    return lines


def _layer_lines(layers: Sequence[Layer]) -> list[str]:
    """Biases, batch norm and flatten, as far as the network has them."""
    lines = []
    with_bias = [x.bias for x in layers if isinstance(x, _CONVS | Dense)]
    if with_bias:
        if all(with_bias):
            lines.append("bias on: one per filter or unit")
        elif not any(with_bias):
            lines.append("no bias: weights only")
        else:
            lines.append("bias on except where a layer says no bias")
    if any(isinstance(x, BatchNorm) for x in layers):
        lines.append(
            "batch norm: 4·C values stored, 2·C trainable (γ, β), 2·C moving mean and variance"
        )
    if any(isinstance(x, Flatten) for x in layers):
        lines.append("flatten: Keras orders H·W·C, PyTorch C·H·W; the count is the same")
    return lines


# --------------------------------------------------------------------------------------------
# Verification and the autograd measurement, from torch's verdicts


def mismatch_text(m: Mismatch) -> str:
    """``layer 1 (Conv2D) output shape: arithmetic 99x150x100, torch 100x150x100``."""
    where = f"layer {m.layer} ({m.name})" if m.layer else "network"
    return f"{where} {m.what}: arithmetic {m.arithmetic}, torch {m.torch}"


def verification(v: TorchVerdict | None) -> VerificationNote | None:
    """The torch check as data, with the sentence the faces print."""
    if v is None:
        return None
    mismatches = tuple(Mismatch(m.index, m.name, m.what, m.analytic, m.torch) for m in v.mismatches)
    if v.ok:
        what = f"shapes and {fmt_int(v.total_trainable)} parameters match"
        if v.total_buffers:
            what = (
                f"shapes, {fmt_int(v.total_trainable)} trainable parameters and "
                f"{fmt_int(v.total_buffers)} batch-norm statistics match"
            )
        how = "meta device" if v.device == "meta" else f"an empty batch on the {v.device.upper()}"
        sentence = f"verified with torch {v.torch_version}: {what} ({how})"
    else:
        sentence = f"torch {v.torch_version} disagrees with the arithmetic: " + "; ".join(
            mismatch_text(m) for m in mismatches
        )
    return VerificationNote(
        torch=v.torch_version,
        device=v.device,
        ok=v.ok,
        trainable=v.total_trainable,
        buffers=v.total_buffers,
        shapes=tuple(str(s) for s in v.shapes),
        mismatches=mismatches,
        sentence=sentence,
    )


_KEEP_OUTPUT = ("relu", "sigmoid", "tanh", "softmax")


def _conv_keeps(fig: NetworkFigures) -> str:
    """What a convolution keeps: its input, a padded copy where same padding pads unevenly."""
    copies = any(
        isinstance(f.layer, Conv)
        and f.padding
        and (f.padding[0] != f.padding[1] or f.padding[2] != f.padding[3])
        for f in fig.layers
    )
    return (
        "each conv its input"
        + (", a padded copy where same padding pads unevenly," if copies else "")
        + " and its weights"
    )


def _kept(fig: NetworkFigures) -> list[str]:
    """What each kind of layer in the network keeps for backward."""
    layers = fig.network.layers
    acts = {x.activation for x in layers if isinstance(x, Conv | Dense) and x.activation}
    acts |= {x.name for x in layers if isinstance(x, Activation)}
    parts = [_conv_keeps(fig)] if any(isinstance(x, Conv) for x in layers) else []
    if any(isinstance(x, Dense) for x in layers):
        parts.append("each dense layer its input")
    kept_out = sorted(a for a in acts if a in _KEEP_OUTPUT)
    if kept_out:
        parts.append(f"{', '.join(kept_out)} {'its' if len(kept_out) == 1 else 'their'} output")
    if any(isinstance(x, Pool) and x.op == "max" for x in layers):
        parts.append("max pooling its input and int64 indices")
    if any(isinstance(x, BatchNorm) for x in layers):
        parts.append("batch norm its input and per-channel statistics")
    if any(isinstance(x, Dropout) for x in layers):
        parts.append("dropout its mask")
    return parts


def _why(fig: NetworkFigures, saved: SavedForBackward, textbook: int) -> str:
    """One sentence on why autograd's figure differs from the textbook's."""
    layers = fig.network.layers
    last = layers[-1] if layers else None
    last_act = last.name if isinstance(last, Activation) else getattr(last, "activation", None)
    end = (
        "the network's output is kept because its activation needs it"
        if last_act in _KEEP_OUTPUT
        else "nothing keeps the last layer's output"
    )
    compare = (
        "less"
        if saved.total_bytes < textbook
        else "more"
        if saved.total_bytes > textbook
        else "as much"
    )
    return (
        f"Autograd keeps only what backward needs ({'; '.join(_kept(fig))}), a tensor that several "
        f"steps need only once, and {end}, while the textbook counts every layer's output that is "
        f"not a view and the input once per image: here autograd keeps {compare}."
    )


def autograd(fig: NetworkFigures, saved: SavedForBackward, textbook: int) -> AutogradNote:
    """What autograd really saved for backward, beside the textbook's ``textbook`` bytes of
    layer outputs and inputs."""
    where = (
        f"the meta device (batch {saved.batch}, nothing allocated)"
        if saved.device == "meta"
        else f"a real forward on the CPU (batch {saved.batch})"
        if saved.scaled_from is None
        else f"a real forward of {fmt_count(saved.scaled_from, 'image')} on the CPU, "
        f"what it keeps per image counted for the batch of {saved.batch}"
    )
    return AutogradNote(
        batch=saved.batch,
        device=saved.device,
        dtype=saved.dtype,
        saved_bytes=saved.total_bytes,
        input_bytes=saved.input_bytes,
        index_bytes=saved.index_bytes,
        param_bytes_referenced=saved.param_bytes,
        per_layer=tuple(saved.per_layer),
        tensors=saved.tensors,
        textbook_bytes=textbook,
        measured_on=where,
        why=_why(fig, saved, textbook),
    )
