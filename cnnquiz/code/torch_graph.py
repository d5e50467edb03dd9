"""The network a PyTorch ``forward`` builds, layer by layer, with every tensor's shape known.

Each layer is added with what it reads; its output shape comes from cnnquiz's own rules, so a
layer that says it receives one number of channels or features while another arrives is caught
at its line, with both numbers, PyTorch's own error and the fix: the student's classic bug.
"""

from __future__ import annotations

import ast
import copy

from cnnquiz.code.literals import at
from cnnquiz.code.torch_layers import Expect, Module
from cnnquiz.errors import SpecError
from cnnquiz.net.arithmetic import RULES
from cnnquiz.net.layers import Add, BatchNorm, Concat, Conv, Dense, Flatten, Layer
from cnnquiz.net.network import Network, Shape
from cnnquiz.net.spatial import Operand


def chw(shape: Shape) -> tuple[int, ...]:
    """A shape in PyTorch's order: C, H, W for an image."""
    return (shape.dims[2], shape.dims[0], shape.dims[1]) if shape.is_image else shape.dims


def fixed(call: ast.Call, node: ast.expr, value: int) -> str:
    """The call as written, with one argument replaced by the right number."""
    call = copy.deepcopy(call)
    index = next(
        i for i, a in enumerate(_argument_nodes(call)) if a is node or ast.dump(a) == ast.dump(node)
    )
    if index < len(call.args):
        call.args[index] = ast.Constant(value)
    else:
        call.keywords[index - len(call.args)].value = ast.Constant(value)
    return ast.unparse(call)


def _argument_nodes(call: ast.Call) -> list[ast.expr]:
    return [*call.args, *(k.value for k in call.keywords)]


class Graph:
    """Layers in the order ``forward`` runs them, what each reads, and every tensor's shape."""

    def __init__(self, input_shape: Shape, source: str) -> None:
        self.source = source
        self.shapes: list[Shape] = [input_shape]  # 0: the input, i: layer i's output
        self.layers: list[Layer] = []
        self.inputs: list[tuple[int, ...]] = []
        self.names: list[str | None] = []
        self.flattened: dict[int, Shape] = {}  # a flatten's output: the image it flattened

    def add(
        self, module: Module, sources: tuple[int, ...], node: ast.AST, name: str | None = None
    ) -> int:
        """Add a layer reading ``sources``; its index (1-based)."""
        layer = module.layer
        if module.expect is not None:
            self._check(layer, module.expect, sources[0])
        operands = tuple(Operand(self.shapes[j], self._label(j)) for j in sources)
        try:
            counts = RULES[type(layer)](layer, operands)
        except SpecError as exc:
            raise exc.at(at(module.call or node, self.source)) from None
        self.layers.append(layer)
        self.inputs.append(sources)
        self.names.append(name)
        self.shapes.append(counts.output)
        if isinstance(layer, Flatten):
            self.flattened[len(self.layers)] = self.shapes[sources[0]]
        return len(self.layers)

    def flatten(self, source: int, node: ast.AST, line: str) -> int:
        return self.add(Module(Flatten(where=line)), (source,), node)

    def merge(self, layer: Add | Concat, sources: tuple[int, ...], node: ast.AST) -> int:
        return self.add(Module(layer), sources, node)

    def values(self, j: int) -> tuple[int, str]:
        """How many values tensor ``j`` holds per image, and as a product (``16·6·6``)."""
        shape = self.flattened.get(j, self.shapes[j])
        factors = "·".join(str(d) for d in chw(shape))
        return shape.values, factors

    def _label(self, j: int) -> str:
        if j == 0:
            return "the input"
        where = self.layers[j - 1].where
        return f"layer {j}, {where}" if where else f"layer {j}"

    def _check(self, layer: Layer, expect: Expect, j: int) -> None:
        shape = self.shapes[j]
        text = ast.unparse(expect.node)
        where = at(expect.node, self.source)
        if isinstance(layer, Dense):
            self._check_linear(layer, expect, j, text, where)
            return
        if not shape.is_image and isinstance(layer, Conv):
            raise SpecError(f"{text} receives the vector {shape}, not a C×H×W feature map", where)
        if isinstance(layer, BatchNorm) and shape.is_image != (expect.what == "channels"):
            self._batch_norm_dims(expect, shape, text, where)
        got = shape.dims[-1]
        if got == expect.count:
            return
        if isinstance(layer, BatchNorm):
            torch_says = f"running_mean should contain {got} elements not {expect.count}"
        else:
            c, h, w = chw(shape)
            torch_says = f"expected input[1, {c}, {h}, {w}] to have {expect.count} channels, but got {c} channels instead"
        raise SpecError(
            f"{text} receives {got} channels; PyTorch would fail with '{torch_says}'; "
            f"write {fixed(expect.node, expect.arg, got)}",
            where,
        )

    def _batch_norm_dims(self, expect: Expect, shape: Shape, text: str, where: str) -> None:
        """BatchNorm2d reads C×H×W maps, BatchNorm1d vectors: the other is PyTorch's error."""
        if shape.is_image:
            c, h, w = chw(shape)
            got, torch_says, other = (
                f"a {c}×{h}×{w} feature map",
                "expected 2D or 3D input (got 4D input)",
                "2d",
            )
        else:
            c = shape.dims[-1]
            got, torch_says, other = f"the vector {shape}", "expected 4D input (got 2D input)", "1d"
        fix = fixed(expect.node, expect.arg, c).replace(
            "BatchNorm1d" if other == "2d" else "BatchNorm2d", f"BatchNorm{other}"
        )
        raise SpecError(
            f"{text} receives {got}; PyTorch would fail with '{torch_says}'; write {fix}", where
        )

    def _check_linear(self, layer: Dense, expect: Expect, j: int, text: str, where: str) -> None:
        shape = self.shapes[j]
        if shape.is_image:
            c, h, w = chw(shape)
            raise SpecError(
                f"{text} receives a {c}×{h}×{w} feature map, not flattened: PyTorch would apply it to the "
                f"last axis (width {w}); flatten first, e.g. x = torch.flatten(x, 1)",
                where,
            )
        got, factors = self.values(j)
        if got == expect.count:
            return
        product = f"{got} = {factors}" if "·" in factors else str(got)
        raise SpecError(
            f"{text} receives {product} features; PyTorch would fail with 'mat1 and mat2 shapes cannot be "
            f"multiplied (1x{got} and {expect.count}x{layer.units})'; write {fixed(expect.node, expect.arg, got)}",
            where,
        )

    def network(self, name: str | None) -> Network:
        chain = all(src == (i,) for i, src in enumerate(self.inputs))
        return Network(
            input=self.shapes[0],
            layers=tuple(self.layers),
            name=name,
            source=self.source,
            inputs=() if chain else tuple(self.inputs),
            names=tuple(self.names) if any(self.names) else (),
        )
