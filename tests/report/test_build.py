"""The typed reports, built from the arithmetic: the worked example's figures as values."""

from __future__ import annotations

from cnnquiz.net.arithmetic import analyze
from cnnquiz.net.memory import training_ram
from cnnquiz.net.spec import network_from_inline
from cnnquiz.report.build import layers_report, model_report, next_dense
from cnnquiz.report.figures import flops, textbook_bytes, with_inputs
from cnnquiz.report.labels import memory_cell
from cnnquiz.report.model import (
    DenseCost,
    InputSize,
    LayerRow,
    Mismatch,
    ModelReport,
    Padding,
    PredictionRamNote,
    RamTerm,
    Totals,
)
from cnnquiz.report.notes import mismatch_text
from cnnquiz.report.receptive import receptive_report
from tests.report.fakes import FakeField, FakeMismatch, FakeSaved, FakeVerdict, agreeing

WORKED = "conv 100 k3 s2 same; conv 200 k3 s2 same; conv 400 k3 s2 same"


def worked(batch: int = 50, optimizer: str = "sgd") -> ModelReport:
    return model_report(analyze(network_from_inline("200x300x3", WORKED)), batch, optimizer)


def test_the_worked_example_first_row_is_every_figure_with_its_working():
    row = worked().layers[0]
    assert row == LayerRow(
        index=1,
        layer="Conv2D",
        label="Conv2D 100 3x3 s2 same",
        spec={"conv": {"filters": 100, "stride": 2, "padding": "same"}},  # defaults left out
        input_shape="200x300x3",
        output_shape="100x150x100",
        output_dims=(100, 150, 100),
        weights=2_700,
        biases=100,
        trainable=2_800,
        non_trainable=0,
        params=2_800,
        macs=40_500_000,
        output_values=1_500_000,
        output_bytes=6_000_000,
        view_of=None,
        stored_bytes=6_000_000,
        padding=Padding(top=0, bottom=1, left=0, right=1),
        steps=(
            "output height = ceil(in / stride) = ceil(200 / 2) = 100",
            "output width = ceil(in / stride) = ceil(300 / 2) = 150",
            "parameters = (kh·kw·C_in + 1)·filters = (3·3·3 + 1)·100 = 2,800",
            "parameters = 2,700 weights + 100 biases",
            "multiplications = H_out·W_out·filters·kh·kw·C_in = 100·150·100·3·3·3 = 40,500,000",
            "output size = 100·150·100 values · 4 bytes = 6,000,000 bytes = 6 MB",
        ),
    )


def test_the_worked_example_rows_and_totals():
    report = worked()
    assert [(r.output_shape, r.params, r.macs, memory_cell(r)) for r in report.layers] == [
        ("100x150x100", 2_800, 40_500_000, "6 MB"),
        ("50x75x200", 180_200, 675_000_000, "3 MB"),
        ("25x38x400", 720_400, 684_000_000, "1.52 MB"),
    ]
    assert report.totals == Totals(
        params=903_400,
        trainable=903_400,
        non_trainable=0,
        param_bytes=3_613_600,
        macs=1_399_500_000,
        output_values=2_630_000,
        output_bytes=10_520_000,
        stored_bytes=10_520_000,
    )
    assert report.input == InputSize("200x300x3", 180_000, 720_000)
    assert report.hints == () and report.autograd is None and report.verification is None


def test_every_total_is_the_sum_of_its_rows():
    report = model_report(
        analyze(
            network_from_inline(
                "28x28x1", "conv 8 k3 same; batchnorm; relu; maxpool 2; flatten; dense 10"
            )
        ),
        4,
        "adam",
        flops=True,
    )
    t, rows = report.totals, report.layers
    for name in ("params", "trainable", "non_trainable", "macs", "output_values", "output_bytes"):
        assert getattr(t, name) == sum(getattr(r, name) for r in rows), name
    assert t.stored_bytes == sum(r.stored_bytes for r in rows)
    assert t.flops == sum(r.flops or 0 for r in rows) == flops(t.macs)
    assert report.training_ram.total == sum(term.bytes for term in report.training_ram.terms)


def test_the_worked_example_ram():
    report = worked(optimizer="adam")
    assert report.prediction_ram == PredictionRamNote(
        peak_layer=2,
        peak_name="Conv2D",
        input_bytes=6_000_000,
        output_bytes=3_000_000,
        param_bytes=3_613_600,
        total=12_613_600,
        working="6 MB + 3 MB + 3.61 MB = 12.6 MB",
    )
    assert report.training_ram.terms == (
        RamTerm("layer outputs × 50", 526_000_000, "10,520,000 bytes · 50"),
        RamTerm("inputs × 50", 36_000_000, "720,000 bytes · 50"),
        RamTerm("parameters", 3_613_600, "903,400 · 4 bytes"),
        RamTerm("gradients", 3_613_600, "one per trainable parameter: 903,400 · 4 bytes"),
        RamTerm("optimizer state (adam)", 7_227_200, "2 values per trainable parameter"),
    )
    assert report.training_ram.total == 576_454_400


def test_a_view_shares_memory_and_says_whose():
    fig = analyze(network_from_inline("4x4x8", "conv 2 k1; relu; flatten; dense 3"))
    rows = model_report(fig, 2, "sgd").layers
    assert [(r.view_of, r.stored_bytes, memory_cell(r)) for r in rows] == [
        (None, 128, "0.000128 MB"),
        (1, 0, "view of 1"),
        (1, 0, "view of 1"),
        (None, 12, "0.000012 MB"),
    ]
    assert rows[2].steps[-1].endswith("a view of layer 1 (Conv2D): no new memory")
    assert model_report(fig, 2, "sgd").training_ram.terms[0].working == (
        "140 bytes · 2 (views add nothing: layers 2, 3)"
    )


def test_flops_only_when_asked():
    fig = analyze(network_from_inline("8x8x3", "conv 4 k3"))
    plain, counted = layers_report("conv", fig), layers_report("conv", fig, flops=True)
    assert plain.layers[0].flops is None
    assert counted.layers[0].flops == 2 * counted.layers[0].macs == 2 * 6 * 6 * 4 * 27
    assert counted.layers[0].steps[-2] == "FLOPs = 2 · MACs = 2 · 3,888 = 7,776"
    assert "MACs: multiply-accumulates for one image; FLOPs = 2 × MACs" in counted.assumptions


def test_flatten_against_gap_in_the_next_dense_layer():
    flat = analyze(network_from_inline("4x4x64", "flatten; dense 10"))
    gap = analyze(network_from_inline("4x4x64", "gap; dense 10"))
    nd = next_dense("flatten", 10, flat, gap)
    assert nd.flatten == DenseCost(1_024, 10_250, "Dense 10 after flatten: (1,024 + 1)·10 = 10,250")
    assert nd.gap == DenseCost(64, 650, "Dense 10 after gap: (64 + 1)·10 = 650")
    assert nd.ratio == 10_250 / 650
    assert nd.sentence.startswith("flatten feeds 1,024 values to the next layer")
    assert next_dense("gap", 10, gap, flat).sentence.startswith("gap feeds 64 values")
    assert layers_report("flatten", flat, next_dense=nd).next_dense == nd


def test_a_channels_first_input_gets_a_hint():
    fig = analyze(network_from_inline("3x200x300", "conv 4 k3"))
    assert model_report(fig, 1, "sgd").hints == (
        "this reads as H×W×C = 3×200×300; for PyTorch's C×H×W write 200x300x3",
    )


def test_torch_agreeing_and_disagreeing():
    fig = analyze(network_from_inline("200x300x3", WORKED))
    ok = model_report(fig, 50, "sgd", v=agreeing(fig)).verification
    assert ok is not None and ok.ok and ok.shapes == ("100x150x100", "50x75x200", "25x38x400")
    assert ok.sentence == (
        "verified with torch 9.9.9: shapes and 903,400 parameters match (an empty batch on the CPU)"
    )
    bad = FakeVerdict(mismatches=(FakeMismatch(1, "Conv2D", "output shape", "99x1x1", "100x1x1"),))
    check = model_report(fig, 50, "sgd", v=bad).verification
    assert check is not None and not check.ok
    assert check.mismatches == (Mismatch(1, "Conv2D", "output shape", "99x1x1", "100x1x1"),)
    text = "layer 1 (Conv2D) output shape: arithmetic 99x1x1, torch 100x1x1"
    assert mismatch_text(check.mismatches[0]) == text
    assert check.sentence == f"torch 9.9.9 disagrees with the arithmetic: {text}"
    assert mismatch_text(Mismatch(0, "network", "trainable parameters", "1", "2")).startswith(
        "network trainable parameters"
    )


def test_autograd_beside_the_textbook():
    fig = analyze(network_from_inline("200x300x3", WORKED))
    report = model_report(fig, 50, "sgd", saved=FakeSaved())
    assert textbook_bytes(training_ram(fig, 50)) == 562_000_000
    a = report.autograd
    assert a is not None
    assert (a.saved_bytes, a.textbook_bytes, a.per_layer) == (
        498_400_600,
        562_000_000,
        (36_000_000, 300_000_000, 162_400_600),
    )
    assert a.measured_on == "a real forward on the CPU (batch 50)"
    assert a.why.endswith("here autograd keeps less.")
    skipped = model_report(fig, 1, "sgd", autograd_skipped="batch norm on one value")
    assert skipped.autograd is None and skipped.autograd_skipped == "batch norm on one value"


def test_the_receptive_field_and_its_working():
    fig = analyze(network_from_inline("200x300x3", WORKED))
    report = receptive_report(fig)
    assert [(r.kernel, r.stride, r.jump, r.field) for r in report.layers] == [
        ("3x3", "2x2", "2x2", "3x3"),
        ("3x3", "2x2", "4x4", "7x7"),
        ("3x3", "2x2", "8x8", "15x15"),
    ]
    assert [r.working for r in report.layers] == [
        "1 + (3 - 1)·1 = 3",
        "3 + (3 - 1)·2 = 7",
        "7 + (3 - 1)·4 = 15",
    ]
    assert report.field == "15x15" and report.measured_how is None
    assert report.stacked_note.endswith("one 7x7 kernel needs 7·7 = 49")


def test_the_receptive_field_across_axes_and_into_the_whole_input():
    fig = analyze(
        network_from_inline(
            "64x48x3", "conv 8 k3x5 d2 same; conv 4 k1; conv 2 k3x1 s1x2; gap; dense 3"
        )
    )
    rows = receptive_report(fig).layers
    assert [r.working for r in rows] == [
        "1 + (5 - 1)·1 = 5 and 1 + (9 - 1)·1 = 9",
        "keeps positions",
        "5 + (3 - 1)·1 = 7 and 9 + (1 - 1)·1 = 9",
        "whole input",
        "whole input",
    ]
    assert [r.is_global for r in rows] == [False, False, False, True, True]
    assert rows[-1].field == "64x48"


def test_torch_measured_fields_beside_the_arithmetic():
    fig = analyze(network_from_inline("200x300x3", WORKED))
    measured = (FakeField(1, (3, 3)), FakeField(2, (7, 7)), FakeField(3, (15, 15), (True, False)))
    report = receptive_report(fig, agreeing(fig), measured)
    assert [r.measured for r in report.layers] == ["3x3", "7x7", "15x15 (edge)"]
    assert report.measured_how is not None and report.measured_how.startswith("torch: the gradient")
    assert report.verification is not None
    assert report.verification.sentence.endswith("; so do the receptive fields torch measured")
    unmeasured = receptive_report(fig, agreeing(fig)).verification
    assert unmeasured is not None and not unmeasured.sentence.endswith("measured")


def test_each_receptive_row_starts_from_the_one_before():
    from cnnquiz.net.receptive import receptive_field

    rows = receptive_field(network_from_inline("200x300x3", WORKED))
    assert [(f, j) for _, f, j in with_inputs(rows)] == [
        ((1, 1), (1, 1)),
        ((3, 3), (2, 2)),
        ((7, 7), (4, 4)),
    ]
