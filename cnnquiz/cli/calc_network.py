"""Where ``calc model``, ``calc receptive`` and ``calc code`` get their network: a zoo name, a
YAML spec, model code (a ``.py`` file, or ``-`` for stdin with ``calc code``), or inline layers.

Code is read by :func:`cnnquiz.code.read_code` with ``ast``: never imported, evaluated or run.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from cnnquiz import zoo
from cnnquiz.cli.common import Subcommands
from cnnquiz.errors import SpecError
from cnnquiz.limits import number_text
from cnnquiz.net.layers import find_name
from cnnquiz.net.spec import Network, network_from_inline, parse_shape
from cnnquiz.paths import on_disk

if TYPE_CHECKING:
    from cnnquiz.code import CodeRead


def code_parser(kinds: Subcommands, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """``calc code FILE|-``: the network model code builds, reported as ``calc model`` does."""
    code = kinds.add_parser(
        "code",
        parents=[common],
        help="Keras or PyTorch model code: summary table and RAM (read, never run)",
        description="Keras or PyTorch model code, read with Python's ast (never imported or "
        "run), reported as calc model: cnnquiz calc code net.py --in 32x32x3",
    )
    code.add_argument("spec", metavar="FILE", help="a .py file, or - to read the code from stdin")
    code.add_argument(
        "--in",
        dest="input",
        metavar="SHAPE",
        help="input shape HxWxC where the code states none (PyTorch), or to replace its own",
    )
    code.add_argument(
        "--emit", choices=["yaml"], help="print the cnnquiz spec read from the code instead"
    )
    return code


def is_code_name(spec: str) -> bool:
    """Whether ``spec`` names model code: a one-line ``.py`` file name."""
    return "\n" not in spec and ";" not in spec and Path(spec).suffix.lower() == ".py"


def read_code_arg(spec: str, input_shape: str | None) -> CodeRead:
    """The code a ``.py`` file (or ``-``: stdin) holds, read into a network."""
    from cnnquiz.code import read_code
    from cnnquiz.yamlio import read_text

    shape = parse_shape(input_shape, "--in") if input_shape else None
    if spec == "-":
        return read_code(sys.stdin.read(), "<stdin>", shape)
    return read_code(read_text(spec, "a Python file"), spec, shape)


def headed(read: CodeRead) -> Network:
    """The network read from code, named by what was read (the report's heading)."""
    return replace(read.network, name=read.what)


def resolve_network(spec: str | None, input_shape: str | None) -> Network:
    """A zoo name (``resnet18``), a YAML file (``.yaml``/``.yml`` or an existing path), model
    code (``.py``), else inline layers with ``--in``; one word without ``--in`` is taken for a
    name (did you mean?)."""
    if spec is None:
        raise SpecError("give a network YAML file, or --in SHAPE and the layers inline", "NET")
    if is_code_name(spec):
        return headed(read_code_arg(spec, input_shape))
    if spec in zoo.names() or _names_a_file(spec) or (not input_shape and _one_word(spec)):
        network = zoo.resolve(spec, "NET")
        if input_shape:
            network = replace(network, input=parse_shape(input_shape, "--in"))
        return network
    if not input_shape:
        raise SpecError(
            f"no file named {number_text(spec)}; inline layers need an input shape, "
            "e.g. --in 200x300x3",
            "--in",
        )
    return network_from_inline(input_shape, spec)


def _one_word(spec: str) -> bool:
    """Whether ``spec`` reads as a name (``resnet17``), not as inline layers (``gap``)."""
    word = spec.strip()
    return bool(word) and not any(c in word for c in " ;,()\n\t") and find_name(word) is None


def _names_a_file(spec: str) -> bool:
    """Whether ``spec`` is a file name rather than inline layers: decided by what it says first
    (a ``.yaml`` name of one line), then by asking the file system, whose "file name too long"
    or "embedded null byte" mean inline text, not an error."""
    if "\n" not in spec and ";" not in spec and Path(spec).suffix.lower() in (".yaml", ".yml"):
        return True
    return on_disk(spec)


def emit_yaml(network: Network) -> None:
    """The cnnquiz spec of the network, as YAML, on stdout."""
    import yaml

    from cnnquiz.net.spec import network_to_dict

    sys.stdout.write(yaml.safe_dump(network_to_dict(network), sort_keys=False, allow_unicode=True))
