"""The translation catalogs: extract the English messages, update each language, compile.

    python tools/i18n.py extract      cnnquiz/locale/cnnquiz.pot from the source (_, N_, ngettext)
    python tools/i18n.py update       merge the .pot into every cnnquiz/locale/<lang>/.../cnnquiz.po
    python tools/i18n.py init da      start a catalog for a new language (here Danish)
    python tools/i18n.py compile      every .po to its .mo (what cnnquiz reads at run time)
    python tools/i18n.py check        exit 1 if the .pot, a .po or a .mo is behind the source

Babel does the work (a test and development dependency); cnnquiz itself reads the compiled
.mo with Python's gettext and never imports Babel. The .mo files are committed beside their
.po, so a clean clone, an editable install and a wheel all have them; ``check`` (and
tests/test_i18n_catalogs.py) fail when one is stale.
"""

from __future__ import annotations

import argparse
import gettext
import io
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cnnquiz"
LOCALE = PACKAGE / "locale"
POT = LOCALE / "cnnquiz.pot"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
# a fixed date in the template's header: regenerating it changes the file only when a message does
CREATED = datetime(2026, 12, 1, tzinfo=UTC)
WIDTH = 100
VERSION = "0.1"  # the catalogs' version, not cnnquiz's: it changes when the messages do


def extract() -> Catalog:
    """The English messages of the source, in order of first appearance (file names, no lines,
    so that editing code above a message does not churn the catalogs)."""
    catalog = Catalog(
        project="cnnquiz",
        version=VERSION,
        copyright_holder="the cnnquiz authors",
        msgid_bugs_address="the cnnquiz issue tracker",
        charset="utf-8",
        creation_date=CREATED,
        fuzzy=False,
    )
    found = extract_from_dir(
        PACKAGE,
        [("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    )
    for filename, lineno, message, comments, _context in found:
        path = "cnnquiz/" + Path(filename).as_posix()
        known = catalog.get(message if isinstance(message, str) else message[0])
        if known is not None:
            known.locations.append((path, lineno))
            continue
        catalog.add(message, None, [(path, lineno)], auto_comments=comments)
    return catalog


def _text(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=WIDTH, include_lineno=False, sort_by_file=False)
    return out.getvalue()


def catalogs() -> list[Path]:
    """Every language's .po."""
    return sorted(LOCALE.glob("*/LC_MESSAGES/cnnquiz.po"))


def read(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


def mo_bytes(po: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, po, use_fuzzy=False)
    return out.getvalue()


def mo_messages(data: bytes) -> dict[object, str]:
    """What gettext reads from a compiled catalog, less its header (which names the Babel
    version that wrote it): the same messages are the same catalog."""
    found = gettext.GNUTranslations(io.BytesIO(data))._catalog  # type: ignore[attr-defined]
    return {key: text for key, text in found.items() if key != ""}


def cmd_extract() -> int:
    POT.write_bytes(_text(extract()))
    print(f"{POT.relative_to(ROOT)}: {len(extract())} messages")
    return 0


def cmd_update() -> int:
    template = read(POT)
    for path in catalogs():
        po = read(path)
        po.update(template, no_fuzzy_matching=True)
        for field in ("project", "version", "msgid_bugs_address", "copyright_holder"):
            setattr(po, field, getattr(template, field))
        po.obsolete.clear()  # a message gone from the source leaves the catalog too
        path.write_bytes(_text(po))
        missing = sum(1 for m in po if m.id and not m.string)
        print(f"{path.relative_to(ROOT)}: {len(template)} messages, {missing} to translate")
    return 0


def cmd_init(language: str) -> int:
    path = LOCALE / language / "LC_MESSAGES" / "cnnquiz.po"
    if path.exists():
        print(f"{path.relative_to(ROOT)} exists; use update", file=sys.stderr)
        return 2
    po = read(POT)
    po.locale = language
    po.header_comment = (
        f"# {po.locale.english_name} translations for cnnquiz: the English source, as a\n"
        f"# {po.locale.english_name}-speaking lecturer would say it to a student."
    )
    po.fuzzy = False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_text(po))
    print(f"{path.relative_to(ROOT)}: {len(po)} messages to translate")
    return 0


def cmd_compile() -> int:
    for path in catalogs():
        path.with_suffix(".mo").write_bytes(mo_bytes(read(path)))
        print(f"{path.with_suffix('.mo').relative_to(ROOT)}")
    return 0


def problems() -> list[str]:
    """What is behind the source: the template, a language's translations, a compiled file."""
    out = []
    wanted = {m.id for m in extract() if m.id}
    have = {m.id for m in read(POT) if m.id} if POT.exists() else set()
    if wanted != have:
        out.append(f"{POT.relative_to(ROOT)} is stale: run extract (then update)")
    for path in catalogs():
        po = read(path)
        ids = {m.id for m in po if m.id}
        untranslated = [m.id for m in po if m.id and (not m.string or m.fuzzy)]
        if ids != wanted or untranslated:
            out.append(
                f"{path.relative_to(ROOT)}: {len(wanted - ids)} new, {len(ids - wanted)} gone, "
                f"{len(untranslated)} untranslated or fuzzy"
            )
        mo = path.with_suffix(".mo")
        if not mo.exists() or mo_messages(mo.read_bytes()) != mo_messages(mo_bytes(po)):
            out.append(f"{mo.relative_to(ROOT)} is stale: run compile")
    return out


def cmd_check() -> int:
    found = problems()
    for line in found:
        print(line, file=sys.stderr)
    return 1 if found else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["extract", "update", "init", "compile", "check"])
    parser.add_argument("language", nargs="?", help="for init: the new language's code (da)")
    args = parser.parse_args(argv)
    if args.command == "init":
        if not args.language:
            parser.error("init needs a language code, e.g. da")
        return cmd_init(args.language)
    return {
        "extract": cmd_extract,
        "update": cmd_update,
        "compile": cmd_compile,
        "check": cmd_check,
    }[args.command]()


if __name__ == "__main__":
    sys.exit(main())
