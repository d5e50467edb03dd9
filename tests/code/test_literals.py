"""Literal arguments read from code's syntax tree: numbers, arithmetic, names bound once."""

from __future__ import annotations

import ast

import pytest

from cnnquiz.code import detect, read_code
from cnnquiz.code.literals import init_defaults, literal, module_names, parse
from cnnquiz.errors import SpecError


def _expr(text: str) -> ast.expr:
    stmt = ast.parse(text).body[0]
    assert isinstance(stmt, ast.Expr)
    return stmt.value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("16 * 5 * 5", 400),
        ("(28, 28, 1)", (28, 28, 1)),
        ("[128, 128, 3]", (128, 128, 3)),
        ("-1", -1),
        ("1.0 / 255", 1.0 / 255),
        ("64 // 2 + 1", 33),
        ("'same'", "same"),
        ("True", True),
        ("None", None),
        ("num_classes", 10),
    ],
)
def test_literals_and_simple_arithmetic(text: str, value: object) -> None:
    assert literal(_expr(text), {"num_classes": 10}, "m.py") == value


def test_the_issue_wording_names_the_construct_and_where() -> None:
    tree = parse("n_filters = 8\nk = compute()\nx = f(n_filters * k)\n", "model.py")
    env = module_names(tree)
    call = tree.body[2].value
    assert isinstance(call, ast.Call)
    with pytest.raises(SpecError) as exc:
        literal(call.args[0], env, "model.py")
    assert str(exc.value) == "model.py:3:7: cannot read `n_filters * k`: only numbers are allowed; write the number"


@pytest.mark.parametrize(
    "text",
    ["x.shape[0]", "len(a)", "2 ** 10", "a if b else c", "'a' * 3", "10 ** 20 * 10 ** 20", "1 / 0"],
)
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(SpecError, match="cannot read"):
        literal(_expr(text), {}, "m.py")


def test_module_names_bound_once_to_literals_only() -> None:
    tree = parse(
        "a = 3\nb = a * 2\nc = 1\nc = 2\nd: int = 4\ne = f()\ng, h = 1, 2\ni = 1\ni += 1\n", "m.py"
    )
    assert module_names(tree) == {"a": 3, "b": 6, "d": 4}


def test_init_defaults_over_the_module_names() -> None:
    tree = parse("k = 3\ndef __init__(self, planes=16, stride=k, other=f(), *, groups=2, width):\n    pass\n", "m.py")
    func = tree.body[1]
    assert isinstance(func, ast.FunctionDef)
    bound = init_defaults(func, module_names(tree), "m.py")
    assert bound == {"k": 3, "planes": 16, "stride": 3, "groups": 2}


def test_a_syntax_error_is_file_line_col() -> None:
    with pytest.raises(SpecError) as exc:
        parse("x = (1,\ny = 2\n", "<stdin>")
    assert exc.value.where is not None and exc.value.where.startswith("<stdin>:1:")
    assert "syntax error" in exc.value.message


@pytest.mark.parametrize(
    ("text", "framework"),
    [
        ("import tensorflow as tf\n", "Keras"),
        ("from keras import layers\n", "Keras"),
        ("import torch.nn as nn\n", "PyTorch"),
        ("model = Sequential([Conv2D(8, 3)])\n", "Keras"),
        ("net = nn.Sequential(nn.Conv2d(3, 8, 3))\n", "PyTorch"),
    ],
)
def test_the_framework_is_told_by_imports_then_names(text: str, framework: str) -> None:
    assert detect(parse(text, "m.py"), "m.py") == framework


def test_code_of_neither_framework_is_refused() -> None:
    with pytest.raises(SpecError, match="cannot tell Keras code from PyTorch code") as exc:
        read_code("x = 1\n", "m.py")
    assert exc.value.where == "m.py:1:1"
