"""From a trial's gin bindings to what it trains: the network and its settings."""

from __future__ import annotations

from cnnquiz.errors import SpecError
from cnnquiz.lab.space import literal
from cnnquiz.lab.sweep import Setup, TrialSetup
from cnnquiz.train import networks
from cnnquiz.train.config import from_mapping


def gin_setup(gin_files: list[str], base: list[str]) -> Setup:
    """The default network with ``train.*`` bindings on top of the defaults (interim: the gin
    files and the configurable CNN come with ``cnnquiz.lab.gin_config``)."""
    if gin_files:
        raise SpecError("gin files are not read yet", "--gin")

    def setup(bindings: list[str]) -> TrialSetup:
        values = {}
        for text in [*base, *bindings]:
            name, _, value = text.partition("=")
            scope, _, key = name.strip().rpartition(".")
            if scope != "train":
                raise SpecError("only train.* bindings are read yet", text)
            values[key] = literal(value, text)
        return TrialSetup(networks.demo_network(), from_mapping(values, "--bind"))

    return setup
