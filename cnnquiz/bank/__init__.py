"""Question banks: the YAML format, answer parsing and grading, computed variants, ``check``.

Instructors write banks by hand; students answer them. Nothing here imports torch, rich or
textual at module level: only ``check_banks(verify=True)`` imports the torch bridge.
The names below are imported when first used, so that a start whose banks all come from the
cache (:mod:`cnnquiz.bank.cache`) never imports the loader, its schema or pydantic.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cnnquiz.bank.check import CheckReport, check_banks
    from cnnquiz.bank.files import Problem, bundled_bank_paths
    from cnnquiz.bank.grading import Verdict
    from cnnquiz.bank.keys import Key
    from cnnquiz.bank.loader import load_bank, load_banks, read_banks
    from cnnquiz.bank.model import Bank, Item, Question, grade

_HOMES = {
    "CheckReport": "check",
    "check_banks": "check",
    "Key": "keys",
    "Verdict": "grading",
    "Problem": "files",
    "bundled_bank_paths": "files",
    "load_bank": "loader",
    "load_banks": "loader",
    "read_banks": "loader",
    "Bank": "model",
    "Item": "model",
    "Question": "model",
    "grade": "model",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{home}"), name)


__all__ = [
    "Bank",
    "CheckReport",
    "Item",
    "Key",
    "Problem",
    "Question",
    "Verdict",
    "bundled_bank_paths",
    "check_banks",
    "grade",
    "load_bank",
    "load_banks",
    "read_banks",
]
