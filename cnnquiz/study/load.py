"""Banks loaded for a student (``quiz``, the app): what is bad is left out, with one warning
line each, and the rest is asked. ``bank check`` reports the same problems as errors.

Each file comes from the parsed-bank cache (:mod:`cnnquiz.bank.cache`) when it is unchanged, so
a second start with thousands of questions costs little more than the first screen; duplicate
ids across files are found afresh every time, as ``bank check`` finds them.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from cnnquiz.bank import cache
from cnnquiz.bank.files import Problem, expand_paths, join_reads
from cnnquiz.bank.model import Bank, key_mismatch
from cnnquiz.errors import SpecError


def load_for_study(paths: Iterable[Path | str]) -> tuple[list[Bank], list[str]]:
    """The banks a student is asked from, and one warning line for each thing left out.

    A bank with an error is left out whole (its first error, file:line, is the warning) and the
    others go on. A question whose key the calculator recomputes to another figure is left out
    (file:line and both figures): ``bank check`` reports it as a wrong key, and a student must
    never be told that the wrong figure is correct. SpecError only when nothing is left to ask.
    """
    files, missing = expand_paths(paths)
    entries = cache.folder()
    with _kept_for_good():
        banks, problems = join_reads((cache.read_cached(f, entries) for f in files), missing)
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


@contextmanager
def _kept_for_good() -> Iterator[None]:
    """No garbage collection while the banks load, and what is alive then (the modules imported
    and the banks) out of the collector's way afterwards, for the first load of the process.

    The banks live as long as the app or the quiz, and every full collection that Textual's start
    triggers would otherwise walk each of their objects again (measured: 80 ms of CPU of a start
    with the bundled banks, 250 ms with 3,500 questions). Only the first load freezes, so a
    process that loads many times (the tests) keeps collecting what later loads leave behind.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
        if enabled:
            gc.enable()
