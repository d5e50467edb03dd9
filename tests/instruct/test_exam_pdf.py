"""exam make's PDF, read back with pypdf: each student's paper from a new page, with that
student's numbers, and a key that gives that student's keys; typst markup in a bank printed as
text."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnquiz.instruct.exam_files import write_exam
from cnnquiz.instruct.exam_manifest import read_exam
from cnnquiz.instruct.exam_markup import markdown, text
from cnnquiz.instruct.exam_typst import compile_pdf
from tests.instruct.exam_fixtures import made

pypdf = pytest.importorskip("pypdf")


def squash(s: str) -> str:
    """Text as compared: no spaces or line breaks (the PDF wraps lines), no Markdown marks."""
    return re.sub(r"[\s*`]", "", s)


def pages_of(path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


def by_student(pages: list[str], label: str) -> dict[str, str]:
    """Each student's pages joined, found by the header every page has (``Exam 02 · page 1 of
    2``): a paper's pages follow one another, numbered from 1, as many as the header says."""
    out: dict[str, list[str]] = {}
    for page in pages:
        m = re.search(rf"{label} (\d+) · page (\d+) of (\d+)", page)
        assert m, page[:200]
        number, nth, of = m[1], int(m[2]), int(m[3])
        assert nth == len(out.setdefault(number, [])) + 1  # a new paper starts a new page
        out[number].append(page)
        assert nth <= of
    return {number: "".join(p) for number, p in out.items()}


@pytest.fixture(scope="module")
def pdf_exam(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pdf")
    folder = tmp / "exam"
    write_exam(made(tmp, students="4"), folder, formats=("pdf",))
    return folder, read_exam(folder)


def test_each_paper_has_its_students_numbers_and_answer_boxes(pdf_exam):
    folder, exam = pdf_exam
    pages = pages_of(folder / "exams.pdf")
    papers = by_student(pages, "Exam")
    assert sorted(papers) == ["01", "02", "03", "04"]
    for paper in exam.papers:
        mine = papers[paper.student.number]
        assert "Name:" in mine and "Student number:" in mine
        for slot in paper.slots:
            assert f"Answer {slot.label}" in mine
            if slot.item.question.is_computed:  # this student's own numbers
                first_line = slot.item.prompt.split("\n")[0]
                assert squash(first_line) in squash(mine), (paper.student.number, slot.id)
        others = [p for p in exam.papers if p is not paper]
        for slot in paper.slots:
            if slot.id == "ex-params":
                theirs = [next(s for s in o.slots if s.id == "ex-params") for o in others]
                assert all(squash(t.item.prompt) not in squash(mine) for t in theirs)


def test_the_key_gives_each_student_the_key_of_their_own_numbers(pdf_exam):
    folder, exam = pdf_exam
    keys = by_student(pages_of(folder / "key.pdf"), "Key of exam")
    for paper in exam.papers:
        mine = squash(keys[paper.student.number])
        for slot in paper.slots:
            assert squash(f"{slot.label}·{slot.id}:{slot.item.answer_text}") in mine


def test_typst_markup_in_a_bank_is_printed_as_written(pdf_exam):
    folder, exam = pdf_exam
    paper = pages_of(folder / "exams.pdf")
    joined = squash("".join(paper))
    assert squash("# $ * _ @ < > ` [ ] ~ = - + / \\ // 'a' \"b\" 1. and x[0] = #y:") in joined
    assert (
        squash("x = model(img)  # a comment with `backticks` and [brackets] and $dollars$")
        in joined
    )


def test_text_escapes_every_character_typst_reads(tmp_path):
    tricky = "#let x = 1 $a^2$ *b* _c_ @ref <lab> `r` [d] ~e = - + / // /* \\ 'f' \"g\" 3. --- ..."
    source = f"{text(tricky)}\n\n{markdown('1. not a list: `#code` and **bold** ' + tricky)}"
    (tmp_path / "t.pdf").write_bytes(compile_pdf(source))
    printed = pages_of(tmp_path / "t.pdf")[0]
    assert squash(tricky) in squash(printed)
    assert squash("not a list: #code and bold") in squash(printed)


def test_the_same_exam_makes_the_same_bytes(tmp_path):
    """Typst's own fonts and a fixed time stamp: a re-made exam is the file that was printed,
    made again by the same command or from its manifest."""
    exam = made(tmp_path, students="2")
    write_exam(exam, tmp_path / "a", formats=("pdf",))
    write_exam(made(tmp_path, students="2"), tmp_path / "b", formats=("pdf",))
    # and drawn again from the manifest alone (exam remake)
    write_exam(read_exam(tmp_path / "a"), tmp_path / "c", formats=("pdf",))
    for name in ("exams.pdf", "key.pdf", "exam.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "c" / name).read_bytes()


# what prompts hold: ASCII's printable characters and the course's symbols (× · − α ² é)
_TYPED = st.text(alphabet=st.sampled_from([chr(c) for c in range(32, 127)] + list("×·−α²é")))


@settings(max_examples=30, deadline=None)
@given(_TYPED)
def test_any_text_prints_as_itself(s):
    """Every character typst reads as markup is escaped: the text comes back as typed."""
    pdf = compile_pdf(text("{" + s + "}"))
    printed = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert squash(printed) == squash("{" + s + "}")


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet="#$*_@<>`[]~=-+/\\'\".:;(){}|!1aZ \n", max_size=80))
def test_any_markdown_typesets(s):
    """Whatever a bank's Markdown holds, it is typst text, never typst code: it compiles."""
    assert compile_pdf(markdown(s)).startswith(b"%PDF")
