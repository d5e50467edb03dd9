"""The scores of a graded exam as files: what ``exam grade`` writes beside the manifest.

============================  ============================================================
``scores.csv``                 one row per student: points, out of, correct, wrong,
                               invalid (to review), blank, percent
``questions.csv``              one row per question id: how many answered it correct, wrong,
                               invalid, blank, and the percent correct
``graded.csv``                 one row per answer box: student, question, id, what was typed,
                               the key, the verdict, the grader's message, the line
``scores.json``                all of it (what ``--json`` prints)
============================  ============================================================
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from cnnquiz.instruct.exam_grade import STATUSES, Graded, Grades, Tally

FILES = ("scores.csv", "questions.csv", "graded.csv", "scores.json")


def percent(tally: Tally) -> float:
    return round(100 * tally.points / tally.out_of, 1) if tally.out_of else 0.0


def to_json(grades: Grades) -> dict[str, Any]:
    return {
        "exam": grades.exam.title,
        "answers_file": str(grades.answers_file),
        "students": [
            {
                "student": s.number,
                "name": s.name,
                "points": t.points,
                "out_of": t.out_of,
                **t.counts,
                "percent": percent(t),
            }
            for s, t in grades.by_student()
        ],
        "questions": [
            {"id": t.name, **t.counts, "percent_correct": percent(t)} for t in grades.by_question()
        ],
        "answers": [_answer(g) for g in grades.answers],
        "to_review": [_answer(g) for g in grades.to_review],
    }


def _answer(g: Graded) -> dict[str, Any]:
    return {
        "student": g.student.number,
        "name": g.student.name,
        "question": g.slot.label,
        "id": g.slot.id,
        "answer": g.typed,
        "key": g.slot.item.answer_text,
        "status": g.status,
        "message": g.message,
        "line": g.line,
    }


def write_scores(grades: Grades, folder: Path) -> list[Path]:
    data = to_json(grades)
    student_cols = ["student", "name", "points", "out_of", *STATUSES, "percent"]
    question_cols = ["id", *STATUSES, "percent_correct"]
    answer_cols = [
        "student",
        "name",
        "question",
        "id",
        "answer",
        "key",
        "status",
        "message",
        "line",
    ]
    paths = [
        _csv(folder / "scores.csv", student_cols, data["students"]),
        _csv(folder / "questions.csv", question_cols, data["questions"]),
        _csv(folder / "graded.csv", answer_cols, data["answers"]),
    ]
    json_path = folder / "scores.json"
    json_path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return [*paths, json_path]


def _csv(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(columns)
        out.writerows([("" if r[c] is None else r[c]) for c in columns] for r in rows)
    return path
