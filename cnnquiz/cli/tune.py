"""``cnnquiz tune``: grid and random search over gin bindings, compared on the validation split.

::

    cnnquiz tune --demo --grid 'train.lr=0.01,0.003' --grid 'cnn.filters=(16,32),(32,64)'
    cnnquiz tune --data car-or-truck/ --random 8 --space space.gin --seed 1

Every trial trains on the training split and is compared on the validation split; the test
split is evaluated once, for the best trial, at the end. Ctrl+C stops after the current trial
(twice: now) and keeps what finished. ``cnnquiz runs --sweep LAST`` shows the table again.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from typing import Any

from cnnquiz.cli.common import Subcommands, non_negative_int, positive_int, print_json


def register(sub: Subcommands) -> None:
    tune = sub.add_parser(
        "tune",
        help="grid or random search over hyperparameters, compared on the validation split",
        description="Train one run per trial on the training split, compare them on the "
        "validation split, then evaluate only the best on the test split. Trials are gin "
        "bindings (train.lr = 0.003, cnn.filters = (16, 32)) on top of --gin files.",
    )
    source = tune.add_mutually_exclusive_group(required=True)
    source.add_argument("--demo", action="store_true", help="the embedded shapes dataset")
    source.add_argument("--data", metavar="DIR", help="a folder of images (as cnnquiz train)")
    search = tune.add_mutually_exclusive_group(required=True)
    search.add_argument(
        "--grid",
        action="append",
        metavar="NAME=V1,V2",
        help="try each value (gin literals: 0.01, (16,32), 'max', True); several --grid: "
        "every combination",
    )
    search.add_argument(
        "--random", type=positive_int, metavar="N", help="N trials drawn from --space"
    )
    tune.add_argument(
        "--space",
        metavar="SPACE.GIN",
        help="the ranges --random draws from: uniform(lo, hi), loguniform(lo, hi), choice(a, b)",
    )
    tune.add_argument(
        "--seed", type=non_negative_int, default=0, help="seed of the random draws (default 0)"
    )
    tune.add_argument(
        "--gin", action="append", default=[], metavar="FILE.GIN", help="gin files every trial uses"
    )
    tune.add_argument(
        "--bind",
        action="append",
        default=[],
        metavar="BINDING",
        help="a gin binding every trial uses, e.g. 'train.epochs = 3'",
    )
    tune.add_argument(
        "--epochs", type=positive_int, help="epochs of every trial (the binding train.epochs)"
    )
    _add_machine(tune)
    tune.add_argument(
        "--mlflow",
        metavar="URI",
        help="log the sweep to MLflow, a parent run with a nested run per trial "
        "(default: $MLFLOW_TRACKING_URI), e.g. sqlite:///mlflow.db",
    )
    tune.add_argument(
        "--runs-dir", metavar="DIR", help="where run folders go (default: data dir/runs)"
    )
    tune.add_argument("--json", action="store_true", help="print the sweep's record as JSON")
    tune.set_defaults(run=run_tune)


def _add_machine(tune: argparse.ArgumentParser) -> None:
    """The machine's options, the same for every trial (as ``cnnquiz train``'s)."""
    from cnnquiz.cli.train import threads_arg
    from cnnquiz.train.config import DEVICES

    tune.add_argument("--device", choices=DEVICES, help="auto: CUDA when present, else CPU")
    tune.add_argument(
        "--threads", type=threads_arg, help="CPU threads (default auto; 0: every core)"
    )
    tune.add_argument(
        "--size",
        type=positive_int,
        help="images resized to SIZE x SIZE (the binding train.size; default: 32 demo, 64)",
    )


def _trials(args: argparse.Namespace) -> tuple[str, list[Any], dict[str, Any]]:
    from cnnquiz.errors import CnnquizError
    from cnnquiz.lab import space

    if args.grid:
        if args.space:
            raise CnnquizError("--space goes with --random, not --grid", "--space")
        axes = [space.parse_grid(text) for text in args.grid]
        return "grid", space.grid(axes), {"grid": list(args.grid)}
    if not args.space:
        raise CnnquizError("--random N draws from a space file: add --space SPACE.GIN", "--random")
    path = Path(args.space).expanduser()
    if not path.is_file():
        raise CnnquizError("no such file" if not path.exists() else "is not a file", args.space)
    drawn = space.load_space(path).draw(args.random, args.seed)
    return "random", drawn, {"random": args.random, "space": str(path), "seed": args.seed}


def runs_root(option: str | None) -> Path:
    """``--runs-dir``, else the data folder's ``runs`` (as ``cnnquiz train``)."""
    if option:
        return Path(option).expanduser()
    from cnnquiz.paths import runs_dir

    return runs_dir()


def run_tune(args: argparse.Namespace) -> int:
    from cnnquiz.cli import sweep_render as render
    from cnnquiz.lab import setups, sweep
    from cnnquiz.train.tracking import Tracking

    kind, trials, settings = _trials(args)
    base = list(args.bind)  # --epochs and --size are bindings too, so operative.gin holds them
    base += [f"train.{k} = {getattr(args, k)}" for k in ("epochs", "size") if getattr(args, k)]
    settings |= {"gin": list(args.gin), "bind": base, "data": args.data or "demo"}
    machine = {k: getattr(args, k) for k in ("device", "threads")}
    setup = setups.gin_setup(args.gin, base, {k: v for k, v in machine.items() if v is not None})
    planned = sweep.plan_sweep(
        kind,
        trials,
        setup,
        demo=args.demo,
        data_dir=args.data,
        runs_root=runs_root(args.runs_dir),
        settings=settings,
    )
    from cnnquiz.cli.train_render import warn_skipped

    warn_skipped(planned.data.skipped)  # unreadable images, one line each on stderr
    tracking = Tracking.from_env(args.mlflow)
    tracking.check()  # a backend that fails warns now, before the trials
    reporter = render.SweepProgress(quiet=args.json)
    if not args.json:
        render.header(planned)
    previous = signal.signal(signal.SIGINT, reporter.interrupt)
    try:
        result = sweep.run_sweep(planned, reporter, tracking)
    finally:
        signal.signal(signal.SIGINT, previous)
        reporter.close()
    if args.json:
        print_json(result | {"folder": str(planned.folder)})
    else:
        render.sweep_table(result)
        render.footer(result, planned.folder)
        from cnnquiz.cli.train_lab import tracked

        tracked(tracking)  # the parent run and its nested trials, when MLflow is on
    if result.get("status") == "stopped":
        print("cnnquiz: stopped: the trials that finished are kept", file=sys.stderr)
        return 130
    return 0
