"""Where banks are: the bundled ones, and the files a command line names; problems as lines.

A :class:`Problem` is one line of ``bank check``'s report: ``file:line: severity: message``.
"""

from __future__ import annotations

import stat
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from cnnquiz.bank.model import Bank


class Problem(NamedTuple):
    path: str
    line: int | None
    severity: str  # "error" | "warning"
    message: str
    kind: str = "invalid"  # invalid (exit 2) | key | selftest | verify (exit 1) | style (warnings)

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.message}"


class FileRead(NamedTuple):
    """One bank file read alone: what the study cache keeps, and what :func:`join_reads` joins."""

    path: Path
    bank: Bank | None
    problems: list[Problem]
    ids: list[tuple[str, int | None]]  # every id written, valid question or not, with its line


def join_reads(
    reads: Iterable[FileRead], problems: list[Problem]
) -> tuple[list[Bank], list[Problem]]:
    """The banks of several files and every problem, an id already used in an earlier file
    included (files are read alone, so only here can two of them disagree)."""
    banks = []
    problems = list(problems)
    seen: dict[str, str] = {}
    for read in reads:
        problems.extend(read.problems)
        name = str(read.path)
        for qid, line in read.ids:
            if qid in seen:
                message = f"duplicate id {qid!r}; first used at {seen[qid]}"
                problems.append(Problem(name, line, "error", message))
            else:
                seen[qid] = f"{name}:{line}" if line else name
        if read.bank is not None:
            banks.append(read.bank)
    return banks, problems


NOT_BANKS = frozenset({"goals.yaml"})
"""YAML files that sit beside banks but are not banks (``questions/nl/goals.yaml`` maps the
exam's learning goals to question ids): a folder's banks leave them out."""


def bundled_bank_paths(language: str = "en") -> list[Path]:
    """The banks shipped with cnnquiz in ``language``: inside the installed package, else the
    repository's. English banks are ``questions/*.yaml``, another language's are
    ``questions/<language>/*.yaml`` (so the English ones never include a translation)."""
    import cnnquiz

    if not language.isalpha():  # a language code, never a path
        return []
    package = Path(cnnquiz.__file__).resolve().parent
    for root in (package / "questions", package.parent / "questions"):
        folder = root if language == "en" else root / language
        files = _yaml_files(folder) if folder.is_dir() else []
        if files:
            return files
    return []


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix in (".yaml", ".yml") and p.name not in NOT_BANKS and p.is_file()
    )


def expand_paths(paths: Iterable[Path | str]) -> tuple[list[Path], list[Problem]]:
    """Files as given, folders as the YAML files in them, each once; missing paths are problems.

    Whatever is not a folder is handed to the loader, whose one reading function
    (:func:`cnnquiz.yamlio.read_text`) refuses devices, pipes and files past the size limit.
    """
    files, problems = [], []
    for raw in paths:
        p = Path(raw)
        try:
            info = p.stat()
        except FileNotFoundError:
            problems.append(Problem(str(p), None, "error", "no such file or folder"))
            continue
        except (OSError, ValueError) as exc:  # a name too long, a NUL byte, no permission
            reason = getattr(exc, "strerror", None) or str(exc)
            problems.append(Problem(str(p), None, "error", f"cannot read: {reason}"))
            continue
        if stat.S_ISDIR(info.st_mode):
            try:
                found = _yaml_files(p)
            except OSError as exc:
                problems.append(Problem(str(p), None, "error", f"cannot read: {exc.strerror or exc}"))
                continue
            if not found:
                problems.append(Problem(str(p), None, "error", "no .yaml banks in this folder"))
            files.extend(found)
        elif p.name not in NOT_BANKS:  # a glob like questions/nl/*.yaml names goals.yaml too
            files.append(p)
    unique: dict[Path, Path] = {}
    for f in files:  # a file named twice (a.yaml and its folder) is read once
        unique.setdefault(f.resolve(), f)
    return list(unique.values()), problems
