"""Banks loaded for a student (``quiz``, the app): what is bad is left out, with one warning
line each, and the rest is asked. ``bank check`` reports the same problems as errors.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from cnnquiz.bank.files import Problem
from cnnquiz.bank.loader import read_banks
from cnnquiz.bank.model import Bank, key_mismatch
from cnnquiz.errors import SpecError


def load_for_study(paths: Iterable[Path | str]) -> tuple[list[Bank], list[str]]:
    """The banks a student is asked from, and one warning line for each thing left out.

    A bank with an error is left out whole (its first error, file:line, is the warning) and the
    others go on. A question whose key the calculator recomputes to another figure is left out
    (file:line and both figures): ``bank check`` reports it as a wrong key, and a student must
    never be told that the wrong figure is correct. SpecError only when nothing is left to ask.
    """
    banks, problems = read_banks(paths)
    first: dict[str, Problem] = {}
    for p in problems:
        if p.severity == "error":
            first.setdefault(p.path, p)
    warnings: list[str] = []
    kept: list[Bank] = []
    for p in first.values():
        where = f"{p.path}:{p.line}" if p.line else p.path
        warnings.append(f"{where}: {p.message} (left out; cnnquiz bank check lists every problem)")
    for bank in banks:
        if str(bank.path) in first:
            continue
        questions = []
        for q in bank.questions:
            wrong = key_mismatch(q)
            if wrong:
                warnings.append(f"{q.where}: {q.id} left out: {wrong}")
            else:
                questions.append(q)
        kept.append(replace(bank, questions=questions))
    if not any(b.questions for b in kept) and first:
        p = next(iter(first.values()))
        more = f" (and {len(first) - 1} more bad banks; none left to ask)" if len(first) > 1 else ""
        raise SpecError(f"{p.message}{more}", f"{p.path}:{p.line}" if p.line else p.path)
    if not any(b.questions for b in kept) and warnings:
        raise SpecError(f"no question left to ask; the first left out: {warnings[0]}")
    return kept, warnings
