"""``cnnquiz export gift|moodle``: the commands as the issue writes them, on the bundled banks."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from cnnquiz.cli.common import Parser
from cnnquiz.cli.export import add_file_format, summary
from cnnquiz.errors import CnnquizError
from cnnquiz.instruct.source import choose, export, load_proven
from tests.conftest import ROOT

SUMMARY = re.compile(r"^wrote ([\d,]+) questions \((\d+) computed x ([\d-]+) variants\) to (.+)$")


def test_the_summary_counts_computed_items_once_and_shows_fewer_variants_as_a_range():
    banks = load_proven([ROOT / "tests/fixtures/banks/worked.yaml"], verify=False)
    exported = export(choose(banks), 3)
    assert (
        summary(exported, 12, "x.gift") == "wrote 12 questions (1 computed x 1 variant) to x.gift"
    )
    assert summary([], 1, "-") == "wrote 1 question to -"


def test_a_file_format_is_one_call_its_writer_gets_the_path_and_its_options(tmp_path, capsys):
    parser = Parser(prog="cnnquiz export")
    formats = parser.add_subparsers(dest="export_format", parser_class=Parser)
    calls = []

    def write(exported, path, args):
        path.write_text(args.deck, encoding="utf-8")
        calls.append([len(e.items) for e in exported])
        return 9

    fmt = add_file_format(formats, "demo", "a demo format", write, variants=2)
    fmt.add_argument("--deck", default="CNN")
    bank = str(ROOT / "tests/fixtures/banks/worked.yaml")
    args = parser.parse_args(["demo", bank, "--no-verify", "-o", str(tmp_path / "x.apkg")])
    assert args.run(args) == 0
    assert (tmp_path / "x.apkg").read_text(encoding="utf-8") == "CNN" and len(calls) == 1
    assert capsys.readouterr().err.startswith("wrote 9 questions")
    args = parser.parse_args(["demo", bank, "--no-verify"])
    with pytest.raises(CnnquizError, match="export demo writes a file: give -o FILE"):
        args.run(args)


def test_export_gift_as_written_on_the_bundled_banks(cli, tmp_path):
    out = tmp_path / "course.gift"
    done = cli("export", "gift", "-o", str(out), "--variants", "10", "--seed", "4")
    assert done.returncode == 0, done.stderr
    m = SUMMARY.match(done.stderr.strip())
    assert m and m[4] == str(out), done.stderr
    text = out.read_text(encoding="utf-8")
    assert int(m[1].replace(",", "")) == len(re.findall(r"^::", text, re.M))
    assert m[3].split("-")[-1] == "10" and text.startswith("// cnnquiz export")


def test_export_moodle_to_stdout_with_a_selection(cli):
    done = cli(
        "export",
        "moodle",
        "questions/pooling.yaml",
        "--topic",
        "pooling",
        "--count",
        "3",
        "--no-verify",
    )
    assert done.returncode == 0, done.stderr
    root = ET.fromstring(done.stdout.encode("utf-8"))
    questions = [q for q in root.findall("question") if q.get("type") != "category"]
    count = int(re.match(r"wrote (\d+) question", done.stderr)[1])
    assert len(questions) == count and done.stderr.strip().endswith("to stdout")
    items = {q.findtext("idnumber").split(".v")[0] for q in questions}
    assert len(items) == 3  # three questions (a computed one in its variants, parts in a cloze)


def test_a_bank_that_bank_check_rejects_is_refused_in_one_line(cli, tmp_path):
    done = cli("export", "gift", "tests/fixtures/banks/wrong_key.yaml", "-o", str(tmp_path / "x"))
    assert done.returncode == 2 and not (tmp_path / "x").exists()
    assert done.stderr.startswith(
        "cnnquiz: error: tests/fixtures/banks/wrong_key.yaml:3: bank check"
    )
    assert len(done.stderr.strip().splitlines()) == 1


def test_an_output_that_cannot_be_written_is_one_line(cli, tmp_path):
    done = cli(
        "export",
        "moodle",
        "tests/fixtures/banks/minimal.yaml",
        "--no-verify",
        "-o",
        str(tmp_path / "missing" / "x.xml"),
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("cnnquiz: error: ") and "missing" in done.stderr
