"""``--json`` at the edge: every field of a report reaches the document, under the keys and in
the order scripts have read since the reports were dicts."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from pathlib import Path

import pytest

from cnnquiz.net.arithmetic import analyze
from cnnquiz.net.spec import load_network, network_from_inline
from cnnquiz.report import model
from cnnquiz.report.build import layers_report, model_report, next_dense
from cnnquiz.report.json import to_json
from cnnquiz.report.receptive import receptive_report
from tests.conftest import ROOT
from tests.report.fakes import FakeField, FakeMismatch, FakeSaved, FakeVerdict, agreeing

GOLDEN = Path(__file__).parents[1] / "golden"
WORKED = "conv 100 k3 s2 same; conv 200 k3 s2 same; conv 400 k3 s2 same"


def from_json(cls: type, data: object) -> object:
    """The report back from its document, field by field, by the dataclasses' own types: what
    makes the round trip prove that no field is lost or renamed on the way out."""
    origin, args = typing.get_origin(cls), typing.get_args(cls)
    if origin in (typing.Union, types.UnionType):
        if data is None:
            return None
        return from_json(next(a for a in args if a is not type(None)), data)
    if origin is tuple:
        assert isinstance(data, list)
        return tuple(from_json(args[0], item) for item in data)
    if dataclasses.is_dataclass(cls):
        assert isinstance(data, dict)
        hints = typing.get_type_hints(cls, vars(model))
        kwargs = {}
        for f in dataclasses.fields(cls):
            key = f.metadata.get(model.JSON_KEY, f.name)
            if not f.init:
                assert data[key] == f.default
            elif key in data:
                kwargs[f.name] = from_json(hints[f.name], data[key])
            else:
                assert f.metadata.get(model.OMIT_EMPTY), f"{cls.__name__}.{f.name} missing"
        return cls(**kwargs)
    return data  # int, str, float, bool, a layer's spec


def _reports() -> list[object]:
    fig = analyze(
        network_from_inline(
            "28x28x1",
            "conv 8 k3 same; batchnorm; relu; maxpool 2; flatten; dropout 0.5; dense 10 softmax",
        )
    )
    worked = analyze(network_from_inline("3x200x300", WORKED))
    flat = analyze(network_from_inline("4x4x64", "flatten; dense 10"))
    gap = analyze(network_from_inline("4x4x64", "gap; dense 10"))
    bad = FakeVerdict(mismatches=(FakeMismatch(0, "network", "trainable parameters", "1", "2"),))
    return [
        model_report(fig, 4, "adam", flops=True, v=agreeing(fig), saved=FakeSaved(device="meta")),
        model_report(worked, 1, "sgd", v=bad, autograd_skipped="torch refused"),
        model_report(worked, 1, "momentum"),
        layers_report(
            "flatten",
            flat,
            flops=True,
            v=agreeing(flat),
            next_dense=next_dense("flatten", 10, flat, gap),
        ),
        layers_report("conv", analyze(network_from_inline("8x8x3", "conv 2 k3 p1 d2 no_bias"))),
        receptive_report(
            fig, agreeing(fig), (FakeField(1, (3, 3)), FakeField(4, (6, 6), (True, True)))
        ),
        receptive_report(worked),
    ]


@pytest.mark.parametrize("report", _reports(), ids=lambda r: type(r).__name__)
def test_every_field_round_trips(report):
    document = json.loads(json.dumps(to_json(report)))  # as a script reads it
    assert from_json(type(report), document) == report


def test_keys_in_the_documents_order_and_empty_fields_left_out():
    full, skipped, plain, _, conv, receptive, _ = (
        json.loads(json.dumps(to_json(r))) for r in _reports()
    )
    assert list(skipped) == [
        "calc", "name", "source", "input", "dtype", "bytes_per_value", "layers", "totals",
        "prediction_ram", "training_ram", "autograd", "assumptions", "verification",
        "autograd_skipped", "hints",
    ]  # fmt: skip
    assert (skipped["calc"], skipped["autograd"], skipped["autograd_skipped"]) == (
        "model",
        None,
        "torch refused",
    )
    assert "autograd_skipped" not in plain and "hints" not in full
    assert plain["hints"] == [
        "this reads as H×W×C = 3×200×300; for PyTorch's C×H×W write 200x300x3"
    ]
    assert "flops" in full["totals"] and "flops" not in plain["totals"]
    assert list(conv["layers"][0]) == [
        "index", "layer", "label", "spec", "input_shape", "output_shape", "output_dims", "weights",
        "biases", "trainable", "non_trainable", "params", "macs", "output_values", "output_bytes",
        "view_of", "stored_bytes", "padding", "steps",
    ]  # fmt: skip
    assert conv["layers"][0]["padding"] == {"top": 1, "bottom": 1, "left": 1, "right": 1}
    assert "next_dense" not in conv and "verification" in conv
    assert receptive["layers"][0]["global"] is False and "is_global" not in receptive["layers"][0]


def test_only_reports_are_serialised():
    with pytest.raises(TypeError, match="expected a report dataclass"):
        to_json({"calc": "model"})
    with pytest.raises(TypeError):
        to_json(model.ModelReport)


@pytest.mark.parametrize(
    ("golden", "report"),
    [
        (
            "calc_model_worked_flops.json",  # cnnquiz calc model examples/worked.yaml --batch 50 --json --no-verify --flops
            lambda: model_report(
                analyze(
                    dataclasses.replace(
                        load_network(ROOT / "examples/worked.yaml"), source="examples/worked.yaml"
                    )
                ),
                50,
                "sgd",
                flops=True,
            ),
        ),
        (
            "calc_receptive.json",  # cnnquiz calc receptive --in 64x48x3 "conv 8 k3x5 d2 same; maxpool 3 s2; conv 4 k1; flatten; dense 3" --json --no-verify
            lambda: receptive_report(
                analyze(
                    network_from_inline(
                        "64x48x3", "conv 8 k3x5 d2 same; maxpool 3 s2; conv 4 k1; flatten; dense 3"
                    )
                )
            ),
        ),
    ],
)
def test_the_document_is_the_one_the_dicts_wrote(golden, report):
    # written by the dict-building report before it was typed: the same text, byte for byte
    text = json.dumps(to_json(report()), indent=2, ensure_ascii=False) + "\n"
    assert text == (GOLDEN / golden).read_text(encoding="utf-8")
