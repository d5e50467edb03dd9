"""``cnnquiz export anki`` as an instructor runs it."""

from __future__ import annotations

import importlib.util
import sqlite3
import zipfile
from pathlib import Path

import pytest

BANK = str(Path(__file__).parents[1] / "instruct" / "bank_all_kinds.yaml")
WRONG_KEY = str(Path(__file__).parents[1] / "fixtures" / "banks" / "wrong_key.yaml")


def test_export_anki_writes_a_deck_and_says_what_it_wrote(cli, tmp_path):
    out = tmp_path / "cnn.apkg"
    done = cli("export", "anki", BANK, "-o", str(out), "--variants", "2", "--no-verify")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert done.stderr == f"wrote 10 questions (1 computed x 2 variants) to {out}\n"
    with zipfile.ZipFile(out) as apkg:
        apkg.extract("collection.anki2", tmp_path)
    with sqlite3.connect(tmp_path / "collection.anki2") as db:
        assert db.execute("select count(*) from notes").fetchone() == (10,)
        decks = db.execute("select decks from col").fetchone()[0]
    assert '"CNN exam prep"' in decks


def test_the_deck_is_named_with_deck_and_anki_reads_it(cli, tmp_path):
    if importlib.util.find_spec("anki") is None:
        pytest.skip("the anki package is not installed (pip install anki)")
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    out = tmp_path / "x.apkg"
    done = cli("export", "anki", BANK, "-o", str(out), "--deck", "CNN::Week 3", "--topic", "loss")
    assert done.returncode == 0, done.stderr
    col = Collection(str(tmp_path / "c.anki2"))
    try:
        options = ImportAnkiPackageOptions(with_scheduling=False)
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(out), options=options))
        assert "CNN::Week 3" in [d.name for d in col.decks.all_names_and_ids()]
        assert [col.get_note(n)["Id"] for n in col.find_notes("")] == ["k-choice"]
    finally:
        col.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "-"], "cnnquiz: error: -o: export anki writes a file: give -o FILE\n"),
        ([], "cnnquiz: error: -o: export anki writes a file: give -o FILE\n"),
        (["--deck", " \x1b[2J", "-o", "x.apkg"], "argument --deck: a deck needs a name"),
        (["--variants", "0", "-o", "x.apkg"], "argument --variants: expected a number of variants"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(cli, args, message):
    done = cli("export", "anki", BANK, *args)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr


def test_a_bank_that_bank_check_rejects_is_refused_with_its_line(cli, tmp_path):
    out = tmp_path / "x.apkg"
    done = cli("export", "anki", WRONG_KEY, "-o", str(out), "--no-verify")
    assert done.returncode == 2
    assert done.stderr.startswith(f"cnnquiz: error: {WRONG_KEY}:3: bank check rejects this bank")
    assert not out.exists()
