"""Reading answers the way people type them: numbers, sizes, shapes, letters, yes/no.

A student types ``2,800``, ``2.8k``, ``3.6 MB``, ``3613600 bytes``, ``100×150×100`` or ``(b)``.
Each reader returns a parsed value or raises :class:`NotAnAnswer` with the reason, so that
input that is not an answer at all (``abc``, ``100x``, an empty line) is told apart from a
wrong answer and counts nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from cnnquiz.limits import MAX_DIM

BYTE_UNITS: dict[str, int] = {
    "b": 1,
    "byte": 1,
    "bytes": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}
"""Size units, lower-cased. MB = 10^6 bytes as the course counts; MiB = 2^20."""

UNIT_NAMES = {
    "b": "bytes",
    "byte": "bytes",
    "bytes": "bytes",
    "kb": "kB",
    "mb": "MB",
    "gb": "GB",
    "tb": "TB",
    "kib": "KiB",
    "mib": "MiB",
    "gib": "GiB",
    "tib": "TiB",
}

COUNT_WORDS = frozenset(
    "param params parameter parameters weight weights bias biases mac macs multiplication "
    "multiplications mults mult flop flops value values unit units filter filters pixel pixels "
    "neuron neurons element elements number numbers rows row operations ops".split()
)
"""Words that may follow a count (``2800 params``); they say what is counted, not a scale."""

MULTIPLIERS: dict[str, int] = {
    "k": 10**3,
    "thousand": 10**3,
    "duizend": 10**3,
    "m": 10**6,
    "mln": 10**6,
    "mio": 10**6,
    "million": 10**6,
    "millions": 10**6,
    "miljoen": 10**6,
    "g": 10**9,
    "bn": 10**9,
    "billion": 10**9,
    "miljard": 10**9,
}

TRUE_WORDS = frozenset("true t yes y waar w juist ja j sand correct right 1".split())
FALSE_WORDS = frozenset("false f no n onwaar o fout nee nej falsk incorrect wrong 0".split())


class NotAnAnswer(ValueError):
    """The input is not an answer at all; ``str(exc)`` says what was expected."""


MAX_ANSWER_CHARS = 500
"""Longer input is not an answer (a paste, a held key); it is refused before it is parsed."""
MAX_NUMBER_CHARS = 64
"""A number written with more characters (digits and separators) is not one a student means."""
MAX_EXPONENT = 100
"""Numbers are compared between 10^-100 and 10^100: far past every figure a question asks,
and far inside what exact decimal arithmetic does quickly (10^1000000 overflows it)."""


def shown(text: object, limit: int = 40) -> str:
    """``text`` quoted for a message, cut to ``limit`` characters so a pasted megabyte stays one line."""
    written = str(text).strip()
    return repr(written if len(written) <= limit else written[: limit - 1] + "…")


def check_length(text: str) -> None:
    """NotAnAnswer for input too long to be an answer of any kind."""
    if len(text) > MAX_ANSWER_CHARS:
        raise NotAnAnswer(f"{len(text):,} characters is not an answer (at most {MAX_ANSWER_CHARS})")


@dataclass(frozen=True)
class Quantity:
    """A number as typed: its value and, if given, its unit.

    ``unit`` is a lower-case key of :data:`BYTE_UNITS`, a count word (``params``) or None;
    ``scaled`` is true when a multiplier (``k``, ``M``) was typed.
    """

    value: Decimal
    unit: str | None = None
    scaled: bool = False

    @property
    def is_size(self) -> bool:
        return self.unit in BYTE_UNITS


_SPACES = re.compile(r"\s+")
_END_PUNCTUATION = re.compile(r"[.!;]+$")
_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")
_ABOUT = re.compile(r"^(≈|~|about|approx\.?|ca\.?|=)\s*", re.IGNORECASE)


def normalize_text(text: str) -> str:
    """Case-folded, whitespace collapsed, outer quotes and end punctuation dropped."""
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    text = _SPACES.sub(" ", text).strip()
    text = text.strip("`'\"“”‘’ ")
    text = _END_PUNCTUATION.sub("", text).strip()
    return text


def squash(text: str) -> str:
    """Only letters and digits: hyphens, spaces and punctuation do not make an answer wrong."""
    return _NOT_ALPHANUMERIC.sub("", normalize_text(text))


# --------------------------------------------------------------------------------------------
# Numbers

_NUMBER_START = re.compile(r"^[+\-]?(?:\d|[.,]\d)")
_NUMBER_BODY = re.compile(r"^[+\-]?[\d.,'’_ \u00a0\u202f]*\d|^[+\-]?\d")
_MULTIPLIER = re.compile(
    r"^(thousand|duizend|millions|million|miljoen|mln|mio|miljard|billion|bn|k|m|g)\b(.*)$"
)
_POWER = re.compile(
    r"^\s*(?:e\s*([+\-]?\d+)|[x*·]\s*10\s*(?:\^|\*\*)\s*([+\-]?\d+)|\^\s*([+\-]?\d+))",
    re.IGNORECASE,
)


def _clean_number(raw: str) -> Decimal:
    """``2,800`` ``2 800`` ``2.8`` ``3,61`` ``1.234.567`` → Decimal, or NotAnAnswer."""
    sign = ""
    if raw[:1] in "+-":
        sign, raw = raw[0], raw[1:]
    raw = _separators(_unspaced(raw.strip()))
    try:
        return Decimal(sign + raw)
    except InvalidOperation:
        raise NotAnAnswer(f"cannot read the number {shown(raw)}") from None


def _unspaced(raw: str) -> str:
    """``2 800`` → ``2800``: groups of three after a space (or ' _) are one number."""
    spaced = re.split(r"[ \u00a0\u202f'’_]+", raw)
    if len(spaced) == 1:
        return raw
    if not (
        re.fullmatch(r"\d{1,3}", spaced[0])
        and all(re.fullmatch(r"\d{3}([.,]\d+)?", p) for p in spaced[1:-1])
        and re.fullmatch(r"\d{3}([.,]\d+)?", spaced[-1])
    ):
        raise NotAnAnswer(f"{shown(raw)} looks like several numbers; expected one number")
    return "".join(spaced)


def _separators(raw: str) -> str:
    """Commas and dots read as thousands separators or as the decimal point: ``1.234,5``,
    ``1,234,567``, ``2,800`` (thousands), ``3,61`` (a decimal comma)."""
    commas, dots = raw.count(","), raw.count(".")
    if commas and dots:
        dec = "," if raw.rfind(",") > raw.rfind(".") else "."
        thousands = "." if dec == "," else ","
        whole, _, frac = raw.rpartition(dec)
        if raw.count(dec) > 1 or not _grouped(whole, thousands):
            raise NotAnAnswer(f"cannot read the number {shown(raw)}")
        return whole.replace(thousands, "") + "." + frac
    if commas > 1 or dots > 1:
        sep = "," if commas else "."
        if not _grouped(raw, sep):
            raise NotAnAnswer(f"cannot read the number {shown(raw)}")
        return raw.replace(sep, "")
    if commas == 1:
        whole, _, frac = raw.partition(",")
        if re.fullmatch(r"[1-9]\d{0,2}", whole) and re.fullmatch(r"\d{3}", frac):
            return whole + frac  # 2,800: a thousands separator
        return (whole or "0") + "." + frac  # 3,61: a decimal comma
    return raw


def _grouped(text: str, sep: str) -> bool:
    parts = text.split(sep)
    return bool(re.fullmatch(r"\d{1,3}", parts[0])) and all(
        re.fullmatch(r"\d{3}", p) for p in parts[1:]
    )


def parse_quantity(text: str) -> Quantity:
    """A number with an optional power, multiplier and unit: ``2.8k``, ``3.6e6 B``, ``3.61 MB``."""
    s = unicodedata.normalize("NFKC", str(text)).strip().replace("−", "-").replace("×", "x")
    s = _ABOUT.sub("", s)
    if not s:
        raise NotAnAnswer("empty answer; type a number like 2800, 2.8k or 3.6 MB")
    check_length(s)
    body = _NUMBER_BODY.match(s) if _NUMBER_START.match(s) else None
    if body is None:
        raise NotAnAnswer(
            f"{shown(text)} is not a number; type one like 2800, 2,800, 2.8k or 3.6 MB"
        )
    number = body.group(0)
    rest = s[len(number) :]
    if len(number.strip()) > MAX_NUMBER_CHARS:
        raise _too_big(text, f"more than {MAX_NUMBER_CHARS} characters of digits")
    # a space-separated group like "2 800" belongs to the number; "3.6 MB" does not
    value = _clean_number(number.strip())
    power = _POWER.match(rest)
    if power:
        exp = next(g for g in power.groups() if g is not None)
        if len(exp.lstrip("+-")) > 4 or abs(int(exp)) > MAX_EXPONENT:
            raise _too_big(text, f"a power of ten beyond ±{MAX_EXPONENT}")
        value = value.scaleb(int(exp))
        rest = rest[power.end() :]
    tail = rest.strip().casefold().rstrip(".").strip()
    scaled = False
    mult = _MULTIPLIER.match(tail)
    if mult and tail not in BYTE_UNITS:
        value *= MULTIPLIERS[mult.group(1)]
        scaled = True
        tail = mult.group(2).strip()
    unit: str | None = None
    if tail:
        tail = _SPACES.sub(" ", tail).rstrip(".")
        if tail in BYTE_UNITS or tail in COUNT_WORDS:
            unit = tail
        else:
            raise NotAnAnswer(
                f"cannot read {shown(rest)} after the number; expected a unit like MB, bytes or "
                "KiB, or a multiplier like k or M"
            )
    if value and not -MAX_EXPONENT <= value.adjusted() <= MAX_EXPONENT:
        raise _too_big(text, f"beyond 10^±{MAX_EXPONENT}")
    return Quantity(value, unit, scaled)


def _too_big(text: str, why: str) -> NotAnAnswer:
    return NotAnAnswer(f"{shown(text)} is not a number I can compare ({why})")


# --------------------------------------------------------------------------------------------
# Shapes


def parse_shape_answer(text: str) -> tuple[int, ...]:
    """``100x150x100``, ``100×150×100``, ``(100, 150, 100)``, ``[100,150,100]``, ``100 150 100``."""
    s = unicodedata.normalize("NFKC", str(text)).strip()
    if not s:
        raise NotAnAnswer("empty answer; type a shape like 100x150x100 (H x W x C)")
    check_length(s)
    s = s.strip("()[]{} ")
    s = re.sub(r"^none\s*[,x×]\s*", "", s, flags=re.IGNORECASE)  # Keras prints (None, H, W, C)
    parts = [p.strip() for p in re.split(r"\s*[x×X*,]\s*|\s+", s)]
    if not parts or any(p == "" for p in parts):
        raise NotAnAnswer(f"{shown(text)} is an incomplete shape; type one like 100x150x100")
    if any(not re.fullmatch(r"\d+", p) for p in parts):
        raise NotAnAnswer(f"{shown(text)} is not a shape; type whole numbers like 100x150x100")
    if any(len(p.lstrip("0")) > 10 or int(p) > MAX_DIM for p in parts):
        raise NotAnAnswer(
            f"{shown(text)} is not a shape I can compare (a dimension beyond 2^31 = "
            f"{MAX_DIM:,})"
        )
    return tuple(int(p) for p in parts)


def format_shape(dims: tuple[int, ...]) -> str:
    return "x".join(str(d) for d in dims)


# --------------------------------------------------------------------------------------------
# Choices and yes/no

_LETTER = re.compile(r"^\(?\s*([a-z])\s*[).:]?$", re.IGNORECASE)


def letter(index: int) -> str:
    return "abcdefghijklmnopqrstuvwxyz"[index]


def parse_choice(text: str, choices: list[str]) -> int:
    """A choice by its text (case and spacing ignored) or its letter: ``b``, ``B)``, ``(b)``."""
    s = normalize_text(text)
    if not s:
        raise NotAnAnswer(
            f"empty answer; type a letter a–{letter(len(choices) - 1)} or the text of a choice"
        )
    texts = [normalize_text(c) for c in choices]
    if s in texts:
        return texts.index(s)
    loose = [squash(t) for t in texts]
    if (
        squash(s) and loose.count(squash(s)) == 1
    ):  # "binary crossentropy" for "Binary cross-entropy"
        return loose.index(squash(s))
    m = _LETTER.match(s)
    if m:
        index = ord(m.group(1).lower()) - ord("a")
        if index < len(choices):
            return index
        raise NotAnAnswer(
            f"there is no choice {m.group(1)}; type a letter a–{letter(len(choices) - 1)}"
        )
    m = re.match(r"^\(?([a-z])\)\s*(.+)$", s)  # "b) binary cross-entropy"
    if (
        m
        and ord(m.group(1)) - ord("a") < len(choices)
        and m.group(2) == texts[ord(m.group(1)) - ord("a")]
    ):
        return ord(m.group(1)) - ord("a")
    raise NotAnAnswer(
        f"not one of the choices; type a letter a–{letter(len(choices) - 1)} or a choice's text"
    )


def parse_multi(text: str, choices: list[str]) -> frozenset[int]:
    """Several choices: letters ``a,c``, ``ac``, ``a c``, ``(a) (c)`` or texts separated by , or ;."""
    s = normalize_text(text)
    if not s:
        raise NotAnAnswer("empty answer; type letters like a,c or the texts of the choices")
    texts = [normalize_text(c) for c in choices]
    if s in texts:
        return frozenset({texts.index(s)})
    compact = re.sub(r"[\s,;/&()+]|\band\b|\ben\b", "", s)
    if (
        re.fullmatch(r"[a-z]+", compact)
        and all(ord(c) - 97 < len(choices) for c in compact)
        and not any(normalize_text(p) in texts for p in re.split(r"[,;]", s))
    ):
        if len(set(compact)) == len(compact) or len(compact) <= len(choices):
            return frozenset(ord(c) - 97 for c in compact)
    last: NotAnAnswer | None = None
    for separators in (r"\s*;\s*", r"\s*[;,]\s*|\s+and\s+|\s+en\s+"):
        try:
            picked = {parse_choice(part, choices) for part in re.split(separators, s) if part}
        except NotAnAnswer as exc:
            last = exc
            continue
        if picked:
            return frozenset(picked)
    raise NotAnAnswer(
        f"{last}; for several, type letters like a,c" if last else "type letters like a,c"
    )


def parse_truefalse(text: str) -> bool:
    """true/false, t/f, yes/no, y/n, and the Dutch waar/onwaar, juist/fout."""
    s = normalize_text(text)
    if s in TRUE_WORDS:
        return True
    if s in FALSE_WORDS:
        return False
    if not s:
        raise NotAnAnswer("empty answer; type true or false")
    raise NotAnAnswer(f"{shown(text)} is not true or false; type true/false, yes/no or t/f")
