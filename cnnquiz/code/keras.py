"""Keras model code read without running it: ``Sequential([...])``, ``Sequential()`` with
``model.add(...)``, and the functional API (``Input``, ``x = layers.Conv2D(...)(x)``,
``layers.add``/``Add()``, ``Concatenate``, ``Multiply``, ``Model(inputs, outputs)``).

The module's top-level statements are read in order. Imports and names bound to literals pass;
every other statement must build the model (a ``model.summary()`` or ``model.compile(...)`` is
passed over once its arguments are seen to call nothing but Keras). Anything else (a loop, a
function, a call to ``os.system``) is an error at file:line:col; nothing is ever run.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from cnnquiz.code.keras_layers import (
    LAYERS,
    MERGE_FUNCTIONS,
    SKIPPED,
    check_calls,
    check_skipped,
    keras_name,
    read_layer,
)
from cnnquiz.code.literals import Env, at, line_of, literal, module_names, snippet
from cnnquiz.code.result import KERAS, CodeRead
from cnnquiz.errors import SpecError
from cnnquiz.net.layers import Layer
from cnnquiz.net.network import Network, Shape

_PASSED_METHODS = frozenset({"summary", "compile", "build"})
_SEQUENTIAL = frozenset({"Sequential"})
_MODEL = frozenset({"Model", "Functional"})
_INPUT = frozenset({"Input"})


@dataclass
class _Sequential:
    """A Sequential model being read: its layers, in order, and the input it states."""

    line: str
    name: str | None
    layers: list[Layer] = field(default_factory=list)
    input: Shape | None = None
    skipped: list[str] = field(default_factory=list)


@dataclass
class _Graph:
    """The functional API's layers, each with the indexes it reads (0: the Input)."""

    layers: list[Layer] = field(default_factory=list)
    sources: list[tuple[int, ...]] = field(default_factory=list)
    input: Shape | None = None
    skipped: list[str] = field(default_factory=list)

    def add(self, layer: Layer, sources: tuple[int, ...]) -> int:
        self.layers.append(layer)
        self.sources.append(sources)
        return len(self.layers)


def _shape(node: ast.AST, env: Env, source: str) -> Shape | None:
    """The shape a layer states; None where a size is left open (``(None, None, 3)``)."""
    value = literal(node, env, source)
    value = (value,) if isinstance(value, int) else value
    if isinstance(value, tuple) and None in value:
        return None
    if (not isinstance(value, tuple) or len(value) not in (1, 3)
            or not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in value)):
        raise SpecError(f"the input shape must be (H, W, C) or (N,) in numbers, got `{snippet(node)}`",
                        at(node, source))  # fmt: skip
    return Shape(tuple(value))


def _keyword(call: ast.Call, *names: str) -> ast.AST | None:
    return next((kw.value for kw in call.keywords if kw.arg in names), None)


def _input_of(call: ast.Call, cls: str, env: Env, source: str) -> Shape | None:
    """The input a call states: ``Input(shape=)``, ``InputLayer(input_shape=)``, a layer's
    ``input_shape=`` or a Dense's ``input_dim=``."""
    if cls in ("Input", "InputLayer"):
        node = call.args[0] if call.args else _keyword(call, "shape", "input_shape", "batch_shape", "batch_input_shape")
        if node is None:
            raise SpecError(f"{cls} needs shape=", at(call, source))
        if any(kw.arg in ("batch_shape", "batch_input_shape") and kw.value is node for kw in call.keywords):
            if not isinstance(node, ast.Tuple | ast.List) or not node.elts:
                raise SpecError(f"cannot read `{snippet(node)}` as a batch shape", at(node, source))
            return _shape(ast.Tuple(node.elts[1:], ast.Load(), lineno=node.lineno, col_offset=node.col_offset), env, source)
        return _shape(node, env, source)
    node = _keyword(call, "input_shape", "input_dim")
    return None if node is None else _shape(node, env, source)


class _Reader:
    """Reads a module's statements into Sequential models and a functional graph."""

    def __init__(self, source: str, env: Env, given: Shape | None) -> None:
        self.source, self.env, self.given = source, env, given
        self.sequentials: dict[str, _Sequential] = {}
        self.graph = _Graph()
        self.tensors: dict[str, int] = {}
        self.instances: dict[str, tuple[ast.Call, str]] = {}
        self.called: set[str] = set()
        self.models: dict[str, tuple[str, ast.AST]] = {}  # variable -> (kind, node)
        self.functionals: dict[str, tuple[Network, list[str]]] = {}

    # ---- statements ------------------------------------------------------------------------

    def statement(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.Import | ast.ImportFrom | ast.Pass):
            return
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            return  # a docstring
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            self.assign(stmt.targets[0].id, stmt.value)
            return
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
            self.assign(stmt.target.id, stmt.value)
            return
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            self.method(stmt.value)
            return
        raise SpecError(
            f"cannot read `{snippet(stmt, 40)}`: only imports, numbers and the model's statements are "
            "read; write the model as top-level statements (no loop, if or function)",
            at(stmt, self.source),
        )

    def assign(self, name: str, value: ast.AST) -> None:
        if not any(isinstance(n, ast.Call) for n in ast.walk(value)):
            if isinstance(value, ast.Name) and value.id in self.tensors:
                self.tensors[name] = self.tensors[value.id]
                return
            literal(value, self.env, self.source)  # a number, a shape: an error if it is not one
            return
        if not isinstance(value, ast.Call):
            raise SpecError(f"cannot read `{snippet(value)}`: not a Keras call", at(value, self.source))
        cls = keras_name(value.func)
        if cls in _SEQUENTIAL:
            self.sequentials[name] = self.sequential(value, name)
            self.models[name] = ("Sequential", value)
        elif cls in _INPUT:
            self.input(name, value)
        elif cls in _MODEL:  # read now: a tensor's name may be bound again after it
            self.models[name] = ("functional Model", value)
            self.functionals[name] = self.functional(value, name)
        elif cls is not None and (cls in LAYERS or cls in SKIPPED):
            self.instances[name] = (value, cls)
        else:
            self.tensors[name] = self.tensor(value)

    def method(self, call: ast.Call) -> None:
        func = call.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            owner, name = func.value.id, func.attr
            if owner in self.sequentials and name == "add" and len(call.args) == 1 and not call.keywords:
                self.append(self.sequentials[owner], call.args[0])
                return
            if owner in self.sequentials and name == "build":
                self.build(self.sequentials[owner], call)
                return
            if owner in self.models and name in _PASSED_METHODS:
                for node in (*call.args, *(kw.value for kw in call.keywords)):
                    check_calls(node, self.source)
                return
        raise SpecError(f"cannot read `{snippet(call)}`: an unknown call; the code is read, never run",
                        at(call, self.source))  # fmt: skip

    def build(self, seq: _Sequential, call: ast.Call) -> None:
        """``model.build((None, 28, 28, 1))``: the input, after the batch axis."""
        node = call.args[0] if call.args else _keyword(call, "input_shape")
        if not isinstance(node, ast.Tuple | ast.List) or len(node.elts) < 2 or len(call.args) + len(call.keywords) != 1:
            raise SpecError("cannot read this build(): write model.build((None, H, W, C))", at(call, self.source))
        rest = ast.Tuple(node.elts[1:], ast.Load(), lineno=node.lineno, col_offset=node.col_offset)
        seq.input = seq.input or _shape(rest, self.env, self.source)

    def input(self, name: str, call: ast.Call) -> None:
        if self.graph.input is not None:
            raise SpecError("a second Input: cnnquiz reads networks with one input", at(call, self.source))
        self.graph.input = self.given or _input_of(call, "Input", self.env, self.source)
        if self.graph.input is None:
            raise SpecError("the Input's size is left open (None): give the input, e.g. --in 32x32x3",
                            at(call, self.source))  # fmt: skip
        self.tensors[name] = 0

    # ---- Sequential --------------------------------------------------------------------------

    def sequential(self, call: ast.Call, name: str) -> _Sequential:
        named = _keyword(call, "name")
        label = literal(named, self.env, self.source) if isinstance(named, ast.Constant) else name
        seq = _Sequential(line_of(call, self.source), str(label))
        items = call.args[0] if call.args else _keyword(call, "layers")
        if items is None:
            return seq
        if not isinstance(items, ast.List | ast.Tuple):
            raise SpecError(f"cannot read `{snippet(items)}`: write the layers as a list", at(items, self.source))
        for item in items.elts:
            self.append(seq, item)
        return seq

    def append(self, seq: _Sequential, node: ast.AST) -> None:
        """One layer of a Sequential (a call, a layer or Sequential by name, an Input)."""
        if isinstance(node, ast.Name) and node.id in self.sequentials:
            inner = self.sequentials[node.id]
            if not seq.layers and seq.input is None:
                seq.input = inner.input
            seq.layers.extend(inner.layers)
            seq.skipped.extend(inner.skipped)
            self.models.pop(node.id, None)
            return
        call, cls = self.constructor(node)
        stated = _input_of(call, cls, self.env, self.source)
        if stated is not None and not seq.layers and seq.input is None:
            seq.input = stated
        if cls in ("Input", "InputLayer"):
            if seq.layers:
                raise SpecError(f"{cls} after the first layer", at(call, self.source))
        elif cls in SKIPPED:
            check_skipped(call, self.source)
            seq.skipped.append(cls)
        else:
            seq.layers.append(read_layer(call, cls, self.env, self.source))

    def constructor(self, node: ast.AST) -> tuple[ast.Call, str]:
        """A layer's call (``layers.Conv2D(32, 3)``, or a name bound to one) and its class."""
        if isinstance(node, ast.Name) and node.id in self.instances:
            if node.id in self.called:
                raise SpecError(f"{node.id} is used twice: cnnquiz reads no shared layers", at(node, self.source))
            self.called.add(node.id)
            return self.instances[node.id]
        cls = keras_name(node.func) if isinstance(node, ast.Call) else None
        if not isinstance(node, ast.Call) or cls is None:
            raise SpecError(f"cannot read `{snippet(node)}`: not a Keras layer", at(node, self.source))
        if cls not in LAYERS and cls not in SKIPPED and cls not in ("Input", "InputLayer"):
            raise SpecError(f"{cls} is not a Keras layer cnnquiz reads", at(node, self.source))
        return node, cls

    # ---- the functional API ------------------------------------------------------------------

    def tensor(self, node: ast.AST) -> int:
        """The index of the tensor an expression makes, appending the layers it calls."""
        if isinstance(node, ast.Name):
            if node.id not in self.tensors:
                raise SpecError(f"cannot read `{node.id}`: not a tensor of the model", at(node, self.source))
            return self.tensors[node.id]
        if not isinstance(node, ast.Call):
            raise SpecError(f"cannot read `{snippet(node)}`: not a layer's output", at(node, self.source))
        merge = keras_name(node.func)
        if merge in MERGE_FUNCTIONS:  # layers.add([a, b])
            layer = read_layer(ast.Call(ast.Name(MERGE_FUNCTIONS[merge]), [], node.keywords,
                                        lineno=node.lineno, col_offset=node.col_offset),
                               MERGE_FUNCTIONS[merge], self.env, self.source)  # fmt: skip
            return self.call(layer, node.args, node)
        if not isinstance(node.func, ast.Call) and not (
            isinstance(node.func, ast.Name) and (node.func.id in self.instances or node.func.id in self.sequentials)
        ):
            raise SpecError(f"cannot read `{snippet(node)}`: an unknown call; the code is read, never run",
                            at(node, self.source))  # fmt: skip
        if len(node.args) != 1 or node.keywords:
            raise SpecError(f"cannot read `{snippet(node)}`: a layer is called on one tensor", at(node, self.source))
        if isinstance(node.func, ast.Name) and node.func.id in self.sequentials:  # augment(x)
            self.models.pop(node.func.id, None)
            index = self.tensor(node.args[0])
            inner = self.sequentials[node.func.id]
            self.graph.skipped.extend(inner.skipped)
            for layer in inner.layers:
                index = self.graph.add(layer, (index,))
            return index
        call, cls = self.constructor(node.func)
        if cls in SKIPPED:
            check_skipped(call, self.source)
            self.graph.skipped.append(cls)
            return self.tensor(node.args[0])
        return self.call(read_layer(call, cls, self.env, self.source), node.args, node)

    def call(self, layer: Layer, args: list[ast.expr], node: ast.AST) -> int:
        if layer.kind in ("add", "concat", "multiply"):
            if len(args) != 1 or not isinstance(args[0], ast.List | ast.Tuple):
                raise SpecError(f"{layer.title} takes a list of tensors: [a, b]", at(node, self.source))
            return self.graph.add(layer, tuple(self.tensor(e) for e in args[0].elts))
        return self.graph.add(layer, (self.tensor(args[0]),))

    # ---- the model ---------------------------------------------------------------------------

    def functional(self, call: ast.Call, name: str) -> tuple[Network, list[str]]:
        """The network ``Model(inputs, outputs)`` makes: the layers its output depends on."""
        inputs = call.args[0] if call.args else _keyword(call, "inputs")
        outputs = call.args[1] if len(call.args) > 1 else _keyword(call, "outputs")
        if inputs is None or outputs is None:
            raise SpecError("Model needs inputs and outputs", at(call, self.source))
        shape = self.graph.input
        if self.tensor(inputs) != 0 or shape is None:
            raise SpecError(f"cannot read `{snippet(inputs)}` as the model's Input", at(inputs, self.source))
        keep = self.ancestors(self.tensor(outputs), at(outputs, self.source))
        renumber = {0: 0} | {old: new for new, old in enumerate(keep, 1)}
        g = self.graph
        named = _keyword(call, "name")
        label = literal(named, self.env, self.source) if isinstance(named, ast.Constant) else name
        network = Network(
            shape,
            tuple(g.layers[i - 1] for i in keep),
            str(label),
            source=self.source,
            inputs=tuple(tuple(renumber[j] for j in g.sources[i - 1]) for i in keep),
        )
        return network, g.skipped

    def ancestors(self, output: int, where: str) -> list[int]:
        """The layers the output depends on, in the order they run."""
        if output == 0:
            raise SpecError("the model's output is its input: no layers", where)
        seen: set[int] = set()
        todo = [output]
        while todo:
            i = todo.pop()
            if i and i not in seen:
                seen.add(i)
                todo.extend(self.graph.sources[i - 1])
        return sorted(seen)


def _heading(kind: str, line: str, network: Network, skipped: list[str]) -> str:
    what = f"Keras {kind} at {line}, {len(network.layers)} layers"
    if skipped:
        names = ", ".join(dict.fromkeys(skipped))
        what += f"; skipped: {names} (no parameters, shape kept)"
    return what


def _the_model(reader: _Reader, source: str) -> tuple[str, str, ast.AST]:
    if not reader.models:
        raise SpecError("no Keras model found: no Sequential(...) nor Model(inputs, outputs)", f"{source}:1:1")
    if len(reader.models) > 1:
        listed = ", ".join(f"{n} at {line_of(node, source)}" for n, (_, node) in reader.models.items())
        raise SpecError(f"several models ({listed}); cnnquiz reads one: keep one in the code", f"{source}:1:1")
    name, (kind, node) = next(iter(reader.models.items()))
    return name, kind, node


def read(tree: ast.Module, text: str, source: str, input_shape: Shape | None) -> CodeRead:
    """The network Keras code builds; ``input_shape`` (H, W, C) replaces the code's own."""
    del text  # read from the tree alone
    reader = _Reader(source, module_names(tree), input_shape)
    for stmt in tree.body:
        reader.statement(stmt)
    name, kind, node = _the_model(reader, source)
    if kind == "Sequential":
        seq = reader.sequentials[name]
        if not seq.layers:
            raise SpecError("the Sequential model has no layers", seq.line)
        shape = input_shape or seq.input
        if shape is None:
            raise SpecError("the code states no input shape (input_shape=, Input(shape=)): give it, "
                            "e.g. --in 32x32x3", seq.line)  # fmt: skip
        network = Network(shape, tuple(seq.layers), seq.name, source=source)
        return CodeRead(network, KERAS, _heading(kind, seq.line, network, seq.skipped))
    network, skipped = reader.functionals[name]
    if not network.is_graph:
        network = Network(network.input, network.layers, network.name, source=source)
    return CodeRead(network, KERAS, _heading(kind, line_of(node, source), network, skipped))
