"""The folder ``exam make`` writes: the papers, the key, the manifest, a sheet to type answers in.

=====================  ==================================================================
``exams.pdf``           every student's paper, each from a new page (typst)
``exams.md/.html``      the same papers, to edit before printing
``key.pdf/.md/.html``   per student: number, question id, that student's key, the solution
``key.csv``             the keys as a table: student, name, question, id, key
``answers.csv``         student, question, answer: one row per answer box, answers empty,
                        to type the papers' answers into for ``exam grade``
``exam.json``           the manifest: seed, banks and their sha256, each student's variants
=====================  ==================================================================
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from cnnquiz.bank.model import Bank, Question
from cnnquiz.errors import CnnquizError
from cnnquiz.instruct.exam import Exam, Student, make_papers
from cnnquiz.instruct.exam_manifest import MANIFEST, bank_files, write_manifest
from cnnquiz.instruct.exam_scores import FILES as SCORE_FILES
from cnnquiz.textsafe import printable

FORMATS = ("pdf", "md", "html")
# what an instructor types or grading writes: never replaced without --force
_KEPT = ("answers.csv", *SCORE_FILES)


def make_exam(
    banks: Sequence[Bank],
    questions: Sequence[Question],
    students: Sequence[Student],
    seed: int,
    title: str,
    selection: dict[str, object],
) -> Exam:
    """The exam: the banks' hashes, and a paper per student."""
    used = {q.path for q in questions}
    files = bank_files([b for b in banks if b.path in used])
    papers = make_papers(questions, students, seed)
    return Exam(printable(title), seed, files, papers, selection)


def write_exam(
    exam: Exam, folder: Path, formats: Sequence[str] = FORMATS, force: bool = False
) -> list[Path]:
    """Every file of the exam in ``folder`` (made if need be); the paths written, in order.

    A folder that already holds an exam's manifest is refused unless ``force``: its papers
    may be printed already, and only their manifest can grade them; so is one holding an
    ``answers.csv`` or scores (typed answers are never replaced without ``force``)."""
    if folder.exists() and not folder.is_dir():
        raise CnnquizError("not a folder", str(folder))
    if (folder / MANIFEST).exists() and not force:
        raise CnnquizError(
            f"{folder / MANIFEST} exists: an exam was made here already (its papers may be "
            "printed); choose another folder, or --force to replace it",
            "-o",
        )
    kept = [name for name in _KEPT if (folder / name).exists()]
    if kept and not force:
        raise CnnquizError(
            f"{folder / kept[0]} exists: typed answers or scores of an exam may be in it; "
            "choose another folder, or --force to replace it",
            "-o",
        )
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        written += _write_format(exam, folder, fmt)
    written.append(_write_key_csv(exam, folder / "key.csv"))
    written.append(_write_answer_sheet(exam, folder / "answers.csv"))
    written.append(write_manifest(exam, folder))
    return written


def _write_format(exam: Exam, folder: Path, fmt: str) -> list[Path]:
    from cnnquiz.instruct import exam_text, exam_typst

    if fmt == "pdf":
        pairs = [
            ("exams.pdf", exam_typst.compile_pdf(exam_typst.papers_typst(exam))),
            ("key.pdf", exam_typst.compile_pdf(exam_typst.key_typst(exam))),
        ]
        for name, data in pairs:
            (folder / name).write_bytes(data)
        return [folder / name for name, _ in pairs]
    if fmt == "md":
        texts = [
            ("exams.md", exam_text.papers_markdown(exam)),
            ("key.md", exam_text.key_markdown(exam)),
        ]
    else:
        texts = [
            ("exams.html", exam_text.papers_html(exam)),
            ("key.html", exam_text.key_html(exam)),
        ]
    for name, body in texts:
        (folder / name).write_text(body, encoding="utf-8")
    return [folder / name for name, _ in texts]


def _write_key_csv(exam: Exam, path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["student", "name", "question", "id", "key"])
        for paper in exam.papers:
            for s in paper.slots:
                row = [paper.student.number, paper.student.name or "", s.label, s.id]
                out.writerow([printable(c) for c in (*row, s.item.answer_text)])
    return path


def _write_answer_sheet(exam: Exam, path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["student", "question", "answer"])
        for paper in exam.papers:
            out.writerows([paper.student.number, s.label, ""] for s in paper.slots)
    return path
