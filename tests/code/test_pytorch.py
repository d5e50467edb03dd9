"""The PyTorch reader: published code read without running it, every figure as torch builds it."""

from __future__ import annotations

from pathlib import Path

import pytest

from cnnquiz.code import read_code
from cnnquiz.errors import SpecError
from cnnquiz.net.arithmetic import analyze
from cnnquiz.net.layers import Activation, Add, Concat, Conv, Dense, Flatten, Pool
from cnnquiz.net.network import Shape
from cnnquiz.net.spec import parse_network

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "code"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def read(text: str, shape: tuple[int, ...] | None = (32, 32, 3), source: str = "net.py"):
    return read_code(text, source, Shape(shape) if shape else None)


def error(text: str, shape: tuple[int, ...] | None = (32, 32, 3)) -> str:
    with pytest.raises(SpecError) as info:
        read(text, shape)
    return str(info.value)


HEAD = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n"


def module(init: str, forward: str) -> str:
    """A class Net with these lines in __init__ and forward (8 spaces of indent added)."""
    pad = lambda body: "".join(f"        {line}\n" for line in body.strip().splitlines())  # noqa: E731
    return (
        f"{HEAD}class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n{pad(init)}\n"
        f"    def forward(self, x):\n{pad(forward)}"
    )


def test_the_tutorial_net_has_62006_parameters_on_32x32x3() -> None:
    read_ = read_code(fixture("torch_tutorial_net.py"), "net.py", Shape((32, 32, 3)))
    figures = analyze(read_.network)
    assert figures.params == 62_006
    assert read_.framework == "PyTorch"
    assert read_.what == "PyTorch Net at net.py:9 (forward at :19)"
    layers = read_.network.layers
    assert [type(layer) for layer in layers] == [
        Conv, Activation, Pool, Conv, Activation, Pool, Flatten, Dense, Activation, Dense, Activation, Dense
    ]  # fmt: skip
    assert layers[0].where == "net.py:12" and layers[2].where == "net.py:13"  # the pool, used twice
    assert [f.output_shape.dims for f in figures.layers][:7] == [
        (28, 28, 6), (28, 28, 6), (14, 14, 6), (10, 10, 16), (10, 10, 16), (5, 5, 16), (400,)
    ]  # fmt: skip
    assert not read_.network.inputs  # a chain


def test_pytorch_code_needs_the_input_shape() -> None:
    message = error(fixture("torch_tutorial_net.py"), None)
    assert message.startswith("net.py:9:1: ") and "--in" in message


def test_nn_sequential_d2l_lenet() -> None:
    read_ = read_code(fixture("torch_d2l_lenet.py"), "lenet.py", Shape((28, 28, 1)))
    figures = analyze(read_.network)
    assert figures.params == 61_706
    assert read_.what == "PyTorch nn.Sequential at lenet.py:9, 12 layers"
    conv = read_.network.layers[0]
    assert isinstance(conv, Conv) and conv.padding == (2, 2)
    assert figures.layers[0].output_shape.dims == (28, 28, 6)


BLOCK_YAML = {
    "input": "56x56x64",
    "layers": [
        {"conv": {"filters": 64, "kernel": 3, "padding": 1, "bias": False}},
        {"batchnorm": {}},
        {"relu": {}},
        {"conv": {"filters": 64, "kernel": 3, "padding": 1, "bias": False}},
        {"batchnorm": {}},
        {"add": {}, "from": [-1, "input"]},
        {"relu": {}},
    ],
}


def test_basic_block_equals_the_same_block_as_a_yaml_graph() -> None:
    read_ = read_code(fixture("torch_basic_block.py"), "block.py", Shape((56, 56, 64)))
    network = read_.network
    assert network.inputs[5] == (5, 0) and isinstance(network.layers[5], Add)
    assert network.names[:5] == ("conv1", "bn1", "relu", "conv2", "bn2")
    spec = parse_network(BLOCK_YAML, "block.yaml")
    got, want = analyze(network), analyze(spec)
    assert network.layers == spec.layers and network.inputs == spec.inputs
    assert got.params == want.params == 2 * (64 * 64 * 9) + 4 * 64 * 2
    assert got.macs == want.macs
    assert [f.output_shape for f in got.layers] == [f.output_shape for f in want.layers]


def test_the_classic_linear_mismatch_is_the_lesson() -> None:
    text = module(
        "self.conv1 = nn.Conv2d(3, 6, 5)\nself.pool = nn.MaxPool2d(2, 2)\n"
        "self.conv2 = nn.Conv2d(6, 16, 3)\nself.fc1 = nn.Linear(400, 120)",
        "x = self.pool(F.relu(self.conv1(x)))\nx = self.pool(F.relu(self.conv2(x)))\n"
        "x = torch.flatten(x, 1)\nx = self.fc1(x)\nreturn x",
    )
    assert error(text) == (
        "net.py:11:20: nn.Linear(400, 120) receives 576 = 16·6·6 features; PyTorch would fail with "
        "'mat1 and mat2 shapes cannot be multiplied (1x576 and 400x120)'; write nn.Linear(576, 120)"
    )


def test_in_channels_and_batch_norm_mismatches_name_both_numbers() -> None:
    conv = module(
        "self.a = nn.Conv2d(3, 8, 3)\nself.b = nn.Conv2d(16, 8, 3)",
        "x = self.a(x)\nreturn self.b(x)",
    )
    assert "nn.Conv2d(16, 8, 3) receives 8 channels" in error(conv)
    assert "write nn.Conv2d(8, 8, 3)" in error(conv)
    assert "expected input[1, 8, 30, 30] to have 16 channels, but got 8 channels instead" in error(
        conv
    )
    bn = module(
        "self.a = nn.Conv2d(3, 8, 3)\nself.bn = nn.BatchNorm2d(num_features=6)",
        "return self.bn(self.a(x))",
    )
    assert "running_mean should contain 8 elements not 6" in error(bn)
    assert "write nn.BatchNorm2d(num_features=8)" in error(bn)


def test_a_linear_on_an_unflattened_map_and_a_wrong_view() -> None:
    text = module(
        "self.c = nn.Conv2d(3, 4, 3)\nself.fc = nn.Linear(3600, 10)", "return self.fc(self.c(x))"
    )
    assert "not flattened" in error(text)
    view = module("self.c = nn.Conv2d(3, 4, 3)", "x = self.c(x)\nreturn x.view(-1, 16 * 5 * 5)")
    assert "receives 3600 = 4·30·30 values per image" in error(view)


def test_view_and_flatten_spellings() -> None:
    for flat in ("x.view(x.size(0), -1)", "x.view(-1, 4 * 30 * 30)", "x.reshape(x.shape[0], -1)", "x.flatten(1)",
                 "torch.flatten(x, start_dim=1)"):  # fmt: skip
        text = module(
            "self.c = nn.Conv2d(3, 4, 3)\nself.fc = nn.Linear(3600, 10)",
            f"x = self.c(x)\nx = {flat}\nreturn self.fc(x)",
        )
        assert analyze(read(text).network).params == 112 + 36_010, flat


def test_concat_sequential_and_module_list_attributes() -> None:
    text = module(
        "self.a = nn.Conv2d(3, 4, 1)\nself.b = nn.Sequential(nn.Conv2d(3, 6, 3, padding='same'), nn.ReLU())\n"
        "self.heads = nn.ModuleList([nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(10, 2)])",
        "a = self.a(x)\nb = self.b(x)\nx = torch.cat([a, b], dim=1)\nx = self.heads[0](x)\nx = self.heads[1](x)\n"
        "return self.heads[2](x)",
    )
    network = read(text).network
    assert isinstance(network.layers[3], Concat) and network.inputs[3] == (1, 3)
    assert network.layers[1].padding == "same"
    assert network.names[1:3] == ("b.0", "b.1")
    assert analyze(network).output_shape.dims == (2,)


def test_control_flow_in_forward_is_refused_at_its_line() -> None:
    text = module(
        "self.c = nn.Conv2d(3, 3, 3, padding=1)", "for _ in range(3):\n    x = self.c(x)\nreturn x"
    )
    assert (
        error(text)
        == "net.py:11:9: cannot follow control flow at net.py:11; unroll it or write the network as a spec"
    )
    assert "cannot follow control flow at net.py:11" in error(
        module("self.c = nn.ReLU()", "if x:\n    x = self.c(x)\nreturn x")
    )


def test_non_literal_arguments_and_unknown_calls_are_errors_never_run() -> None:
    text = module("self.c = nn.Conv2d(3, n_filters * k, 3)", "return self.c(x)")
    assert (
        error(text)
        == "net.py:8:31: cannot read `n_filters * k`: only numbers are allowed; write the number"
    )
    run = module(
        "self.c = nn.Conv2d(3, 8, __import__('os').system('touch pwned'))", "return self.c(x)"
    )
    assert "cannot read" in error(run)
    assert not Path("pwned").exists()
    unknown = module("self.c = nn.Conv2d(3, 8, 3)", "x = self.c(x)\nreturn os.system('ls')")
    assert "os.system is not a PyTorch layer or function this reader knows" in error(unknown)
    layer = module("self.c = nn.LSTM(3, 8)", "return self.c(x)")
    assert "nn.LSTM is not a PyTorch layer this reader knows" in error(layer)


def test_literal_defaults_of_init_and_module_names_are_read() -> None:
    text = HEAD + (
        "num_classes = 10\n\nclass Net(nn.Module):\n    def __init__(self, planes=16):\n"
        "        super(Net, self).__init__()\n        self.c = nn.Conv2d(3, planes, kernel_size=(3, 5), stride=2)\n"
        "        self.g = nn.AdaptiveAvgPool2d(1)\n        self.fc = nn.Linear(planes, num_classes)\n\n"
        "    def forward(self, x):\n        x = F.relu6(self.c(x))\n        x = self.g(x)\n"
        "        x = x.view(x.size(0), -1)\n        return F.softmax(self.fc(x), dim=1)\n"
    )
    network = read(text).network
    assert network.layers[0] == Conv(filters=16, kernel=(3, 5), stride=(2, 2), padding=(0, 0))
    assert analyze(network).params == 3 * 15 * 16 + 16 + 16 * 10 + 10


def test_syntax_errors_name_file_line_and_column() -> None:
    assert error(HEAD + "net = nn.Sequential(nn.ReLU(),\n").startswith("net.py:5:")


def test_same_padding_with_a_stride_is_refused_as_pytorch_does() -> None:
    text = (
        "import torch.nn as nn\nnet = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2, padding='same'))\n"
    )
    assert "not supported for strided convolutions" in error(text)


@pytest.mark.slow
def test_torch_builds_what_the_reader_reads() -> None:
    pytest.importorskip("torch")
    from cnnquiz.torchcheck.verify import verify

    for name, shape in (("torch_tutorial_net.py", (32, 32, 3)), ("torch_basic_block.py", (56, 56, 64)),
                        ("torch_d2l_lenet.py", (28, 28, 1))):  # fmt: skip
        network = read_code(fixture(name), name, Shape(shape)).network
        assert verify(network, analyze(network)).ok, name


def test_a_layer_made_but_never_called_or_called_twice_is_refused() -> None:
    unused = module("self.c = nn.Conv2d(3, 8, 3)\nself.fc = nn.Linear(10, 2)", "return self.c(x)")
    assert "self.fc's nn.Linear(10, 2) is made in __init__ but forward never calls it" in error(
        unused
    )
    shared = module("self.c = nn.Conv2d(3, 3, 3, padding=1)", "x = self.c(x)\nreturn self.c(x)")
    assert "self.c is called twice: its weights are shared" in error(shared)
    relu_twice = module(
        "self.c = nn.Conv2d(3, 3, 3)\nself.r = nn.ReLU()", "x = self.r(self.c(x))\nreturn self.r(x)"
    )
    assert len(read(relu_twice).network.layers) == 3


def test_functional_dropout_with_self_training_and_the_padding_notes() -> None:
    text = module(
        "self.c = nn.Conv2d(3, 3, 3, padding=(1, 2))",
        "x = self.c(x)\nreturn F.dropout(x, 0.2, training=self.training)",
    )
    read_ = read(text)
    assert read_.network.layers[1].rate == 0.2
    assert read_.padding_notes == (
        "PyTorch pads explicitly and symmetrically (never Keras's 'same'): 1 row top and bottom, 2 columns left and right at line 8",
    )
    assert analyze(read_.network).output_shape.dims == (32, 34, 3)


def test_batch_norm_1d_and_2d_read_what_pytorch_lets_them() -> None:
    two = module(
        "self.fc = nn.Linear(3072, 10)\nself.bn = nn.BatchNorm2d(10)",
        "x = torch.flatten(x, 1)\nreturn self.bn(self.fc(x))",
    )
    assert error(two).endswith(
        "nn.BatchNorm2d(10) receives the vector 10; PyTorch would fail with 'expected 4D input (got 2D input)'; "
        "write nn.BatchNorm1d(10)"
    )
    one = module("self.bn = nn.BatchNorm1d(3)", "return self.bn(x)")
    assert "write nn.BatchNorm2d(3)" in error(one)
    ok = module(
        "self.fc = nn.Linear(3072, 10)\nself.bn = nn.BatchNorm1d(10)",
        "x = torch.flatten(x, 1)\nreturn self.bn(self.fc(x))",
    )
    assert analyze(read(ok).network).params == 30_730 + 40


ALL_LAYERS = """import torch
from torch import nn
from torch.nn import Conv2d

net = torch.nn.Sequential(
    Conv2d(3, 8, (3, 5), stride=(1, 2), padding=(1, 2), dilation=1, groups=1, bias=False),
    nn.BatchNorm2d(8), nn.ReLU6(), nn.LeakyReLU(0.2), nn.ELU(), nn.GELU(), nn.SiLU(), nn.Hardswish(),
    nn.Conv2d(8, 8, 3, padding='same', groups=4, dilation=2), nn.Sigmoid(), nn.Tanh(),
    nn.MaxPool2d(3), nn.AvgPool2d(2, stride=1, padding=1), nn.Dropout(0.1),
    nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Linear(32, 16), nn.BatchNorm1d(16), nn.ReLU(inplace=True),
    nn.Linear(16, 10, bias=False), nn.Softmax(dim=1),
)
"""


def test_every_layer_and_spelling_reads_as_pytorch_builds_it() -> None:
    network = read(ALL_LAYERS, (24, 24, 3)).network
    figures = analyze(network)
    assert [f.output_shape.dims for f in figures.layers][:1] == [(24, 12, 8)]
    assert network.layers[3] == Activation(name="leaky_relu", alpha=0.2)
    assert network.layers[11] == Pool(size=(3, 3), stride=(3, 3), padding=(0, 0))
    assert figures.output_shape.dims == (10,)
    assert figures.params == 3 * 15 * 8 + 4 * 8 + (2 * 9 * 8 + 8) + 32 * 16 + 16 + 4 * 16 + 160


@pytest.mark.slow
def test_torch_builds_every_layer_as_read() -> None:
    pytest.importorskip("torch")
    from cnnquiz.torchcheck.verify import verify

    network = read(ALL_LAYERS, (24, 24, 3)).network
    assert verify(network, analyze(network)).ok


def test_a_module_list_iterated_in_order_is_followed() -> None:
    text = module(
        "self.layers = nn.ModuleList([nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Conv2d(8, 4, 3)])",
        "for layer in self.layers:\n    x = layer(x)\nreturn x",
    )
    network = read(text).network
    assert network.names == ("layers.0", "layers.1", "layers.2")
    assert analyze(network).output_shape.dims == (28, 28, 4)
    other = module(
        "self.layers = nn.ModuleList([nn.ReLU()])",
        "for layer in self.layers:\n    x = layer(x) + x\nreturn x",
    )
    assert "cannot follow control flow at net.py:11" in error(other)
