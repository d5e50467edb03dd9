"""``cnnquiz exam make|grade``: paper exams with a variant per student, and grading them back.

``make`` writes the papers (PDF, Markdown, HTML), the key, a sheet for the answers and the
manifest into one folder; ``grade`` reads that folder and the typed answers, grades them with
the quiz's grader and writes the scores beside the manifest. See docs/exams.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from cnnquiz.cli.common import Subcommands, console, print_json, print_table
from cnnquiz.cli.instruct_args import add_selection_args
from cnnquiz.errors import CnnquizError
from cnnquiz.net.units import fmt_count

if TYPE_CHECKING:
    from cnnquiz.instruct.exam import Exam
    from cnnquiz.instruct.exam_grade import Grades


def register(sub: Subcommands) -> None:
    parser = sub.add_parser(
        "exam",
        help="paper exams with a variant per student, made and graded",
        description="Paper exams: every student gets the same questions in an order of their "
        "own, with numbers of their own in computed questions; then grade the typed answers.",
    )
    actions = parser.add_subparsers(
        dest="exam_command", metavar="ACTION", parser_class=type(parser)
    )
    make = actions.add_parser(
        "make",
        help="write a paper per student, the key and the manifest",
        description="Write into a folder: exams.pdf (a paper per student, each from a new page), "
        "exams.md and exams.html to edit, key.pdf/.md/.html and key.csv (every student's keys "
        "and the worked solutions), answers.csv (a sheet to type the answers into) and exam.json "
        "(the manifest exam grade reads).",
    )
    add_selection_args(make)
    make.add_argument(
        "--students",
        required=True,
        metavar="N_OR_FILE",
        help="how many students (30: papers 01 to 30), or a file of names, one per line",
    )
    make.add_argument("-o", "--output", required=True, metavar="DIR", help="the folder to write")
    make.add_argument(
        "--title", default="CNN exam", help="printed on every paper (default: CNN exam)"
    )
    _add_format(make)
    remake = actions.add_parser(
        "remake",
        help="the same papers and key again, from an exam's manifest",
        description="Write the papers, the key and the manifest of an exam made before into "
        "another folder, drawn again from its manifest: the same questions, orders and numbers "
        "(the banks must be unchanged, as for grading).",
    )
    remake.add_argument("folder", metavar="EXAM_DIR", help="the folder exam make wrote")
    remake.add_argument("-o", "--output", required=True, metavar="DIR", help="the folder to write")
    _add_format(remake)
    grade = actions.add_parser(
        "grade",
        help="grade the typed answers of an exam's papers",
        description="Grade answers.csv (columns student, question, answer) against each "
        "student's own keys with the quiz's grader; write scores.csv, questions.csv, graded.csv "
        "and scores.json into the exam's folder; list every invalid answer to look at.",
    )
    grade.add_argument("folder", metavar="EXAM_DIR", help="the folder exam make wrote")
    grade.add_argument("answers", metavar="ANSWERS_CSV", help="student, question, answer")
    grade.add_argument("--json", action="store_true", help="print scores.json instead of tables")
    parser.set_defaults(run=lambda args: _no_action(parser))
    make.set_defaults(run=run_make)
    remake.set_defaults(run=run_remake)
    grade.set_defaults(run=run_grade)


def _add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        action="append",
        choices=("pdf", "md", "html"),
        default=None,
        help="only these formats of papers and key (repeatable; default: all three)",
    )
    parser.add_argument("--force", action="store_true", help="replace an exam made in DIR before")


def _no_action(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def run_make(args: argparse.Namespace) -> int:
    from cnnquiz.bank import bundled_bank_paths
    from cnnquiz.instruct.exam import students_from
    from cnnquiz.instruct.exam_files import FORMATS, make_exam, write_exam
    from cnnquiz.instruct.source import choose, load_proven, speak_their_language

    students = students_from(args.students)
    banks = load_proven(args.banks or bundled_bank_paths(), verify=not args.no_verify)
    speak_their_language(b.language for b in banks)
    questions = choose(banks, args.topic, args.difficulty, args.count, args.seed)
    selection = {
        "topics": args.topic,
        "difficulty": args.difficulty,
        "count": args.count,
        "verified_by_torch": not args.no_verify,
    }
    exam = make_exam(banks, questions, students, args.seed, args.title, selection)
    folder = Path(args.output)
    written = write_exam(exam, folder, args.format or FORMATS, args.force)
    boxes = exam.slot_count
    parts = (
        f" ({fmt_count(boxes, 'answer box', 'answer boxes')})"
        if boxes != exam.question_count
        else ""
    )
    print(
        f"exam: {fmt_count(exam.question_count, 'question')}{parts} from "
        f"{fmt_count(len(exam.banks), 'bank')}, {fmt_count(len(exam.papers), 'student')}, "
        f"seed {exam.seed}"
    )
    variants = _variant_counts(exam)
    if variants:
        print(f"computed questions: {variants}")
    print(f"wrote {', '.join(p.name for p in written)} in {folder}")
    print(f"grade with: cnnquiz exam grade {folder} {folder / 'answers.csv'}")
    return 0


def _variant_counts(exam: Exam) -> str:
    """How many computed questions, and how many distinct variants the class got of each."""
    seen: dict[str, set[str]] = {}
    for paper in exam.papers:
        for slot in paper.slots:
            if slot.item.question.is_computed:
                key = slot.item.question.group or slot.id
                seen.setdefault(key, set()).add(repr(sorted(slot.item.values.items())))
    if not seen:
        return ""
    counts = sorted(len(v) for v in seen.values())
    spread = f"{counts[0]}" if counts[0] == counts[-1] else f"{counts[0]} to {counts[-1]}"
    return f"{len(counts)}, each with {spread} distinct variants over the class"


def run_remake(args: argparse.Namespace) -> int:
    from cnnquiz.instruct.exam_files import FORMATS, write_exam
    from cnnquiz.instruct.exam_manifest import read_exam

    exam = read_exam(Path(args.folder))
    _speak_the_exams_language(exam)
    folder = Path(args.output)
    if folder.resolve() == Path(args.folder).resolve():
        raise CnnquizError("write the papers again into another folder", "-o")
    written = write_exam(exam, folder, args.format or FORMATS, args.force)
    print(f"exam: the papers of {fmt_count(len(exam.papers), 'student')} again, seed {exam.seed}")
    print(f"wrote {', '.join(p.name for p in written)} in {folder}")
    return 0


def run_grade(args: argparse.Namespace) -> int:
    from cnnquiz.instruct.exam_grade import grade_exam
    from cnnquiz.instruct.exam_manifest import read_exam
    from cnnquiz.instruct.exam_scores import to_json, write_scores

    folder = Path(args.folder)
    exam = read_exam(folder)
    _speak_the_exams_language(exam)
    grades = grade_exam(exam, Path(args.answers))
    written = write_scores(grades, folder)
    if args.json:
        print_json(to_json(grades))
        return 0
    _print_grades(grades)
    print(f"wrote {', '.join(p.name for p in written)} in {folder}")
    return 0


def _speak_the_exams_language(exam: Exam) -> None:
    from cnnquiz.instruct.source import speak_their_language

    speak_their_language(s.item.question.language for p in exam.papers for s in p.slots)


def _print_grades(grades: Grades) -> None:
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    from cnnquiz.instruct.exam_scores import percent
    from cnnquiz.textsafe import printable

    out = console()
    students = Table(box=None, pad_edge=False, title="Per student", title_justify="left")
    for name in ("student", "points", "correct", "wrong", "invalid", "blank", "%"):
        students.add_column(name, justify="left" if name == "student" else "right")
    for student, t in grades.by_student():
        c = t.counts
        students.add_row(
            printable(student.title),
            f"{t.points}/{t.out_of}",
            str(c["correct"]),
            str(c["wrong"]),
            str(c["invalid"]),
            str(c["blank"]),
            f"{percent(t):.0f}",
        )
    print_table(out, students, wrap=("student",))  # a long name wraps, the figures stay
    out.print()
    questions = Table(box=None, pad_edge=False, title="Per question", title_justify="left")
    for name in ("question", "correct", "wrong", "invalid", "blank", "% correct"):
        questions.add_column(name, justify="left" if name == "question" else "right")
    for t in grades.by_question():
        c = t.counts
        questions.add_row(
            printable(t.name),
            str(c["correct"]),
            str(c["wrong"]),
            str(c["invalid"]),
            str(c["blank"]),
            f"{percent(t):.0f}",
        )
    print_table(out, questions)
    out.print()
    review = grades.to_review
    print(f"to review: {fmt_count(len(review), 'invalid answer')} (neither right nor wrong)")
    for g in review:  # wrapped between words, indented, on a terminal; one line when piped
        line = (
            f"{grades.answers_file}:{g.line}: student {g.student.number} question "
            f"{g.slot.label} ({g.slot.id}): {g.typed!r}: {g.message}"
        )
        out.print(Padding(Text(printable(line)), (0, 0, 0, 2)))
