"""Loading banks to study through the parsed-bank cache: the second load (every file from the
cache) leaves out and warns exactly as the first, and duplicate ids across files are still found."""

from __future__ import annotations

import gc

import pytest

from cnnquiz.errors import SpecError
from cnnquiz.study.load import load_for_study
from tests.conftest import settled

KEYS = """\
title: Keys
questions:
  - id: key-right
    type: numeric
    prompt: Parameters of Conv2D(32, 3x3) on 28x28x3?
    network: {input: 28x28x3, layers: [conv: {filters: 32}]}
    ask: params
    answer: 896
    explanation: (3·3·3 + 1)·32 = 896
  - id: key-wrong
    type: numeric
    prompt: Parameters of Conv2D(32, 3x3) on 28x28x3, once more?
    network: {input: 28x28x3, layers: [conv: {filters: 32}]}
    ask: params
    answer: 800
    explanation: (3·3·3 + 1)·32 = 896
"""
AGAIN = """\
title: Again
questions:
  - id: again-own
    type: truefalse
    prompt: Pooling layers have trainable weights.
    answer: false
    explanation: They only take the maximum or the mean.
  - id: key-right
    type: truefalse
    prompt: A 1x1 convolution can change the number of channels.
    answer: true
    explanation: Its filters count sets the output channels.
"""


def _summary(loaded) -> tuple[list[tuple[str, list[str]]], list[str]]:
    banks, warnings = loaded
    return [(b.title, [q.id for q in b.questions]) for b in banks], warnings


def test_the_second_load_leaves_out_and_warns_as_the_first(tmp_path, reads):
    keys = settled(tmp_path / "keys.yaml", KEYS)
    again = settled(tmp_path / "again.yaml", AGAIN)
    first = _summary(load_for_study([keys, again]))
    second = _summary(load_for_study([keys, again]))
    assert reads == [keys, again]  # the second load read no bank file
    assert second == first
    banks, warnings = first
    assert banks == [("Keys", ["key-right"])]  # the bank with a duplicate id is left out whole
    assert warnings == [
        f"{again}:8: duplicate id 'key-right'; first used at {keys}:3 (left out; cnnquiz bank "
        "check lists every problem)",
        f"{keys}:10: key-wrong left out: wrong answer key: the answer says 800, the calculator "
        "gives 896 for params",
    ]


def test_the_files_order_decides_which_duplicate_is_left_out_from_the_cache_too(tmp_path, reads):
    keys = settled(tmp_path / "keys.yaml", KEYS)
    again = settled(tmp_path / "again.yaml", AGAIN)
    load_for_study([keys, again])
    banks, warnings = _summary(load_for_study([again, keys]))
    assert banks == [("Again", ["again-own", "key-right"])]
    assert warnings[0].startswith(f"{keys}:3: duplicate id 'key-right'; first used at {again}:8")
    assert reads == [keys, again]


def test_nothing_left_to_ask_is_an_error_from_the_cache_too(tmp_path):
    only = settled(tmp_path / "keys.yaml", KEYS.split("  - id: key-right")[0] + "  []\n")
    for _ in range(2):
        with pytest.raises(SpecError):
            load_for_study([only, tmp_path / "missing.yaml"])


def test_loading_leaves_the_collector_as_it_was(tmp_path):
    path = settled(tmp_path / "keys.yaml", KEYS)
    load_for_study([path])
    assert gc.isenabled()
    gc.disable()
    try:
        load_for_study([path])
        assert not gc.isenabled()
    finally:
        gc.enable()
