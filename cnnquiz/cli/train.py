"""``cnnquiz train``, ``cnnquiz predict`` and ``cnnquiz runs``: the CNN demo on the command line.

``train --demo`` trains the default CNN on the embedded shapes in about half a minute on two
cores; ``--compare-dense`` then trains a dense network of about the same size on the same data
with the same budget, the lesson of the course notes. ``--data DIR`` trains on the student's
own images. Torch is imported only once a command runs, never for ``--help``.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cnnquiz.cli import train_lab
from cnnquiz.cli.common import Subcommands, non_negative_int, positive_int, print_json
from cnnquiz.train.config import DEVICES, OPTIMIZERS, RATES, SCHEDULES, Range


def finite_float(bounds: Range) -> Callable[[str], float]:
    """An argparse type: a finite number in ``bounds`` (the range the spec's value is held to).

    ``float()`` alone takes ``inf`` and ``nan``: a learning rate of inf trains on NaN losses.
    """
    what = bounds.describe()

    def convert(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"expected a finite {what[2:]}, got {text!r}")
        if not bounds.holds(value):
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return value

    return convert


def threads_arg(text: str) -> int | str:
    """``auto`` or a whole number of at least 0 (0: every usable core)."""
    if text.strip().lower() == "auto":
        return "auto"
    try:
        return non_negative_int(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"expected auto or a whole number of at least 0, got {text!r}"
        ) from None


def register(sub: Subcommands) -> None:
    _add_train(sub)
    _add_predict(sub)
    _add_runs(sub)


def _add_train(sub: Subcommands) -> None:
    train = sub.add_parser(
        "train",
        help="train a CNN: the embedded demo (--demo) or your own images (--data DIR)",
        description="Train the network of a spec (the YAML `cnnquiz calc model` reads) and save "
        "the run: config, metrics per epoch, class names, weights (safetensors). Settings come "
        "from the defaults, then the spec's train: mapping, then these options.",
    )
    source = train.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--demo",
        action="store_true",
        help="the embedded dataset: 4 shapes at random places, sizes, colours",
    )
    source.add_argument(
        "--data",
        metavar="DIR",
        help="a folder with train/ and valid/ (optional test/), one subfolder per "
        "class; or one folder of class subfolders, split 70/15/15",
    )
    train.add_argument(
        "--config",
        metavar="NET.YAML",
        help="the network spec (default: examples/demo.yaml, built in)",
    )
    train.add_argument(
        "--compare-dense",
        action="store_true",
        help="then train a dense network of similar size on the same data, same budget",
    )
    _add_settings(train)
    train_lab.add_lab(train)
    train.add_argument(
        "--runs-dir", metavar="DIR", help="where run folders go (default: data dir/runs)"
    )
    train.add_argument("--json", action="store_true", help="print one JSON object at the end")
    train.set_defaults(run=run_train)


def _add_settings(train: argparse.ArgumentParser) -> None:
    """The options that override the spec's ``train:`` settings (``TrainConfig``)."""
    train.add_argument("--epochs", type=positive_int, help="passes over the training images")
    train.add_argument("--batch", type=positive_int, help="images per step")
    train.add_argument(
        "--lr", type=finite_float(RATES["lr"]), help="learning rate (start of the schedule)"
    )
    train.add_argument("--optimizer", choices=OPTIMIZERS, help="sgd, momentum (0.9) or adam")
    train.add_argument(
        "--momentum",
        type=finite_float(RATES["momentum"]),
        help="momentum's fraction of the last step kept",
    )
    train.add_argument(
        "--weight-decay", type=finite_float(RATES["weight_decay"]), help="L2 penalty coefficient"
    )
    train.add_argument(
        "--schedule", choices=SCHEDULES, help="learning rate: constant or cosine decay"
    )
    train.add_argument("--seed", type=non_negative_int, help="seed of data, weights and shuffling")
    train.add_argument("--device", choices=DEVICES, help="auto: CUDA when present, else CPU")
    train.add_argument(
        "--threads",
        type=threads_arg,
        help="CPU threads (default auto: the usable cores less the load on them; 0: every core)",
    )
    train.add_argument(
        "--size",
        type=positive_int,
        help="resize images to SIZE x SIZE pixels (default: the spec's input, or 64)",
    )
    train.add_argument(
        "--strict",
        action="store_true",
        default=None,
        help="stop at the first unreadable image instead of skipping it",
    )


def _add_predict(sub: Subcommands) -> None:
    predict = sub.add_parser(
        "predict",
        help="class probabilities for an image from a trained run, with Grad-CAM",
        description="Load a run's weights (safetensors only: loading cannot run code) and "
        "classify an image; --gradcam shows where the network looked.",
    )
    predict.add_argument(
        "run_path",
        metavar="RUN_OR_CHECKPOINT",
        help="a run folder, its weights.safetensors, or a run name from `cnnquiz runs`",
    )
    predict.add_argument("image", metavar="IMAGE")
    predict.add_argument(
        "--gradcam",
        metavar="FILE.png",
        help="write a Grad-CAM overlay PNG and show the heatmap in the terminal",
    )
    predict.add_argument(
        "--heatmap", action="store_true", help="show the Grad-CAM heatmap in the terminal"
    )
    predict.add_argument("--runs-dir", metavar="DIR", help="where run names are looked up")
    predict.add_argument("--json", action="store_true", help="print the probabilities as JSON")
    predict.set_defaults(run=run_predict)


def _add_runs(sub: Subcommands) -> None:
    runs_parser = sub.add_parser(
        "runs",
        help="past training runs: config, epochs, accuracy, time",
        description="List the run folders cnnquiz train wrote.",
    )
    runs_parser.add_argument("--runs-dir", metavar="DIR", help="where run folders are")
    runs_parser.add_argument("--json", action="store_true", help="print the runs as JSON")
    runs_parser.add_argument("--sweep", metavar="LAST|ID", help="a sweep's trials, best first")
    runs_parser.set_defaults(run=run_runs)


def _runs_root(args: argparse.Namespace) -> Path:
    if getattr(args, "runs_dir", None):
        return Path(args.runs_dir).expanduser()
    from cnnquiz.paths import runs_dir

    return runs_dir()


def run_train(args: argparse.Namespace) -> int:
    from cnnquiz.cli import train_render as render
    from cnnquiz.train.run import dense_plan

    plan = _plan(args)
    root = _runs_root(args)
    quiet = args.json
    render.warn_skipped(plan.data.skipped)
    if not quiet:
        render.plan(plan)
    if args.dry_run:
        return train_lab.dry_run(plan, quiet)
    from cnnquiz.train.tracking import Tracking

    tracking = Tracking.from_env(args.mlflow)
    tracking.check()  # a backend that fails warns now, before the minutes of training
    outcome = _execute(plan, root, quiet, tracking)
    if not quiet:
        render.outcome(outcome)
        train_lab.tracked(tracking)
    dense = None
    if args.compare_dense and not outcome.result.cancelled:
        baseline = dense_plan(plan)
        if not quiet:
            render.plan(baseline, heading="Dense baseline: same data, same settings")
        dense = _execute(baseline, root, quiet, tracking)
        if not quiet:
            render.outcome(dense)
            render.comparison(outcome, dense)
    if quiet:
        report = outcome.summary()
        if plan.params is not None:
            report["gin"] = plan.params
        if dense is not None:
            report["dense"] = dense.summary()
        print_json(report)
    return 130 if outcome.result.cancelled else 0


_SETTINGS = (
    "epochs",
    "batch",
    "lr",
    "optimizer",
    "momentum",
    "weight_decay",
    "schedule",
    "seed",
    "device",
    "threads",
    "size",
    "strict",
)


def _plan(args: argparse.Namespace) -> Any:
    """The spec's plan, or with --gin/--bind the lab's; the options' settings on top."""
    from cnnquiz.train.run import prepare

    overrides = {name: getattr(args, name) for name in _SETTINGS}
    if args.config and not Path(args.config).expanduser().is_file():
        from cnnquiz.errors import CnnquizError

        raise CnnquizError(
            "no such file" if not Path(args.config).exists() else "is not a file", args.config
        )
    if args.gin or args.bind:
        return train_lab.lab_plan(args, overrides)
    return prepare(demo=args.demo, data_dir=args.data, config_path=args.config, overrides=overrides)


def _execute(plan: Any, root: Path, quiet: bool, tracking: Any) -> Any:
    from cnnquiz.cli import train_render as render
    from cnnquiz.train.run import execute

    if quiet:
        return execute(plan, root, tracking=tracking)
    with render.ProgressReporter() as reporter:
        return execute(plan, root, reporter, tracking=tracking)


def run_predict(args: argparse.Namespace) -> int:
    from cnnquiz.cli import train_render as render
    from cnnquiz.train import predict, runs

    run = runs.resolve(args.run_path, _runs_root(args))
    image = Path(args.image).expanduser()
    if not image.is_file():
        from cnnquiz.errors import CnnquizError

        raise CnnquizError("no such image" if not image.exists() else "is not a file", args.image)
    want_cam = bool(args.gradcam or args.heatmap)
    result = predict.predict(run, image, gradcam=want_cam)
    if args.gradcam and result.cam is not None:
        from cnnquiz.train.gradcam import overlay

        out = Path(args.gradcam).expanduser()
        try:
            overlay(predict.original_image(image), result.cam).save(out, format="PNG")
        except OSError as exc:
            from cnnquiz.errors import CnnquizError

            raise CnnquizError(f"cannot write the overlay: {exc}", args.gradcam) from None
    if args.json:
        print_json(
            {
                "run_dir": str(run.path),
                "image": str(image),
                "prediction": result.label,
                "probabilities": dict(zip(result.classes, result.probabilities, strict=True)),
                "gradcam": args.gradcam,
            }
        )
        return 0
    render.prediction(run, image, result, args.gradcam)
    return 0


def run_runs(args: argparse.Namespace) -> int:
    from cnnquiz.train import runs

    if args.sweep:  # cnnquiz tune's record (cli/sweep_render)
        from cnnquiz.cli.sweep_render import show_sweep
        return show_sweep(args.sweep, _runs_root(args), args.json)
    root = _runs_root(args)
    found = runs.list_runs(root)
    if args.json:
        print_json(
            [
                {"run_dir": str(r.path)}
                | {
                    k: r.info.get(k)
                    for k in (
                        "name",
                        "status",
                        "started",
                        "source",
                        "test_accuracy",
                        "val_accuracy",
                        "epochs",
                        "seconds",
                        "images_per_second",
                        "params",
                    )
                }
                | {"config": _train_settings(r)}
                for r in found
            ]
        )
        return 0
    from cnnquiz.cli import train_render as render

    render.runs_table(root, found)
    return 0


def _train_settings(run: Any) -> dict[str, Any]:
    """The ``train:`` mapping of a run's config.yaml, read as any spec is (``yamlio``: size and
    alias caps), or {} when it cannot be read: a damaged run is still listed."""
    from cnnquiz import yamlio
    from cnnquiz.errors import CnnquizError

    try:
        data = yamlio.load(run.path / "config.yaml")
    except CnnquizError:
        return {}
    train = data.get("train", {}) if isinstance(data, dict) else {}
    return dict(train) if isinstance(train, dict) else {}
