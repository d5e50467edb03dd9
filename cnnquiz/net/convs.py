"""The convolutions' rules: a standard or grouped conv, a depthwise conv and a depthwise
separable conv, each with its working as an exam answer writes it.

A separable conv also states what a standard conv to the same filters would cost, and the
ratio of their multiplications, 1/N + 1/k² (MobileNet's saving), because that comparison is
what the course examines.
"""

from __future__ import annotations

from cnnquiz.errors import SpecError
from cnnquiz.net.figures import Step
from cnnquiz.net.layers import Conv, Depthwise, Separable
from cnnquiz.net.network import Shape
from cnnquiz.net.spatial import Counts, need_image, size_text, spatial
from cnnquiz.net.units import fmt_int


def _stride_or_dilate(layer: Conv | Depthwise | Separable) -> None:
    if max(layer.stride) > 1 and max(layer.dilation) > 1:
        raise SpecError(
            f"stride {size_text(layer.stride)} together with dilation {size_text(layer.dilation)}: "
            "a convolution strides or dilates, not both (Keras refuses stride > 1 with "
            "dilation > 1)"
        )


def _check_groups(groups: int, c_in: int, filters: int) -> None:
    """Each group convolves C_in/g channels into F/g filters: g must divide both (PyTorch's
    Conv2d refuses the layer otherwise, Keras too)."""
    if groups < 1:
        raise SpecError(f"groups must be a positive integer, got {groups}")
    broken = [f"{n} / {groups}" for n in (c_in, filters) if n % groups]
    if broken:
        raise SpecError(
            f"groups {groups} must divide the {c_in} input channels and the {filters} filters "
            f"({' and '.join(broken)} is not whole): each group convolves C_in/groups channels "
            "into filters/groups filters"
        )


def conv(layer: Conv, shape: Shape) -> Counts:
    need_image(layer, shape)
    _stride_or_dilate(layer)
    c_in, f, g = shape.dims[2], layer.filters, layer.groups
    _check_groups(g, c_in, f)
    oh, ow, padding, steps = spatial(shape, layer.kernel, layer.stride, layer.dilation, layer.padding)
    kh, kw = layer.kernel
    weights = kh * kw * (c_in // g) * f
    biases = f if layer.bias else 0
    macs = oh * ow * f * kh * kw * (c_in // g)
    # a grouped conv writes C_in/groups where a standard one writes C_in; g = 1 reads as always
    cin, cin_n = ("C_in", str(c_in)) if g == 1 else ("C_in/groups", f"{c_in}/{g}")
    if layer.bias:
        steps.append(Step("parameters", f"(kh·kw·{cin} + 1)·filters", f"({kh}·{kw}·{cin_n} + 1)·{f}", weights + biases))
    else:
        steps.append(Step("parameters", f"kh·kw·{cin}·filters (no bias)", f"{kh}·{kw}·{cin_n}·{f}", weights))
    steps.append(Step("multiplications", f"H_out·W_out·filters·kh·kw·{cin}", f"{oh}·{ow}·{f}·{kh}·{kw}·{cin_n}", macs))
    return Counts(Shape((oh, ow, f)), weights, biases, 0, macs, padding, tuple(steps))


def _channels(c: int, m: int) -> tuple[str, str]:
    """``C`` and its number, times the multiplier only where there is one to speak of."""
    return ("C", str(c)) if m == 1 else ("C·multiplier", f"{c}·{m}")


def depthwise(layer: Depthwise, shape: Shape) -> Counts:
    """Keras DepthwiseConv2D: each channel convolved alone by ``multiplier`` kernels."""
    need_image(layer, shape)
    _stride_or_dilate(layer)
    c, m = shape.dims[2], layer.multiplier
    oh, ow, padding, steps = spatial(shape, layer.kernel, layer.stride, layer.dilation, layer.padding)
    kh, kw = layer.kernel
    cm, cm_n = _channels(c, m)
    weights = kh * kw * c * m
    biases = c * m if layer.bias else 0
    macs = oh * ow * c * m * kh * kw
    if m > 1:
        steps.append(Step("output channels", cm, cm_n, c * m))
    if layer.bias:
        steps.append(Step("parameters", f"(kh·kw + 1)·{cm}", f"({kh}·{kw} + 1)·{cm_n}", weights + biases))
    else:
        steps.append(Step("parameters", f"kh·kw·{cm} (no bias)", f"{kh}·{kw}·{cm_n}", weights))
    steps.append(Step("multiplications", f"H_out·W_out·{cm}·kh·kw", f"{oh}·{ow}·{cm_n}·{kh}·{kw}", macs))
    return Counts(Shape((oh, ow, c * m)), weights, biases, 0, macs, padding, tuple(steps))


def separable(layer: Separable, shape: Shape) -> Counts:
    """Keras SeparableConv2D: a depthwise conv, then a 1x1 conv to ``filters`` (with the bias)."""
    need_image(layer, shape)
    _stride_or_dilate(layer)
    c, m, f = shape.dims[2], layer.multiplier, layer.filters
    oh, ow, padding, steps = spatial(shape, layer.kernel, layer.stride, layer.dilation, layer.padding)
    kh, kw = layer.kernel
    cm, cm_n = _channels(c, m)
    depth_w, point_w = kh * kw * c * m, c * m * f
    biases = f if layer.bias else 0
    depth_macs, point_macs = oh * ow * c * m * kh * kw, oh * ow * c * m * f
    steps.append(Step("parameters, depthwise", f"kh·kw·{cm}", f"{kh}·{kw}·{cm_n}", depth_w))
    if layer.bias:
        steps.append(Step("parameters, pointwise", f"({cm} + 1)·filters", f"({cm_n} + 1)·{f}", point_w + biases))
    else:
        steps.append(Step("parameters, pointwise", f"{cm}·filters (no bias)", f"{cm_n}·{f}", point_w))
    params = depth_w + point_w + biases
    steps.append(Step("parameters", "depthwise + pointwise", f"{fmt_int(depth_w)} + {fmt_int(point_w + biases)}", params))
    steps.append(Step("multiplications, depthwise", f"H_out·W_out·{cm}·kh·kw", f"{oh}·{ow}·{cm_n}·{kh}·{kw}", depth_macs))
    steps.append(Step("multiplications, pointwise", f"H_out·W_out·{cm}·filters", f"{oh}·{ow}·{cm_n}·{f}", point_macs))
    macs = depth_macs + point_macs
    steps.append(Step("multiplications", "depthwise + pointwise", f"{fmt_int(depth_macs)} + {fmt_int(point_macs)}", macs))
    steps.extend(_against_standard(layer, c, oh, ow, macs))
    return Counts(Shape((oh, ow, f)), depth_w + point_w, biases, 0, macs, padding, tuple(steps))


def _against_standard(layer: Separable, c: int, oh: int, ow: int, macs: int) -> list[Step]:
    """What a standard conv from C to the same filters costs, and the ratio of multiplications:
    (C·k² + C·N) / (N·k²·C) = 1/N + 1/k² (times the multiplier), the separable's saving."""
    (kh, kw), f, m = layer.kernel, layer.filters, layer.multiplier
    bias = 1 if layer.bias else 0
    params = (kh * kw * c + bias) * f
    standard = oh * ow * f * kh * kw * c
    p_formula, p_numbers = (
        ("(kh·kw·C_in + 1)·filters", f"({kh}·{kw}·{c} + 1)·{f}")
        if bias
        else ("kh·kw·C_in·filters", f"{kh}·{kw}·{c}·{f}")
    )
    ratio = ("1/filters + 1/(kh·kw)", f"1/{f} + 1/({kh}·{kw})")
    if m > 1:
        ratio = (f"multiplier·({ratio[0]})", f"{m}·({ratio[1]})")
    return [
        Step("a standard conv's parameters", p_formula, p_numbers, params),
        Step("a standard conv's multiplications", "H_out·W_out·filters·kh·kw·C_in", f"{oh}·{ow}·{f}·{kh}·{kw}·{c}", standard),
        Step("separable / standard multiplications", *ratio, macs / standard),
    ]
