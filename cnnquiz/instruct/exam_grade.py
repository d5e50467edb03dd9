"""Grading a paper exam: the answers as typed from the papers, graded as the quiz grades them.

The answers come as CSV with the columns ``student``, ``question`` and ``answer`` (any order,
any case, more columns ignored; commas, or semicolons or tabs as a spreadsheet in a comma-decimal
language writes them). ``student`` is the number on the paper (``01``, or ``1`` as a spreadsheet
keeps it) or the student's name from the list; ``question`` is the number on that student's
paper (``3``, or ``3a`` for a part; ``3 a``, ``3(a)`` too) or the question's id. Each answer is
graded by the quiz's grader against that student's own key, so ``2.8k``, ``2 800`` and ``3.6
MB`` read as in the quiz; an answer the grader cannot read (``12 MBB``) is *invalid*: neither
right nor wrong, it is listed for the instructor to look at. A box left empty, or not in the
file, is *blank* and scores nothing. Each answer box is one point.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from cnnquiz.bank.model import grade
from cnnquiz.errors import SpecError
from cnnquiz.instruct.exam import Exam, Paper, Slot, Student, paper_number
from cnnquiz.yamlio import file_size

COLUMNS = ("student", "question", "answer")
STATUSES = ("correct", "wrong", "invalid", "blank")


@dataclass(frozen=True)
class Graded:
    student: Student
    slot: Slot
    typed: str
    status: str  # correct | wrong | invalid | blank
    message: str  # the grader's: why invalid, what was expected, the mistake named
    line: int | None  # where it is in the answers file (None: not in it)


@dataclass(frozen=True)
class Tally:
    """Counts of each status, for a student or for a question."""

    name: str
    counts: dict[str, int]

    @property
    def points(self) -> int:
        return self.counts["correct"]

    @property
    def out_of(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Grades:
    exam: Exam
    answers_file: Path
    answers: tuple[Graded, ...]

    def by_student(self) -> list[tuple[Student, Tally]]:
        return [
            (
                p.student,
                _tally(p.student.number, [g for g in self.answers if g.student == p.student]),
            )
            for p in self.exam.papers
        ]

    def by_question(self) -> list[Tally]:
        ids = sorted({g.slot.id for g in self.answers})
        return [_tally(i, [g for g in self.answers if g.slot.id == i]) for i in ids]

    @property
    def to_review(self) -> list[Graded]:
        return [g for g in self.answers if g.status == "invalid"]


def _tally(name: str, graded: Sequence[Graded]) -> Tally:
    return Tally(name, {s: sum(g.status == s for g in graded) for s in STATUSES})


def grade_exam(exam: Exam, answers_file: Path) -> Grades:
    """Every answer box of every paper, graded from ``answers_file``."""
    typed = read_answers(exam, answers_file)
    graded = []
    for paper in exam.papers:
        for slot in paper.slots:
            text, line = typed.get((paper.student.number, slot.label), ("", None))
            graded.append(_graded(paper.student, slot, text, line))
    return Grades(exam, answers_file, tuple(graded))


def _graded(student: Student, slot: Slot, text: str, line: int | None) -> Graded:
    if not text.strip():
        return Graded(student, slot, text, "blank", f"expected {slot.item.answer_text}", line)
    verdict = grade(slot.item, text)
    message = verdict.message + (f" ({verdict.feedback})" if verdict.feedback else "")
    return Graded(student, slot, text, verdict.status, message, line)


def read_answers(exam: Exam, path: Path) -> dict[tuple[str, str], tuple[str, int]]:
    """What was typed, by (student number, number on the paper), with its line; bad rows are a
    SpecError naming ``path:line``."""
    rows = _rows(path)
    header, line = next(rows, ([], 1))
    where = [c.strip().casefold() for c in header]
    missing = [c for c in COLUMNS if c not in where]
    if missing:
        raise SpecError(
            f"no column {', '.join(repr(c) for c in missing)}; the first line names the columns "
            f"{', '.join(COLUMNS)}",
            f"{path}:{line}",
        )
    index = [where.index(c) for c in COLUMNS]
    finder = _Finder(exam)
    typed: dict[tuple[str, str], tuple[str, int]] = {}
    for fields, line in rows:
        if not any(f.strip() for f in fields):
            continue
        if len(fields) <= max(index):
            raise SpecError(
                f"{len(fields)} fields where the header has {len(header)}", f"{path}:{line}"
            )
        student, question, answer = (fields[i] for i in index)
        paper = finder.paper(student, f"{path}:{line}")
        slot = finder.slot(paper, question, f"{path}:{line}")
        key = (paper.student.number, slot.label)
        if key in typed:
            raise SpecError(
                f"student {key[0]} question {key[1]} is answered on line {typed[key][1]} already",
                f"{path}:{line}",
            )
        typed[key] = (answer, line)
    return typed


def _rows(path: Path) -> Iterator[tuple[list[str], int]]:
    file_size(path, "a CSV of answers (student, question, answer)")  # no device, pipe, 2 GB
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise SpecError("not UTF-8 text (save the sheet as CSV UTF-8)", str(path)) from None
    first = text.split("\n", 1)[0]
    delimiter = next((d for d in ",;\t" if d in first), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for fields in reader:
            yield fields, reader.line_num
    except csv.Error as exc:
        raise SpecError(f"not readable as CSV: {exc}", f"{path}:{reader.line_num}") from None


class _Finder:
    """A row's student and question, as the paper numbers them or by name and id."""

    def __init__(self, exam: Exam) -> None:
        self.papers = exam.papers
        self.by_number = {_number_key(p.student.number): p for p in exam.papers}
        self.by_name = {p.student.name.casefold(): p for p in exam.papers if p.student.name}

    def paper(self, student: str, where: str) -> Paper:
        found = self.by_number.get(_number_key(student)) or self.by_name.get(
            student.strip().casefold()
        )
        if found is None:
            first, last = self.papers[0].student.number, self.papers[-1].student.number
            raise SpecError(f"unknown student {student!r} (this exam has {first} to {last})", where)
        return found

    def slot(self, paper: Paper, question: str, where: str) -> Slot:
        slots = paper.slots
        number = paper_number(question)
        if number is None:
            found = next((s for s in slots if s.id == question.strip()), None)
        else:
            label = f"{number[0]}{number[1]}"
            found = next((s for s in slots if s.label == label), None)
            parts = [
                s.label for s in slots if s.label.rstrip("abcdefghijklmnopqrstuvwxyz") == label
            ]
            if found is None and len(parts) > 1:
                raise SpecError(
                    f"question {label} has parts {parts[0]} to {parts[-1]}: name one", where
                )
            found = found or (
                next((s for s in slots if s.label == parts[0]), None) if parts else None
            )
        if found is None:
            raise SpecError(
                f"student {paper.student.number} has no question {question!r} (the paper has "
                f"1 to {len(paper.units)}, or a question's id)",
                where,
            )
        return found


def _number_key(text: str) -> str:
    t = text.strip()
    return str(int(t)) if t.isdigit() and len(t) < 10 else t.casefold()
