"""A ``LabConfig`` to a training ``Plan``, with the data read once for any number of them.

``cnnquiz train --gin`` is ``configure`` + ``load_data`` + ``make_plan`` + ``train.run.execute``;
a sweep calls ``load_data`` once and ``configure`` + ``make_plan`` + ``execute`` per trial::

    lab = configure([resolve_gin("lab")], ["train.lr = 0.01"])
    config = settings(lab, {"threads": 2})
    data = load_data(config, demo=True, data_dir=None)
    outcome = execute(make_plan(lab, data, config), runs_root, tracking=tracking)

The plan carries the gin files and ``operative.gin`` (written into the run folder, so
``cnnquiz train --gin <run>/operative.gin`` repeats the run) and the flat params MLflow logs.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cnnquiz.errors import CnnquizError
from cnnquiz.lab.gin_config import OPERATIVE, TRAIN_PARAMS, LabConfig
from cnnquiz.train.config import TrainConfig, with_overrides
from cnnquiz.train.data import DEMO_SIZE, Dataset, demo_dataset, folder_dataset
from cnnquiz.train.run import Plan, plan_for

FOLDER_SIZE = 64  # a student's images are resized to 64x64 unless --size says otherwise
_GIN_NAMES = {field: gin for gin, field in TRAIN_PARAMS.items()}


def as_bindings(overrides: Mapping[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """Command-line settings split: the experiment's (``--lr 0.01``) as gin bindings
    (``train.lr = 0.01``), so ``operative.gin`` holds them; the machine's (device, threads,
    strict) left as overrides. None values (not given) are dropped."""
    bindings, rest = [], {}
    for name, value in overrides.items():
        if value is None:
            continue
        if name in _GIN_NAMES:
            bindings.append(f"train.{_GIN_NAMES[name]} = {value!r}")
        else:
            rest[name] = value
    return bindings, rest


def settings(lab: LabConfig, overrides: Mapping[str, Any] | None = None) -> TrainConfig:
    """The lab's settings with the machine's options on top (``device``, ``threads``...)."""
    return with_overrides(lab.train, **dict(overrides or {}))


def load_data(config: TrainConfig, demo: bool, data_dir: str | None) -> Dataset:
    """The embedded shapes (``demo``) or a folder of RGB images, seeded by ``config.seed``.

    Images are ``config.size`` pixels square when set, else the demo's 32 or 64 for a folder:
    the configurable CNN takes its input from the data.
    """
    if demo == (data_dir is not None):
        raise CnnquizError("give either --demo or --data DIR", "train")
    if config.device == "cuda":  # before any data is read
        from cnnquiz.train.loop import pick_device

        pick_device("cuda")
    if data_dir is None:
        return demo_dataset(config.seed, size=config.size or DEMO_SIZE)
    size = config.size or FOLDER_SIZE
    return folder_dataset(data_dir, (size, size), 3, config.seed, config.strict)


def run_files(lab: LabConfig) -> dict[str, str]:
    """The run folder's gin files: each file read (by its name) and ``operative.gin``."""
    files: dict[str, str] = {}
    for i, (name, text) in enumerate(lab.sources, 1):
        base = Path(name).name
        files[base if base not in files and base != OPERATIVE else f"{i}-{base}"] = text
    files[OPERATIVE] = lab.operative
    return files


def make_plan(lab: LabConfig, data: Dataset, config: TrainConfig | None = None) -> Plan:
    """The lab's network fitted to ``data`` (its input, one output per class), ready to train
    with ``config`` (default: the lab's own settings)."""
    config = config or lab.train
    return plan_for(
        lab.network, config, data, adapt_output=True, files=run_files(lab), params=lab.params_text()
    )
