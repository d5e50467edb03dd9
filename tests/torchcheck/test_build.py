"""The torch bridge: modules that match the spec's semantics (Keras padding, pooling, dilation)."""

from __future__ import annotations

import itertools

import pytest

torch = pytest.importorskip("torch")

from cnnquiz.errors import SpecError  # noqa: E402
from cnnquiz.net.arithmetic import analyze  # noqa: E402
from cnnquiz.net.layers import KINDS, Dense  # noqa: E402
from cnnquiz.net.network import Network, Shape  # noqa: E402
from cnnquiz.net.spec import load_network, network_from_inline  # noqa: E402
from cnnquiz.torchcheck import build as bridge  # noqa: E402
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


@pytest.mark.parametrize("variant", [v for k in KINDS for v in k.variants], ids=lambda v: v.name)
def test_every_layer_kind_builds_in_torch_and_agrees(variant):
    kind = next(k for k in KINDS if variant in k.variants)
    layer = kind.cls(**{opt: 4 for opt in kind.required}, **dict(variant.preset))
    assert layer.title == variant.title
    network = Network(Shape((16,)) if isinstance(layer, Dense) else Shape((8, 8, 3)), (layer,))
    assert set(bridge.BUILDERS) == {k.cls for k in KINDS}
    model = bridge.to_module(network)
    assert verify(network, analyze(network)).ok
    assert len(model) == 1
