"""The calculator screen on graphs: a zoo name or a spec file opened with Ctrl+O, a residual
block typed inline with ``name=``/``from=``, and the table's From column and block headings."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static, TextArea

from cnnquiz.app import make_app
from cnnquiz.app.screens.calculator_work import calculate, open_spec
from cnnquiz.errors import CnnquizError
from cnnquiz.progress import Progress
from tests.fakes import calculator_settled, sync

MINI = Path(__file__).parents[1] / "fixtures" / "app" / "mini.yaml"
ROOT = Path(__file__).parents[2]
BLOCK_FILE = ROOT / "examples" / "resnet-block.yaml"

# a residual block typed inline: the add reads the input and the layer just before
INLINE_BLOCK = (
    "conv 64 k3 same no_bias name=c1\nbatchnorm\nrelu\n"
    "conv 64 k3 same no_bias\nbatchnorm name=main\nadd from=input,main\nrelu"
)
TENSOR = 56 * 56 * 64 * 4  # 802,816 bytes: every tensor of the block


def app() -> object:
    return make_app([MINI], progress=Progress(), seed=1, clock=lambda: 0.0)


def text_of(widget: Static) -> str:
    return str(widget.render())


def column(table: DataTable, name: str) -> list[str]:
    index = [str(c.label) for c in table.columns.values()].index(name)
    return [str(table.get_row_at(i)[index]) for i in range(table.row_count)]


def test_open_reads_a_zoo_network_or_a_file_into_the_boxes():
    opened = open_spec("worked")
    assert (opened.title, opened.shape) == ("worked example", "200x300x3")
    assert "layers:" in opened.text
    assert calculate("1x1x1", opened.text, "50", "sgd").computed.report.totals.params == 903_400
    worked = ROOT / "examples" / "worked.yaml"
    assert open_spec(str(worked)).text == worked.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("arg", "message"),
    [("", "open: type a network file"), ("resnet17", "did you mean resnet18?")],
)
def test_open_refuses_what_names_no_network_in_one_line(arg, message):
    with pytest.raises(CnnquizError) as err:
        open_spec(arg)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_a_residual_block_typed_inline_keeps_its_input_for_the_add():
    result = calculate("56x56x64", INLINE_BLOCK, "32", "sgd")
    assert result.computed is not None, result.error
    report = result.computed.report
    add = report.layers[5]
    assert (add.layer, add.sources, add.input_shapes) == ("Add", (0, 5), ("56x56x64",) * 2)
    pred = report.prediction_ram
    assert [t.bytes for t in pred.held] == [TENSOR] * 3
    assert pred.held[0].why.startswith("kept for layer 6 (Add")


@pytest.mark.slow  # drives the app
@sync
async def test_ctrl_o_opens_a_graph_and_the_table_shows_where_each_layer_reads():
    the_app = app()
    async with the_app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        await calculator_settled(pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()
        the_app.screen.query_one("#open-name", Input).value = str(BLOCK_FILE)
        await pilot.press("enter")
        await pilot.pause()
        screen = the_app.screen
        await calculator_settled(pilot)
        assert screen.query_one("#calc-input", Input).value == "56x56x64"
        assert "blocks:" in screen.query_one("#calc-layers", TextArea).text
        table = screen.query_one("#calc-table", DataTable)
        layers = column(table, "Layer")
        assert "basic1" in layers and "basic2" in layers  # a heading per block use
        frm = column(table, "From")
        assert any(cell.startswith("input") for cell in frm)
        ram = text_of(screen.query_one("#calc-ram"))
        assert "peak at layer 2, BatchNorm, basic1" in ram
        assert "the input of basic1, kept for layer 6" in ram


@pytest.mark.slow  # drives the app
@sync
async def test_ctrl_o_with_an_unknown_name_keeps_what_was_typed():
    the_app = app()
    async with the_app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        await calculator_settled(pilot)
        before = the_app.screen.query_one("#calc-layers", TextArea).text
        await pilot.press("ctrl+o")
        await pilot.pause()
        the_app.screen.query_one("#open-name", Input).value = "resnet17"
        await pilot.press("enter")
        await pilot.pause()
        assert the_app.screen.query_one("#calc-layers", TextArea).text == before
        assert any("resnet18" in str(n.message) for n in the_app._notifications)


def test_open_reads_a_py_file_of_code_on_its_own_input_or_the_shape_box():
    keras = ROOT / "docs" / "examples" / "mnist_convnet.py"
    opened = open_spec(str(keras))
    assert (opened.title, opened.shape) == ("mnist_convnet.py", "28x28x1")
    assert opened.text == keras.read_text(encoding="utf-8")
    torch_net = ROOT / "docs" / "examples" / "cifar_net.py"
    opened = open_spec(str(torch_net), "32x32x3")
    assert opened.shape == "32x32x3"
    assert calculate(opened.shape, opened.text, "4", "sgd").computed.report.totals.params == 62_006
    with pytest.raises(CnnquizError, match=r"cifar_net_wrong\.py:13:20: nn\.Linear"):
        open_spec(str(ROOT / "docs" / "examples" / "cifar_net_wrong.py"), "32x32x3")
