"""One RAM rule everywhere (issue 9.18): flatten and an activation written as its own layer are
views of the layer before them, in the calculator's output, its JSON and the banks' keys."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnquiz.bank import computed
from cnnquiz.bank.loader import load_bank
from cnnquiz.bank.model import grade
from cnnquiz.net.arithmetic import analyze
from cnnquiz.net.figures import NetworkFigures
from cnnquiz.net.layers import (
    Activation,
    Add,
    BatchNorm,
    Conv,
    Dense,
    Depthwise,
    Dropout,
    Flatten,
    GlobalPool,
    Pool,
    PReLU,
    Separable,
    ZeroPad,
)
from cnnquiz.net.memory import VIEW_RULE, LiveTensor, prediction_ram, training_ram
from cnnquiz.net.network import Network, Shape
from cnnquiz.net.units import fmt_mb
from tests.conftest import ROOT
from tests.net.graphs import graph, inception, residual

WORKED = (
    Conv(100, stride=(2, 2), padding="same"),
    Conv(200, stride=(2, 2), padding="same"),
    Conv(400, stride=(2, 2), padding="same"),
)

AS_OPTION = "conv 32 k3 s2 same relu; maxpool 2; conv 64 k3 same relu; flatten; dense 10 softmax"
AS_LAYERS = "conv 32 k3 s2 same; relu; maxpool 2; conv 64 k3 same; relu; flatten; dense 10; softmax"


def _model_json(cli, layers: str) -> dict:
    result = cli("calc", "model", "--in", "128x128x3", layers, "--batch", "32", "--json",
                 "--no-verify")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_calc_model_gives_the_same_ram_however_relu_is_written(cli):
    option, layers = _model_json(cli, AS_OPTION), _model_json(cli, AS_LAYERS)
    assert layers["prediction_ram"]["total"] == option["prediction_ram"]["total"]
    assert layers["training_ram"]["total"] == option["training_ram"]["total"]
    assert layers["totals"]["stored_bytes"] == option["totals"]["stored_bytes"]
    views = {row["index"]: row["view_of"] for row in layers["layers"] if row["view_of"] is not None}
    assert views == {2: 1, 5: 4, 6: 4, 8: 7}
    assert layers["layers"][5]["steps"][-1].endswith("a view of layer 4 (Conv2D): no new memory")
    assert VIEW_RULE in layers["assumptions"]
    outputs = layers["training_ram"]["terms"][0]["working"]
    assert outputs.endswith("(views add nothing: layers 2, 5, 6, 8)")


def test_calc_model_text_states_the_view_rule(cli):
    result = cli("calc", "model", "--in", "128x128x3", AS_LAYERS, "--no-verify",
                 env={"COLUMNS": "400"})
    assert result.returncode == 0, result.stderr
    assert VIEW_RULE in result.stdout
    assert "(views add nothing: layers 2, 5, 6, 8)" in result.stdout


@pytest.mark.parametrize(("qid", "state"), [("ram-c-train-adam", 2), ("ram-c-train-momentum", 1)])
def test_flatten_is_not_counted_twice_in_the_bank_training_keys(qid, state):
    """Conv → Flatten → Dense: by hand, B·(conv output + dense output + input) + params·(2 + state)."""
    bank = load_bank(ROOT / "questions" / "memory.yaml")
    question = next(q for q in bank.questions if q.id == qid)
    seen = set()
    for seed in range(60):
        item = question.draw(seed)
        v = item.values
        b, h, f, u = (int(v[k]) for k in "bhfu")
        side = -(-h // 2)
        conv_out, flat = side * side * f, side * side * f
        params = (3 * 3 * 3 + 1) * f + (flat + 1) * u
        by_hand = 4 * (b * (conv_out + u + h * h * 3) + params * (2 + state))
        assert item.key.number == by_hand, (seed, v)
        old = by_hand + 4 * b * flat  # Flatten's output counted as a second copy
        verdict = grade(item, f"{old} bytes")
        assert verdict.status == "wrong" and "Flatten is a view" in verdict.feedback
        seen.add((b, h, f, u))
    assert len(seen) > 20  # the seeds reach many variants
    assert "Flatten is a view" in computed.substitute(question.explanation, v)


def test_the_summary_table_marks_views_and_totals_what_is_stored(cli):
    result = cli("calc", "model", "--in", "32x32x3", "conv 32 k3; relu; maxpool 2; flatten; dense 10",
                 "--no-verify")
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line[:1].isdigit()}
    assert rows["2"].endswith("view of 1") and rows["4"].endswith("view of 3")
    # 30·30·32 + 15·15·32 + 10 values of 4 bytes: the same 144,040 bytes the training line counts
    total = next(line for line in result.stdout.splitlines() if line.strip().startswith("Total"))
    assert total.endswith("0.144 MB")
    assert "layer outputs × 32     144,040 bytes · 32" in result.stdout


# --------------------------------------------------------------------------------------------
# Prediction RAM by tensor lifetimes (issue 11): on a chain the notes' rule, on a graph more.

X = 56 * 56 * 64 * 4  # one 56x56x64 float32 tensor: 802,816 bytes


def _notes_rule(fig: NetworkFigures) -> tuple[int, int, int]:
    """The notes' rule as cnnquiz computed it before graphs: max over layers of input + output,
    a view's output counted 0, the first of equals."""
    best, prev = (0, fig.input_bytes, 0), fig.input_bytes
    for f in fig.layers:
        out = 0 if f.is_view else fig.output_bytes(f)
        if f.index == 1 or prev + out > best[1] + best[2]:
            best = (f.index, prev, out)
        prev = fig.output_bytes(f)
    return best


_IMAGE_LAYERS = st.sampled_from(
    [
        Conv(3, padding="same"),
        Conv(5, kernel=(1, 1)),
        Conv(2, stride=(2, 2), padding="same"),
        Conv(7, kernel=(2, 2), padding="same"),
        Pool(padding="same"),
        Pool((3, 3), stride=(1, 1), padding="same", op="avg"),
        BatchNorm(),
        Dropout(),
        Activation("relu"),
        Activation("swish"),
        PReLU(),
        ZeroPad((1, 0, 2, 1)),
        Depthwise(padding="same", multiplier=2),
        Separable(4, padding="same"),
    ]
)
_VECTOR_LAYERS = st.sampled_from([Dense(6), Dense(3, bias=False), Activation("softmax"), Dropout(), BatchNorm()])


@st.composite
def chains(draw) -> Network:
    h, w, c = draw(st.integers(1, 12)), draw(st.integers(1, 12)), draw(st.integers(1, 4))
    layers = draw(st.lists(_IMAGE_LAYERS, max_size=8))
    if draw(st.booleans()):
        layers.append(draw(st.sampled_from([Flatten(), GlobalPool()])))
        layers += draw(st.lists(_VECTOR_LAYERS, max_size=4))
    return Network(Shape((h, w, c)), tuple(layers))


@settings(max_examples=150, deadline=None, derandomize=True)
@given(chains(), st.sampled_from(["float32", "float16"]))
def test_on_a_chain_the_lifetimes_give_the_notes_rule(net, dtype):
    fig = analyze(net, dtype)
    ram = prediction_ram(fig)
    assert (ram.peak_layer, ram.input_bytes, ram.output_bytes) == _notes_rule(fig)
    assert sum(t.nbytes for t in ram.alive) == ram.input_bytes + ram.output_bytes
    if ram.peak_layer and not fig.layers[ram.peak_layer - 1].is_view:
        assert ram.alive[-1] == LiveTensor(ram.peak_layer, ram.output_bytes)
    assert len(ram.alive) <= 2  # a chain never holds more than one layer's input and output


def test_a_chain_holds_the_peak_layers_input_and_output():
    fig = analyze(Network(Shape((200, 300, 3)), WORKED))
    ram = prediction_ram(fig)
    assert ram.alive == (LiveTensor(1, 6_000_000), LiveTensor(2, 3_000_000))
    assert fmt_mb(ram.total) == "12.6 MB"  # the worked example, as before graphs


def test_a_network_of_no_layers_holds_its_input():
    ram = prediction_ram(analyze(Network(Shape((4, 4, 2)), ())))
    assert (ram.peak_layer, ram.input_bytes, ram.output_bytes, ram.alive) == (0, 128, 0, (LiveTensor(0, 128),))


def test_a_residual_block_keeps_its_input_alive_across_the_branch():
    """By hand: conv, bn, relu (a view), conv, bn, add(input, bn), relu on 56x56x64. The input is
    read again by the add (layer 6), so while layer 2 (the first bn) runs, the input, the
    conv's output and the bn's output are alive: 3 tensors of X bytes. Without the shortcut
    a layer holds only its input and output: 2X."""
    with_shortcut, without = analyze(residual()), analyze(residual(shortcut=False))
    ram, plain = prediction_ram(with_shortcut), prediction_ram(without)
    assert ram.alive == (LiveTensor(0, X), LiveTensor(1, X), LiveTensor(2, X))
    assert (ram.peak_layer, ram.input_bytes, ram.output_bytes) == (2, 2 * X, X)
    assert (plain.peak_layer, plain.input_bytes, plain.output_bytes) == (1, X, X)  # the first of equals
    # same parameters: two 3x3 convs without bias and two batch norms, 74,240 of 4 bytes
    assert ram.param_bytes == plain.param_bytes == 4 * (2 * 3 * 3 * 64 * 64 + 2 * 4 * 64) == 296_960
    assert (ram.total, plain.total) == (2_705_408, 1_902_592)
    assert (fmt_mb(ram.total), fmt_mb(plain.total)) == ("2.71 MB", "1.9 MB")


def test_an_inception_module_peaks_while_its_pool_branch_runs():
    """By hand, in units of one 28x28 channel (3,136 bytes): the input (192) lives until the
    pool (layer 6) has read it; the finished branches (64, 128, 32) wait for the concat. While
    the pool runs: 192 + 64 + 128 + 32 + its own 192 = 608 units."""
    unit = 28 * 28 * 4
    ram = prediction_ram(analyze(inception()))
    assert ram.peak_layer == 6
    assert [(t.producer, t.nbytes // unit) for t in ram.alive] == [(0, 192), (1, 64), (3, 128), (5, 32), (6, 192)]
    assert (ram.input_bytes, ram.output_bytes) == (416 * unit, 192 * unit) == (1_304_576, 602_112)


def test_a_view_of_an_earlier_tensor_keeps_that_tensor_alive():
    """A relu (a view) of the input, read by the last layer: the input lives to the end."""
    net = graph("8x8x4", (Activation("relu"), [0]), (Conv(4, padding="same"), [0]), (Conv(4, padding="same"), [2]), (Add(), [1, 3]))
    ram = prediction_ram(analyze(net))
    unit = 8 * 8 * 4 * 4
    assert (ram.peak_layer, [t.producer for t in ram.alive]) == (3, [0, 2, 3])
    assert ram.input_bytes + ram.output_bytes == 3 * unit


def test_training_ram_on_a_graph_stores_every_output_but_the_views():
    fig = analyze(residual())
    ram = training_ram(fig, 2, "adam")
    # stored: conv, bn, conv, bn, add (the relus are views of the bn and of the add)
    assert ram.outputs_per_image == 5 * X
    assert (ram.outputs_bytes, ram.inputs_bytes) == (10 * X, 2 * X)
    # trainable: the convs' weights and the batch norms' γ and β, not their moving statistics
    assert ram.gradient_bytes == 4 * (2 * 3 * 3 * 64 * 64 + 2 * 2 * 64) == 295_936
    assert ram.optimizer_bytes == 2 * ram.gradient_bytes
    assert training_ram(analyze(residual(shortcut=False)), 2).outputs_per_image == 4 * X
