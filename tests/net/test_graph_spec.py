"""Networks that branch: name/from/repeat, blocks with $arguments, inline graphs, and the
errors that say where (file:line) and why."""

from __future__ import annotations

from pathlib import Path

import pytest

from cnnquiz.errors import SpecError
from cnnquiz.net.layers import Activation, Add, BatchNorm, Concat, Conv, Dense, Pool
from cnnquiz.net.spec import (
    load_network,
    network_from_inline,
    network_to_dict,
    parse_inline_layers,
    parse_network,
)
from cnnquiz.yamlio import loads

FIXTURES = Path(__file__).parent.parent / "fixtures" / "graphs"


def _net(text: str):
    return parse_network(loads(text, "f.yaml"), "f.yaml")


def _error(text: str) -> str:
    with pytest.raises(SpecError) as err:
        _net(text)
    return str(err.value)


def test_the_issues_example_parses_as_written():
    net = load_network(FIXTURES / "resnet-ish.yaml")
    assert net.name == "resnet-ish" and len(net.layers) == 2 + 7 + 7 + 9 + 2
    # stem, maxpool; basic1 reads the maxpool (2), its add reads its input and the bn before
    assert net.inputs[:9] == ((0,), (1,), (2,), (3,), (4,), (5,), (6,), (2, 7), (8,))
    assert net.sources(15) == (9, 14)  # basic2's add: its input (basic1's relu) and its bn
    assert net.sources(17) == (16,) and net.sources(22) == (16,)  # down1: both branches read basic2
    assert net.sources(24) == (21, 23)  # add from [main, shortcut]
    assert net.sources(26) == (25,) and net.sources(27) == (26,)  # gap, dense
    assert net.is_graph
    assert net.name_of(1) == "stem" and net.name_of(21) == "down1/main"
    assert net.name_of(23) == "down1/shortcut" and net.name_of(0) == "input"
    assert [i for i in range(1, 28) if net.name_of(i)] == [1, 21, 23]
    assert [net.scope_of(i) for i in (1, 2, 3, 9, 10, 16, 17, 25, 26)] == [
        "", "", "basic1", "basic1", "basic2", "basic2", "down1", "down1", ""
    ]  # fmt: skip
    assert net.layers[2] == Conv(64, (3, 3), padding="same", bias=False)
    assert net.layers[16] == Conv(128, (3, 3), (2, 2), "same", bias=False)
    assert net.layers[21] == Conv(128, (1, 1), (2, 2), bias=False)
    assert net.layers[-1] == Dense(1000)
    # each layer says where it was written: a block's layers on the block's lines
    assert net.layers[0].where.endswith("resnet-ish.yaml:32")
    assert net.layers[2].where.endswith("resnet-ish.yaml:7")
    assert net.layers[23].where.endswith("resnet-ish.yaml:28")


def test_the_docs_show_the_example_the_tests_read():
    docs = FIXTURES.parent.parent.parent / "docs" / "examples" / "resnet-ish.yaml"
    assert docs.read_text(encoding="utf-8") == (FIXTURES / "resnet-ish.yaml").read_text(encoding="utf-8")


def test_a_graph_writes_back_expanded_and_reads_back_the_same():
    net = load_network(FIXTURES / "resnet-ish.yaml")
    data = network_to_dict(net)
    assert "blocks" not in data and len(data["layers"]) == 27
    assert data["layers"][7] == {"add": {}, "from": [-6, -1]}
    assert data["layers"][20] == {"batchnorm": {}, "name": "down1/main"}
    assert data["layers"][21] == {"conv": {"filters": 128, "kernel": 1, "stride": 2, "bias": False}, "from": -6}
    assert data["layers"][23] == {"add": {}, "from": ["down1/main", "down1/shortcut"]}
    again = parse_network(data)
    assert again == net and again.names == net.names


def test_a_chain_stays_a_chain():
    plain = _net("input: 8x8x3\nlayers:\n  - conv: 4\n  - relu: {}\n  - gap: {}\n")
    assert plain.inputs == () and plain.names == () and plain.scopes == ()
    explicit = _net(  # the same chain, a name and a from written out
        "input: 8x8x3\nlayers:\n  - conv: 4\n    name: first\n  - relu: {}\n    from: first\n"
        "  - gap: {}\n    from: -1\n"
    )
    assert explicit.inputs == () and explicit.names == ("first", None, None)
    assert explicit.layers == plain.layers
    assert network_to_dict(plain) == {"input": "8x8x3", "layers": [{"conv": {"filters": 4}}, {"relu": {}}, {"gap": {}}]}


def test_named_and_repeated_items():
    net = _net(
        "input: 8x8x3\nlayers:\n  - conv: 4\n    name: c\n    repeat: 3\n"
        "  - add: {}\n    from: [c1, c3]\n"
    )
    assert net.names == ("c1", "c2", "c3", None) and net.inputs == ((0,), (1,), (2,), (1, 3))


@pytest.mark.parametrize(
    "layers, inputs, names",
    [
        ("conv 64 k3 same name=a; relu; conv 64 k3 same; add from=a,-1",
         ((0,), (1,), (2,), (1, 3)), ("a", None, None, None)),
        ("conv 8 name=a; conv 8 from=input; concat from=[a, -1]", ((0,), (0,), (1, 2)), ("a", None, None)),
        ("conv(filters=8, name=a); relu; add(from=a, -1)", ((0,), (1,), (1, 2)), ("a", None, None)),
        ("conv 8; relu repeat=2 name=r; multiply from=-3,r2", ((0,), (1,), (2,), (1, 3)), (None, "r1", "r2", None)),
    ],
)
def test_inline_graphs(layers, inputs, names):
    net = network_from_inline("16x16x8", layers)
    assert net.inputs == inputs and net.names == names
    assert parse_network(network_to_dict(net)) == net


def test_inline_graph_layers_are_the_layers_of_the_yaml_form():
    net = network_from_inline("16x16x8", "conv 64 k3 same name=a; relu; conv 64 k3 same; add from=a,-1")
    assert net.layers == (Conv(64, padding="same"), Activation("relu"), Conv(64, padding="same"), Add())


def test_layers_alone_are_a_chain_only():
    assert parse_inline_layers("conv 8 name=a; relu") == (Conv(8), Activation("relu"))
    with pytest.raises(SpecError, match="these layers branch"):
        parse_inline_layers("conv 8 name=a; relu; add from=a,-1")


def test_an_activation_named_like_an_activation_is_refused():
    with pytest.raises(SpecError, match="name=gelu names the layer; for a gelu activation write gelu"):
        network_from_inline("8", "activation name=gelu")
    assert network_from_inline("8", "gelu name=g").names == ("g",)


@pytest.mark.parametrize(
    "body, line, fragment",
    [
        ("  - conv: 4\n    name: a\n  - relu: {}\n    from: b\n", 6,
         "from: unknown name 'b'; known here: input, a"),
        ("  - conv: 4\n    name: main\n  - relu: {}\n    from: mian\n", 6,
         "unknown name 'mian' (did you mean main?); known here: input, main"),
        ("  - conv: 4\n    from: later\n  - relu: {}\n    name: later\n", 4,
         "from: later comes later in the network; a network runs forward (a cycle?)"),
        ("  - conv: 4\n    name: me\n    from: me\n", 5, "from: me is this Conv2D itself; a network runs forward"),
        ("  - conv: 4\n  - relu: {}\n    from: -3\n", 5,
         "from: -3 goes past the start of the network: it has 1 item before this one"),
        ("  - conv: 4\n  - relu: {}\n    from: [input, -1]\n", 5,
         "ReLU reads one input, but from lists 2; only add, concat and multiply read several"),
        ("  - conv: 4\n  - add: {}\n", 4, "Add needs a from list of at least two inputs"),
        ("  - conv: 4\n  - concat: {}\n    from: input\n", 5, "Concatenate needs a from list of at least two"),
        ("  - conv: 4\n    name: a\n  - relu: {}\n    name: a\n", 6, "the name 'a' is given twice in the network"),
        ("  - conv: 4\n    from: 2\n", 4, "from takes a name, input or a negative offset (-1: the layer before), got 2"),
        ("  - conv: 4\n    name: 3x\n", 4, "a name is a word of letters, digits and _ . -"),
        ("  - conv: 4\n    name: input\n", 4, "input is the network's (or the block's) input"),
        ("  - conv: 4\n    filters: 3\n", 4, "unexpected key 'filters' beside conv"),
        ("  - name: a\n    from: -1\n", 3, "name: needs a layer beside it"),
        ("  - conv: 4\n  - add: {}\n    from: [input, -1]\n    repeat: 2\n", 4, "Add cannot repeat"),
    ],
)
def test_wiring_errors_name_file_and_line(body, line, fragment):
    message = _error(f"input: 8x8x3\nlayers:\n{body}")
    assert message.startswith(f"f.yaml:{line}: "), message
    assert fragment in message, message


@pytest.mark.parametrize("value", ["0", "-1", "1.5", "true", "two", "[2]"])
def test_repeat_is_a_positive_integer(value):
    message = _error(f"input: 8x8x3\nlayers:\n  - conv: 4\n    repeat: {value}\n")
    assert message.startswith("f.yaml:4: repeat must be a positive integer"), message


def test_an_output_nothing_reads_is_refused():
    message = _error(
        "input: 8x8x3\nlayers:\n  - conv: 4\n  - conv: 4\n    name: side\n"
        "  - conv: 4\n    from: -2\n  - relu: {}\n  - conv: 8\n    from: -1\n  - gap: {}\n"
    )
    assert message == (
        "f.yaml:4: layer 2 (Conv2D, side): its output is never used; the network's output is "
        "the last layer's"
    )
    message = _error(
        "input: 8x8x3\nblocks:\n  b:\n    layers:\n      - conv: 4\n      - conv: 4\n        from: input\n"
        "layers:\n  - b: {}\n"
    )
    assert message.startswith("f.yaml:5: layer 1 (Conv2D, in b1): its output is never used")


def test_new_kinds_read_and_write_back():
    net = network_from_inline(
        "32x32x64",
        "depthwise k3 s2 same; separable 64 k3 same relu; conv 64 k3 groups=32; prelu; relu6; "
        "zeropad 1; adaptivepool 6; prelu all; silu; hardswish; hard_silu; hardsigmoid",
    )
    kinds = [layer.title for layer in net.layers]
    assert kinds == [
        "DepthwiseConv2D", "SeparableConv2D", "Conv2D", "PReLU", "ReLU6", "ZeroPadding2D",
        "AdaptiveAvgPool2D", "PReLU", "Swish", "HardSwish", "HardSwish", "HardSigmoid",
    ]  # fmt: skip
    assert net.layers[0].stride == (2, 2) and net.layers[0].padding == "same"
    assert net.layers[1].filters == 64 and net.layers[1].activation == "relu"
    assert net.layers[2].groups == 32 and net.layers[5].padding == (1, 1, 1, 1)
    assert net.layers[6].size == (6, 6) and net.layers[7].slopes == "all"
    assert parse_network(network_to_dict(net)) == net
    assert network_to_dict(net)["layers"][2] == {"conv": {"filters": 64, "groups": 32}}


@pytest.mark.parametrize(
    "written, padding, back",
    [("1", (1, 1, 1, 1), None), ("[1, 2]", (1, 1, 2, 2), "1x2"), ("2x3", (2, 2, 3, 3), "2x3"),
     ("[[1, 2], [3, 4]]", (1, 2, 3, 4), [[1, 2], [3, 4]]), ("0", (0, 0, 0, 0), 0)],
)
def test_zeropad_reads_keras_forms(written, padding, back):
    net = _net(f"input: 8x8x3\nlayers:\n  - zeropad: {{padding: {written}}}\n")
    assert net.layers[0].padding == padding
    assert network_to_dict(net)["layers"][0] == {"zeropad": {} if back is None else {"padding": back}}
    assert _net(f"input: 8x8x3\nlayers:\n  - zeropad: {written}\n").layers == net.layers


@pytest.mark.parametrize(
    "layer, fragment",
    [("zeropad: {padding: same}", "zeropad padding must be pixels"),
     ("zeropad: {padding: [1, 2, 3, 4]}", "[[top, bottom], [left, right]]"),
     ("prelu: {slopes: some}", "prelu slopes must be channel"),
     ("conv: {filters: 8, groups: 0}", "groups must be a positive integer"),
     ("depthwise: {multiplier: -1}", "multiplier must be a positive integer"),
     ("adaptivepool: {size: 0}", "size must be a positive integer")],
)
def test_new_options_say_what_they_take(layer, fragment):
    message = _error(f"input: 8x8x3\nlayers:\n  - {layer}\n")
    assert message.startswith("f.yaml:3: ") and fragment in message, message


def test_activation_aliases_read_as_the_activation():
    net = network_from_inline("8x8x3", "conv 4 silu; conv 4 activation=hard_silu; dense 3 hardsigmoid")
    assert [layer.activation for layer in net.layers] == ["swish", "hard_swish", "hard_sigmoid"]
    yaml_net = _net("input: 8x8x3\nlayers:\n  - SiLU: {}\n  - Hardswish: {}\n  - ReLU6: {}\n")
    assert yaml_net.layers == (Activation("swish"), Activation("hard_swish"), Activation("relu6"))


def test_the_keys_beside_a_layer_may_come_first():
    net = _net("input: 8x8x3\nlayers:\n  - name: a\n    conv: 4\n  - from: [a, -1]\n    concat: {}\n")
    assert net.names == ("a", None) and net.inputs == ((0,), (1, 1))


def test_the_type_form_takes_name_and_from():
    net = _net(
        "input: 8x8x3\nlayers:\n  - {type: conv, filters: 4, name: a}\n  - {type: batchnorm}\n"
        "  - {type: add, from: [a, -1]}\n  - {type: activation, name: gelu}\n  - {type: relu, name: r}\n"
    )
    assert net.layers == (Conv(4), BatchNorm(), Add(), Activation("gelu"), Activation("relu"))
    assert net.names == ("a", None, None, None, "r") and net.sources(3) == (1, 2)


def test_a_pool_reads_as_before_beside_a_concat():
    net = network_from_inline("8x8x3", "maxpool 2 name=p; conv 3 k1 from=input; maxpool 2; concat from=p,-1")
    assert net.layers[0] == Pool((2, 2)) and net.layers[-1] == Concat()
    assert net.inputs == ((0,), (0,), (2,), (1, 3))
