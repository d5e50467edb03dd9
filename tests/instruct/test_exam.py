"""exam make's papers: same questions, an order and variants per student, parts kept together;
the manifest that draws them again, and refuses a changed bank."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from cnnquiz.bank.model import grade
from cnnquiz.errors import CnnquizError
from cnnquiz.instruct.exam import paper_number, stem_and_parts, students_from
from cnnquiz.instruct.exam_files import write_exam
from cnnquiz.instruct.exam_manifest import read_exam
from cnnquiz.instruct.source import spread_seeds
from tests.instruct.exam_fixtures import made


def test_a_count_numbers_the_students_from_01():
    assert [s.number for s in students_from("3")] == ["01", "02", "03"]
    assert students_from("120")[0].number == "001"
    with pytest.raises(CnnquizError, match="--students: a class of 1 to 999 students, got 0"):
        students_from("0")


def test_a_file_of_names_numbers_them_in_its_order(tmp_path):
    names = tmp_path / "class.txt"
    names.write_text("# group A\nAda Lovelace\n\nAlan Turing\n", encoding="utf-8")
    assert [(s.number, s.name, s.title) for s in students_from(str(names))] == [
        ("01", "Ada Lovelace", "01 Ada Lovelace"),
        ("02", "Alan Turing", "02 Alan Turing"),
    ]
    names.write_text("Ada\nBob\nada\n", encoding="utf-8")
    with pytest.raises(CnnquizError, match=r"class.txt:3: 'ada' is already on line 1"):
        students_from(str(names))
    with pytest.raises(
        CnnquizError, match=r"--students \S+/nope: not a number of students nor a file"
    ):
        students_from(str(tmp_path / "nope"))


def test_every_student_has_the_same_questions_in_an_order_of_their_own(tmp_path):
    exam = made(tmp_path, students="12")
    ids = sorted(s.id for s in exam.papers[0].slots)
    assert ids == [
        "ex-block/params",
        "ex-block/shape",
        "ex-loss",
        "ex-marks",
        "ex-params",
        "ex-ram",
    ]
    for paper in exam.papers:
        assert sorted(s.id for s in paper.slots) == ids
        # numbered 1..5 as on the paper; the two parts of ex-block as Na, Nb, in part order
        assert [u[0].label.rstrip("ab") for u in paper.units] == ["1", "2", "3", "4", "5"]
        block = next(u for u in paper.units if len(u) == 2)
        n = block[0].label[:-1]
        assert [(s.label, s.id) for s in block] == [
            (f"{n}a", "ex-block/params"),
            (f"{n}b", "ex-block/shape"),
        ]
    orders = {tuple(s.id for s in p.slots) for p in exam.papers}
    assert len(orders) > 6  # 5 units have 120 orders; 12 students rarely share one


def test_computed_questions_get_each_student_a_proven_variant_spread_over_the_class(tmp_path):
    exam = made(tmp_path, students="12")
    by_id: dict[str, list] = {}
    for paper in exam.papers:
        for slot in paper.slots:
            assert grade(slot.item, slot.item.answer_text).status == "correct"
            by_id.setdefault(slot.id, []).append(slot.item)
    # ex-params has 4*2*2*2 = 32 variants and 16 answers (h changes none): 12 students, 12 keys
    assert len({i.answer_text for i in by_id["ex-params"]}) == 12
    # ex-ram has 2*3 = 6: each dealt out twice
    ram = Counter(repr(sorted(i.values.items())) for i in by_id["ex-ram"])
    assert sorted(ram.values()) == [2] * 6
    # the parts of one item share one variant
    for params, shape in zip(by_id["ex-block/params"], by_id["ex-block/shape"], strict=True):
        assert params.values == shape.values
        assert params.seed == shape.seed


def test_the_same_seed_makes_the_same_exam_another_makes_another(tmp_path):
    def keys(exam):
        return [(s.label, s.id, s.item.answer_text) for p in exam.papers for s in p.slots]

    assert keys(made(tmp_path, seed=5)) == keys(made(tmp_path, seed=5))
    assert keys(made(tmp_path, seed=5)) != keys(made(tmp_path, seed=6))


def test_spread_seeds_repeats_a_variant_only_when_the_question_runs_out(tmp_path):
    exam = made(tmp_path)
    ram = next(s.item.question for s in exam.papers[0].slots if s.id == "ex-ram")
    seeds = spread_seeds(ram, 6, seed=1)
    assert len({repr(sorted(ram.variant(s).values.items())) for s in seeds}) == 6
    assert spread_seeds(ram, 6, seed=1) == seeds


def test_a_multi_part_item_prints_its_shared_text_once(tmp_path):
    exam = made(tmp_path)
    block = next(u for u in exam.papers[0].units if len(u) == 2)
    stem, parts = stem_and_parts(block)
    assert stem.startswith("A block on a ") and "MaxPool2D(2)" in stem
    assert parts == [
        "How many parameters does the block have?",
        "What is the block's output shape?",
    ]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("3", (3, "")),
        ("3a", (3, "a")),
        (" 3 B ", (3, "b")),
        ("3(b)", (3, "b")),
        ("12.c", (12, "c")),
    ],
)
def test_paper_numbers_read_as_people_write_them(text, number):
    assert paper_number(text) == number


@pytest.mark.parametrize("text", ["ex-loss", "3ab", "a3", "", "9" * 40])
def test_other_texts_are_not_paper_numbers(text):
    assert paper_number(text) is None


def test_the_manifest_draws_the_same_papers_again(tmp_path):
    exam = made(tmp_path)
    folder = tmp_path / "exam"
    write_exam(exam, folder, formats=("md",))
    data = json.loads((folder / "exam.json").read_text("utf-8"))
    assert data["seed"] == 5
    assert data["banks"][0]["path"] == str((tmp_path / "bank.yaml").resolve())
    assert len(data["banks"][0]["sha256"]) == 64
    first = data["students"][0]
    assert first["number"] == "01"
    assert {"number", "id", "seed", "key"} <= set(first["questions"][0])
    again = read_exam(folder)
    assert [
        [(s.label, s.id, s.item.seed, s.item.answer_text, s.item.prompt) for s in p.slots]
        for p in again.papers
    ] == [
        [(s.label, s.id, s.item.seed, s.item.answer_text, s.item.prompt) for s in p.slots]
        for p in exam.papers
    ]
    assert [len(u) for u in again.papers[0].units] == [len(u) for u in exam.papers[0].units]


def test_a_changed_or_missing_bank_is_refused_naming_the_file(tmp_path):
    folder = tmp_path / "exam"
    write_exam(made(tmp_path), folder, formats=("md",))
    bank = tmp_path / "bank.yaml"
    bank.write_text(bank.read_text("utf-8") + "# one more line\n", encoding="utf-8")
    with pytest.raises(CnnquizError, match=f"{bank.resolve()}: this bank changed since the exam"):
        read_exam(folder)
    bank.unlink()
    with pytest.raises(CnnquizError, match=f"{bank.resolve()}: this bank of the exam is gone"):
        read_exam(folder)


def test_a_folder_with_an_exam_is_not_overwritten_without_force(tmp_path):
    exam = made(tmp_path)
    folder = tmp_path / "exam"
    write_exam(exam, folder, formats=("md",))
    with pytest.raises(CnnquizError, match="exam.json exists: an exam was made here already"):
        write_exam(exam, folder, formats=("md",))
    assert (folder / "exam.json") in write_exam(exam, folder, formats=("md",), force=True)


def test_markdown_and_html_papers_and_key(tmp_path):
    exam = made(tmp_path, students="2")
    folder = tmp_path / "exam"
    written = write_exam(exam, folder, formats=("md", "html"))
    assert [p.name for p in written] == [
        "exams.md",
        "key.md",
        "exams.html",
        "key.html",
        "key.csv",
        "answers.csv",
        "exam.json",
    ]
    md = (folder / "exams.md").read_text("utf-8")
    assert md.count("# Test exam") == 2 and md.count("page-break-after") == 1
    html = (folder / "exams.html").read_text("utf-8")
    assert html.count('<section class="paper">') == 2
    # a bank's text is escaped, never markup: the code block's '<' and the prompt's '<'
    assert "&lt;" in html and "<y" not in html
    for paper in exam.papers:
        for slot in paper.slots:
            assert f"**Answer {slot.label}:**" in md
            assert f"Answer {slot.label}" in html
    key = (folder / "key.md").read_text("utf-8")
    for paper in exam.papers:
        assert f"## Exam {paper.student.number}" in key
        for slot in paper.slots:
            assert f"| {slot.label} | `{slot.id}` |" in key
    rows = (folder / "answers.csv").read_text("utf-8").splitlines()
    assert rows[0] == "student,question,answer"
    assert len(rows) == 1 + 2 * 6
