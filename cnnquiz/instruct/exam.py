"""A paper exam with a variant per student: who sits it, what each paper asks, in what order.

Every student answers the same questions; each gets them in an order of their own (a multi-part
item stays whole, its parts in part order) and, for a computed question, numbers of their own:
the distinct variants a question has are dealt out over the class
(:func:`cnnquiz.instruct.source.spread_seeds`), each proven. A question is numbered as it
stands on that student's paper, ``1``, ``2``..., and the parts of a multi-part item ``3a``,
``3b``... What each student got (question id and seed, per number) is what the manifest keeps,
so the same papers can be drawn again to grade them. Face-free: the writers sit beside it.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cnnquiz.bank.model import Item, Question
from cnnquiz.errors import CnnquizError, SpecError
from cnnquiz.instruct.source import proven_item, spread_seeds
from cnnquiz.study.select import units
from cnnquiz.textsafe import printable
from cnnquiz.yamlio import file_size

MAX_STUDENTS = 999  # a class, not a population: each paper is typeset and proven
_PAPER_NUMBER = re.compile(r"(\d{1,6})([a-z]?)")


@dataclass(frozen=True)
class Student:
    number: str  # "01": printed on the paper, the ``student`` column of the answers
    name: str | None = None  # from a list of names, when one was given

    @property
    def title(self) -> str:
        return f"{self.number} {self.name}" if self.name else self.number


@dataclass(frozen=True)
class Slot:
    """One answer box on a paper: its number there and the item it asks."""

    label: str  # "3", or "3a" for the first part of item 3
    item: Item

    @property
    def id(self) -> str:
        return self.item.question.id


@dataclass(frozen=True)
class Paper:
    """One student's exam: the units in their order, each one slot or a multi-part item's parts."""

    student: Student
    units: tuple[tuple[Slot, ...], ...]

    @property
    def slots(self) -> tuple[Slot, ...]:
        return tuple(s for unit in self.units for s in unit)


@dataclass(frozen=True)
class BankFile:
    path: Path
    sha256: str
    title: str


@dataclass(frozen=True)
class Exam:
    title: str
    seed: int
    banks: tuple[BankFile, ...]
    papers: tuple[Paper, ...]
    selection: dict[str, object]  # the --topic, --difficulty, --count, --no-verify it was made with

    @property
    def question_count(self) -> int:
        return len(self.papers[0].units) if self.papers else 0

    @property
    def slot_count(self) -> int:
        return len(self.papers[0].slots) if self.papers else 0


def students_from(text: str) -> list[Student]:
    """The students ``--students`` names: a count (``30``: students 01 to 30) or a file with one
    name per line (blank lines and ``#`` comments skipped), numbered in the file's order."""
    if text.strip().isascii() and text.strip().isdigit():
        n = int(text)
        if not 1 <= n <= MAX_STUDENTS:
            raise CnnquizError(f"a class of 1 to {MAX_STUDENTS} students, got {n}", "--students")
        return [Student(f"{i:0{max(2, len(str(n)))}d}") for i in range(1, n + 1)]
    path = Path(text)
    if not path.is_file():
        raise CnnquizError(
            "not a number of students nor a file of names, one per line", f"--students {text}"
        )
    names: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    file_size(path, "a file of names, one per line")  # no device, pipe or 2 GB file
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise SpecError("not UTF-8 text (save the list as UTF-8)", str(path)) from None
    for line_no, line in enumerate(lines, 1):
        name = printable(line).strip()
        if not name or name.startswith("#"):
            continue
        if name.casefold() in seen:
            raise SpecError(
                f"{name!r} is already on line {seen[name.casefold()]}", f"{path}:{line_no}"
            )
        seen[name.casefold()] = line_no
        names.append((line_no, name))
    if not names:
        raise SpecError("no names in this file (one per line)", str(path))
    if len(names) > MAX_STUDENTS:
        raise SpecError(f"more than {MAX_STUDENTS} names", f"{path}:{names[MAX_STUDENTS][0]}")
    width = max(2, len(str(len(names))))
    return [Student(f"{i:0{width}d}", name) for i, (_, name) in enumerate(names, 1)]


def make_papers(
    questions: Sequence[Question], students: Sequence[Student], seed: int
) -> tuple[Paper, ...]:
    """Each student's paper: the same questions, in that student's seeded order, with that
    student's variant of each computed question."""
    chosen = units(questions)
    seeds = [spread_seeds(unit[0], len(students), seed) for unit in chosen]
    papers = []
    for i, student in enumerate(students):
        order = list(range(len(chosen)))
        random.Random(f"exam {seed} student {student.number}").shuffle(order)
        papers.append(
            Paper(
                student,
                tuple(
                    _slots(chosen[u], position, seeds[u][i]) for position, u in enumerate(order, 1)
                ),
            )
        )
    return tuple(papers)


def _slots(unit: Sequence[Question], position: int, seed: int) -> tuple[Slot, ...]:
    if len(unit) == 1 and unit[0].group is None:
        return (Slot(str(position), proven_item(unit[0], seed)),)
    return tuple(
        Slot(f"{position}{chr(ord('a') + k)}", proven_item(q, seed)) for k, q in enumerate(unit)
    )


def paper_number(text: str) -> tuple[int, str] | None:
    """``3`` or ``3b`` (``3B``, ``3 b``, ``3(b)``, ``3.b`` too) as (3, "b"); None if not one."""
    squashed = re.sub(r"[\s().]", "", text).casefold()
    m = _PAPER_NUMBER.fullmatch(squashed)
    return (int(m[1]), m[2]) if m else None


def stem_and_parts(unit: Sequence[Slot]) -> tuple[str, list[str]]:
    """A multi-part item's shared text and each part's own (a part's prompt is its item's
    prompt, a blank line, then the part's); one part alone keeps its whole prompt."""
    prompts = [s.item.prompt for s in unit]
    if len(prompts) < 2:
        return "", prompts
    stem = _common_prefix(prompts)
    while stem and not all(p == stem or p.startswith(stem + "\n\n") for p in prompts):
        cut = stem.rfind("\n\n")
        stem = stem[:cut] if cut > 0 else ""
    return stem, [p[len(stem) :].lstrip("\n") for p in prompts]


def _common_prefix(texts: Sequence[str]) -> str:
    first, last = min(texts), max(texts)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]
