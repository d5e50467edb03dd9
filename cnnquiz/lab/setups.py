"""From a trial's gin bindings to what it trains: the lab's gin configuration and settings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cnnquiz.lab import experiment
from cnnquiz.lab.gin_config import configure, resolve_gin
from cnnquiz.lab.sweep import Setup, TrialSetup


def gin_setup(gin_files: list[str], base: list[str], machine: Mapping[str, Any]) -> Setup:
    """Each trial: the gin files, then the ``base`` bindings (``--bind``), then the trial's own
    (later ones win), read by ``configure``; ``machine`` (device, threads, size) on top."""
    files = [resolve_gin(g) for g in gin_files]

    def setup(bindings: list[str]) -> TrialSetup:
        lab = configure(files, [*base, *bindings])
        return TrialSetup(lab, experiment.settings(lab, machine))

    return setup
