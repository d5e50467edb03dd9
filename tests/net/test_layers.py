"""The one registry of layer kinds: every name in it reads, writes back and computes alike."""

from __future__ import annotations

import typing

import pytest

from cnnquiz.errors import SpecError
from cnnquiz.net.arithmetic import RULES, analyze
from cnnquiz.net.layers import KINDS, KNOWN, Conv, Dense, Layer, Pool, find_name, kind_of
from cnnquiz.net.options import READERS
from cnnquiz.net.spec import (
    layer_option,
    layer_to_dict,
    network_to_dict,
    parse_inline_layer,
    parse_network,
)
from cnnquiz.yamlio import loads

SAMPLE = {"filters": 4, "units": 3, "size": 2}
"""A value for each required option, to write a layer of every kind."""

VARIANTS = [(kind, variant) for kind in KINDS for variant in kind.variants]


def _id(case: tuple) -> str:
    return case[1].name


def _yaml_layer(item: str) -> Layer:
    data = loads(f"input: 16\nlayers:\n  - {item}\n", "n.yaml")
    first = data["layers"][0]
    if find_name(str(first.get("type", next(iter(first)))))[0].merge:
        first["from"] = ["input", "input"]  # a merge layer reads two inputs
    return parse_network(data, "n.yaml").layers[0]


@pytest.mark.parametrize("case", VARIANTS, ids=_id)
def test_every_name_reads_inline_and_in_yaml_as_the_same_layer(case):
    kind, variant = case
    required = {opt: SAMPLE[opt] for opt in kind.required}
    settings = "".join(f" {opt}={value}" for opt, value in required.items())
    mapping = ", ".join(f"{opt}: {value}" for opt, value in required.items())
    layer = parse_inline_layer(variant.name + settings, "here")
    assert type(layer) is kind.cls and kind_of(layer) is kind
    assert layer.title == variant.title and layer.kind == kind.kind
    for name in (variant.name, *variant.aliases):
        assert parse_inline_layer(name + settings, "here") == layer
        assert parse_inline_layer(name.upper() + settings, "here") == layer
        assert _yaml_layer(f"{name}: {{{mapping}}}") == layer
        assert _yaml_layer(f"{{type: {name}{', ' if mapping else ''}{mapping}}}") == layer
    if kind.primary in required:
        assert parse_inline_layer(f"{variant.name} {required[kind.primary]}", "here") == layer
        assert _yaml_layer(f"{variant.name}: {required[kind.primary]}") == layer
    assert layer_to_dict(layer) == {variant.name: required}


@pytest.mark.parametrize("case", VARIANTS, ids=_id)
def test_every_name_writes_back_to_itself_with_its_options(case):
    kind, variant = case
    layer = parse_inline_layer(variant.name + "".join(f" {o}={SAMPLE[o]}" for o in kind.required), "x")
    shape = "16" if isinstance(layer, Dense) else "8x8x3"
    item = layer_to_dict(layer) | ({"from": ["input", "input"]} if kind.merge else {})
    net = parse_network({"input": shape, "layers": [item]})
    assert net.layers == (layer,)
    assert network_to_dict(net)["layers"] == [item]
    assert analyze(net).layers[0].name == variant.title


def test_every_kind_has_a_reader_for_each_option_and_a_rule():
    for kind in KINDS:
        assert set(kind.options) <= set(READERS), kind.kind
        assert kind.cls in RULES, kind.kind
        assert set(kind.required) <= set(SAMPLE), kind.kind
        assert kind.primary is None or kind.primary in kind.options
        for variant in kind.variants:
            assert all(opt in kind.options for opt, _ in variant.preset)
    assert set(typing.get_args(Layer)) == {k.cls for k in KINDS} == set(RULES)


def test_names_are_unique_and_the_error_lists_one_per_variant():
    names = [n.lower() for _, v in VARIANTS for n in (v.name, *v.aliases)]
    assert len(names) == len(set(names))
    assert KNOWN == tuple(v.name for _, v in VARIANTS)
    assert find_name("MaxPooling2D")[1].name == "maxpool" and find_name("lstm") is None
    with pytest.raises(SpecError, match="expected one of " + ", ".join(KNOWN)):
        parse_inline_layer("lstm 32", "here")


def test_options_come_from_the_dataclass_in_its_order():
    conv = KINDS[0]
    assert conv.options == (
        "filters", "kernel", "stride", "padding", "dilation", "bias", "activation", "groups"
    )
    assert conv.required == ("filters",) and conv.defaults()["kernel"] == (3, 3)
    with pytest.raises(SpecError, match="maxpool takes size, stride, padding, op"):
        parse_inline_layer("maxpool filters=3", "here")
    assert layer_option("pool", "size", "3x5", "--size") == (3, 5)
    with pytest.raises(SpecError, match="pool takes size, stride, padding, op, not kernel"):
        layer_option("pool", "kernel", 3, "--kernel")


def test_a_preset_is_checked_however_the_layer_is_made():
    assert Pool(op="avg").title == "AvgPool2D" and Conv(8).title == "Conv2D"
    with pytest.raises(SpecError, match="pool op must be max or avg, got 'min'"):
        Pool(op="min", where="here")
