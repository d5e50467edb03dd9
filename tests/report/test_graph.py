"""The report on a graph: who each row reads, and which tensors make the prediction peak."""

from __future__ import annotations

from cnnquiz.net.arithmetic import analyze
from cnnquiz.net.layers import Activation, Add, Conv, Dense, GlobalPool
from cnnquiz.net.memory import LiveTensor, PredictionRam, prediction_ram
from cnnquiz.net.network import Network, Shape
from cnnquiz.report.build import model_report, prediction_note
from cnnquiz.report.graph import from_cell, inputs_text, local_name
from cnnquiz.report.json import to_json
from cnnquiz.report.receptive import receptive_report

# a residual block on 8x8x4: conv, relu, conv, add of the block's input and the conv
BLOCK = Network(
    Shape((8, 8, 4)),
    (
        Conv(4, padding="same"),
        Activation("relu"),
        Conv(4, padding="same"),
        Add(),
        GlobalPool(),
        Dense(2),
    ),
    name="tiny residual",
    inputs=((0,), (1,), (2,), (0, 3), (4,), (5,)),
    names=("basic1/c1", None, "basic1/c2", "basic1/add", None, "head"),
    scopes=("basic1", "basic1", "basic1", "basic1", "", ""),
)
TENSOR = 8 * 8 * 4 * 4  # bytes of every tensor in the block


def figures():
    return analyze(BLOCK)


def peak_in_the_branch() -> PredictionRam:
    """While the second conv runs: the block's input (kept for the add), the first conv's output
    (the relu is a view of it) and its own output."""
    params = figures().param_bytes
    alive = (LiveTensor(0, TENSOR), LiveTensor(1, TENSOR), LiveTensor(3, TENSOR))
    return PredictionRam(3, TENSOR, TENSOR, params, alive)


def test_rows_name_their_block_their_sources_and_a_merge_its_input_shapes():
    rows = model_report(figures(), 32, "sgd").layers
    assert [r.name for r in rows] == list(BLOCK.names)
    assert [r.scope for r in rows] == list(BLOCK.scopes)
    assert [r.sources for r in rows] == list(BLOCK.inputs)
    assert rows[3].input_shapes == ("8x8x4", "8x8x4")
    assert inputs_text(rows[3]) == "8x8x4 + 8x8x4"


def test_the_from_cell_is_empty_for_the_layer_above_and_names_the_rest():
    rows = model_report(figures(), 32, "sgd").layers
    assert [from_cell(rows, r) for r in rows] == ["", "", "", "input, c2", "", ""]


def test_local_names_drop_their_block():
    assert local_name("basic2/main", "basic2") == "main"
    assert local_name("stage1/basic2/main", "stage1/basic2") == "main"
    assert local_name("stem", "") == "stem"


def test_the_peak_names_each_tensor_and_why_it_is_held():
    note = prediction_note(figures(), peak_in_the_branch())
    assert note.peak_layer == 3
    assert note.peak_scope == "basic1"
    assert [(t.layer, t.bytes, t.why) for t in note.held] == [
        ("the input", TENSOR, "the input of basic1, kept for layer 4 (Add, basic1/add)"),
        ("layer 1 (Conv2D, basic1/c1)", TENSOR, "its input"),
        ("layer 3 (Conv2D, basic1/c2)", TENSOR, "its output"),
    ]
    assert note.total == 3 * TENSOR + figures().param_bytes
    assert note.working.endswith(f"(parameters) = {note.working.rsplit('= ', 1)[1]}")


def test_json_has_the_graph_fields_and_a_chain_has_none():
    doc = to_json(model_report(figures(), 32, "sgd"))
    row = doc["layers"][3]
    assert isinstance(row, dict)
    assert (row["name"], row["scope"], row["sources"]) == ("basic1/add", "basic1", [0, 3])
    chain = Network(Shape((8, 8, 4)), (Conv(4), GlobalPool()))
    first = to_json(model_report(analyze(chain), 32, "sgd"))["layers"][0]
    assert isinstance(first, dict)
    assert not {"name", "scope", "sources", "input_shapes"} & set(first)


def test_the_arithmetics_peak_adds_up_to_its_total_and_keeps_the_shortcut():
    fig = figures()
    pred = prediction_ram(fig)
    note = prediction_note(fig)
    assert note.total == pred.total == 3 * TENSOR + fig.param_bytes
    assert [t.producer for t in note.held] == [0, 1, 3]  # the relu is a view of the conv
    assert note.held[0].why == "the input of basic1, kept for layer 4 (Add, basic1/add)"
    assert note.held[1].why == "its input"


def test_a_chains_peak_has_no_held_tensors_and_reads_as_before():
    chain = Network(Shape((8, 8, 4)), (Conv(4), Conv(4)))
    note = prediction_note(analyze(chain))
    assert note.held == () and note.peak_scope == ""
    assert note.working.count("+") == 2  # input + output + parameters


def test_the_receptive_field_of_a_merge_names_its_inputs_fields():
    rows = receptive_report(figures()).layers
    assert [r.sources for r in rows] == list(BLOCK.inputs)
    assert (rows[3].field, rows[3].working) == ("5x5", "largest of its inputs': 1x1, 5x5")
    assert [r.name for r in rows][:1] == ["basic1/c1"]
    chain = receptive_report(analyze(Network(Shape((8, 8, 4)), (Conv(4), Conv(4))))).layers
    assert all(r.sources == () and r.name is None for r in chain)
