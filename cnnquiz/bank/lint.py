"""Rules an author's text must follow beyond the schema: ids that cannot look alike, and a
prompt that states its rounding ("3 decimals") agreeing with the tolerance.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import Any

from cnnquiz.bank.keys import NumberKey, plain


def normal_id(value: str) -> tuple[str, str | None]:
    """An id in NFKC form (how it reads), and what is wrong with it, if anything.

    Invisible and format characters (zero-width space, bidi marks and overrides, soft hyphen),
    control characters, and letters from two of the scripts whose letters look alike (Latin,
    Greek, Cyrillic: ``conv-а`` with a Cyrillic а) make two ids that read the same: refused.
    """
    if value.isascii() and value.isprintable():
        return value, None  # NFKC leaves it as it is, and it has one script and no controls
    qid = unicodedata.normalize("NFKC", value)
    bad = [c for c in qid if unicodedata.category(c) in ("Cc", "Cf", "Co", "Cn", "Zl", "Zp")]
    if bad:
        names = ", ".join(dict.fromkeys(f"U+{ord(c):04X}" for c in bad))
        return qid, (
            f"the id {qid!r} holds invisible or control characters ({names}); "
            "write ids with visible characters only"
        )
    scripts = {
        unicodedata.name(c, "").split(" ")[0]
        for c in qid
        if unicodedata.category(c).startswith("L")
    } & {"LATIN", "GREEK", "CYRILLIC"}
    if len(scripts) > 1:
        mixed = " and ".join(sorted(s.title() for s in scripts))
        return qid, (
            f"the id {qid!r} mixes {mixed} letters, which look alike; write it in one script"
        )
    return qid, None


_DECIMALS = re.compile(r"\b(\d+)\s+decimal(?:s|\s+places?)\b", re.IGNORECASE)


def decimals_mismatch(prompt: str, key: NumberKey, tolerance: Any) -> str | None:
    """A prompt that asks for N decimals promises that a correctly rounded answer is right and
    one off by more than a unit in the last place is not: the tolerance must be between half a
    unit (0.0005 for 3 decimals) and one unit (0.001), absolute, and the key must have at most N
    decimals. What disagrees, or None."""
    m = _DECIMALS.search(prompt or "")
    if not m or int(m.group(1)) > 20:
        return None
    n = int(m.group(1))
    unit = Decimal(1).scaleb(-n)
    half = unit / 2
    wanted = f"tolerance: {plain(half)} (half a unit in the last decimal) to {plain(unit)}"
    exact = key.number.adjusted() + n < 25  # quantize stays within decimal's 28 digits
    if exact and key.number != key.number.quantize(unit):
        return f"the prompt asks for {n} decimals but the answer has more; round it"
    if key.rel_tol:
        said = f"tolerance {tolerance}" if tolerance is not None else "the default tolerance 0.5%"
        return f"the prompt asks for {n} decimals but {said} is relative; use {wanted}"
    if not half <= key.abs_tol <= unit:
        said = f"the tolerance {tolerance}" if tolerance is not None else "no tolerance"
        return f"the prompt asks for {n} decimals but {said} does not match; use {wanted}"
    return None
