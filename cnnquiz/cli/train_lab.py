"""``cnnquiz train``'s lab options (issue 15): ``--gin``, ``--bind``, ``--mlflow``, ``--dry-run``.

The network and settings from gin files (``cnnquiz.lab``), MLflow through
``cnnquiz.train.tracking``. gin, mlflow and torch are imported only once a command runs.
"""

from __future__ import annotations

import argparse
from typing import Any

from cnnquiz.cli.common import print_json


def add_lab(train: argparse.ArgumentParser) -> None:
    """The lab's options (issue 15): gin files, bindings, MLflow, a look before training."""
    train.add_argument(
        "--gin",
        metavar="FILE.gin",
        action="append",
        help="the network and settings from a gin file (repeatable; `lab` names the bundled, "
        "commented lab.gin); instead of --config",
    )
    train.add_argument(
        "--bind",
        metavar="'NAME = VALUE'",
        action="append",
        help="one gin binding after the files, such as 'train.lr = 0.003' (repeatable)",
    )
    train.add_argument(
        "--mlflow",
        metavar="URI",
        help="log the run to MLflow (default: $MLFLOW_TRACKING_URI), e.g. sqlite:///mlflow.db",
    )
    train.add_argument(
        "--dry-run",
        action="store_true",
        help="show the network's figures and the settings (with --gin: the operative config), "
        "then stop before training",
    )


def tracked(tracking: Any) -> None:
    """Where MLflow has the run, and how to look at it (nothing when it is off or failed)."""
    if tracking.active:
        print(
            f"MLflow   logged to {tracking.uri}, experiment {tracking.experiment!r}; "
            f"see it with: mlflow ui --backend-store-uri {tracking.uri}"
        )


def lab_plan(args: argparse.Namespace, overrides: dict[str, Any]) -> Any:
    """``--gin``/``--bind``: the configurable CNN and its settings from gin; the experiment's
    command-line settings (``--lr``) become bindings, so the run's operative.gin holds them."""
    from cnnquiz.errors import CnnquizError
    from cnnquiz.lab import experiment
    from cnnquiz.lab.gin_config import configure, resolve_gin

    if args.config:
        raise CnnquizError(
            "the network comes from gin (--gin, --bind) or from --config, not both", "--config"
        )
    bindings, machine = experiment.as_bindings(overrides)
    lab = configure([resolve_gin(g) for g in args.gin or []], [*(args.bind or []), *bindings])
    config = experiment.settings(lab, machine)
    data = experiment.load_data(config, args.demo, args.data)
    return experiment.make_plan(lab, data, config)


def dry_run(plan: Any, quiet: bool) -> int:
    """What would train, and nothing trained: the plan is shown already; with --gin the
    operative config too (``--json``: the plan's figures and the gin values)."""
    from cnnquiz.lab.gin_config import OPERATIVE

    if quiet:
        print_json(
            {
                "name": plan.name,
                "params": plan.figures.params,
                "trainable": plan.figures.trainable,
                "ram_estimate_bytes": plan.ram.total,
                "config": plan.config.as_dict(),
                "gin": plan.params,
            }
        )
    elif OPERATIVE in plan.files:
        print(f"\n{OPERATIVE} (every value this run would use):\n")
        print(plan.files[OPERATIVE].rstrip())
    return 0
