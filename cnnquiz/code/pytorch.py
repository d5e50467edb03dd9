"""PyTorch model code read with ``ast``: an ``nn.Sequential(...)`` or a ``class ...(nn.Module)``.

The class's ``__init__`` assigns layers to ``self.name`` (``nn.Conv2d(3, 6, 5)``, an
``nn.Sequential`` or ``nn.ModuleList`` of them); its ``forward`` calls them in a straight
sequence (:mod:`cnnquiz.code.forward`). PyTorch code never states its input, so the input is
``input_shape`` (``--in`` as H×W×C). Nothing is imported or run.
"""

from __future__ import annotations

import ast

from cnnquiz.code.forward import Attr, Forward, control_flow, is_self_attribute
from cnnquiz.code.literals import Env, at, init_defaults, module_names, snippet
from cnnquiz.code.result import PYTORCH, CodeRead
from cnnquiz.code.torch_graph import Graph
from cnnquiz.code.torch_layers import NN_PREFIXES, Module, dotted, read_layer, short_name
from cnnquiz.errors import SpecError
from cnnquiz.net.layers import Conv, Layer, Pool
from cnnquiz.net.network import Shape

_MODULE_BASES = {"nn.Module", "torch.nn.Module", "Module"}


def read(tree: ast.Module, text: str, source: str, input_shape: Shape | None) -> CodeRead:
    """The network PyTorch code builds; ``input_shape`` (H, W, C) is required."""
    del text  # the tree says all; kept for the readers' one signature
    env = module_names(tree)
    model = _find(tree, source)
    if input_shape is None:
        raise SpecError(
            "PyTorch code does not state its input's shape: give it as H×W×C with --in (e.g. --in 32x32x3)",
            at(model, source),
        )
    graph = Graph(input_shape, source)
    if isinstance(model, ast.ClassDef):
        return _read_class(model, graph, env, source)
    x = 0
    for module in _sequential(model, env, source):
        x = graph.add(module, (x,), model)
    network = graph.network(None)
    what = f"PyTorch nn.Sequential at {source}:{model.lineno}, {len(network.layers)} layers"
    return CodeRead(network, PYTORCH, what, _padding_notes(network.layers))


def _find(tree: ast.Module, source: str) -> ast.ClassDef | ast.Call:
    """The model: the last nn.Module class no other class uses, else the last module-level
    ``nn.Sequential(...)``."""
    classes = [
        c
        for c in tree.body
        if isinstance(c, ast.ClassDef) and any(dotted(b) in _MODULE_BASES for b in c.bases)
    ]
    used = {
        n.func.id
        for c in classes
        for n in ast.walk(c)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }
    top = [c for c in classes if c.name not in used]
    if top:
        return top[-1]
    calls = [
        stmt.value
        for stmt in tree.body
        if isinstance(stmt, ast.Assign | ast.Expr)
        and isinstance(stmt.value, ast.Call)
        and _is_sequential(stmt.value)
    ]
    if calls:
        return calls[-1]
    raise SpecError(
        "no class ...(nn.Module) and no nn.Sequential(...) found in the PyTorch code",
        f"{source}:1:1",
    )


def _is_sequential(call: ast.Call) -> bool:
    name = dotted(call.func)
    return bool(name) and short_name(name or "", NN_PREFIXES) == "Sequential"


def _sequential(call: ast.Call, env: Env, source: str) -> Attr:
    """The layers of ``nn.Sequential(a, b, ...)`` in order (nested ones flattened)."""
    if call.keywords:
        raise SpecError(
            f"cannot read `{snippet(call)}`: nn.Sequential takes its layers as arguments",
            at(call, source),
        )
    layers: list[Module] = []
    for arg in call.args:
        layers.extend(_layers(arg, env, source))
    return tuple(layers)


def _layers(node: ast.expr, env: Env, source: str) -> Attr:
    if not isinstance(node, ast.Call):
        raise SpecError(
            f"cannot read `{snippet(node)}`: write the layer, nn.X(...)", at(node, source)
        )
    if _is_sequential(node):
        return _sequential(node, env, source)
    module = read_layer(node, env, source)
    if module is None:
        raise SpecError(
            f"cannot read `{snippet(node)}`: {dotted(node.func) or 'this'} is not a PyTorch layer this reader "
            "knows; the code is read, never run",
            at(node, source),
        )
    return (module,)


def _module_list(call: ast.Call, env: Env, source: str) -> list[Attr]:
    items = call.args[0] if len(call.args) == 1 and not call.keywords else None
    if not isinstance(items, ast.List | ast.Tuple):
        raise SpecError(
            f"cannot read `{snippet(call)}`: write nn.ModuleList([layer, layer, ...])",
            at(call, source),
        )
    return [_layers(e, env, source) for e in items.elts]


def _method(cls: ast.ClassDef, name: str, source: str) -> ast.FunctionDef:
    for stmt in cls.body:
        if isinstance(stmt, ast.FunctionDef) and stmt.name == name:
            return stmt
    raise SpecError(f"class {cls.name} has no {name}", at(cls, source))


def _is_super_init(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and "super(" in ast.unparse(stmt)
        and ast.unparse(stmt).endswith(".__init__()")
    )


def _init(init: ast.FunctionDef, env: Env, source: str) -> dict[str, Attr | list[Attr]]:
    """``self.name = <layer>`` of ``__init__``: each name's layers."""
    attrs: dict[str, Attr | list[Attr]] = {}
    for stmt in init.body:
        if isinstance(stmt, ast.If | ast.For | ast.While | ast.With | ast.Try):
            raise control_flow(stmt, source)
        if _is_super_init(stmt) or (
            isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
        ):
            continue
        target = (
            stmt.targets[0] if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 else None
        )
        if not is_self_attribute(target):
            raise SpecError(
                f"cannot read `{snippet(stmt)}` in __init__: only self.name = nn.X(...) is read",
                at(stmt, source),
            )
        value = stmt.value if isinstance(stmt, ast.Assign) else None
        if (
            isinstance(value, ast.Call)
            and short_name(dotted(value.func) or "", NN_PREFIXES) == "ModuleList"
        ):
            attrs[target.attr] = _module_list(value, env, source)
        elif isinstance(value, ast.Call):
            attrs[target.attr] = _layers(value, env, source)
        else:
            attrs.pop(target.attr, None)  # a plain value (self.inplanes = 64): not a layer
    return attrs


def _read_class(cls: ast.ClassDef, graph: Graph, env: Env, source: str) -> CodeRead:
    init, forward = _method(cls, "__init__", source), _method(cls, "forward", source)
    bound = init_defaults(init, env, source)
    reader = Forward(graph, _init(init, bound, source), env, source)
    out = reader.read(forward)
    reader.check_all_used()
    if out != len(graph.layers) or out == 0:
        raise SpecError("forward must return the last tensor it makes", at(forward, source))
    network = graph.network(cls.name)
    what = f"PyTorch {cls.name} at {source}:{cls.lineno} (forward at :{forward.lineno})"
    return CodeRead(network, PYTORCH, what, _padding_notes(network.layers))


def _padding_notes(layers: tuple[Layer, ...]) -> tuple[str, ...]:
    """The padding PyTorch actually uses: explicit pixels on both sides of each axis."""
    at_: dict[str, list[str]] = {}
    for layer in layers:
        padding = getattr(layer, "padding", None)
        if isinstance(layer, Conv | Pool) and isinstance(padding, tuple) and padding != (0, 0):
            rows, cols = padding
            text = (
                f"{rows} pixel{'s' * (rows != 1)} on each side"
                if rows == cols
                else f"{rows} row{'s' * (rows != 1)} top and bottom, {cols} column{'s' * (cols != 1)} left and right"
            )
            at_.setdefault(text, []).append((layer.where or "?").rsplit(":", 1)[-1])
    if not at_:
        return ()
    parts = "; ".join(
        f"{text} at line{'s' * (len(lines) > 1)} {', '.join(lines)}" for text, lines in at_.items()
    )
    return (f"PyTorch pads explicitly and symmetrically (never Keras's 'same'): {parts}",)
