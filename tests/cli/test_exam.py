"""``cnnquiz exam make|grade`` as an instructor types it: the bundled banks, the files written,
the summary lines, and one-line errors with exit status 2."""

from __future__ import annotations

import csv
import json
import re
import shutil

import pytest

from tests.instruct.exam_fixtures import BANK

pypdf = pytest.importorskip("pypdf")


def test_make_and_grade_an_exam_of_the_bundled_banks(cli, tmp_path):
    folder = tmp_path / "exam"
    made = cli(
        "exam", "make", "--students", "30", "--count", "12", "--seed", "2", "-o", str(folder)
    )
    assert made.returncode == 0, made.stderr
    lines = made.stdout.splitlines()
    assert lines[0].startswith("exam: 12 questions")
    assert lines[0].endswith("30 students, seed 2")
    assert f"grade with: cnnquiz exam grade {folder} {folder / 'answers.csv'}" in lines
    manifest = json.loads((folder / "exam.json").read_text("utf-8"))
    assert [s["number"] for s in manifest["students"]] == [f"{i:02d}" for i in range(1, 31)]
    pages = [p.extract_text() for p in pypdf.PdfReader(folder / "exams.pdf").pages]
    assert sum("· page 1" in p for p in pages) == 30
    # every box answered with its key, the first student's all wrong, one invalid
    keys = list(csv.DictReader((folder / "key.csv").open(encoding="utf-8")))
    answers = folder / "answers.csv"
    with answers.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["student", "question", "answer"])
        for row in keys:
            typed = row["key"] if row["student"] != "01" else "hmm ?"
            out.writerow([row["student"], row["question"], typed])
    graded = cli("exam", "grade", str(folder), str(answers))
    assert graded.returncode == 0, graded.stderr
    text = graded.stdout
    assert re.search(r"^01 +0/12 +0 +\d+ +\d+ +0 +0$", text, re.M)
    assert re.search(r"^30 +12/12 +12 +0 +0 +0 +100$", text, re.M)
    assert "to review:" in text and "(neither right nor wrong)" in text
    for name in ("scores.csv", "questions.csv", "graded.csv", "scores.json"):
        assert (folder / name).is_file()
    as_json = cli("exam", "grade", str(folder), str(answers), "--json")
    data = json.loads(as_json.stdout)
    assert [s["points"] for s in data["students"]][1:] == [12] * 29
    assert all(r["student"] == "01" for r in data["to_review"])


def test_bad_input_is_one_line_and_exit_2(cli, tmp_path):
    bank = tmp_path / "bank.yaml"
    shutil.copyfile(BANK, bank)
    folder = tmp_path / "exam"
    made = cli(
        "exam",
        "make",
        str(bank),
        "--students",
        "3",
        "--no-verify",
        "--format",
        "md",
        "-o",
        str(folder),
    )
    assert made.returncode == 0, made.stderr
    assert made.stdout.splitlines()[0] == (
        "exam: 5 questions (6 answer boxes) from 1 bank, 3 students, seed 0"
    )
    remade = cli("exam", "remake", str(folder), "--format", "md", "-o", str(tmp_path / "again"))
    assert remade.stdout.splitlines()[0] == "exam: the papers of 3 students again, seed 0"
    for name in ("exams.md", "key.md", "key.csv", "exam.json"):
        assert (folder / name).read_bytes() == (tmp_path / "again" / name).read_bytes()
    answers = tmp_path / "answers.csv"
    answers.write_text("student,question,answer\n01,1,2\n07,1,2\n", encoding="utf-8")
    bad = cli("exam", "grade", str(folder), str(answers))
    assert bad.returncode == 2
    assert bad.stderr == (
        f"cnnquiz: error: {answers}:3: unknown student '07' (this exam has 01 to 03)\n"
    )
    bank.write_text(bank.read_text("utf-8").replace("Which loss", "What loss"), encoding="utf-8")
    changed = cli("exam", "grade", str(folder), str(answers))
    assert changed.returncode == 2
    assert changed.stderr.startswith(f"cnnquiz: error: {bank.resolve()}: this bank changed")
    assert len(changed.stderr.splitlines()) == 1
    again = cli("exam", "make", str(bank), "--students", "3", "--no-verify", "-o", str(folder))
    assert again.returncode == 2
    assert "exam.json exists: an exam was made here already" in again.stderr
    none = cli("exam", "make", "--students", "0", "-o", str(tmp_path / "x"))
    assert (none.returncode, none.stderr) == (
        2,
        "cnnquiz: error: --students: a class of 1 to 999 students, got 0\n",
    )


@pytest.mark.slow
def test_help_imports_neither_typst_nor_markdown_it():
    import subprocess
    import sys

    code = (
        "import sys, contextlib, io\n"
        "from cnnquiz.cli import main\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['exam', 'make', '--help'])\n"
        "print(sorted(m for m in ('typst', 'torch', 'pypdf') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
