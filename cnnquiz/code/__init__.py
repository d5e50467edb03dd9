"""Model code in, a cnnquiz Network out: Keras and PyTorch code read with ``ast``, never run.

``read_code`` tells Keras from PyTorch by what the code imports and names, and hands the syntax
tree to :mod:`cnnquiz.code.keras` or :mod:`cnnquiz.code.pytorch`. Nothing in the code is
imported, evaluated or executed; what is not understood is an error at file:line:col.
"""

from __future__ import annotations

import ast
import importlib

from cnnquiz.code.literals import parse
from cnnquiz.code.result import KERAS, PYTORCH, CodeRead
from cnnquiz.errors import SpecError
from cnnquiz.net.network import Shape

__all__ = ["KERAS", "PYTORCH", "CodeRead", "detect", "read_code"]

_TORCH_ROOTS = ("torch",)
_KERAS_ROOTS = ("keras", "tensorflow", "tf_keras")


def _imported_roots(tree: ast.Module) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def _names_used(tree: ast.Module) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def detect(tree: ast.Module, source: str) -> str:
    """``Keras`` or ``PyTorch``: by the imports, else by the names the code uses (``nn``,
    ``torch``; ``layers``, ``keras``, ``tf``, ``Sequential``)."""
    roots = _imported_roots(tree)
    torch, keras = bool(roots & set(_TORCH_ROOTS)), bool(roots & set(_KERAS_ROOTS))
    if torch != keras:
        return PYTORCH if torch else KERAS
    names = _names_used(tree)
    torch = bool(names & {"nn", "torch", "F"})
    keras = bool(names & {"layers", "keras", "tf", "models", "Sequential", "Conv2D", "Dense"})
    if torch != keras:
        return PYTORCH if torch else KERAS
    why = "it imports both" if torch else "no import of keras, tensorflow or torch, and no nn. or layers."
    raise SpecError(f"cannot tell Keras code from PyTorch code: {why}", f"{source}:1:1")


def read_code(text: str, source: str, input_shape: Shape | None = None) -> CodeRead:
    """The network that Keras or PyTorch code builds, read without running it.

    ``input_shape`` (H, W, C) is the input where the code states none (PyTorch always), or
    replaces the code's own."""
    tree = parse(text, source)
    framework = detect(tree, source)
    if framework == KERAS:
        from cnnquiz.code import keras

        return keras.read(tree, text, source, input_shape)
    try:
        pytorch = importlib.import_module("cnnquiz.code.pytorch")
    except ModuleNotFoundError:
        raise SpecError("PyTorch code is not read yet", f"{source}:1:1") from None
    result: CodeRead = pytorch.read(tree, text, source, input_shape)
    return result
