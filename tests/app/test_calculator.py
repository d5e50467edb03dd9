"""The calculator screen's parser: inline, a YAML list of layers, a YAML network; errors say where."""

from __future__ import annotations

import pytest

from cnnquiz.app.screens.calculator_work import parse_calculator
from cnnquiz.errors import CnnquizError
from cnnquiz.net.arithmetic import analyze


def params(shape: str, text: str) -> int:
    return analyze(parse_calculator(shape, text)).params


def test_inline_lines_or_semicolons():
    worked = "conv 100 k3 s2 same\nconv 200 k3 s2 same\nconv 400 k3 s2 same"
    assert params("200x300x3", worked) == 903_400
    assert params("200x300x3", worked.replace("\n", "; ")) == 903_400


def test_yaml_network_ignores_the_shape_box():
    text = "name: tiny\ninput: 28x28x1\nlayers:\n  - conv: {filters: 32, kernel: 5}"
    assert params("999x999x9", text) == 832


def test_yaml_list_uses_the_shape_box():
    assert params("28x28x1", "- conv: {filters: 32, kernel: 5}\n- flatten: {}") == 832


@pytest.mark.parametrize(
    ("shape", "text", "message"),
    [
        ("200x300x3", "", "layers: type at least one layer"),
        ("200x300x3", "conv 100 k3\nconv banana", "layer 2"),
        ("200x300", "conv 10", "input: "),
        ("28x28x1", "- conv: {filters: 32, kernel: 5\n- flatten: {}", "layers:"),
    ],
)
def test_errors_are_one_line_and_say_where(shape, text, message):
    with pytest.raises(CnnquizError) as err:
        parse_calculator(shape, text)
    assert message in str(err.value)
    assert "\n" not in str(err.value)
