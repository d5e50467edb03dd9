"""The Anki export, read back by the real Anki library: fields, tags, note types, GUIDs, updates."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from cnnquiz.bank import bundled_bank_paths
from cnnquiz.instruct.anki import deck_id, note_fields, tag, write_apkg
from cnnquiz.instruct.source import choose, export, load_proven

BANK = Path(__file__).with_name("bank_all_kinds.yaml")


def exported(paths=(BANK,), variants: int = 3, seed: int = 0):
    return export(choose(load_proven(paths, verify=False)), variants, seed)


def by_id(entries):
    return {e.question.id: e for e in entries}


def test_a_numeric_note_holds_the_prompt_the_key_its_mistakes_and_the_explanation():
    item = by_id(exported())["k-numeric"].items[0]
    question, choices, answer, mistakes, hints, explanation, ident = note_fields(item)
    assert question.startswith("<p>How many weights")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in question and "<script>" not in question
    assert "{{Answer}}" in question  # a field's text is never a template
    assert choices == ""
    assert answer == "2,800"
    assert mistakes == "<ul><li>2,700: you forgot the bias</li></ul>"
    assert hints == "<p>Each filter is 3x3x3, plus one bias.</p>"
    assert explanation == "<p>3·3·3·100 + 100 = <strong>2,800</strong></p>"
    assert ident == "k-numeric"


def test_a_computed_note_names_the_known_mistakes_of_its_own_numbers():
    entry = by_id(exported())["k-computed"]
    assert len(entry.items) == 3
    for item in entry.items:
        f = int(item.values["f"])
        _, _, answer, mistakes, *_ = note_fields(item)
        assert answer == f"{(27 * f + f):,}"
        assert f"<li>{27 * f:,}:" in mistakes  # the bias forgotten


def test_a_choice_note_letters_its_choices_and_gives_each_choices_feedback():
    item = by_id(exported())["k-choice"].items[0]
    _, choices, answer, mistakes, *_ = note_fields(item)
    assert choices.count("<li>") == 3
    assert "Hinge &amp; &lt;b&gt;bold&lt;/b&gt;" in choices
    right = item.key.choice
    assert answer == f"{'ABC'[right]}) Cross-entropy"
    assert "MSE: for regression" in mistakes


def test_tags_have_no_spaces_and_deck_ids_are_stable():
    assert tag("convolution arithmetic") == "convolution_arithmetic"
    assert tag('a "b"\tc\x1b') == "a_b_c_"
    assert deck_id("CNN exam prep") == deck_id("CNN exam prep") != deck_id("CNN")
    assert 1 << 30 <= deck_id("x") < 1 << 31


# ---- the real Anki ------------------------------------------------------------------------------
needs_anki = pytest.mark.skipif(
    importlib.util.find_spec("anki") is None,
    reason="the anki package is not installed (pip install anki): nothing reads the .apkg back",
)


def import_into(collection_path: Path, apkg: Path, **options):
    from anki.collection import Collection

    col = Collection(str(collection_path))
    return col, import_again(col, apkg, **options)


def import_again(col, apkg: Path, **options):
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    request = ImportAnkiPackageRequest(
        package_path=str(apkg), options=ImportAnkiPackageOptions(with_scheduling=False, **options)
    )
    return col.import_anki_package(request).log


def notes_of(col) -> dict[str, object]:
    return {col.get_note(n).fields[-1]: col.get_note(n) for n in col.find_notes("")}


@needs_anki
def test_anki_reads_every_kind_back_with_its_note_type_fields_and_tags(tmp_path):
    entries = exported()
    write_apkg(entries, tmp_path / "cnn.apkg", "CNN exam prep")
    col, log = import_into(tmp_path / "c.anki2", tmp_path / "cnn.apkg")
    try:
        notes = notes_of(col)
        assert len(log.new) == 11 and len(col.find_notes("")) == 11  # 6 + 3 variants + 2 parts
        assert set(notes) == {
            "k-numeric", "k-shape", "k-choice", "k-multi", "k-truefalse", "k-text",
            "k-computed", "k-item/a", "k-item/b",
        }  # fmt: skip
        kinds = {i: n.note_type()["name"] for i, n in notes.items()}
        assert {i for i, k in kinds.items() if k == "cnnquiz: choose"} == {
            "k-choice",
            "k-multi",
            "k-truefalse",
        }
        numeric = notes["k-numeric"]
        assert numeric["Answer"] == "2,800"
        assert sorted(numeric.tags) == [
            "cnnquiz::bank_all_kinds",
            "convolution_arithmetic",
            "parameters",
        ]
        assert notes["k-item/b"]["Question"].startswith("<p>A dense layer from 100 to 10 units.")
        assert notes["k-item/b"]["Answer"] == "1,010"
        assert notes["k-shape"]["Answer"] == "200x300x100"
        assert [d.name for d in col.decks.all_names_and_ids() if d.name != "Default"] == [
            "CNN exam prep"
        ]
        computed = [col.get_note(n) for n in col.find_notes("Id:k-computed")]
        assert len({n["Answer"] for n in computed}) == 3
    finally:
        col.close()


@needs_anki
def test_importing_again_updates_the_cards_and_never_duplicates_them(tmp_path):
    write_apkg(exported(), tmp_path / "one.apkg", "Deck", timestamp=1_700_000_000)
    changed = tmp_path / "bank.yaml"
    changed.write_text(BANK.read_text().replace("Which loss for 10 classes?", "Which loss now?"))
    write_apkg(exported((changed,)), tmp_path / "two.apkg", "Deck", timestamp=1_700_000_060)
    col, first = import_into(tmp_path / "c.anki2", tmp_path / "one.apkg")
    try:
        again = import_again(col, tmp_path / "two.apkg")
        assert len(first.new) == 11 and len(again.new) == 0
        assert len(col.find_notes("")) == 11
        assert notes_of(col)["k-choice"]["Question"] == "<p>Which loss now?</p>"
    finally:
        col.close()


@pytest.mark.slow
@needs_anki
def test_every_bundled_bank_exports_and_anki_reads_every_note(tmp_path):
    entries = exported(bundled_bank_paths(), variants=3)
    written = write_apkg(entries, tmp_path / "all.apkg", "CNN exam prep")
    assert written == sum(len(e.items) for e in entries) > 400
    col, log = import_into(tmp_path / "c.anki2", tmp_path / "all.apkg")
    try:
        assert len(log.new) == written == len(col.find_notes(""))
        ids = {col.get_note(n).fields[-1] for n in col.find_notes("")}
        assert ids == {e.question.id for e in entries}
    finally:
        col.close()
