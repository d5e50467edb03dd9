"""docs/graphs.md's table of layers names every kind, every name it lists reads as that kind,
and each row lists the kind's options: the table cannot drift from the registry."""

from __future__ import annotations

import re
from pathlib import Path

from cnnquiz.net.layers import KINDS, KNOWN, find_name

DOC = Path(__file__).parent.parent.parent / "docs" / "graphs.md"


def _rows() -> list[list[str]]:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## The layers") : text.index("## The figures on a graph")]
    rows = [line.split(" | ") for line in section.splitlines() if line.startswith("| `")]
    return [[cell.strip("| ") for cell in row] for row in rows]


def test_the_table_of_layers_matches_the_registry():
    rows = _rows()
    listed = [name for row in rows for name in re.findall(r"`(\w+)`", row[0])]
    assert sorted(listed) == sorted(KNOWN)
    for row in rows:
        variants = re.findall(r"`(\w+)`", row[0])
        kinds = {find_name(v)[0] for v in variants}
        assert len(kinds) == 1, row[0]
        (kind,) = kinds
        for alias in row[1].split(", "):
            name = alias.split(" (")[0]
            found = find_name(name)
            assert found is not None and found[1].name in variants, (alias, row[0])
        implied = {opt for v in kind.variants for opt, _ in v.preset}
        for option in set(kind.options) - implied:
            assert option in row[2] or row[2].startswith("none"), (option, row[0])
        assert (row[3] or None) in (kind.primary, None)
    assert {find_name(v)[0].kind for row in rows for v in re.findall(r"`(\w+)`", row[0])} == {
        k.kind for k in KINDS
    }
