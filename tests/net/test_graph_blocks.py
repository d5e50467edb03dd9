"""Blocks: sub-networks with $arguments, used like a layer, nested, named per use; the errors
about them at file:line, and the limit on what they expand to."""

from __future__ import annotations

import pytest

from cnnquiz.errors import SpecError
from cnnquiz.limits import MAX_LAYERS
from cnnquiz.net.layers import Conv
from cnnquiz.net.spec import parse_network
from cnnquiz.yamlio import loads


def _net(text: str):
    return parse_network(loads(text, "f.yaml"), "f.yaml")


def _error(text: str) -> str:
    with pytest.raises(SpecError) as err:
        _net(text)
    return str(err.value)


def test_blocks_nest_and_name_their_uses():
    net = _net(
        """input: 8x8x16
blocks:
  unit:
    args: {f: null}
    layers:
      - conv 4 k1 name=squeeze
      - conv $f k3 same
      - concat: {}
        from: [input, -1]
  stage:
    args: {width: 8}
    layers:
      - unit: {f: $width}
        repeat: 2
      - conv: {filters: $width, kernel: 1}
        name: out
layers:
  - stage: {width: 4}
    name: s
  - stage: {}
  - relu: {}
    from: s/out
  - add: {}
    from: [stage1/out, -1]
"""
    )
    assert len(net.layers) == 2 * (2 * 3 + 1) + 2
    assert net.scope_of(1) == "s/unit1" and net.scope_of(4) == "s/unit2" and net.scope_of(7) == "s"
    assert net.scope_of(8) == "stage1/unit1" and net.scope_of(14) == "stage1"
    assert net.name_of(1) == "s/unit1/squeeze" and net.name_of(7) == "s/out"
    assert net.name_of(14) == "stage1/out"
    assert net.layers[1] == Conv(4, padding="same") and net.layers[8] == Conv(8, padding="same")
    assert net.sources(3) == (0, 2) and net.sources(6) == (3, 5)  # unit2 reads unit1
    assert net.sources(8) == (7,)  # the second stage reads the first (named s)
    assert net.sources(15) == (7,) and net.sources(16) == (14, 15)

def test_arguments_inside_inline_text_and_in_lists():
    net = _net(
        "input: 8x8x3\nblocks:\n  b:\n    args: {n: 4, k: [1, 3]}\n    layers:\n"
        "      - conv $n k${k} same\n      - conv: {filters: $n, kernel: $k}\nlayers:\n"
        "  - b: {n: 6}\n"
    )
    assert net.layers == (Conv(6, (1, 3), padding="same"), Conv(6, (1, 3)))

BLOCK = "input: 8x8x3\nblocks:\n  basic:\n    args: {filters: 64, k: null}\n    layers:\n" \
        "      - conv: {filters: $filters, kernel: $k}\n      - relu: {}\nlayers:\n"

@pytest.mark.parametrize(
    "text, line, fragment",
    [
        (BLOCK + "  - basic: {filters: 8}\n", 9, "block basic needs k (it has no default)"),
        (BLOCK + "  - basic:\n      k: 3\n      filtres: 8\n", 11,
         "block basic has no argument 'filtres' (did you mean filters?); it takes filters, k"),
        (BLOCK + "  - basic: 3\n", 9, "a use of block basic takes its arguments as a mapping"),
        (BLOCK.replace("k: null", "k: null, unused: 1") + "  - basic: {k: 3}\n", 4,
         "argument unused of block basic is never used: no $unused in its layers"),
        (BLOCK.replace("$k", "$kernel") + "  - basic: {k: 3}\n", 6,
         "$kernel is not an argument of block basic; it declares filters, k"),
        (BLOCK + "  - basic: {k: 3}\n    from: [input, -1]\n", 10, "block basic reads one input, but from lists 2"),
        (BLOCK + "  - basic: {k: -2}\n", 6, "kernel must be a positive integer, got -2 (in basic1: block basic used at f.yaml:9)"),
        (BLOCK + "  - basci: {k: 3}\n", 9, "unknown layer 'basci' (did you mean basic?)"),
        (BLOCK + "  - lstm: {k: 3}\n", 9, "or a block: basic"),
        (BLOCK + "  - conv: $k\n", 9, "$k outside a block: only a block's layers take $arguments"),
        (BLOCK.replace("  basic:", "  conv2d:") + "  - conv2d: {k: 3}\n", 3,
         "block 'conv2d' is named like a layer kind; name it otherwise"),
        (BLOCK.replace("  basic:", "  input:") + "  - conv: 3\n", 3, "a block's name is a word"),
        (BLOCK.replace("    args:", "    arg:") + "  - conv: 3\n", 4,
         "unknown key 'arg' in block basic (did you mean args?); a block has args and layers"),
        ("input: 8x8x3\nblocks:\n  b:\n    layers: []\nlayers:\n  - conv: 3\n", 3, "block b needs a list of layers"),
        ("input: 8x8x3\nblocks: [1]\nlayers:\n  - conv: 3\n", 2, "blocks must be a mapping"),
    ],
)
def test_block_errors_name_file_and_line(text, line, fragment):
    message = _error(text)
    assert message.startswith(f"f.yaml:{line}: "), message
    assert fragment in message, message

def test_errors_in_nested_uses_say_the_innermost_use():
    message = _error(
        "input: 8x8x3\nblocks:\n  inner:\n    args: {n: 1}\n    layers:\n      - conv: $n\n"
        "  outer:\n    layers:\n      - relu: {}\n      - inner: {n: 0}\n"
        "layers:\n  - outer: {}\n"
    )
    assert message == (
        "f.yaml:6: filters must be a positive integer, got 0 "
        "(in outer1/inner1: block inner used at f.yaml:10)"
    )

@pytest.mark.parametrize(
    "blocks, line, cycle",
    [
        ("  a:\n    layers:\n      - relu: {}\n      - a: {}\n", 6, "(a -> a)"),
        ("  a:\n    layers:\n      - b: {}\n  b:\n    layers:\n      - relu: {}\n      - a: {}\n", 9,
         "(a -> b -> a)"),
        ("  a:\n    layers:\n      - relu: {}\n      - from: -1\n        a: {}\n", 6, "(a -> a)"),
    ],
)
def test_a_block_using_itself_is_refused(blocks, line, cycle):
    message = _error(f"input: 8x8x3\nblocks:\n{blocks}layers:\n  - relu: {{}}\n")
    assert message.startswith(f"f.yaml:{line}: block a uses itself {cycle}"), message

def test_a_use_name_is_local_to_its_block_and_two_uses_do_not_clash():
    net = _net(
        "input: 8x8x3\nblocks:\n  b:\n    layers:\n      - conv: 3\n        name: main\n"
        "      - relu: {}\n        name: out\nlayers:\n  - b: {}\n  - b: {}\n  - conv: 3\n    name: main\n"
    )
    assert net.names == ("b1/main", "b1/out", "b2/main", "b2/out", "main")
    message = _error(
        "input: 8x8x3\nblocks:\n  b:\n    layers:\n      - conv: 3\nlayers:\n  - b: {}\n"
        "  - relu: {}\n    name: b1\n"
    )
    assert message.startswith("f.yaml:9: the name 'b1' is given twice in the network"), message

def test_an_expansion_past_the_limit_is_refused_before_it_is_built():
    levels = ["  b0:\n    layers:\n      - relu: {}\n"] + [
        f"  b{i}:\n    layers:\n      - b{i - 1}: {{}}\n        repeat: 10\n" for i in range(1, 12)
    ]
    text = "input: 8x8x3\nblocks:\n" + "".join(levels) + "layers:\n  - b11: {}\n    repeat: 10\n"
    message = _error(text)  # 10^12 layers: refused from the counts, nothing expanded
    assert f"the network expands to more than {MAX_LAYERS:,} layers" in message
    # repeats hidden behind arguments are caught while expanding, at the use that passes it
    levels = ["  b0:\n    layers:\n      - relu: {}\n"] + [
        f"  b{i}:\n    args: {{n: 10}}\n    layers:\n      - b{i - 1}: {{}}\n        repeat: $n\n"
        for i in range(1, 6)
    ]
    message = _error("input: 8x8x3\nblocks:\n" + "".join(levels) + "layers:\n  - b5: {}\n")
    assert f"more than {MAX_LAYERS:,} layers; cnnquiz reads at most" in message
    assert message.startswith("f.yaml:24: ") and "(in b51/b42: block b4 used at f.yaml:29)" in message
    message = _error("input: 8x8x3\nlayers:\n  - relu: {}\n    repeat: 1000000000\n")
    assert message.startswith("f.yaml:4: repeat must be at most 10,000")

def test_a_yaml_alias_bomb_of_repeats_is_refused():
    text = (
        "input: 8x8x3\nlayers:\n  - &a {relu: {}, repeat: 5000}\n  - *a\n  - *a\n  - *a\n"
    )
    assert "expands to more than 10,000 layers" in _error(text)


def test_blocks_nested_past_the_limit_are_one_error():
    chain = [f"  b{i}:\n    layers:\n      - b{i + 1}: {{}}\n" for i in range(2000)]
    last = "  b2000:\n    layers:\n      - relu: {}\n"
    for blocks in ("".join(chain) + last, last + "".join(reversed(chain))):  # either order
        message = _error(f"input: 8x8x3\nblocks:\n{blocks}layers:\n  - b0: {{}}\n")
        assert "blocks nest more than 50 deep" in message and "cnnquiz reads at most 50" in message
    deep = "".join(chain[:49]) + "  b49:\n    layers:\n      - relu: {}\n"
    net = _net(f"input: 8x8x3\nblocks:\n{deep}layers:\n  - b0: {{}}\n")
    assert net.scope_of(1) == "/".join(f"b{i}1" for i in range(50))


def test_a_list_of_more_layers_than_the_limit_is_refused_before_it_is_read():
    from cnnquiz.net.spec import network_from_inline

    with pytest.raises(SpecError, match=r"^layers: layer 10001: the network has more than 10,000 layers"):
        network_from_inline("8x8x3", "; ".join(["relu"] * 10_001 + ["lstm"]))
    assert len(network_from_inline("8x8x3", "; ".join(["relu"] * 10_000)).layers) == 10_000
