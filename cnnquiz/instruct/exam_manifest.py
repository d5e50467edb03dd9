"""``exam.json``: what it takes to draw the same papers again, months later, to grade them.

It keeps the seed and the selection the exam was made with, each bank file with the sha256 of
its bytes, and for every student, per number on their paper, the question id, the seed of the
variant they got and the key printed in their answer key. Reading it back redraws each item
from the banks; a bank whose bytes changed is refused (one line naming the file), since a
changed bank could draw other numbers than the ones printed, and a key that comes out other
than the one recorded is refused too (a cnnquiz that computes differently).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cnnquiz import __version__
from cnnquiz.bank.model import Bank, Question
from cnnquiz.errors import SpecError
from cnnquiz.instruct.exam import BankFile, Exam, Paper, Slot, Student

MANIFEST = "exam.json"
FORMAT = 1  # the manifest's layout; a later cnnquiz reads this one or says it cannot


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def bank_files(banks: Sequence[Bank]) -> tuple[BankFile, ...]:
    return tuple(BankFile(b.path.resolve(), sha256_of(b.path), b.title) for b in banks)


def to_json(exam: Exam) -> dict[str, Any]:
    return {
        "cnnquiz_exam": FORMAT,
        "made_with": f"cnnquiz {__version__}",
        "title": exam.title,
        "seed": exam.seed,
        "selection": exam.selection,
        "banks": [{"path": str(b.path), "sha256": b.sha256, "title": b.title} for b in exam.banks],
        "students": [_paper_json(p) for p in exam.papers],
    }


def _paper_json(paper: Paper) -> dict[str, Any]:
    return {
        "number": paper.student.number,
        "name": paper.student.name,
        "questions": [
            {"number": s.label, "id": s.id, "seed": s.item.seed, "key": s.item.answer_text}
            for s in paper.slots
        ],
    }


def write_manifest(exam: Exam, folder: Path) -> Path:
    path = folder / MANIFEST
    path.write_text(json.dumps(to_json(exam), indent=2, ensure_ascii=False) + "\n", "utf-8")
    return path


def read_exam(folder: Path) -> Exam:
    """The exam made in ``folder``, its papers drawn again from the unchanged banks."""
    path = folder / MANIFEST if folder.is_dir() else folder
    if not path.is_file():
        raise SpecError(f"no {MANIFEST} here: not a folder made by cnnquiz exam make", str(folder))
    try:
        data = json.loads(path.read_text("utf-8"))
        if data.get("cnnquiz_exam") != FORMAT:
            raise SpecError(f"not an exam manifest of format {FORMAT}", str(path))
        banks = tuple(
            BankFile(Path(b["path"]), str(b["sha256"]), str(b["title"])) for b in data["banks"]
        )
        questions = _unchanged_questions(banks)
        papers = tuple(_paper(p, questions, path) for p in data["students"])
        return Exam(str(data["title"]), int(data["seed"]), banks, papers, dict(data["selection"]))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SpecError(f"damaged manifest ({type(exc).__name__}: {exc})", str(path)) from None


def _unchanged_questions(banks: Sequence[BankFile]) -> dict[str, Question]:
    from cnnquiz.bank.loader import load_banks

    for b in banks:
        if not b.path.is_file():
            raise SpecError("this bank of the exam is gone; put it back to grade", _shown(b.path))
        if sha256_of(b.path) != b.sha256:
            raise SpecError(
                "this bank changed since the exam was made (its sha256 differs), so its "
                "questions may draw other numbers than the papers show; grade with the file as "
                "it was",
                _shown(b.path),
            )
    return {q.id: q for bank in load_banks([b.path for b in banks]) for q in bank.questions}


def _shown(path: Path) -> str:
    """The bank's path as the instructor would type it: from here when it is below here."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _paper(data: dict[str, Any], questions: dict[str, Question], path: Path) -> Paper:
    student = Student(str(data["number"]), data.get("name"))
    units: list[list[Slot]] = []
    last = ""
    for entry in data["questions"]:
        question = questions.get(entry["id"])
        if question is None:
            raise SpecError(f"question {entry['id']!r} is in no bank of the exam", str(path))
        item = question.draw(int(entry["seed"]))
        if item.answer_text != entry["key"]:
            raise SpecError(
                f"student {student.number} question {entry['number']}: the bank now draws the "
                f"key {item.answer_text!r} where the exam printed {entry['key']!r} (made with "
                "another cnnquiz?)",
                str(path),
            )
        label = str(entry["number"])
        number = label.rstrip("abcdefghijklmnopqrstuvwxyz")
        if number != last:
            units.append([])
            last = number
        units[-1].append(Slot(label, item))
    return Paper(student, tuple(tuple(u) for u in units))
