"""Every training hyperparameter in one place, with its unit, and where each value came from.

Values are layered: the defaults below, then the spec's optional ``train:`` mapping, then the
command line. So a spec file can carry the settings that make it train well, and a student can
still try ``--lr 0.01`` without editing it.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from cnnquiz import yamlio
from cnnquiz.errors import SpecError
from cnnquiz.net.optimizers import COURSE_OPTIMIZERS
from cnnquiz.net.units import fmt_count

OPTIMIZERS = COURSE_OPTIMIZERS  # what loop.make_optimizer runs
SCHEDULES = ("constant", "cosine")
DEVICES = ("auto", "cpu", "cuda")


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 10  # passes over the training images
    batch: int = 64  # images per optimisation step
    lr: float = 3e-3  # learning rate: step size at the start of the schedule
    optimizer: str = "adam"  # sgd | momentum | adam (the RAM estimate counts their state)
    momentum: float = 0.9  # momentum only: fraction of the previous step carried over
    weight_decay: float = 0.0  # L2 penalty: wd * w added to every weight's gradient
    schedule: str = "cosine"  # constant | cosine: lr decays to 0 over the run, steadier end
    seed: int = 0  # shuffling, initial weights, the embedded dataset, the folder split
    device: str = "auto"  # auto (CUDA when present, else CPU) | cpu | cuda
    threads: int | None = None  # CPU threads for torch; None: the free cores, 0: every core
    size: int | None = None  # folder images resized to size x size pixels; None: the spec's input
    strict: bool = False  # an unreadable image stops the run instead of being skipped

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def cpu_threads(self) -> int:
        return self.thread_choice()[0]

    def thread_choice(self) -> tuple[int, str]:
        """The CPU threads to use and why, as the training header prints it.

        Asked at each call: the load changes, so a face calls it once and keeps the answer.
        """
        usable = usable_cores()
        if self.threads:
            return self.threads, "as asked"
        if self.threads == 0:
            return usable, f"every usable core ({usable})"
        load = system_load()
        chosen = choose_threads(usable, os.cpu_count() or usable, load)
        return chosen, f"auto: {fmt_count(usable, 'usable core')}, load {load:.1f}"


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity; all of them where it is unknown)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # macOS and Windows have no sched_getaffinity
        return os.cpu_count() or 1


def system_load(
    samples: int = 10, interval: float = 0.02, source: str = "/proc/loadavg"
) -> float:
    """How many other processes want a core now: the load ``choose_threads`` leaves alone.

    On Linux, the runnable count of ``/proc/loadavg`` (which counts this process too, hence
    the 1 taken off), averaged over ``samples`` readings ``interval`` seconds apart. Elsewhere
    ``os.getloadavg()``'s one-minute average, which lags a minute both ways: a busy process
    started just now is not in it yet, and a training run that just ended still is.
    """
    counts = []
    for n in range(samples):
        try:
            with open(source, encoding="ascii") as f:
                counts.append(int(f.read().split()[3].split("/")[0]) - 1)
        except (OSError, ValueError, IndexError):
            break
        if n + 1 < samples:
            time.sleep(interval)
    if counts:
        return max(0.0, sum(counts) / len(counts))
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # Windows
        return 0.0
    return load if math.isfinite(load) and load > 0 else 0.0


def choose_threads(usable: int, online: int, load: float) -> int:
    """Threads for training: the usable cores less the load already on them, at least 1.

    Torch's threads wait for each other at every operation, so one thread that shares its
    core with a busy process holds all the others back: on two cores with one busy process,
    two threads ran 4x slower than one (issue 9.28). ``load`` is the number of other processes
    that want a core (``system_load``), over all ``online`` cores; the share falling on the
    ``usable`` ones is taken in proportion, and rounded to the nearest whole core.
    """
    usable = max(1, usable)
    share = load * usable / max(online, usable)
    return max(1, min(usable, usable - math.floor(share + 0.5)))


_ALIASES = {
    "batch_size": "batch",
    "learning_rate": "lr",
    "l2": "weight_decay",
    "wd": "weight_decay",
    "lr_schedule": "schedule",
}


def _whole(name: str, value: Any, where: str) -> int:
    """epochs and batch: at least 1."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SpecError(f"{name} must be a positive integer, got {value!r}", where)
    return value


def _count(name: str, value: Any, where: str) -> int | None:
    """seed and threads: at least 0 (threads may also be ``auto``, None)."""
    if name == "threads" and (value is None or str(value).strip().lower() == "auto"):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        also = " or auto" if name == "threads" else ""
        raise SpecError(f"{name} must be a whole number of at least 0{also}, got {value!r}", where)
    return value


def _size(name: str, value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 8 <= value <= 1024:
        raise SpecError(
            f"{name} must be a whole number of pixels from 8 to 1024, got {value!r}", where
        )
    return value


@dataclass(frozen=True)
class Range:
    """Where a rate may lie: from ``low`` (``above``: excluded) to below ``high`` (None: no
    top). Declared once here; ``cnnquiz.cli.train`` checks ``--lr`` and friends with it too."""

    low: float
    high: float | None = None
    above: bool = False

    def too_low(self, number: float) -> bool:
        return number < self.low or (self.above and number == self.low)

    def holds(self, number: float) -> bool:
        return not self.too_low(number) and (self.high is None or number < self.high)

    def describe(self) -> str:
        """``a number from 0 to below 1``, ``a number above 0``, ``a number of at least 0``."""
        if self.high is not None:
            return f"a number from {self.low:g} to below {self.high:g}"
        return f"a number {'above' if self.above else 'of at least'} {self.low:g}"


RATES = {"lr": Range(0, above=True), "momentum": Range(0, 1), "weight_decay": Range(0)}


def _rate(name: str, value: Any, where: str) -> float:
    """lr, momentum, weight_decay: finite numbers in their ``RATES`` range."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SpecError(f"{name} must be a number, got {value!r}", where) from None
    if isinstance(value, bool) or not math.isfinite(number):
        raise SpecError(f"{name} must be a finite number, got {value!r}", where)
    bounds = RATES[name]
    if bounds.too_low(number):
        side = "above" if bounds.above else "at least"
        raise SpecError(f"{name} must be {side} {bounds.low:g}, got {value!r}", where)
    if not bounds.holds(number):  # past the top
        raise SpecError(f"{name} must be below {bounds.high:g}, got {value!r}", where)
    return number


_CHOICES = {"optimizer": OPTIMIZERS, "schedule": SCHEDULES, "device": DEVICES}


def _choice(name: str, value: Any, where: str) -> str:
    choices = _CHOICES[name]
    text = str(value).strip().lower()
    if text not in choices:
        raise SpecError(f"{name} must be one of {', '.join(choices)}, got {value!r}", where)
    return text


def _flag(name: str, value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise SpecError(f"{name} must be true or false, got {value!r}", where)
    return value


# Each field of TrainConfig and what checks a value for it (tests/train/test_settings.py
# checks that every field has one).
_CHECKS: dict[str, Callable[[str, Any, str], Any]] = {
    "epochs": _whole,
    "batch": _whole,
    "lr": _rate,
    "optimizer": _choice,
    "momentum": _rate,
    "weight_decay": _rate,
    "schedule": _choice,
    "seed": _count,
    "device": _choice,
    "threads": _count,
    "size": _size,
    "strict": _flag,
}


def _check(name: str, value: Any, where: str) -> Any:
    """One value, converted and checked; a wrong one is a one-line error at ``where``."""
    return _CHECKS[name](name, value, where)


def from_mapping(
    data: Mapping[str, Any] | None, source: str = "train", base: TrainConfig | None = None
) -> TrainConfig:
    """Settings from a spec's ``train:`` mapping on top of ``base``; unknown keys are errors."""
    config = base or TrainConfig()
    if not data:
        return config
    known = [f.name for f in fields(TrainConfig)]
    changes: dict[str, Any] = {}
    for key, value in data.items():
        name = _ALIASES.get(str(key).lower(), str(key).lower())
        line = yamlio.line_of(data, (key,))
        where = f"{source}:{line}" if line else f"{source}: train.{key}"
        if name not in known:
            raise SpecError(
                f"unknown training setting {key!r}; expected one of {', '.join(known)}", where
            )
        changes[name] = _check(name, value, where)
    return replace(config, **changes)


def with_overrides(config: TrainConfig, **values: Any) -> TrainConfig:
    """Command-line values (``None`` = not given) on top of ``config``; each checked as ``--name``.

    ``threads="auto"`` asks for the automatic choice even where the spec gives a number.
    """
    changes = {}
    for name, value in values.items():
        if value is not None:
            changes[name] = _check(name, value, f"--{name.replace('_', '-')}")
    return replace(config, **changes)
