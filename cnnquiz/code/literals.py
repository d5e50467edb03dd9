"""Reading model code's arguments without running it: literals, simple arithmetic, bound names.

Only what a published example writes is read: numbers, strings, booleans, None, tuples and
lists of them, ``+ - * / // %`` and unary minus on numbers (``16 * 5 * 5``), and names bound
once to such a value at module level (``num_classes = 10``) or as a literal default of
``__init__`` (``def __init__(self, planes=16)``). Anything else is an error naming
file:line:column and the construct; nothing is imported, evaluated or executed.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from typing import Any

from cnnquiz.errors import SpecError

Env = Mapping[str, Any]
"""Names bound once to a literal value: what a name in an argument means."""

_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}

_MAX_LITERAL = 10**12  # bigger numbers are not a network's; refusing them keeps ** and * tame


def at(node: ast.AST, source: str) -> str:
    """``file:line:col`` of a node (columns from 1, as editors count)."""
    return f"{source}:{getattr(node, 'lineno', 0)}:{getattr(node, 'col_offset', -1) + 1}"


def line_of(node: ast.AST, source: str) -> str:
    """``file:line`` of a node: where a layer read from code was written."""
    return f"{source}:{getattr(node, 'lineno', 0)}"


def snippet(node: ast.AST, limit: int = 60) -> str:
    """The construct as written (unparsed), shortened to fit one line of an error."""
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def parse(text: str, source: str) -> ast.Module:
    """The code's syntax tree; a syntax error is a SpecError at file:line:col."""
    try:
        return ast.parse(text, filename=source)
    except SyntaxError as exc:
        where = f"{source}:{exc.lineno or 0}:{exc.offset or 0}"
        raise SpecError(f"syntax error: {exc.msg}", where) from None
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, absurd nesting
        raise SpecError(f"cannot parse the code: {type(exc).__name__}", f"{source}:1:1") from None


def not_readable(node: ast.AST, source: str, why: str = "only numbers are allowed; write the number") -> SpecError:
    """The error for an argument that is not a literal: the construct, where, and the way out."""
    return SpecError(f"cannot read `{snippet(node)}`: {why}", at(node, source))


def _number(value: Any, node: ast.AST, source: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise not_readable(node, source)
    if abs(value) > _MAX_LITERAL:
        raise not_readable(node, source, "the number is too large for a network")
    return value


def _binop(node: ast.BinOp, env: Env, source: str) -> Any:
    op = _BINOPS.get(type(node.op))
    if op is None:
        raise not_readable(node, source)
    try:
        left = _number(literal(node.left, env, source), node.left, source)
        right = _number(literal(node.right, env, source), node.right, source)
    except SpecError as exc:  # the whole expression is the construct to name: `n_filters * k`
        raise not_readable(node, source, exc.message.split("`: ", 1)[-1]) from None
    try:
        return _number(op(left, right), node, source)
    except ZeroDivisionError:
        raise not_readable(node, source, "division by zero") from None


def literal(node: ast.AST, env: Env, source: str) -> Any:
    """The value of a literal argument; anything else is a SpecError at its file:line:col."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float | str | bool | type(None)):
        return node.value
    if isinstance(node, ast.Tuple | ast.List):
        return tuple(literal(e, env, source) for e in node.elts)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _number(literal(node.operand, env, source), node.operand, source)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp):
        return _binop(node, env, source)
    if isinstance(node, ast.Name) and node.id in env:
        return env[node.id]
    raise not_readable(node, source)


def _is_literal(node: ast.AST) -> bool:
    try:
        literal(node, {}, "")
    except SpecError:
        return False
    return True


def _bind(names: dict[str, Any], twice: set[str], target: ast.AST, value: ast.AST | None, env: Env) -> None:
    """Bind ``target = value`` if it is a simple name and a literal value; a name bound twice
    is bound to nothing (which value would the code use?)."""
    if not isinstance(target, ast.Name):
        return
    if target.id in names or target.id in twice or value is None:
        names.pop(target.id, None)
        twice.add(target.id)
        return
    try:
        names[target.id] = literal(value, env, "")
    except SpecError:
        twice.add(target.id)  # bound to something not literal: never read


def module_names(tree: ast.Module) -> dict[str, Any]:
    """Names bound exactly once, at module level, to a literal value (``num_classes = 10``)."""
    names: dict[str, Any] = {}
    twice: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            _bind(names, twice, stmt.targets[0], stmt.value, names)
        elif isinstance(stmt, ast.AnnAssign):
            _bind(names, twice, stmt.target, stmt.value, names)
        elif isinstance(stmt, ast.Assign | ast.AugAssign):
            for target in getattr(stmt, "targets", [getattr(stmt, "target", None)]):
                _bind(names, twice, target, None, names)
    return names


def init_defaults(func: ast.FunctionDef, env: Env, source: str) -> dict[str, Any]:
    """The literal defaults of a function's parameters (``def __init__(self, planes=16)``),
    over the module's names; a parameter with a default that is not literal is not bound."""
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    pairs = list(zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True))
    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None]
    bound = dict(env)
    for arg, default in pairs:
        if _is_literal(default) or (isinstance(default, ast.Name) and default.id in env):
            bound[arg.arg] = literal(default, env, source)
        else:
            bound.pop(arg.arg, None)
    for arg in (*positional, *args.kwonlyargs):  # a parameter without a default shadows a global
        if arg.arg not in {a.arg for a, _ in pairs}:
            bound.pop(arg.arg, None)
    return bound
