"""``cnnquiz calc``: the calculators a student types, every figure with its working.

``conv``, ``pool``, ``dense``, ``flatten``, ``gap`` compute one layer; ``model`` a whole network
(summary table and RAM); ``receptive`` its receptive field. Unless ``--no-verify``, the same
layers are built in torch (real CPU layers run on an empty batch, or meta layers for huge
networks) and their shapes and parameter counts compared with the arithmetic (torch is
imported only then); a mismatch exits with status 1.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from cnnquiz.cli.calc_network import code_parser, resolve_network
from cnnquiz.cli.common import Parser, Subcommands, console, positive_int, print_json
from cnnquiz.errors import SpecError
from cnnquiz.limits import MAX_COUNT, check_max
from cnnquiz.net.arithmetic import analyze
from cnnquiz.net.figures import NetworkFigures
from cnnquiz.net.layers import Conv, Dense, Flatten, GlobalPool, Pool
from cnnquiz.net.optimizers import OPTIMIZER_STATE
from cnnquiz.net.spec import (
    Layer,
    Network,
    layer_option,
    parse_shape,
)
from cnnquiz.net.units import DTYPE_BYTES

if TYPE_CHECKING:  # torch loads only for the check; its verdict's type is read here
    from cnnquiz.report.model import LayersReport, ModelReport, ReceptiveReport
    from cnnquiz.torchcheck.verify import Verification

Report = TypeVar("Report", "LayersReport", "ModelReport", "ReceptiveReport")

KERNEL_HELP = "3 or RxC like 3x5"


def register(sub: Subcommands) -> None:
    calc = sub.add_parser(
        "calc",
        help="calculators: shapes, parameters, MACs, RAM, receptive field (verified in PyTorch)",
        description="Every figure with its working and the assumptions behind it. Shapes are "
        "HxWxC (200x300x3), a vector is one number (1024). Unless --no-verify, PyTorch "
        "builds the same layers and checks the shapes and parameter counts.",
    )
    kinds = calc.add_subparsers(dest="calc", metavar="CALC", parser_class=Parser, required=True)
    common = _common_args()
    _conv_parser(kinds, common)
    _pool_parser(kinds, common)
    _dense_parsers(kinds, common)
    _network_parsers(kinds, common)


def _common_args() -> Parser:
    """The flags every calculator takes, as a parent parser."""
    common = Parser(add_help=False)
    common.add_argument(
        "--json", action="store_true", help="print the figures as one JSON document"
    )
    common.add_argument(
        "--no-verify",
        action="store_true",
        help="skip the PyTorch check (PyTorch is not even imported)",
    )
    common.add_argument(
        "--dtype",
        default="float32",
        choices=list(DTYPE_BYTES),
        help="bytes per value (default float32)",
    )
    common.add_argument("--flops", action="store_true", help="also show FLOPs = 2 × MACs")
    return common


def _conv_parser(kinds: Subcommands, common: Parser) -> None:
    conv = kinds.add_parser(
        "conv",
        parents=[common],
        help="one Conv2D layer",
        description="One Conv2D layer (Keras defaults: stride 1, valid padding).",
    )
    _shape_arg(conv)
    conv.add_argument(
        "--filters", type=positive_int, required=True, help="number of filters (output channels)"
    )
    conv.add_argument("--kernel", default="3", help=f"kernel size, {KERNEL_HELP} (default 3)")
    conv.add_argument("--stride", default="1", help=f"stride, {KERNEL_HELP} (default 1)")
    conv.add_argument(
        "--padding", default="valid", help="valid, same (Keras) or pixels per side (default valid)"
    )
    conv.add_argument("--dilation", default="1", help=f"dilation, {KERNEL_HELP} (default 1)")
    _bias_and_activation_args(conv)
    conv.set_defaults(run=run_layer)


def _pool_parser(kinds: Subcommands, common: Parser) -> None:
    pool = kinds.add_parser(
        "pool",
        parents=[common],
        help="one pooling layer",
        description="One pooling layer; the stride defaults to the pool size.",
    )
    _shape_arg(pool)
    pool.add_argument("--size", default="2", help=f"pool size, {KERNEL_HELP} (default 2)")
    pool.add_argument("--stride", help="stride (default: the pool size)")
    pool.add_argument("--padding", default="valid", help="valid or same (default valid)")
    pool.add_argument("--kind", default="max", choices=["max", "avg"], help="max (default) or avg")
    pool.set_defaults(run=run_layer)


def _dense_parsers(kinds: Subcommands, common: Parser) -> None:
    """``dense``, and ``flatten`` and ``gap`` with what they cost the Dense layer after them."""
    dense = kinds.add_parser(
        "dense",
        parents=[common],
        help="one Dense layer",
        description="One Dense (fully connected) layer on a vector.",
    )
    _shape_arg(dense, "1024")
    dense.add_argument("--units", type=positive_int, required=True, help="number of units")
    _bias_and_activation_args(dense)
    dense.set_defaults(run=run_layer)

    for name, what in (("flatten", "Flatten"), ("gap", "GlobalAveragePooling2D")):
        p = kinds.add_parser(
            name,
            parents=[common],
            help=f"{what}, and what it costs the next Dense layer",
            description=f"{what}, and what flatten and gap each cost the Dense layer after them.",
        )
        _shape_arg(p, "4x4x64")
        p.add_argument(
            "--units",
            type=positive_int,
            default=10,
            help="units of the next Dense layer (default 10)",
        )
        p.set_defaults(run=run_layer)


def _network_parsers(kinds: Subcommands, common: Parser) -> None:
    """``model`` and ``receptive``: a whole network, from a file or inline."""
    model = kinds.add_parser(
        "model",
        parents=[common],
        help="a whole network: summary table and RAM",
        description="A network from a YAML file, or inline with --in: "
        'cnnquiz calc model --in 200x300x3 "conv 100 k3 s2 same; conv 200 k3 s2 same"',
    )
    _network_args(model)
    for parser in (model, code_parser(kinds, common)):
        parser.add_argument(
            "--batch", type=positive_int, default=32, help="training batch size (default 32)"
        )
        parser.add_argument(
            "--optimizer",
            default="sgd",
            choices=list(OPTIMIZER_STATE),
            help="optimizer state to count: sgd 0, momentum 1x, adam 2x the parameters "
            "(default sgd)",
        )
        parser.set_defaults(run=run_model)

    receptive = kinds.add_parser(
        "receptive",
        parents=[common],
        help="receptive field and jump per layer",
        description="Receptive field and jump (effective stride) of every layer.",
    )
    _network_args(receptive)
    receptive.set_defaults(run=run_receptive)


def _bias_and_activation_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-bias", action="store_true", help="no bias (weights only)")
    parser.add_argument("--activation", help="relu, leaky_relu, elu, gelu, sigmoid, tanh, softmax")


def _shape_arg(parser: argparse.ArgumentParser, example: str = "200x300x3") -> None:
    parser.add_argument(
        "--in",
        dest="input",
        required=True,
        metavar="SHAPE",
        help=f"input shape, HxWxC or a vector length, e.g. {example}",
    )


def _network_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "spec",
        nargs="?",
        metavar="NET",
        help="a zoo name (see cnnquiz zoo), a network YAML file, or the layers inline (with --in)",
    )
    parser.add_argument(
        "--in",
        dest="input",
        metavar="SHAPE",
        help="input shape for inline layers (or to replace the file's input)",
    )


# --------------------------------------------------------------------------------------------
# Reading the arguments into layers and networks


def _layer(args: argparse.Namespace) -> Layer:
    """The layer the flags describe; each flag's error names the flag."""
    kind = args.calc
    if kind == "conv":
        return Conv(
            filters=args.filters,
            kernel=layer_option("conv", "kernel", args.kernel, "--kernel"),
            stride=layer_option("conv", "stride", args.stride, "--stride"),
            padding=layer_option("conv", "padding", args.padding, "--padding"),
            dilation=layer_option("conv", "dilation", args.dilation, "--dilation"),
            bias=not args.no_bias,
            activation=layer_option("conv", "activation", args.activation, "--activation"),
            where="--kernel",
        )
    if kind == "pool":
        padding = layer_option("pool", "padding", args.padding, "--padding")
        return Pool(
            op=args.kind,
            size=layer_option("pool", "size", args.size, "--size"),
            stride=None
            if args.stride is None
            else layer_option("pool", "stride", args.stride, "--stride"),
            padding=padding,
            where="--size",
        )
    if kind == "dense":
        activation = layer_option("dense", "activation", args.activation, "--activation")
        return Dense(args.units, bias=not args.no_bias, activation=activation, where="--in")
    if kind == "flatten":
        return Flatten(where="--in")
    return GlobalPool("avg", where="--in")


def _verify(
    args: argparse.Namespace, *pairs: tuple[Network, NetworkFigures]
) -> Verification | None:
    """torch's verdict on each (network, figures), merged; None with ``--no-verify``."""
    if args.no_verify:
        return None
    from cnnquiz.torchcheck import verify as bridge

    verdicts = [bridge.verify(network, fig) for network, fig in pairs]
    first = verdicts[0]
    return replace(first, mismatches=tuple(m for v in verdicts for m in v.mismatches))


def _finish(args: argparse.Namespace, report: Report, render: Callable[[Report], None]) -> int:
    """Print the report (JSON or Rich) and turn a torch mismatch into exit status 1."""
    if args.json:
        from cnnquiz.report.json import to_json

        print_json(to_json(report))
    else:
        render(report)
        if report.hints:
            from rich.text import Text

            out = console()
            for hint in report.hints:
                out.print(Text(f"Hint: {hint}", style="yellow"))
    check = report.verification
    if check and not check.ok:
        import sys

        from cnnquiz.report.notes import mismatch_text

        for m in check.mismatches:
            print(f"cnnquiz: mismatch: {mismatch_text(m)}", file=sys.stderr)
        return 1
    return 0


# --------------------------------------------------------------------------------------------
# The calculators


def run_layer(args: argparse.Namespace) -> int:
    from cnnquiz.cli import calc_render
    from cnnquiz.report import build

    shape = parse_shape(args.input, "--in")
    layer = _layer(args)
    if args.calc in ("flatten", "gap"):
        own = Network(shape, (layer, Dense(args.units, where="--units")))
        other_layer = (
            GlobalPool("avg", where="--in") if args.calc == "flatten" else Flatten(where="--in")
        )
        if not shape.is_image:
            raise SpecError(
                f"{args.calc} compares flatten and gap on an H x W x C input, got {shape}", "--in"
            )
        other = Network(shape, (other_layer, Dense(args.units, where="--units")))
        fig, other_fig = analyze(own, args.dtype), analyze(other, args.dtype)
        v = _verify(args, (own, fig), (other, other_fig))
        nd = build.next_dense(args.calc, args.units, fig, other_fig)
        data = build.layers_report(args.calc, fig, args.flops, v, nd)
    else:
        network = Network(shape, (layer,))
        fig = analyze(network, args.dtype)
        data = build.layers_report(args.calc, fig, args.flops, _verify(args, (network, fig)))
    return _finish(args, data, calc_render.render_layers)


def run_model(args: argparse.Namespace) -> int:
    from cnnquiz.cli import calc_render
    from cnnquiz.report import build

    if args.calc == "code":
        from cnnquiz.cli.calc_network import emit_yaml, headed, read_code_arg

        read = read_code_arg(args.spec, args.input)
        if args.emit:
            emit_yaml(read.network)
            return 0
        network, notes = headed(read), read.padding_notes
    else:
        network, notes = resolve_network(args.spec, args.input), ()
    fig = analyze(network, args.dtype)
    _check_batch(fig, args.batch)
    v = _verify(args, (network, fig))
    saved, skipped = None, None
    if not args.no_verify:
        from cnnquiz.torchcheck import autograd as bridge

        try:
            saved = bridge.measure_saved(network, args.batch, args.dtype, fig)
        except SpecError as exc:  # torch refuses to train it (batch norm on one value): say so
            skipped = str(exc)
    data = build.model_report(fig, args.batch, args.optimizer, args.flops, v, saved, skipped)
    if notes:  # what padding the code's layers use, where PyTorch and Keras differ
        data = replace(data, assumptions=(*notes, *data.assumptions))
    return _finish(args, data, calc_render.render_model)


def _check_batch(fig: NetworkFigures, batch: int) -> None:
    """The batch's tensors are counted (and built on torch's meta device) in int64: refuse a
    batch whose activations pass 2^63 - 1 bytes before anything overflows."""
    per_image = fig.input_bytes + sum(fig.output_bytes(f) for f in fig.layers)
    check_max(batch * per_image, "--batch", "the bytes of a batch's activations", MAX_COUNT)


def run_receptive(args: argparse.Namespace) -> int:
    from cnnquiz.cli import calc_render
    from cnnquiz.report.receptive import receptive_report

    network = resolve_network(args.spec, args.input)
    fig = analyze(network, args.dtype)
    v, measured = _verify(args, (network, fig)), None
    if v is not None:
        from cnnquiz.torchcheck.receptive import field_mismatches, measure_receptive

        measured = measure_receptive(network)
        if measured:
            v = replace(v, mismatches=(*v.mismatches, *field_mismatches(network, measured)))
    data = receptive_report(fig, v, measured)
    return _finish(args, data, calc_render.render_receptive)
