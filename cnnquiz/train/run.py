"""One training run from start to saved folder, shared by the command line and the app.

``prepare`` reads the spec, the settings and the data and fits the network to the data, so a
face can show the summary and the RAM estimate before anything trains; ``execute`` trains and
writes the run folder. Imports torch only through the functions that need it.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cnnquiz.errors import CnnquizError
from cnnquiz.net.arithmetic import analyze
from cnnquiz.net.figures import NetworkFigures
from cnnquiz.net.memory import TrainingRam, training_ram
from cnnquiz.net.network import Network
from cnnquiz.net.spec import load_network
from cnnquiz.train import networks, runs
from cnnquiz.train.config import TrainConfig, from_mapping, with_overrides
from cnnquiz.train.data import DEMO_SIZE, Dataset, demo_dataset, folder_dataset

if TYPE_CHECKING:
    from cnnquiz.train.loop import TrainResult  # torch: imported when training starts
    from cnnquiz.train.tracking import Tracking


@dataclass
class Plan:
    network: Network  # fitted to the data: input shape and classes
    config: TrainConfig
    data: Dataset
    figures: NetworkFigures
    ram: TrainingRam  # the textbook estimate for config.batch
    threads: int = 1  # CPU threads, chosen once (config.thread_choice) so the header says them
    threads_why: str = ""  # "auto: 2 usable cores, load 1.0", "as asked", ...
    files: dict[str, str] = field(default_factory=dict)  # name -> text, into the run folder
    params: dict[str, Any] | None = None  # MLflow's params (None: the train settings)

    @property
    def name(self) -> str:
        return self.network.name or Path(self.network.source or "run").stem


@dataclass
class Outcome:
    plan: Plan
    result: TrainResult
    run_dir: Path
    saved_bytes: int | None  # what autograd keeps for one batch (bridge.measure_saved)
    samples: Path | None = None  # the demo: run_dir/samples, one image per class to predict

    def summary(self) -> dict[str, Any]:
        """The figures ``--json`` prints and ``run.json`` keeps."""
        r = self.result
        last = r.epochs[-1] if r.epochs else None
        return {
            "name": self.plan.name,
            "test_accuracy": r.test_accuracy,
            "val_accuracy": last.val_accuracy if last else None,
            "epochs": len(r.epochs),
            "seconds": round(r.seconds, 3),
            "images_per_second": round(r.images_per_second, 1),
            "run_dir": str(self.run_dir),
            "params": self.plan.figures.params,
            "trainable": self.plan.figures.trainable,
            "device": r.device,
            "threads": r.threads,
            "cancelled": r.cancelled,
            "classes": list(self.plan.data.classes),
            "confusion": r.confusion,
            "confusion_split": r.confusion_split,
            "ram_estimate_bytes": self.plan.ram.total,
            "saved_tensors_bytes": self.saved_bytes,
            "samples": str(self.samples) if self.samples else None,
            **r.memory,
        }


def prepare(
    *,
    demo: bool,
    data_dir: str | None,
    config_path: str | None,
    overrides: dict[str, Any] | None = None,
) -> Plan:
    """Spec, settings and data, checked; every problem is a one-line ``CnnquizError``.

    Settings: the defaults, then the spec's ``train:`` mapping, then ``overrides`` (the command
    line's values, None where not given).
    """
    if demo == (data_dir is not None):
        raise CnnquizError("give either --demo or --data DIR", "train")
    network = load_network(config_path) if config_path else networks.demo_network()
    config = from_mapping(network.train, network.source or "train")
    config = with_overrides(config, **(overrides or {}))
    if config.device == "cuda":  # before any data is read or folder written
        from cnnquiz.train.loop import pick_device

        pick_device("cuda")
    channels = network.input.dims[2] if network.input.is_image else 3
    if data_dir is None:  # --demo
        if channels != 3:
            raise CnnquizError(
                f"the demo images are RGB (3 channels) but the network's input is {network.input}",
                network.source or "--config",
            )
        data = demo_dataset(config.seed, size=config.size or DEMO_SIZE)
    else:
        if channels not in (1, 3):
            raise CnnquizError(
                f"images have 1 or 3 channels but the network's input is {network.input}",
                network.source or "--config",
            )
        if config.size:
            size = (config.size, config.size)
        elif network.input.is_image and config_path:
            size = (network.input.dims[0], network.input.dims[1])
        else:
            size = (64, 64)  # the default network on a student's folder
        data = folder_dataset(data_dir, size, channels, config.seed, config.strict)
    return plan_for(network, config, data, adapt_output=config_path is None)


def plan_for(
    network: Network, config: TrainConfig, data: Dataset, adapt_output: bool, **extra: Any
) -> Plan:
    """The plan to train ``network`` fitted to ``data`` (its input, and with ``adapt_output`` one
    output per class) with ``config``: the figures, the RAM estimate and the threads;
    ``extra`` fills the plan's other fields (the lab's files and params)."""
    fitted = networks.fit_to_data(
        network, data.image_shape, len(data.classes), adapt_output=adapt_output
    )
    figures = analyze(fitted)
    threads, why = config.thread_choice()
    return Plan(
        fitted,
        config,
        data,
        figures,
        training_ram(figures, config.batch, config.optimizer),
        threads,
        why,
        **extra,
    )


def execute(
    plan: Plan,
    runs_root: Path,
    reporter: Any = None,
    measure: bool = True,
    tracking: Tracking | None = None,
) -> Outcome:
    """Train, then write the run folder (weights as safetensors) and log to MLflow if set up.

    ``plan.files`` (the lab's gin files) are written into the run folder before training;
    ``tracking`` None: ``MLFLOW_TRACKING_URI``'s (``cnnquiz.train.tracking``).
    """
    from cnnquiz.train.loop import Diverged, train

    check_fits(plan)
    run_dir = runs.new_run_dir(runs_root, plan.name)
    for name, text in plan.files.items():
        (run_dir / name).write_text(text, encoding="utf-8")
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    config = plan.config.as_dict()
    info = _info(plan, started, "running")
    runs.write_run(run_dir, plan.network, config, info, [])
    try:
        result = train(plan.network, plan.data, plan.config, reporter, threads=plan.threads)
    except Diverged as exc:  # kept as a record of what was tried, never as a result: no weights
        info = _info(plan, started, "diverged") | {"error": exc.message}
        runs.write_run(run_dir, plan.network, config, info, [])
        raise
    except BaseException:
        runs.write_run(run_dir, plan.network, config, _info(plan, started, "failed"), [])
        raise
    saved = None
    if measure:
        from cnnquiz.torchcheck.autograd import measure_saved
        from cnnquiz.train.interrupt import held_back

        with held_back() as pressed:  # Ctrl+C now: measured, saved, and the run cancelled
            saved = measure_saved(plan.network, plan.config.batch, figures=plan.figures)
        result.cancelled = result.cancelled or bool(pressed)
    outcome = Outcome(plan, result, run_dir, saved.total_bytes if saved else None)
    epochs = [asdict(m) for m in result.epochs]
    status = "cancelled" if result.cancelled else "finished"
    runs.save_weights(result.model, run_dir)
    if plan.data.source == "demo":  # something to try `cnnquiz predict` on, as the docs do
        from cnnquiz.train.data import demo_samples

        size = plan.data.image_shape[0]
        outcome.samples = runs.write_samples(run_dir, demo_samples(size, plan.config.seed))
    runs.write_run(
        run_dir, plan.network, config, _info(plan, started, status) | outcome.summary(), epochs
    )
    runs.mlflow_log(run_dir, plan.params or config, epochs, outcome.summary(), tracking)
    return outcome


def physical_memory() -> int | None:
    """This machine's memory in bytes (None where the system does not say)."""
    import os

    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def check_fits(plan: Plan) -> None:
    """Refuse a CPU run whose textbook estimate is more than the machine's whole memory, before
    torch allocates it (``cnn.dense_units = (65536, 65536)`` is 68,800 MB): swapping for hours
    or being killed is worse than one line. ``--dry-run`` still shows the figures."""
    memory = physical_memory()
    if not memory or plan.ram.total <= memory or plan.config.device == "cuda":
        return
    mb = f"{plan.ram.total / 1e6:,.0f} MB"
    raise CnnquizError(
        f"training needs about {mb} (the textbook estimate for a batch of {plan.ram.batch}), "
        f"more than this machine's {memory / 1e6:,.0f} MB of memory; use fewer filters or dense "
        "units, a smaller batch or image size (--dry-run shows the figures)",
        plan.network.source or plan.name,
    )


def _info(plan: Plan, started: str, status: str) -> dict[str, Any]:
    d = plan.data
    return {
        "status": status,
        "started": started,
        "source": d.source,
        "classes": list(d.classes),
        "input": "x".join(str(n) for n in d.image_shape),
        "mean": list(d.mean),
        "std": list(d.std),
        "images": {
            "train": len(d.train),
            "valid": len(d.valid),
            "test": len(d.test) if d.test else 0,
        },
        "skipped": d.skipped,
    }


def dense_plan(first: Plan) -> Plan:
    """The dense baseline on the same data with the same settings (the same budget).

    Its hidden layer is sized so that its parameter count comes closest to the first
    network's: 8 units for the demo (24,620 against 24,292); on a student's 64x64 images, where
    every hidden unit costs 12,289 weights, it gets fewer.
    """
    n_classes = len(first.data.classes)
    inputs = math.prod(first.data.image_shape)
    hidden = max(1, round((first.figures.params - n_classes) / (inputs + 1 + n_classes)))
    base = networks.dense_network(hidden)
    network = networks.fit_to_data(base, first.data.image_shape, n_classes, adapt_output=True)
    figures = analyze(network)
    return replace(
        first,
        network=network,
        figures=figures,
        ram=training_ram(figures, first.config.batch, first.config.optimizer),
        files={},
        params=None,
    )
