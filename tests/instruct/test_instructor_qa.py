"""What an instructor ran into with export and exam (issue 13 checked by hand): each a regression.

Lost data (an export over its own bank, ``exam make`` over typed answers), tracebacks on odd
input (a superscript digit as ``--students``, a class list that is not UTF-8) and escape
sequences from a bank reaching the papers an instructor opens in a terminal.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cnnquiz.errors import CnnquizError
from cnnquiz.instruct.exam import students_from
from cnnquiz.instruct.exam_files import make_exam, write_exam
from cnnquiz.instruct.exam_typst import papers_typst
from cnnquiz.instruct.source import choose, load_proven
from tests.instruct.exam_fixtures import made

REQUIRED_ONLY = """\
title: Only required
questions:
  - id: r-num
    type: numeric
    prompt: How many parameters has Dense(10) on 5 inputs?
    answer: 60
  - id: r-text
    type: text
    prompt: Name the usual activation in hidden layers.
    answer: relu
"""

ESCAPES = """\
title: Escapes
questions:
  - id: e-num
    type: numeric
    prompt: "Clear \\e[2J\\e[31mred\\e]0;title\\a and \\e\\\\ # $ [x] = ~ { } :"
    answer: 60
    explanation: "\\e[1mbold\\e[0m (5 + 1)·10 = 60"
  - id: e-choice
    type: choice
    prompt: Pick one.
    choices: ["\\e[31mred", "a = b"]
    answer: "a = b"
"""


@pytest.mark.parametrize("name", ["answers.csv", "scores.csv", "graded.csv", "scores.json"])
def test_exam_make_keeps_typed_answers_and_scores_without_force(tmp_path, name):
    exam = made(tmp_path, students="2")
    folder = tmp_path / "exam"
    folder.mkdir()
    kept = folder / name
    kept.write_text("student,question,answer\n01,1,1792\n", encoding="utf-8")
    with pytest.raises(CnnquizError, match=f"{name} exists: typed answers or scores"):
        write_exam(exam, folder, formats=("md",))
    assert kept.read_text("utf-8") == "student,question,answer\n01,1,1792\n"
    assert not (folder / "exams.md").exists()
    write_exam(exam, folder, formats=("md",), force=True)
    assert (folder / "exams.md").exists()


def test_exam_make_into_a_file_says_not_a_folder(tmp_path):
    exam = made(tmp_path, students="2")
    target = tmp_path / "exam"
    target.write_text("mine", encoding="utf-8")
    with pytest.raises(CnnquizError, match="exam: not a folder"):
        write_exam(exam, target, formats=("md",))
    assert target.read_text("utf-8") == "mine"


@pytest.mark.parametrize("text", ["²", "٣", "10**9", "1e3"])
def test_students_not_a_plain_number_is_one_line_not_a_traceback(text):
    with pytest.raises(CnnquizError, match="not a number of students nor a file"):
        students_from(text)


def test_a_class_list_not_in_utf8_is_one_line(tmp_path):
    names = tmp_path / "class.txt"
    names.write_bytes("Ada\nJos\xe9\n".encode("latin-1"))
    with pytest.raises(CnnquizError, match="class.txt: not UTF-8 text"):
        students_from(str(names))


def _escapes_exam(tmp_path: Path, students: str = "2"):
    bank = tmp_path / "escapes.yaml"
    bank.write_text(ESCAPES, encoding="utf-8")
    banks = load_proven([bank], verify=False)
    return make_exam(banks, choose(banks), students_from(students), 0, "T\x1b[2J", {})


def test_no_escape_sequence_from_a_bank_reaches_the_papers_or_the_key(tmp_path):
    names = tmp_path / "class.txt"
    names.write_text("Ada \x1b[31mLovelace\nAlan\x07 Turing\n", encoding="utf-8")
    exam = _escapes_exam(tmp_path, str(names))
    folder = tmp_path / "exam"
    write_exam(exam, folder, formats=("md", "html"))
    for path in sorted(folder.iterdir()):
        text = path.read_text("utf-8")
        assert "\x1b" not in text and "\x07" not in text, path.name
    md = (folder / "exams.md").read_text("utf-8")
    assert "Clear red and" in md and "Ada Lovelace" in md and "Alan Turing" in md
    key = (folder / "key.md").read_text("utf-8")
    assert "bold (5 + 1)·10 = 60" in key


def test_escape_sequences_do_not_break_the_typst_source(tmp_path):
    """ESC followed by typst's escaping backslash once ate the backslash: unclosed delimiter."""
    pytest.importorskip("typst")
    from cnnquiz.instruct.exam_typst import compile_pdf

    source = papers_typst(_escapes_exam(tmp_path))
    assert "\x1b" not in source and "\x07" not in source
    assert compile_pdf(source).startswith(b"%PDF")


@pytest.mark.parametrize("fmt", ["gift", "moodle", "anki"])
def test_export_refuses_to_write_over_a_bank_it_reads(cli, tmp_path, fmt):
    bank = tmp_path / "bank.yaml"
    bank.write_text(REQUIRED_ONLY, encoding="utf-8")
    done = cli("export", fmt, str(bank), "--no-verify", "-o", str(tmp_path / "." / "bank.yaml"))
    assert done.returncode == 2, done.stderr
    assert (
        done.stderr.startswith("cnnquiz: error: -o: ") and "is a bank being exported" in done.stderr
    )
    assert len(done.stderr.strip().splitlines()) == 1
    assert bank.read_text("utf-8") == REQUIRED_ONLY


def test_export_of_a_folder_refuses_a_bank_inside_it(cli, tmp_path):
    folder = tmp_path / "banks"
    folder.mkdir()
    (folder / "only.yaml").write_text(REQUIRED_ONLY, encoding="utf-8")
    done = cli("export", "gift", str(folder), "--no-verify", "-o", str(folder / "only.yaml"))
    assert done.returncode == 2 and "is a bank being exported" in done.stderr
    assert (folder / "only.yaml").read_text("utf-8") == REQUIRED_ONLY


def test_a_bank_of_only_the_required_fields_exports_and_makes_an_exam(cli, tmp_path):
    bank = tmp_path / "required.yaml"
    bank.write_text(REQUIRED_ONLY, encoding="utf-8")
    gift = cli("export", "gift", str(bank), "--no-verify")
    assert gift.returncode == 0 and "::r-num::" in gift.stdout and "=60:0" in gift.stdout
    made_ = cli(
        "exam",
        "make",
        str(bank),
        "--students",
        "2",
        "--format",
        "md",
        "--no-verify",
        "-o",
        str(tmp_path / "exam"),
    )
    assert made_.returncode == 0, made_.stderr
    sheet = tmp_path / "typed.csv"
    shutil.copyfile(tmp_path / "exam" / "answers.csv", sheet)
    graded = cli("exam", "grade", str(tmp_path / "exam"), str(sheet), "--json")
    assert graded.returncode == 0, graded.stderr


DUTCH = Path(__file__).parents[2] / "docs" / "examples" / "mijn-bank.yaml"


def test_a_dutch_banks_export_says_its_known_mistakes_in_dutch(cli):
    done = cli("export", "gift", str(DUTCH), "--no-verify")
    assert done.returncode == 0, done.stderr
    assert "=%0%2700:0#je bent de bias vergeten\\: 2.700 + 100 \\= 2.800" in done.stdout
    assert "forgot" not in done.stdout


def test_a_dutch_exam_is_graded_in_dutch(cli, tmp_path):
    folder = tmp_path / "examen"
    made_ = cli(
        "exam",
        "make",
        str(DUTCH),
        "--students",
        "1",
        "--format",
        "md",
        "--no-verify",
        "-o",
        str(folder),
    )
    assert made_.returncode == 0, made_.stderr
    sheet = tmp_path / "typed.csv"
    sheet.write_text("student,question,answer\n01,nl-voorbeeld-parameters,2700\n", "utf-8")
    graded = cli("exam", "grade", str(folder), str(sheet))
    assert graded.returncode == 0, graded.stderr
    row = next(r for r in (folder / "graded.csv").read_text("utf-8").splitlines() if "2700" in r)
    assert ",wrong," in row and "je bent de bias vergeten" in row


@pytest.mark.slow
def test_exam_grade_fits_an_80_column_terminal_and_pipes_one_line_per_item(cli, tmp_path):
    """A long name wraps in its column and each answer to review wraps between words; piped,
    every item to review stays one line (for grep)."""
    from tests.cli.test_output_width import on_terminal

    names = tmp_path / "class.txt"
    names.write_text("Maximiliaan Alexander van der Berghe-Vandenbroucke de Tweede\nJo\n", "utf-8")
    bank = tmp_path / "required.yaml"
    bank.write_text(REQUIRED_ONLY, encoding="utf-8")
    folder = tmp_path / "e"
    made_ = cli(
        "exam",
        "make",
        str(bank),
        "--students",
        str(names),
        "--format",
        "md",
        "--no-verify",
        "-o",
        str(folder),
    )
    assert made_.returncode == 0, made_.stderr
    sheet = tmp_path / "typed.csv"
    sheet.write_text("student,question,answer\n01,r-num,12 MBB extra words to wrap\n", "utf-8")
    screen = on_terminal("exam", "grade", str(folder), str(sheet))
    shown = [line for line in screen.splitlines() if not line.startswith("wrote ")]
    assert max(len(line) for line in shown) <= 80, screen
    assert "van der" in screen and "0/2" in screen
    piped = cli("exam", "grade", str(folder), str(sheet))
    review = [line for line in piped.stdout.splitlines() if "typed.csv:2:" in line]
    assert len(review) == 1 and review[0].startswith("  ") and "12 MBB" in review[0]


def test_a_dutch_anki_note_writes_its_mistakes_and_truth_words_the_dutch_way():
    from cnnquiz.instruct.anki import note_fields
    from cnnquiz.instruct.source import export

    items = {
        e.question.id: e.items[0] for e in export(choose(load_proven([DUTCH], verify=False)), 1)
    }
    _, _, answer, mistakes, *_ = note_fields(items["nl-voorbeeld-parameters"])
    assert answer == "2.800" and "<li>2.700: " in mistakes and "2,700:" not in mistakes
    _, choices, answer, *_ = note_fields(items["nl-voorbeeld-pooling"])
    assert choices == "<li><p>waar</p></li><li><p>onwaar</p></li>" and answer == "onwaar"


@pytest.fixture
def small_exam(tmp_path):
    from cnnquiz.instruct.exam_manifest import read_exam

    folder = tmp_path / "exam"
    write_exam(made(tmp_path, students="2"), folder, formats=("md",))
    return read_exam(folder)


def test_a_sheet_with_bom_and_crlf_from_a_spreadsheet_grades(small_exam, tmp_path):
    from cnnquiz.instruct.exam_grade import grade_exam

    qid = small_exam.papers[0].slots[0].id
    sheet = tmp_path / "typed.csv"
    sheet.write_bytes(f"\ufeffStudent;Question;Answer\r\n01;{qid};x\r\n".encode())
    graded = grade_exam(small_exam, sheet)
    row = next(g for g in graded.answers if g.student.number == "01" and g.slot.id == qid)
    assert row.typed == "x" and row.line == 2 and row.status != "blank"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"student,answer\n01,1\n", "typed.csv:1: no column 'question'"),
        (b"student,question,answer\n01,1,caf\xe9\n", "typed.csv: not UTF-8 text"),
        (b"student,question,answer\n01,1," + b"a" * 200_000 + b"\n", "field larger than"),
        (b"\x00\xff" * 100, "typed.csv: not UTF-8 text"),
        (b"", "typed.csv:1: no column 'student', 'question', 'answer'"),
    ],
    ids=["missing-column", "latin-1", "huge-field", "binary", "empty"],
)
def test_bad_sheets_are_one_line_errors(small_exam, tmp_path, content, message):
    from cnnquiz.instruct.exam_grade import grade_exam

    sheet = tmp_path / "typed.csv"
    sheet.write_bytes(content)
    with pytest.raises(CnnquizError, match=message):
        grade_exam(small_exam, sheet)


def test_a_sheet_past_the_size_limit_or_a_device_is_refused_before_reading(small_exam, tmp_path):
    from cnnquiz.instruct.exam_grade import grade_exam
    from cnnquiz.limits import MAX_FILE_BYTES

    big = tmp_path / "big.csv"
    with big.open("wb") as f:
        f.write(b"student,question,answer\n")
        f.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(CnnquizError, match="big.csv: is larger than 10 MB"):
        grade_exam(small_exam, big)
    with pytest.raises(CnnquizError, match="/dev/zero: is not a regular file"):
        grade_exam(small_exam, Path("/dev/zero"))


def test_a_class_list_that_is_a_device_or_too_big_is_refused(tmp_path):
    from cnnquiz.limits import MAX_FILE_BYTES

    big = tmp_path / "class.txt"
    with big.open("wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(CnnquizError, match="class.txt: is larger than 10 MB"):
        students_from(str(big))
    with pytest.raises(CnnquizError, match="not a number of students nor a file"):
        students_from("/dev/zero")
