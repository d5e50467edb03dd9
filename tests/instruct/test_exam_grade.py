"""exam grade: typed answers graded by the quiz's grader against each student's own key; bad
rows named by file:line; invalid answers listed, not scored 0."""

from __future__ import annotations

import csv
import json

import pytest

from cnnquiz.errors import CnnquizError
from cnnquiz.instruct.exam_files import write_exam
from cnnquiz.instruct.exam_grade import grade_exam
from cnnquiz.instruct.exam_manifest import read_exam
from cnnquiz.instruct.exam_scores import write_scores
from tests.instruct.exam_fixtures import made


@pytest.fixture
def exam(tmp_path):
    folder = tmp_path / "exam"
    write_exam(made(tmp_path, students="3"), folder, formats=("md",))
    return read_exam(folder)


def slot(exam, student: int, qid: str):
    return next(s for s in exam.papers[student].slots if s.id == qid)


def answers(tmp_path, rows, header="student,question,answer", sep=","):
    path = tmp_path / "answers.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        f.write(header + "\n")
        csv.writer(f, delimiter=sep).writerows(rows)
    return path


def test_answers_are_graded_as_the_quiz_grades_them(exam, tmp_path):
    ram = slot(exam, 0, "ex-ram")  # a size in MB: "0.4 MB", "400000 bytes", "0.4MB" all read
    params = slot(exam, 1, "ex-params")
    value = int(params.item.answer_text.replace(",", ""))
    shape = slot(exam, 2, "ex-block/shape")
    rows = [
        ["01", ram.label, ram.item.answer_text.replace(" ", "")],
        ["1", "ex-loss", "Binary cross-entropy"],  # a student as the spreadsheet keeps it, by id
        ["02", params.label, f"{value:,}".replace(",", " ")],  # "1 216": separators
        ["02", "ex-marks", "2"],
        ["03", shape.label, shape.item.answer_text.replace("x", "×")],
        ["03", "ex-ram", "12 MBB"],  # not a size: invalid
    ]
    grades = grade_exam(exam, answers(tmp_path, rows))
    status = {(g.student.number, g.slot.id): g.status for g in grades.answers}
    assert status[("01", "ex-ram")] == "correct"
    assert status[("01", "ex-loss")] == "correct"
    assert status[("02", "ex-params")] == "correct"
    assert status[("02", "ex-marks")] == "wrong"
    assert status[("03", "ex-block/shape")] == "correct"
    assert status[("03", "ex-ram")] == "invalid"
    assert list(status.values()).count("blank") == 18 - 6
    [review] = grades.to_review
    assert (review.student.number, review.slot.id, review.typed, review.line) == (
        "03",
        "ex-ram",
        "12 MBB",
        7,
    )
    tallies = {s.number: t for s, t in grades.by_student()}
    assert (tallies["01"].points, tallies["01"].out_of) == (2, 6)
    assert tallies["03"].counts == {"correct": 1, "wrong": 0, "invalid": 1, "blank": 4}
    by_question = {t.name: t.counts for t in grades.by_question()}
    assert by_question["ex-ram"] == {"correct": 1, "wrong": 0, "invalid": 1, "blank": 1}


def test_a_key_is_that_students_own(exam, tmp_path):
    """Student 02's right answer typed for student 01 is wrong when their variants differ."""
    mine, theirs = slot(exam, 0, "ex-params"), slot(exam, 1, "ex-params")
    assert mine.item.answer_text != theirs.item.answer_text
    grades = grade_exam(exam, answers(tmp_path, [["01", mine.label, theirs.item.answer_text]]))
    assert grades.answers[[g.slot for g in grades.answers].index(mine)].status == "wrong"


def test_parts_by_number_and_letter_and_semicolon_sheets(exam, tmp_path):
    """A spreadsheet in a comma-decimal language writes semicolons; columns in any order."""
    part = slot(exam, 0, "ex-block/params")
    path = tmp_path / "answers.csv"
    path.write_text(
        f'Answer;Student;Question\n"{part.item.answer_text}";01;{part.label[:-1]} (A)\n', "utf-8"
    )
    [graded] = [g for g in grade_exam(exam, path).answers if g.line]
    assert (graded.slot.id, graded.status, graded.line) == ("ex-block/params", "correct", 2)


@pytest.mark.parametrize(
    ("rows", "header", "message"),
    [
        ([], "student,answer", r"answers.csv:1: no column 'question'; the first line names"),
        (
            [["31", "1", "2"]],
            None,
            r"answers.csv:2: unknown student '31' \(this exam has 01 to 03\)",
        ),
        (
            [["01", "9", "2"]],
            None,
            r"answers.csv:2: student 01 has no question '9' \(the paper has 1 to 5",
        ),
        ([["01", "nope", "2"]], None, r"answers.csv:2: student 01 has no question 'nope'"),
        (
            [["01", "ex-loss", "2"], ["01", "ex-marks", "a"], ["1", "ex-loss", "3"]],
            None,
            r"answers.csv:4: student 01 question \d is answered on line 2 already",
        ),
        ([["01", "1"]], None, r"answers.csv:2: 2 fields where the header has 3"),
    ],
)
def test_bad_rows_are_one_line_naming_file_and_line(exam, tmp_path, rows, header, message):
    path = answers(tmp_path, rows, header or "student,question,answer")
    with pytest.raises(CnnquizError, match=message):
        grade_exam(exam, path)


def test_a_multi_part_item_by_its_number_alone_asks_which_part(exam, tmp_path):
    n = slot(exam, 0, "ex-block/params").label[:-1]
    with pytest.raises(CnnquizError, match=f"answers.csv:2: question {n} has parts {n}a to {n}b"):
        grade_exam(exam, answers(tmp_path, [["01", n, "1"]]))


def test_scores_files(exam, tmp_path):
    ram = slot(exam, 0, "ex-ram")
    grades = grade_exam(exam, answers(tmp_path, [["01", ram.label, "zz"], ["02", "ex-loss", "b"]]))
    folder = tmp_path / "exam"
    names = [p.name for p in write_scores(grades, folder)]
    assert names == ["scores.csv", "questions.csv", "graded.csv", "scores.json"]
    scores = list(csv.DictReader((folder / "scores.csv").open(encoding="utf-8")))
    assert [r["student"] for r in scores] == ["01", "02", "03"]
    assert scores[0]["invalid"] == "1" and scores[0]["out_of"] == "6"
    data = json.loads((folder / "scores.json").read_text("utf-8"))
    assert [(r["student"], r["id"], r["answer"], r["line"]) for r in data["to_review"]] == [
        ("01", "ex-ram", "zz", 2)
    ]
    graded = list(csv.DictReader((folder / "graded.csv").open(encoding="utf-8")))
    assert len(graded) == 18
    assert {r["status"] for r in graded} <= {"correct", "wrong", "invalid", "blank"}
