"""The language cnnquiz speaks to a student: English source text, translated by gettext catalogs.

``_("text")`` returns the text in the current language (English where the catalog has no
entry); :func:`use` sets the language for the process, :func:`from_environment` reads the one
the locale asks for (``LANG=nl_NL.UTF-8`` or ``nl_BE`` -> ``nl``). The catalogs live in
``cnnquiz/locale/<lang>/LC_MESSAGES/cnnquiz.mo``; a Danish one can follow without code.
A foundation like :mod:`cnnquiz.errors`: any room may import it, and it imports no room.
"""

from __future__ import annotations

import gettext as _gettext
import os
import re
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "cnnquiz"
LOCALE_DIR = Path(__file__).parent / "locale"
SOURCE_LANGUAGE = "en"



def _catalogued() -> tuple[str, ...]:
    """English (the source) and every language with a compiled catalog: a Danish
    ``locale/da/LC_MESSAGES/cnnquiz.mo`` makes ``da`` one, without code."""
    found = LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")
    return (SOURCE_LANGUAGE, *sorted(p.parent.parent.name for p in found))


LANGUAGES = _catalogued()

_current = SOURCE_LANGUAGE
_translation: _gettext.NullTranslations = _gettext.NullTranslations()


def use(language: str) -> None:
    """Speak ``language`` from now on (``en`` or one of :data:`LANGUAGES`)."""
    global _current, _translation
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; expected one of {', '.join(LANGUAGES)}")
    _current = language
    _translation = (
        _gettext.NullTranslations()
        if language == SOURCE_LANGUAGE
        else _gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)
    )


def current() -> str:
    """The language in use."""
    return _current


def from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The language the locale asks for (LANGUAGE, LC_ALL, LC_MESSAGES, LANG, in gettext's
    order), if cnnquiz speaks it; English otherwise."""
    env = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if not value:
            continue
        for entry in value.split(":"):
            code = entry.split(".")[0].split("@")[0].split("_")[0].lower()
            if code in LANGUAGES:
                return code
        return SOURCE_LANGUAGE
    return SOURCE_LANGUAGE


def _(message: str) -> str:
    """``message`` (English source) in the current language."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural of a message in the current language, for ``n``."""
    return _translation.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it now: text made before the
    language is known (class attributes, bank traps cached at load) is translated with
    :func:`_` where it is shown."""
    return message


# How the language writes a number: the catalog translates this msgid as the same number in its
# own notation ("1.234,5" in Dutch), so a new catalog brings its separators without code.
# TRANSLATORS: this number as your language writes it, the same number of characters: 1.234,5
NUMBER_SAMPLE = N_("1,234.5")
_ENGLISH_NUMBER = re.compile(r"-?\d{1,3}(?:,\d{3})*(?:\.\d+)?|-?\d+(?:\.\d+)?")


def number(text: str) -> str:
    """A number written the English way (``2,800``, ``3.6 MB``) in the current language's
    notation (``2.800``, ``3,6 MB`` in Dutch); the text around the numbers is left alone."""
    sample = _(NUMBER_SAMPLE)
    if sample == NUMBER_SAMPLE or len(sample) != len(NUMBER_SAMPLE):
        return text
    swap = str.maketrans({",": sample[1], ".": sample[5]})
    return _ENGLISH_NUMBER.sub(lambda m: m.group(0).translate(swap), text)
