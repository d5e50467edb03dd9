"""What autograd keeps for backward, measured on the CPU or on meta."""

from __future__ import annotations

import dataclasses

import pytest

torch = pytest.importorskip("torch")

from cnnquiz.net.arithmetic import analyze  # noqa: E402
from cnnquiz.net.spec import network_from_inline  # noqa: E402
from cnnquiz.torchcheck.autograd import _measure, measure_saved  # noqa: E402

WORKED = "conv 100 k3 s2 same; conv 200 k3 s2 same; conv 400 k3 s2 same"


def test_autograd_keeps_the_worked_example_scaled_from_one_image_and_on_meta():
    network = network_from_inline("200x300x3", WORKED)
    saved = measure_saved(network, 50)
    # a real batch of 50 would pass the 256 MB cap: 1 image runs, per-image tensors times 50
    assert (saved.device, saved.scaled_from) == ("cpu", 1)
    # padded copies of each conv's input: 201x301x3, 101x151x100, 51x77x200, float32, batch 50
    assert saved.per_layer == (
        50 * 201 * 301 * 3 * 4,
        50 * 101 * 151 * 100 * 4,
        50 * 51 * 77 * 200 * 4,
    )
    assert saved.total_bytes == 498_400_600
    assert saved.input_bytes == 0  # the unpadded input is not kept: its padded copy is
    assert saved.param_bytes == 4 * (2_700 + 180_000 + 720_000)  # weights, not biases
    meta = measure_saved(network, 50, scaled_cap_bytes=0)
    assert (meta.device, meta.scaled_from) == ("meta", None)
    assert dataclasses.replace(meta, device="cpu", scaled_from=1) == saved


@pytest.mark.parametrize(
    ("shape", "layers", "runs"),
    [
        ("10x10x3", "conv 4 k3 s2 same relu; maxpool 2; dropout; flatten; dense 3 softmax", 1),
        # batch norm's per-channel statistics are kept once, whatever the batch
        (
            "12x12x3",
            "conv 8 k3 same; bn; relu; maxpool 2; conv 4 k3; flatten; dense 6; bn; softmax",
            2,
        ),
        # same average pooling keeps its count of real pixels once: first axis 1, not the batch
        (
            "9x9x2",
            "conv 2 k1; avgpool 3 s2 same; conv 3 k2 s2 same; dropout; gap; dense 5 sigmoid",
            2,
        ),
    ],
)
def test_a_batch_scaled_from_one_or_two_images_is_what_the_whole_batch_keeps(shape, layers, runs):
    network = network_from_inline(shape, layers)
    whole = measure_saved(network, 7, cap_bytes=10**9)
    scaled = measure_saved(network, 7, cap_bytes=0)
    assert (whole.scaled_from, scaled.scaled_from) == (None, runs)
    assert dataclasses.replace(scaled, scaled_from=None) == whole
    if runs == 2 and "avgpool" in layers:  # from one image, the count would be taken per image
        assert _measure(network, "float32", 1, 7).total_bytes > whole.total_bytes


def test_autograd_deduplicates_a_tensor_two_steps_keep():
    # relu keeps its output; the next conv keeps the same tensor as its input: counted once
    network = network_from_inline("8x8x3", "conv 4 k3 relu; conv 2 k3")
    saved = measure_saved(network, 2)
    assert saved.device == "cpu"
    assert saved.total_bytes == 2 * 3 * 8 * 8 * 4 + 2 * 4 * 6 * 6 * 4
    assert saved.input_bytes == 2 * 3 * 8 * 8 * 4


def test_torch_keeps_the_same_whether_relu_is_a_layer_or_an_activation():
    """The textbook's view rule matches torch: a relu layer or flatten adds no tensor of its own."""
    option = "conv 8 k3 same relu; maxpool 2; conv 16 k3 same relu; flatten; dense 10 softmax"
    layers = "conv 8 k3 same; relu; maxpool 2; conv 16 k3 same; relu; flatten; dense 10; softmax"
    saved = [measure_saved(network_from_inline("16x16x3", x), 4) for x in (option, layers)]
    assert saved[0].device == saved[1].device == "cpu"
    assert (saved[1].total_bytes, saved[1].tensors) == (saved[0].total_bytes, saved[0].tensors)
    flat = analyze(network_from_inline("16x16x3", layers)).layers[5]
    assert flat.is_view and saved[1].per_layer[5] == 0  # flatten saved nothing for backward


def test_autograd_counts_max_pool_indices_and_agrees_on_meta():
    network = network_from_inline("8x8x3", "conv 4 k3; maxpool 2")
    real = measure_saved(network, 2)
    meta = measure_saved(network, 2, cap_bytes=0, scaled_cap_bytes=0)
    assert (real.device, meta.device) == ("cpu", "meta")
    assert real.index_bytes == 2 * 4 * 3 * 3 * 8  # int64 indices
    assert real.total_bytes == 2 * 3 * 8 * 8 * 4 + 2 * 4 * 6 * 6 * 4 + real.index_bytes
    assert dataclasses.replace(meta, device="cpu") == real


def test_autograd_on_a_huge_input_is_measured_on_meta():
    network = network_from_inline("100000x100000x3", "conv 8 k3 s2 same relu; gap; dense 10")
    saved = measure_saved(network, 4)
    assert saved.device == "meta"
    # 4 images: conv's padded input copy (one pixel bottom/right), the relu output, dense's input
    padded = 4 * 3 * 100_001 * 100_001 * 4
    relu_out = 4 * 8 * 50_000 * 50_000 * 4
    assert saved.per_layer == (padded + relu_out, 0, 4 * 8 * 4)
    assert saved.total_bytes == 800_009_600_176
