"""Keras model code read without running it: Sequential, model.add and the functional API."""

from __future__ import annotations

import ast

from cnnquiz.code import CodeRead
from cnnquiz.errors import SpecError
from cnnquiz.net.network import Shape


def read(tree: ast.Module, text: str, source: str, input_shape: Shape | None) -> CodeRead:
    """The network Keras code builds."""
    raise SpecError("Keras code is not read yet", f"{source}:1:1")
