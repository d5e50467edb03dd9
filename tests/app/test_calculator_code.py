"""Code pasted into the calculator's layers box: Keras or PyTorch model code is read (never run)
as ``cnnquiz calc code`` reads it; PyTorch code takes the shape box, Keras code its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, TextArea

from cnnquiz.app import make_app
from cnnquiz.app.screens.calculator_work import calculate, looks_like_code, parse_calculator
from cnnquiz.progress import Progress
from tests.fakes import calculator_settled, sync

FIXTURES = Path(__file__).parents[1] / "fixtures"
TORCH_NET = (FIXTURES / "code" / "torch_tutorial_net.py").read_text(encoding="utf-8")
KERAS_TUTORIAL = (FIXTURES / "code" / "keras_tf_cnn_tutorial.py").read_text(encoding="utf-8")


def test_code_is_told_from_layers_and_yaml():
    assert looks_like_code(TORCH_NET) and looks_like_code(KERAS_TUTORIAL)
    assert not looks_like_code("conv 32 k3 same; maxpool 2; dense 10")
    assert not looks_like_code("input: 28x28x1\nlayers:\n  - conv: {filters: 32, kernel: 5}")


def test_pytorch_code_takes_the_shape_box_keras_code_its_own_shape():
    net = parse_calculator("32x32x3", TORCH_NET)
    assert str(net.input) == "32x32x3" and net.name and net.name.startswith("PyTorch Net at code:")
    keras = parse_calculator("8x8x1", KERAS_TUTORIAL)
    assert str(keras.input) == "32x32x3" and len(keras.layers) == 8


def test_a_mismatched_linear_is_the_screens_one_line_error():
    bad = TORCH_NET.replace("nn.Conv2d(6, 16, 5)", "nn.Conv2d(6, 16, 3)")
    calc = calculate("32x32x3", bad, "32", "sgd")
    assert calc.computed is None and calc.error
    assert "receives 576 = 16·6·6 features" in calc.error


@pytest.mark.slow  # drives the app
@sync
async def test_pasting_pytorch_code_fills_the_table():
    the_app = make_app(
        [FIXTURES / "app" / "mini.yaml"], progress=Progress(), seed=1, clock=lambda: 0.0
    )
    async with the_app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        await calculator_settled(pilot)
        screen = the_app.screen
        screen.query_one("#calc-input", Input).value = "32x32x3"
        screen.query_one("#calc-layers", TextArea).text = TORCH_NET
        await pilot.pause()
        await calculator_settled(pilot)
        table = screen.query_one("#calc-table", DataTable)
        rows = [" ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
        assert table.row_count >= 12
        assert any("48,120" in row for row in rows)  # fc1: (400 + 1) * 120
