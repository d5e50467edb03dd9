"""The torch bridge: modules that match the spec's semantics, verification, autograd's figure."""

from __future__ import annotations

import dataclasses
import time

import pytest

torch = pytest.importorskip("torch")

from cnnquiz.net.arithmetic import analyze  # noqa: E402
from cnnquiz.net.spec import Shape, load_network, network_from_inline  # noqa: E402
from cnnquiz.torchcheck import build as bridge  # noqa: E402
from tests.conftest import ROOT  # noqa: E402

WORKED = "conv 100 k3 s2 same; conv 200 k3 s2 same; conv 400 k3 s2 same"


def _ones_conv(text: str, shape: str) -> torch.nn.Sequential:
    model = bridge.to_module(network_from_inline(shape, text))
    with torch.no_grad():
        for p in model.parameters():
            p.fill_(1.0)
    return model


@pytest.mark.parametrize("device", [None, "cpu", "meta"])
def test_worked_example_verifies(device):
    network = network_from_inline("200x300x3", WORKED)
    v = bridge.verify(network, analyze(network), device)
    assert v.ok, v.mismatches
    assert v.device == (device or "cpu")  # 3.6 MB of parameters: real layers, an empty batch
    assert [str(s) for s in v.shapes] == ["100x150x100", "50x75x200", "25x38x400"]
    assert v.trainable == (2_800, 180_200, 720_400)
    assert v.total_trainable == 903_400


def test_tensorflow_tutorial_cnn_has_122570_torch_parameters():
    network = load_network(ROOT / "examples" / "tf-cnn.yaml")
    model = bridge.to_module(network)
    assert sum(p.numel() for p in model.parameters()) == 122_570
    assert model(torch.zeros(2, 3, 32, 32)).shape == (2, 10)
    assert bridge.verify(network, analyze(network)).ok


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
    assert bridge.last_conv_index(network) == 0


def test_batch_norm_buffers_count_as_non_trainable():
    network = network_from_inline("8x8x3", "conv 4 k3; bn; flatten; dense 5; bn")
    v = bridge.verify(network, analyze(network))
    assert v.ok
    assert v.buffers == (0, 8, 0, 0, 10)  # moving mean and variance, not the batch counter
    model = bridge.to_module(network)
    assert isinstance(model[1][0], torch.nn.BatchNorm2d)
    assert isinstance(model[4][0], torch.nn.BatchNorm1d)


def test_a_wrong_figure_is_a_mismatch_with_both_figures():
    network = network_from_inline("200x300x3", WORKED)
    fig = analyze(network)
    wrong = dataclasses.replace(fig.layers[2], output_shape=Shape((25, 37, 400)), weights=1)
    fig = dataclasses.replace(fig, layers=(*fig.layers[:2], wrong))
    v = bridge.verify(network, fig)
    assert not v.ok
    text = [str(m) for m in v.mismatches]
    assert "layer 3 (Conv2D) output shape: arithmetic 25x37x400, torch 25x38x400" in text
    assert "layer 3 (Conv2D) trainable parameters: arithmetic 401, torch 720,400" in text


@pytest.mark.slow  # seconds of torch
def test_huge_input_verifies_without_allocating():
    network = network_from_inline("100000x100000x3", "conv 64 k3 s2 same; maxpool 2")
    start = time.perf_counter()
    v = bridge.verify(network, analyze(network))
    assert v.ok and str(v.shapes[1]) == "25000x25000x64"
    huge = network_from_inline("100000x100000x3", "conv 8 k3 s2 same; flatten; dense 10")
    v = bridge.verify(huge, analyze(huge))  # 8 GB of dense weights: built on meta only
    assert v.ok and v.device == "meta" and v.total_trainable == 200_000_000_234
    assert time.perf_counter() - start < 20


def test_autograd_keeps_the_worked_example_measured_on_meta():
    network = network_from_inline("200x300x3", WORKED)
    saved = bridge.measure_saved(network, 50)
    assert saved.device == "meta"  # a real batch of 50 would pass the 256 MB cap
    # padded copies of each conv's input: 201x301x3, 101x151x100, 51x77x200, float32, batch 50
    assert saved.per_layer == (
        50 * 201 * 301 * 3 * 4,
        50 * 101 * 151 * 100 * 4,
        50 * 51 * 77 * 200 * 4,
    )
    assert saved.total_bytes == 498_400_600
    assert saved.input_bytes == 0  # the unpadded input is not kept: its padded copy is
    assert saved.param_bytes == 4 * (2_700 + 180_000 + 720_000)  # weights, not biases


def test_autograd_deduplicates_a_tensor_two_steps_keep():
    # relu keeps its output; the next conv keeps the same tensor as its input: counted once
    network = network_from_inline("8x8x3", "conv 4 k3 relu; conv 2 k3")
    saved = bridge.measure_saved(network, 2)
    assert saved.device == "cpu"
    assert saved.total_bytes == 2 * 3 * 8 * 8 * 4 + 2 * 4 * 6 * 6 * 4
    assert saved.input_bytes == 2 * 3 * 8 * 8 * 4


def test_torch_keeps_the_same_whether_relu_is_a_layer_or_an_activation():
    """The textbook's view rule matches torch: a relu layer or flatten adds no tensor of its own."""
    option = "conv 8 k3 same relu; maxpool 2; conv 16 k3 same relu; flatten; dense 10 softmax"
    layers = "conv 8 k3 same; relu; maxpool 2; conv 16 k3 same; relu; flatten; dense 10; softmax"
    saved = [bridge.measure_saved(network_from_inline("16x16x3", x), 4) for x in (option, layers)]
    assert saved[0].device == saved[1].device == "cpu"
    assert (saved[1].total_bytes, saved[1].tensors) == (saved[0].total_bytes, saved[0].tensors)
    flat = analyze(network_from_inline("16x16x3", layers)).layers[5]
    assert flat.is_view and saved[1].per_layer[5] == 0  # flatten saved nothing for backward


def test_autograd_counts_max_pool_indices_and_agrees_on_meta():
    network = network_from_inline("8x8x3", "conv 4 k3; maxpool 2")
    real = bridge.measure_saved(network, 2)
    meta = bridge.measure_saved(network, 2, cap_bytes=0)
    assert (real.device, meta.device) == ("cpu", "meta")
    assert real.index_bytes == 2 * 4 * 3 * 3 * 8  # int64 indices
    assert real.total_bytes == 2 * 3 * 8 * 8 * 4 + 2 * 4 * 6 * 6 * 4 + real.index_bytes
    assert dataclasses.replace(meta, device="cpu") == real


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


def test_autograd_on_a_huge_input_is_measured_on_meta():
    network = network_from_inline("100000x100000x3", "conv 8 k3 s2 same relu; gap; dense 10")
    saved = bridge.measure_saved(network, 4)
    assert saved.device == "meta"
    # 4 images: conv's padded input copy (one pixel bottom/right), the relu output, dense's input
    padded = 4 * 3 * 100_001 * 100_001 * 4
    relu_out = 4 * 8 * 50_000 * 50_000 * 4
    assert saved.per_layer == (padded + relu_out, 0, 4 * 8 * 4)
    assert saved.total_bytes == 800_009_600_176


def test_a_field_cut_short_by_padding_inside_the_border_counts_as_clipped():
    """Found by hypothesis: a stride-2 conv padded by 1 on a 3-row input keeps only row 1 real,
    so the next conv's central value sees one real row of its 3 without touching the border;
    a value that sees only padding moves no pixel at all."""
    from cnnquiz.net.spec import Conv, Network, Shape
    from cnnquiz.torchcheck.receptive import field_mismatches, measure_receptive

    strided = Conv(filters=1, kernel=(1, 1), stride=(2, 1), padding=(1, 0))
    network = Network(Shape((3, 1, 1)), (strided, Conv(filters=1, kernel=(2, 1), padding="valid")))
    measured = measure_receptive(network)
    assert measured[-1].field == (1, 1) and measured[-1].clipped == (True, False)
    assert field_mismatches(network, measured) == []
    only_padding = Network(Shape((1, 1, 1)), (Conv(filters=1, kernel=(1, 1), stride=(2, 1), padding=(1, 0)),))
    assert measure_receptive(only_padding)[0].field == (0, 0)


def test_receptive_field_measured_by_gradient():
    from cnnquiz.net.spec import Conv, Network, Shape
    from cnnquiz.torchcheck.receptive import MeasuredField, field_mismatches, measure_receptive

    network = network_from_inline("200x300x3", WORKED)
    measured = measure_receptive(network)
    assert [(m.index, m.field, m.clipped) for m in measured] == [
        (1, (3, 3), (False, False)),
        (2, (7, 7), (False, False)),
        (3, (15, 15), (False, False)),
    ]
    assert field_mismatches(network, measured) == []
    wrong = (MeasuredField(3, (9, 9), (False, False)),)
    assert [str(m) for m in field_mismatches(network, wrong)] == [
        "layer 3 (Conv2D) receptive field: arithmetic 15x15, torch 9x9"
    ]
    edge = measure_receptive(network_from_inline("9x9x1", "conv 1; conv 1; conv 1; conv 1"))
    assert edge[-1].field == (9, 9) and edge[-1].clipped == (False, False)  # fits exactly
    same = Conv(filters=1, padding="same")
    cut = measure_receptive(Network(Shape((9, 9, 1)), (same,) * 5))
    assert cut[-1].field == (9, 9) and cut[-1].clipped == (True, True)  # 11x11 on a 9x9 input
    assert measure_receptive(network_from_inline("100000x100000x3", WORKED)) is None  # too big
