"""A folder per training run: what was trained, how, how it went, and the weights.

::

    runs/20261123-120531-demo-cnn/
        config.yaml          the network spec with its train: settings (cnnquiz train --config reads it)
        run.json             classes, normalisation, figures, memory, status
        metrics.json         one object per epoch
        metrics.csv          the same, for a spreadsheet
        weights.safetensors  the weights: a format whose loading cannot run code
        samples/circle.png   the demo only: a new image of each class to try predict on

Weights are read only with safetensors, never with pickle: a checkpoint from elsewhere cannot
execute anything. This module imports no torch; ``save_weights``/``load_weights`` do, inside.
"""

from __future__ import annotations

import csv
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cnnquiz import yamlio
from cnnquiz.errors import CnnquizError
from cnnquiz.limits import MAX_INT_DIGITS
from cnnquiz.net.spec import Network, load_network, network_to_dict

WEIGHTS = "weights.safetensors"
RUN_FILE = "run.json"
CONFIG = "config.yaml"
METRICS_JSON = "metrics.json"
METRICS_CSV = "metrics.csv"
SAMPLES = "samples"


@dataclass(frozen=True)
class Run:
    path: Path
    info: dict[str, Any]  # run.json
    epochs: list[dict[str, Any]]  # metrics.json

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def classes(self) -> list[str]:
        return list(self.info.get("classes", []))

    @property
    def network(self) -> Network:
        return load_network(self.path / CONFIG)

    @property
    def weights(self) -> Path:
        return self.path / WEIGHTS


def read_json(path: Path, what: str) -> tuple[Any, str]:
    """A run's JSON file and its text (for line numbers); one-line errors with the line."""
    text = yamlio.read_text(path, f"a {what}")
    try:
        return json.loads(text), text
    except json.JSONDecodeError as exc:
        raise CnnquizError(f"not JSON: {exc.msg}", f"{path}:{exc.lineno}") from None
    except RecursionError:
        raise CnnquizError("not JSON: nested too deeply", str(path)) from None
    except ValueError:  # not a JSONDecodeError: an integer past Python's 4,300-digit limit
        raise CnnquizError(
            f"a number past the {MAX_INT_DIGITS:,}-digit limit on numbers read", str(path)
        ) from None


def new_run_dir(root: Path, name: str) -> Path:
    """``root/<UTC time>-<name>``, unique even when two runs start in the same second."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "run"
    path = root / f"{stamp}-{slug}"
    n = 2
    while path.exists():
        path = root / f"{stamp}-{slug}-{n}"
        n += 1
    try:
        path.mkdir(parents=True)
    except OSError as exc:
        raise CnnquizError(
            f"cannot create the run folder: {exc.strerror or exc}", str(root)
        ) from None
    return path


def write_run(
    path: Path,
    network: Network,
    config: dict[str, Any],
    info: dict[str, Any],
    epochs: list[dict[str, Any]],
) -> None:
    """Everything but the weights; called again as the run goes, so a crash leaves what was done."""
    spec = network_to_dict(network) | {"train": config}
    (path / CONFIG).write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    (path / RUN_FILE).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    (path / METRICS_JSON).write_text(json.dumps(epochs, indent=2) + "\n", encoding="utf-8")
    with (path / METRICS_CSV).open("w", newline="", encoding="utf-8") as f:
        if epochs:
            writer = csv.DictWriter(f, fieldnames=list(epochs[0]))
            writer.writeheader()
            writer.writerows(epochs)


def write_samples(path: Path, samples: list[tuple[str, Any]]) -> Path:
    """``path/samples/<class>.png`` for each (class name, uint8 H x W x C image); the folder."""
    from PIL import Image

    folder = path / SAMPLES
    folder.mkdir(exist_ok=True)
    for name, pixels in samples:
        Image.fromarray(pixels).save(folder / f"{name}.png")
    return folder


def save_weights(model: Any, path: Path) -> None:
    """The model's state dict as safetensors (tensors only: nothing that could run code)."""
    from safetensors.torch import save_file

    state = {k: v.detach().contiguous().cpu() for k, v in model.state_dict().items()}
    save_file(state, str(path / WEIGHTS), metadata={"format": "cnnquiz"})


def load_weights(model: Any, file: Path) -> None:
    """Fill ``model`` from a safetensors file; anything else, or other shapes, is a bad checkpoint."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    try:
        state = load_file(str(file))
    except (SafetensorError, OSError, ValueError, RuntimeError) as exc:
        raise CnnquizError(
            f"not a safetensors checkpoint ({exc}); cnnquiz reads only safetensors weights, "
            "never pickle files, which can run code",
            str(file),
        ) from None
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        first = str(exc).strip().splitlines()[0]
        raise CnnquizError(
            f"the weights do not fit the run's network: {first}", str(file)
        ) from None


def resolve(target: str | Path, root: Path) -> Run:
    """A run from its folder, its ``weights.safetensors`` or ``run.json``, or its name under ``root``."""
    path = Path(target).expanduser()
    if not path.exists() and not path.is_absolute() and (root / path).exists():
        path = root / path
    if not path.exists():
        raise CnnquizError(f"no such run or checkpoint (runs are in {root})", str(target))
    folder = path if path.is_dir() else path.parent
    if not (folder / RUN_FILE).is_file() or not (folder / CONFIG).is_file():
        if path.is_file():
            raise CnnquizError(
                f"not a cnnquiz checkpoint: expected {WEIGHTS} inside a run folder with "
                f"{RUN_FILE} and {CONFIG}",
                str(target),
            )
        raise CnnquizError(f"not a run folder: no {RUN_FILE} and {CONFIG}", str(target))
    if path.is_file() and path.name not in (WEIGHTS, RUN_FILE, CONFIG):
        # a file passed as the checkpoint is read as weights, whatever the folder holds
        run = load_run(folder)
        return Run(folder, run.info | {"weights_file": str(path)}, run.epochs)
    return load_run(folder)


def load_run(folder: Path) -> Run:
    """run.json and metrics.json, each a regular file under a size cap (``read_json``)."""
    info, _ = read_json(folder / RUN_FILE, "run file")
    epochs_path = folder / METRICS_JSON
    epochs = read_json(epochs_path, "metrics file")[0] if epochs_path.exists() else []
    if not isinstance(info, dict):
        raise CnnquizError("expected a JSON object", str(folder / RUN_FILE))
    if not isinstance(epochs, list):
        raise CnnquizError("expected a JSON list of epochs", str(epochs_path))
    return Run(folder, info, epochs)


def weights_file(run: Run) -> Path:
    return Path(run.info.get("weights_file", run.weights))


def list_runs(root: Path) -> list[Run]:
    """Runs under ``root``, oldest first; folders that are not runs are passed over."""
    if not root.is_dir():
        return []
    runs = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if (folder / RUN_FILE).is_file():
            try:
                runs.append(load_run(folder))
            except CnnquizError:
                continue
    return runs


def mlflow_log(
    run_dir: Path,
    params: dict[str, Any],
    epochs: list[dict[str, Any]],
    summary: dict[str, Any],
    tracking: Any = None,
) -> bool:
    """Log the run to MLflow through ``tracking`` (a ``cnnquiz.train.tracking.Tracking``; None:
    ``MLFLOW_TRACKING_URI``'s, off when it is unset). Never required and never fatal: a backend
    that fails is one warning line and the run folder stays. Returns whether it logged.
    """
    from cnnquiz.train.tracking import Tracking

    tracking = tracking if tracking is not None else Tracking.from_env()
    return bool(tracking.log_training(run_dir.name, run_dir, params, epochs, summary))
