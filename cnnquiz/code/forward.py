"""Following a PyTorch ``forward`` that is a straight sequence of calls, never running it.

Every statement is an assignment of a tensor expression to a name (``x = self.conv1(x)``,
``out += identity``) or the ``return``; every expression is a call of a layer made in
``__init__``, a function of ``F``/``torch``, a flatten (``torch.flatten(x, 1)``, ``x.view(-1,
400)``), a sum (``out + identity``) or ``torch.cat``. Control flow and unknown calls are errors
at their line: nothing is skipped, nothing is run.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import TypeGuard

from cnnquiz.code.literals import Env, at, line_of, literal, snippet
from cnnquiz.code.torch_graph import Graph
from cnnquiz.code.torch_layers import F_PREFIXES, Module, dotted, read_function, short_name
from cnnquiz.errors import SpecError
from cnnquiz.net.layers import Add, Concat

Attr = tuple[Module, ...]
"""A module attribute of ``self``: one layer, or the layers of an nn.Sequential in order."""

Attrs = Mapping[str, Attr | list[Attr]]
"""``self.name``: a layer or nn.Sequential (callable), or an nn.ModuleList (indexed)."""

_FLOW = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try, ast.Match)
_BATCH = "batch"  # a name bound to x.size(0): the batch axis of a view


def control_flow(node: ast.stmt, source: str) -> SpecError:
    return SpecError(
        f"cannot follow control flow at {line_of(node, source)}; unroll it or write the network as a spec",
        at(node, source),
    )



def is_self_attribute(node: ast.AST | None) -> TypeGuard[ast.Attribute]:
    """Whether ``node`` is ``self.name``: where ``__init__`` keeps a layer and ``forward`` finds it."""
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    )

class Forward:
    """Reads one ``forward(self, x)`` into a Graph."""

    def __init__(self, graph: Graph, attrs: Attrs, env: Env, source: str) -> None:
        self.graph, self.attrs, self.env, self.source = graph, attrs, env, source
        self.tensors: dict[str, int | str] = {}
        self.used: set[str] = set()
        self.made: set[int] = set()  # the modules forward has called (by id)

    def check_all_used(self) -> None:
        """A layer with weights made in __init__ and never called: PyTorch counts its parameters,
        forward never runs it; refused rather than left out of the count unsaid."""
        for name, attr in self.attrs.items():
            items = [m for a in attr for m in a] if isinstance(attr, list) else list(attr)
            for module in items:
                if module.expect is not None and id(module) not in self.made:
                    node = module.call or module.expect.node
                    raise SpecError(
                        f"self.{name}'s {snippet(node)} is made in __init__ but forward never calls it: "
                        "PyTorch would count its parameters; remove it or call it",
                        at(node, self.source),
                    )

    def read(self, func: ast.FunctionDef) -> int:
        """Follow the body; the index of the tensor returned."""
        params = [a.arg for a in (*func.args.posonlyargs, *func.args.args)]
        if len(params) != 2 or func.args.vararg or func.args.kwonlyargs:
            raise SpecError(
                "forward must take one input: def forward(self, x)", at(func, self.source)
            )
        self.tensors[params[1]] = 0
        for stmt in func.body:
            if isinstance(stmt, ast.Return):
                if stmt.value is None:
                    break
                return self.tensor(stmt.value)
            self.statement(stmt)
        raise SpecError("forward returns no tensor", at(func, self.source))

    def statement(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.For) and self._layer_loop(stmt):
            return
        if isinstance(stmt, _FLOW):
            raise control_flow(stmt, self.source)
        if (
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str)
        ):
            return  # a docstring
        if isinstance(stmt, ast.Pass):
            return
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
        ):
            self.tensors[stmt.targets[0].id] = (
                _BATCH if self._is_batch(stmt.value) else self.tensor(stmt.value)
            )
            return
        if (
            isinstance(stmt, ast.AugAssign)
            and isinstance(stmt.op, ast.Add)
            and isinstance(stmt.target, ast.Name)
        ):
            left = self._name(stmt.target)
            self.tensors[stmt.target.id] = self.graph.merge(
                Add(where=line_of(stmt, self.source)), (left, self.tensor(stmt.value)), stmt
            )
            return
        raise SpecError(
            f"cannot read `{snippet(stmt)}` in forward: only `name = <layer call>` and `return` are followed",
            at(stmt, self.source),
        )

    def _layer_loop(self, stmt: ast.For) -> bool:
        """``for layer in self.layers: x = layer(x)``: an nn.ModuleList or nn.Sequential used in
        order, followed as its layers one by one; False for any other loop."""
        it, body = stmt.iter, stmt.body
        one = body[0] if len(body) == 1 and not stmt.orelse else None
        if not (
            isinstance(stmt.target, ast.Name)
            and is_self_attribute(it)
            and isinstance(one, ast.Assign)
            and len(one.targets) == 1
            and isinstance(one.targets[0], ast.Name)
            and ast.unparse(one.value) == f"{stmt.target.id}({one.targets[0].id})"
            and one.targets[0].id in self.tensors
        ):
            return False
        attr = self.attrs.get(it.attr)
        if attr is None:
            return False
        items = attr if isinstance(attr, list) else [(m,) for m in attr]
        x = self._name(one.targets[0])
        for k, item in enumerate(items):
            x = self._run(item, f"{it.attr}.{k}", x, one.value)
        self.tensors[one.targets[0].id] = x
        return True

    def tensor(self, node: ast.expr) -> int:
        """The index of the tensor an expression makes, adding its layers."""
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            sources = (self.tensor(node.left), self.tensor(node.right))
            return self.graph.merge(Add(where=line_of(node, self.source)), sources, node)
        if isinstance(node, ast.Call):
            return self.call(node)
        raise SpecError(f"cannot read `{snippet(node)}`: not a layer call", at(node, self.source))

    def _name(self, node: ast.Name) -> int:
        value = self.tensors.get(node.id)
        if not isinstance(value, int):
            raise SpecError(
                f"`{node.id}` is not a tensor that forward has made", at(node, self.source)
            )
        return value

    def call(self, call: ast.Call) -> int:
        func = call.func
        if is_self_attribute(func):
            return self._apply(self._attr(func, func.attr), func.attr, call)
        if isinstance(func, ast.Subscript) and isinstance(func.value, ast.Attribute):
            return self._apply(self._item(func), ast.unparse(func)[5:], call)
        name = dotted(func)
        short = short_name(name, F_PREFIXES) if name else None
        if short == "flatten":
            return self._torch_flatten(call)
        if short == "cat":
            return self._cat(call)
        if isinstance(func, ast.Attribute) and func.attr in ("view", "reshape", "flatten"):
            return self._method_flatten(call, func)
        read = read_function(call, self.env, self.source)
        if read is None:
            raise SpecError(
                f"cannot read `{snippet(call)}`: {name or 'this'} is not a PyTorch layer or function this "
                "reader knows; the code is read, never run",
                at(call, self.source),
            )
        module, input_node = read
        return self.graph.add(module, (self.tensor(input_node),), call)

    def _attr(self, node: ast.AST, name: str) -> Attr:
        attr = self.attrs.get(name)
        if attr is None:
            raise SpecError(f"self.{name} is not a layer made in __init__", at(node, self.source))
        if isinstance(attr, list):
            raise SpecError(
                f"self.{name} is an nn.ModuleList: call its layers one by one, self.{name}[0](x)",
                at(node, self.source),
            )
        return attr

    def _item(self, func: ast.Subscript) -> Attr:
        owner = func.value
        if not is_self_attribute(owner):
            raise SpecError(
                f"cannot read `{snippet(func)}`: not a layer made in __init__",
                at(func, self.source),
            )
        attr = self.attrs.get(owner.attr)
        index = literal(func.slice, self.env, self.source)
        items = attr if isinstance(attr, list) else [(m,) for m in attr or ()]
        if not isinstance(index, int) or not -len(items) <= index < len(items):
            raise SpecError(f"cannot read `{snippet(func)}`: no such layer", at(func, self.source))
        return items[index]

    def _apply(self, attr: Attr, name: str, call: ast.Call) -> int:
        if len(call.args) != 1 or call.keywords:
            raise SpecError(f"self.{name} takes one tensor: self.{name}(x)", at(call, self.source))
        return self._run(attr, name, self.tensor(call.args[0]), call)

    def _run(self, attr: Attr, name: str, x: int, call: ast.AST) -> int:
        for k, module in enumerate(attr):
            label = name if len(attr) == 1 else f"{name}.{k}"
            if id(module) in self.made and module.expect is not None:
                raise SpecError(
                    f"self.{label} is called twice: its weights are shared, which this reader does not "
                    "count; make two layers",
                    at(call, self.source),
                )
            self.made.add(id(module))
            x = self.graph.add(module, (x,), call, None if label in self.used else label)
            self.used.add(label)
        return x

    def _torch_flatten(self, call: ast.Call) -> int:
        args = [*call.args, *(k.value for k in call.keywords if k.arg in ("start_dim", "end_dim"))]
        if not args or len(args) != len(call.args) + len(call.keywords):
            raise SpecError(
                f"cannot read `{snippet(call)}`: write torch.flatten(x, 1)", at(call, self.source)
            )
        dims = [literal(a, self.env, self.source) for a in args[1:]]
        if dims not in ([1], [1, -1]):
            raise SpecError(
                f"cannot read `{snippet(call)}`: only torch.flatten(x, 1) is counted",
                at(call, self.source),
            )
        return self.graph.flatten(self.tensor(args[0]), call, line_of(call, self.source))

    def _method_flatten(self, call: ast.Call, func: ast.Attribute) -> int:
        x = self.tensor(func.value)
        if call.keywords:
            raise SpecError(
                f"cannot read `{snippet(call)}`: write x.view(x.size(0), -1)", at(call, self.source)
            )
        if func.attr == "flatten":
            if [literal(a, self.env, self.source) for a in call.args] != [1]:
                raise SpecError(
                    f"cannot read `{snippet(call)}`: only x.flatten(1) is counted",
                    at(call, self.source),
                )
            return self.graph.flatten(x, call, line_of(call, self.source))
        args = (
            call.args[0].elts
            if len(call.args) == 1 and isinstance(call.args[0], ast.Tuple | ast.List)
            else call.args
        )
        if len(args) != 2:
            raise SpecError(
                f"cannot read `{snippet(call)}`: only a view to (batch, features) is counted",
                at(call, self.source),
            )
        first = -1 if self._is_batch(args[0]) else literal(args[0], self.env, self.source)
        second = literal(args[1], self.env, self.source)
        got, factors = self.graph.values(x)
        if first == -1 and second in (-1, got):
            return self.graph.flatten(x, call, line_of(call, self.source))
        raise SpecError(
            f"{snippet(call)} receives {got} = {factors} values per image; PyTorch would fail with "
            f"\"shape '[{first}, {second}]' is invalid for input of size {got}\" (or mix the images of a "
            f"batch); write {snippet(func)}(-1, {got})",
            at(call, self.source),
        )

    def _is_batch(self, node: ast.expr) -> bool:
        """``x.size(0)``, ``x.shape[0]``, ``len(x)`` or a name bound to one: the batch axis."""
        if isinstance(node, ast.Name):
            return self.tensors.get(node.id) == _BATCH
        text = ast.unparse(node)
        return any(
            text == f"{v}.size(0)" or text == f"{v}.shape[0]" or text == f"len({v})"
            for v in self.tensors
        )

    def _cat(self, call: ast.Call) -> int:
        parts = call.args[0] if call.args else None
        dims = [*call.args[1:], *(k.value for k in call.keywords if k.arg == "dim")]
        if not isinstance(parts, ast.List | ast.Tuple) or len(dims) != 1 or len(parts.elts) < 2:
            raise SpecError(
                f"cannot read `{snippet(call)}`: write torch.cat([a, b], 1)", at(call, self.source)
            )
        if literal(dims[0], self.env, self.source) != 1:
            raise SpecError(
                f"cannot read `{snippet(call)}`: only joining the channels (dim 1) is counted",
                at(call, self.source),
            )
        sources = tuple(self.tensor(e) for e in parts.elts)
        return self.graph.merge(Concat(where=line_of(call, self.source)), sources, call)
