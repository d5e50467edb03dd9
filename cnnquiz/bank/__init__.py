"""Question banks: the YAML format, answer parsing and grading, computed variants, ``check``.

Instructors write banks by hand; students answer them. Nothing here imports torch, rich or
textual at module level: only ``check_banks(verify=True)`` imports the torch bridge.
"""

from __future__ import annotations

from cnnquiz.bank.check import CheckReport, check_banks
from cnnquiz.bank.grading import Verdict
from cnnquiz.bank.keys import Key
from cnnquiz.bank.loader import (
    Problem,
    bundled_bank_paths,
    load_bank,
    load_banks,
    read_banks,
)
from cnnquiz.bank.model import Bank, Item, Question, grade

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
