"""The translation catalogs against the source: every message extracted, every one translated
(no empty or fuzzy msgstr), the placeholders kept, and the compiled .mo what its .po says.

``python tools/i18n.py check`` runs the same checks; tools/i18n.py says how to fix each."""

from __future__ import annotations

import gettext
import re

import pytest

from cnnquiz import i18n
from tools import i18n as catalogs

PLACEHOLDER = re.compile(r"\{[a-z_]*\}|%(?:\([a-z_]+\))?[sdr]")


@pytest.fixture(scope="module")
def extracted():
    return catalogs.extract()


@pytest.fixture(scope="module")
def template():
    return catalogs.read(catalogs.POT)


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def test_the_template_is_what_the_source_marks(extracted, template):
    """Extraction finds no message the template lacks, and the template keeps none the source
    dropped: otherwise run ``python tools/i18n.py extract`` then ``update``."""
    source = {m.id for m in extracted if m.id}
    pot = {m.id for m in template if m.id}
    assert source - pot == set(), "new messages: python tools/i18n.py extract && ... update"
    assert pot - source == set(), "messages gone from the source: extract && update"
    assert len(source) > 100  # the quiz, the app and the traps are all marked


def test_every_language_has_a_catalog_and_is_offered():
    languages = [p.parent.parent.name for p in catalogs.catalogs()]
    assert "nl" in languages
    assert i18n.LANGUAGES == (i18n.SOURCE_LANGUAGE, *sorted(languages))


@pytest.mark.parametrize("path", catalogs.catalogs(), ids=lambda p: p.parent.parent.name)
def test_every_message_is_translated_with_its_placeholders(path, template):
    po = catalogs.read(path)
    assert {m.id for m in po if m.id} == {m.id for m in template if m.id}
    for message in po:
        if not message.id:
            continue
        assert not message.fuzzy, f"fuzzy: {message.id!r}"
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(s.strip() for s in strings), f"not translated: {message.id!r}"
        for string in strings:
            assert set(_placeholders(string)) == set(_placeholders(ids[-1])), (
                f"{message.id!r}: {string!r} has other placeholders"
            )


@pytest.mark.parametrize("path", catalogs.catalogs(), ids=lambda p: p.parent.parent.name)
def test_the_compiled_catalog_is_its_po(path):
    """cnnquiz reads the .mo: it must say what the .po says (``python tools/i18n.py compile``)."""
    mo = path.with_suffix(".mo")
    assert mo.exists(), "run python tools/i18n.py compile"
    compiled = catalogs.mo_messages(mo.read_bytes())
    assert compiled == catalogs.mo_messages(catalogs.mo_bytes(catalogs.read(path)))
    with mo.open("rb") as f:
        assert gettext.GNUTranslations(f).gettext("Practice") != "Practice"


def test_the_number_sample_keeps_its_shape(template):
    """i18n.number reads the separators from this message's translation, by position."""
    for path in catalogs.catalogs():
        sample = next(m.string for m in catalogs.read(path) if m.id == i18n.NUMBER_SAMPLE)
        assert re.fullmatch(r"1\D234\D5", sample), f"{path}: {sample!r}"


def test_the_checker_finds_nothing_behind():
    assert catalogs.problems() == []
