"""The torch bridge: modules that match the spec's semantics (Keras padding, pooling, dilation)."""

from __future__ import annotations

import itertools

import pytest

torch = pytest.importorskip("torch")

from cnnquiz.errors import SpecError  # noqa: E402
from cnnquiz.net.arithmetic import analyze  # noqa: E402
from cnnquiz.net.layers import KINDS, Activation, Dense  # noqa: E402
from cnnquiz.net.network import Network, Shape  # noqa: E402
from cnnquiz.net.spec import load_network, network_from_inline  # noqa: E402
from cnnquiz.torchcheck import build as bridge  # noqa: E402
from cnnquiz.torchcheck.graph import Graph  # noqa: E402
from cnnquiz.torchcheck.verify import verify  # noqa: E402
from tests.conftest import ROOT  # noqa: E402


def _ones_conv(text: str, shape: str) -> torch.nn.Sequential:
    model = bridge.to_module(network_from_inline(shape, text))
    with torch.no_grad():
        for p in model.parameters():
            p.fill_(1.0)
    return model


def test_tensorflow_tutorial_cnn_has_122570_torch_parameters():
    network = load_network(ROOT / "examples" / "tf-cnn.yaml")
    model = bridge.to_module(network)
    assert sum(p.numel() for p in model.parameters()) == 122_570
    assert model(torch.zeros(2, 3, 32, 32)).shape == (2, 10)
    assert verify(network, analyze(network)).ok


def test_keras_same_padding_puts_the_odd_pixel_bottom_right():
    # 4x4 input, 3x3 kernel, stride 2: out 2, one pixel of padding, after (bottom/right)
    model = _ones_conv("conv 1 k3 s2 same nobias", "4x4x1")
    out = model(torch.ones(1, 1, 4, 4))[0, 0]
    assert out[0, 0].item() == 9  # rows and columns 0..2, all real pixels
    assert out[1, 1].item() == 4  # rows and columns 2..4, the 4th is padding
    assert bridge.keras_same_pads(4, 3, 2) == (0, 1)
    assert bridge.keras_same_pads(75, 3, 2) == (1, 1)


def test_same_max_pool_pads_with_minus_infinity_and_avg_pool_excludes_padding():
    x = -torch.ones(1, 1, 3, 3)
    maxed = bridge.to_module(network_from_inline("3x3x1", "maxpool 2 same"))(x)
    assert maxed.shape == (1, 1, 2, 2) and (maxed == -1).all()  # zero padding would give 0
    avg = bridge.to_module(network_from_inline("3x3x1", "avgpool 2 same"))(torch.ones(1, 1, 3, 3))
    assert torch.allclose(avg, torch.ones(1, 1, 2, 2))  # counting the padding would give 0.5


def test_dilation_bias_and_activations():
    network = network_from_inline("9x9x2", "conv 3 k3 d2 nobias leakyrelu; gap; dense 4 softmax")
    model = bridge.to_module(network)
    assert model[0][0].dilation == (2, 2) and model[0][0].bias is None
    out = model(torch.randn(5, 2, 9, 9))
    assert torch.allclose(out.sum(dim=1), torch.ones(5))  # softmax over the features


def test_to_module_is_reproducible_under_a_seed_and_stays_on_meta():
    network = load_network(ROOT / "examples" / "tf-cnn.yaml")
    torch.manual_seed(3)
    a = bridge.to_module(network)
    torch.manual_seed(3)
    b = bridge.to_module(network)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    assert a.training  # ready to train; verification switches to eval itself
    meta = bridge.to_module(network, device="meta")
    assert {p.device.type for p in meta.parameters()} == {"meta"}


# issue 9.16: the calculator's pooling-padding rule is torch's own, case for case
def test_pool_padding_rule_matches_torch():
    x = torch.zeros(1, 1, 9, 9)
    for k, p, op in itertools.product(range(1, 6), range(0, 4), ("max", "avg")):
        layer = (torch.nn.MaxPool2d if op == "max" else torch.nn.AvgPool2d)(k, stride=k, padding=p)
        try:
            layer(x)
            torch_ok = True
        except RuntimeError:
            torch_ok = False
        try:
            analyze(network_from_inline("9x9x1", f"{op}pool {k} p{p}"))
            ours_ok = True
        except SpecError:
            ours_ok = False
        assert ours_ok == torch_ok, (k, p, op)


SAMPLE = {"filters": 4, "units": 4, "size": (2, 2)}
"""A value for each required option, to build a layer of every kind."""


@pytest.mark.parametrize("variant", [v for k in KINDS for v in k.variants], ids=lambda v: v.name)
def test_every_layer_kind_builds_in_torch_and_agrees(variant):
    kind = next(k for k in KINDS if variant in k.variants)
    layer = kind.cls(**{opt: SAMPLE[opt] for opt in kind.required}, **dict(variant.preset))
    assert layer.title == variant.title
    shape = Shape((16,)) if isinstance(layer, Dense) else Shape((8, 8, 3))
    if kind.merge:  # the input merged with its relu
        network = Network(shape, (Activation("relu"), layer), inputs=((0,), (0, 1)))
    else:
        network = Network(shape, (layer,))
    assert set(bridge.BUILDERS) == {k.cls for k in KINDS}
    model = bridge.to_module(network)
    assert verify(network, analyze(network)).ok
    assert len(model) == len(network.layers)
    assert isinstance(model, Graph if kind.merge else torch.nn.Sequential)


def _built(layer, *shape: int) -> tuple[torch.nn.Sequential, torch.Size]:
    """The layer's torch block and the shape it makes of a (1, *shape) input."""
    from cnnquiz.torchcheck.build import _block

    x = torch.zeros(1, *shape)
    block = _block(layer, x, torch.device("cpu"), torch.float32, True)
    return block, block(x).shape


def _params(block: torch.nn.Module) -> int:
    return sum(p.numel() for p in block.parameters())


def test_grouped_depthwise_and_separable_convolutions_count_what_keras_counts():
    from cnnquiz.net.layers import Conv, Depthwise, Separable

    block, out = _built(Conv(6, groups=3), 6, 5, 5)
    assert (_params(block), out) == (3 * 3 * 2 * 6 + 6, (1, 6, 3, 3))  # kh·kw·(C/g)·F + F
    block, out = _built(Depthwise(stride=(2, 2), padding="same", multiplier=2), 3, 5, 5)
    assert (_params(block), out) == (3 * 3 * 3 * 2 + 6, (1, 6, 3, 3))  # kh·kw·C·m + C·m
    assert block[0].groups == 3
    block, out = _built(Separable(4, multiplier=2), 3, 5, 5)
    depthwise, pointwise = block
    assert depthwise.bias is None and pointwise.kernel_size == (1, 1)  # the bias is pointwise's
    assert (_params(block), out) == (3 * 3 * 3 * 2 + 6 * 4 + 4, (1, 4, 3, 3))


def test_same_padding_of_a_strided_depthwise_puts_the_odd_pixel_bottom_right():
    from cnnquiz.net.layers import Depthwise

    block, out = _built(Depthwise(stride=(2, 2), padding="same", bias=False), 1, 4, 4)
    with torch.no_grad():
        block[-1].weight.fill_(1.0)
    assert isinstance(block[0], torch.nn.ZeroPad2d) and block[0].padding == (0, 1, 0, 1)
    assert block(torch.ones(1, 1, 4, 4))[0, 0, 1, 1].item() == 4  # rows/cols 2..4, 4 is padding


def test_zeropad_prelu_and_adaptive_pooling_shapes_and_slopes():
    from cnnquiz.net.layers import AdaptivePool, PReLU, ZeroPad

    assert _built(ZeroPad((1, 2, 3, 0)), 2, 4, 5)[1] == (1, 2, 7, 8)  # top, bottom, left, right
    assert _built(AdaptivePool((2, 3), "max"), 2, 7, 7)[1] == (1, 2, 2, 3)
    slopes = {s: _params(_built(PReLU(s), 3, 4, 5)[0]) for s in ("channel", "one", "all")}
    assert slopes == {"channel": 3, "one": 1, "all": 3 * 4 * 5}
    each = _built(PReLU("all"), 2, 1, 1)[0]
    assert each(torch.tensor([[[[-4.0]], [[4.0]]]])).flatten().tolist() == [-1.0, 4.0]


def test_every_activation_name_has_a_torch_module():
    from cnnquiz.net.layers import ACTIVATIONS
    from cnnquiz.torchcheck.modules import activation_module

    x = torch.tensor([-7.0, -1.0, 0.0, 2.0, 7.0])
    out = {name: activation_module(name)(x[None])[0] for name in ACTIVATIONS}
    assert out["relu6"].tolist() == [0, 0, 0, 2, 6]
    assert out["hard_sigmoid"].tolist() == pytest.approx([0, 1 / 3, 0.5, 5 / 6, 1])  # relu6(x+3)/6
    assert torch.allclose(out["swish"], x * torch.sigmoid(x))
    assert torch.equal(out["linear"], x)
