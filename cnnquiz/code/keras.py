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
    input_of,
    input_shape_of,
    keras_name,
    keyword,
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
_USES = frozenset({"fit", "evaluate", "predict", "save", "save_weights", "load_weights",
                   "count_params", "get_config"})  # fmt: skip
"""A model's methods that use it without changing it: a statement calling one is passed over
(``compile`` and ``summary`` are read, their arguments held to what ``_PASSED_METHODS`` allows)."""


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


_BUILDERS = frozenset({*LAYERS, *SKIPPED, *_SEQUENTIAL, *_MODEL, *_INPUT, "InputLayer",
                       *MERGE_FUNCTIONS})  # fmt: skip
"""Calls that make part of a model: a statement with one is never passed over."""


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
        self.passed: list[tuple[int, int]] = []  # lines of statements that are not the model
        self.read_by_layers: set[str] = set()  # names the model's calls read: never rebound aside

    # ---- statements ------------------------------------------------------------------------

    def statement(self, stmt: ast.stmt) -> None:
        """Read one top-level statement into the model; one that has nothing to do with it
        (loading data, training, printing) is passed over and named in the heading."""
        try:
            self._statement(stmt)
        except SpecError:
            if not self._unrelated(stmt):
                raise
            self.passed.append((stmt.lineno, stmt.end_lineno or stmt.lineno))

    def _statement(self, stmt: ast.stmt) -> None:
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

    def _unrelated(self, stmt: ast.stmt) -> bool:
        """Whether a statement builds nothing of the model: it makes no layer, model or input
        and touches no name the model is made of (a published example loads its data, trains
        and prints around the model)."""
        ours = {*self.tensors, *self.sequentials, *self.models, *self.instances}
        users = {
            id(node.func.value)
            for node in ast.walk(stmt)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in _USES and isinstance(node.func.value, ast.Name)
        }  # fmt: skip
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and node.id in ours and id(node) not in users:
                return False
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id in self.read_by_layers:
                return False
            if isinstance(node, ast.Call) and keras_name(node.func) in _BUILDERS:
                return False
        return True

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
        node = call.args[0] if call.args else keyword(call, "input_shape")
        if not isinstance(node, ast.Tuple | ast.List) or len(node.elts) < 2 or len(call.args) + len(call.keywords) != 1:
            raise SpecError("cannot read this build(): write model.build((None, H, W, C))", at(call, self.source))
        rest = ast.Tuple(node.elts[1:], ast.Load(), lineno=node.lineno, col_offset=node.col_offset)
        seq.input = seq.input or input_shape_of(rest, self.env, self.source)

    def input(self, name: str, call: ast.Call) -> None:
        if self.graph.input is not None:
            raise SpecError("a second Input: cnnquiz reads networks with one input", at(call, self.source))
        self.graph.input = self.given or input_of(call, "Input", self.env, self.source)
        if self.graph.input is None:
            raise SpecError("the Input's size is left open (None): give the input, e.g. --in 32x32x3",
                            at(call, self.source))  # fmt: skip
        self.tensors[name] = 0

    # ---- Sequential --------------------------------------------------------------------------

    def sequential(self, call: ast.Call, name: str) -> _Sequential:
        named = keyword(call, "name")
        label = literal(named, self.env, self.source) if isinstance(named, ast.Constant) else name
        seq = _Sequential(line_of(call, self.source), str(label))
        items = call.args[0] if call.args else keyword(call, "layers")
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
        stated = input_of(call, cls, self.env, self.source)
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
        inputs = call.args[0] if call.args else keyword(call, "inputs")
        outputs = call.args[1] if len(call.args) > 1 else keyword(call, "outputs")
        if inputs is None or outputs is None:
            raise SpecError("Model needs inputs and outputs", at(call, self.source))
        shape = self.graph.input
        if self.tensor(inputs) != 0 or shape is None:
            raise SpecError(f"cannot read `{snippet(inputs)}` as the model's Input", at(inputs, self.source))
        keep = self.ancestors(self.tensor(outputs), at(outputs, self.source))
        renumber = {0: 0} | {old: new for new, old in enumerate(keep, 1)}
        g = self.graph
        named = keyword(call, "name")
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


def _heading(
    kind: str, line: str, network: Network, skipped: list[str], passed: list[tuple[int, int]]
) -> str:
    what = f"Keras {kind} at {line}, {len(network.layers)} layers"
    if skipped:
        names = ", ".join(dict.fromkeys(skipped))
        what += f"; skipped: {names} (no parameters, shape kept)"
    if passed:
        what += f"; passed over, not the model (never run): {_lines(passed)}"
    return what


def _lines(spans: list[tuple[int, int]]) -> str:
    """``lines 14, 17-24, 44``: statements' lines, neighbours joined."""
    joined: list[list[int]] = []
    for first, last in spans:
        if joined and first <= joined[-1][1] + 1:
            joined[-1][1] = max(joined[-1][1], last)
        else:
            joined.append([first, last])
    text = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in joined)
    return f"line{'s' if len(joined) > 1 or joined[0][0] != joined[0][1] else ''} {text}"


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
    reader.read_by_layers = {
        name.id
        for call in ast.walk(tree)
        if isinstance(call, ast.Call) and keras_name(call.func) in _BUILDERS
        for name in ast.walk(call)
        if isinstance(name, ast.Name)
    }
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
        return CodeRead(network, KERAS, _heading(kind, seq.line, network, seq.skipped, reader.passed))
    network, skipped = reader.functionals[name]
    if not network.is_graph:
        network = Network(network.input, network.layers, network.name, source=source)
    return CodeRead(
        network, KERAS, _heading(kind, line_of(node, source), network, skipped, reader.passed)
    )
