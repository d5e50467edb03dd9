"""The figures on a graph, node by node: what each layer reads, its shapes, parameters and
multiplications, whose memory a view shares, and the RAM peak of issue 11's two blocks."""

from __future__ import annotations

from cnnquiz.net.arithmetic import analyze
from cnnquiz.net.layers import Activation, Conv, Flatten
from cnnquiz.net.memory import LiveTensor, prediction_ram
from cnnquiz.net.network import Network, Shape
from cnnquiz.net.spec import network_from_inline
from tests.net.graphs import down, graph, residual


def test_a_chain_reads_the_layer_before_as_it_always_did():
    fig = analyze(network_from_inline("32x32x3", "conv 8 k3; relu; maxpool 2; flatten; dense 10"))
    assert [f.sources for f in fig.layers] == [(0,), (1,), (2,), (3,), (4,)]
    assert [f.input_shapes for f in fig.layers] == [(f.input_shape,) for f in fig.layers]
    assert fig.network.inputs == ()
    assert [fig.shares_with(f) for f in fig.layers] == [1, 1, 3, 3, 5]


def test_a_residual_blocks_figures_node_by_node():
    fig = analyze(residual())
    rows = [(f.name, f.sources, str(f.output_shape), f.trainable, f.non_trainable, f.macs) for f in fig.layers]
    conv_macs = 56 * 56 * 64 * 3 * 3 * 64  # 115,605,504
    assert rows == [
        ("Conv2D", (0,), "56x56x64", 36_864, 0, conv_macs),
        ("BatchNorm", (1,), "56x56x64", 128, 128, 0),
        ("ReLU", (2,), "56x56x64", 0, 0, 0),
        ("Conv2D", (3,), "56x56x64", 36_864, 0, conv_macs),
        ("BatchNorm", (4,), "56x56x64", 128, 128, 0),
        ("Add", (0, 5), "56x56x64", 0, 0, 0),
        ("ReLU", (6,), "56x56x64", 0, 0, 0),
    ]
    assert (fig.trainable, fig.params, fig.macs) == (73_984, 74_240, 231_211_008)
    assert fig.layers[5].input_shapes == (Shape((56, 56, 64)), Shape((56, 56, 64)))
    assert [fig.shares_with(f) for f in fig.layers] == [1, 2, 2, 4, 5, 6, 6]


def test_a_projection_blocks_figures_match_resnet18s_first_down_block():
    fig = analyze(down())
    assert [str(f.output_shape) for f in fig.layers] == ["28x28x128"] * 9
    assert [f.sources for f in fig.layers] == [(0,), (1,), (2,), (3,), (4,), (0,), (6,), (5, 7), (8,)]
    assert fig.network.name_of(5) == "main" and fig.network.name_of(7) == "shortcut"
    # torchvision's resnet18 layer2[0]: conv1 73,728 + conv2 147,456 + downsample 8,192 and
    # three batch norms of 2·128 trainable: 230,144
    assert fig.trainable == 73_728 + 147_456 + 8_192 + 3 * 256 == 230_144
    assert fig.non_trainable == 3 * 256


def test_a_projection_blocks_peak_holds_the_input_and_two_outputs():
    """The input (56x56x64, X = 802,816 bytes) lives until the shortcut's conv (layer 6) has
    read it; while the first batch norm runs it is alive beside the conv's and the batch
    norm's outputs (28x28x128, X/2 each): 2X in all."""
    x, y = 56 * 56 * 64 * 4, 28 * 28 * 128 * 4
    ram = prediction_ram(analyze(down()))
    assert ram.alive == (LiveTensor(0, x), LiveTensor(1, y), LiveTensor(2, y))
    assert (ram.peak_layer, ram.input_bytes + ram.output_bytes) == (2, x + 2 * y) == (2, 1_605_632)


def test_a_view_shares_the_memory_of_its_source_not_of_the_layer_before_it():
    net = graph(
        "8x8x4",
        (Conv(4, padding="same"), [0]),
        (Activation("relu"), [0]),  # a view of the input, written after a conv
        (Flatten(), [1]),
        (Activation("relu"), [3]),
    )
    fig = analyze(net)
    assert [fig.shares_with(f) for f in fig.layers] == [1, 0, 1, 1]
    assert fig.stored_outputs_bytes == fig.output_bytes(fig.layers[0])


def test_a_graph_analyses_as_its_chain_when_every_layer_reads_the_one_before():
    layers = network_from_inline("16x16x3", "conv 8 k3 same; relu; maxpool 2; conv 4 k1").layers
    chain = analyze(Network(Shape((16, 16, 3)), layers))
    spelled = analyze(Network(Shape((16, 16, 3)), layers, inputs=((0,), (1,), (2,), (3,))))
    assert not spelled.network.is_graph
    assert chain.layers == spelled.layers
    assert prediction_ram(chain) == prediction_ram(spelled)
