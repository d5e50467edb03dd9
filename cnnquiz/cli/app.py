"""TODO(owner): the `app` subcommand. Placeholder until its owner lands it."""

from __future__ import annotations


def register(sub) -> None:  # noqa: ANN001
    pass
