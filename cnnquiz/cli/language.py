"""``--language``: the language the app and the quiz speak, and the bundled banks they ask.

Without the option the locale decides (``LANG=nl_NL.UTF-8`` or ``nl_BE`` -> ``nl``, through
:func:`cnnquiz.i18n.from_environment`); anything cnnquiz does not speak is English. The choice is
made (``i18n.use``) before anything is shown, so every message after it is in that language.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cnnquiz import i18n

NAMES = {"en": "English", "nl": "Dutch"}


def add_option(parser: argparse.ArgumentParser) -> None:
    """The ``--language`` option (default: the locale's language)."""
    parser.add_argument(
        "--language",
        choices=i18n.LANGUAGES,
        default=None,
        metavar="LANG",
        help="the language of the questions and the quiz: "
        + ", ".join(f"{code} ({NAMES.get(code, code)})" for code in i18n.LANGUAGES)
        + "; default from the locale (LANG=nl_NL.UTF-8 or nl_BE is nl), else en",
    )


def choose(args: argparse.Namespace) -> str:
    """The language asked (``--language``, else the locale's), now in use."""
    language = getattr(args, "language", None) or i18n.from_environment()
    i18n.use(language)
    return language


def bundled_banks(language: str) -> list[Path]:
    """The bundled banks in ``language``; the English ones, with a warning, when none are
    bundled in it (a student still gets questions)."""
    from cnnquiz.bank import bundled_bank_paths

    paths = bundled_bank_paths(language)
    if paths or language == i18n.SOURCE_LANGUAGE:
        return paths
    name = NAMES.get(language, language)
    print(
        f"cnnquiz: warning: no {name} banks are bundled; asking the English ones",
        file=sys.stderr,
    )
    return bundled_bank_paths(i18n.SOURCE_LANGUAGE)
