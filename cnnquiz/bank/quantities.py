"""Reading numbers the way people type them: ``2,800``, ``2.8k``, ``3.6 MB``, ``3613600 bytes``,
``2.800`` in a Dutch question; and what every reader of answers shares (:class:`NotAnAnswer`).

Each reader returns a parsed value or raises :class:`NotAnAnswer` with the reason, so that
input that is not an answer at all (``abc``, an empty line) is told apart from a wrong answer.
:mod:`cnnquiz.bank.answers` reads the other kinds of answer and re-exports these names.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from cnnquiz.bank.convention import DECIMAL_COMMA, ambiguous, other_reading, read_in
from cnnquiz.i18n import _

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
    "neuron neurons element elements number numbers rows row operations ops "
    # the Dutch words for what is counted (parameters, filters, pixels, neuron: as in English)
    "gewicht gewichten vermenigvuldiging vermenigvuldigingen waarde waarden eenheid eenheden "
    "neuronen getal getallen rijen rij bewerkingen elementen".split()
)
"""Words that may follow a count (``2800 params``, ``2.800 gewichten``); they say what is
counted, not a scale."""

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
        raise NotAnAnswer(
            _("{n} characters is not an answer (at most {most})").format(
                n=f"{len(text):,}", most=MAX_ANSWER_CHARS
            )
        )


class Quantity(NamedTuple):
    """A number as typed: its value and, if given, its unit (a tuple: one is made per answer).

    ``unit`` is a lower-case key of :data:`BYTE_UNITS`, a count word (``params``) or None;
    ``scaled`` is true when a multiplier (``k``, ``M``) was typed; ``number`` is the number as
    typed (``2.800``), which :func:`other_reading_of` reads the other way.
    """

    value: Decimal
    unit: str | None = None
    scaled: bool = False
    number: str = ""

    @property
    def is_size(self) -> bool:
        return self.unit in BYTE_UNITS


_SPACES = re.compile(r"\s+")
_ABOUT = re.compile(r"^(≈|~|about|approx\.?|ca\.?|=)\s*", re.IGNORECASE)

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


def read_number(raw: str, language: str = "en") -> Decimal:
    """``2,800`` ``2 800`` ``2.8`` ``3,61`` ``1.234.567`` → Decimal, or NotAnAnswer; ``2.800``
    and ``2,800`` as ``language`` writes numbers (:mod:`cnnquiz.bank.convention`)."""
    sign = ""
    if raw[:1] in "+-":
        sign, raw = raw[0], raw[1:]
    raw = _separators(_unspaced(raw.strip()), "." if language in DECIMAL_COMMA else ",")
    try:
        return Decimal(sign + raw)
    except InvalidOperation:
        raise NotAnAnswer(_("cannot read the number {typed}").format(typed=shown(raw))) from None


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
        raise NotAnAnswer(
            _("{typed} looks like several numbers; expected one number").format(typed=shown(raw))
        )
    return "".join(spaced)


def _separators(raw: str, thousands: str = ",") -> str:
    """Commas and dots read as thousands separators or as the decimal point: ``1.234,5``,
    ``1,234,567``, ``3,61`` (a decimal comma), ``3.61``; one ``thousands`` mark before three
    digits groups thousands (English ``2,800``, Dutch ``2.800``), the other is decimal."""
    commas, dots = raw.count(","), raw.count(".")
    if commas and dots:
        dec = "," if raw.rfind(",") > raw.rfind(".") else "."
        thousands = "." if dec == "," else ","
        whole, _dec, frac = raw.rpartition(dec)
        if raw.count(dec) > 1 or not _grouped(whole, thousands):
            raise NotAnAnswer(_("cannot read the number {typed}").format(typed=shown(raw)))
        return whole.replace(thousands, "") + "." + frac
    if commas > 1 or dots > 1:
        sep = "," if commas else "."
        if not _grouped(raw, sep):
            raise NotAnAnswer(_("cannot read the number {typed}").format(typed=shown(raw)))
        return raw.replace(sep, "")
    if commas:
        if thousands == "," and ambiguous(raw):
            return raw.replace(",", "")  # 2,800 in English: a thousands separator
        return raw.replace(",", ".")  # 3,61: a decimal comma (",5" reads as .5)
    if dots and thousands == "." and ambiguous(raw):
        return raw.replace(".", "")  # 2.800 in Dutch: a thousands separator
    return raw  # 3.61, .5: a decimal point


def _grouped(text: str, sep: str) -> bool:
    parts = text.split(sep)
    return bool(re.fullmatch(r"\d{1,3}", parts[0])) and all(
        re.fullmatch(r"\d{3}", p) for p in parts[1:]
    )


def parse_quantity(text: str, language: str | None = None) -> Quantity:
    """A number with an optional power, multiplier and unit: ``2.8k``, ``3.6e6 B``, ``3.61 MB``;
    ``2.800`` and ``2,800`` read as ``language`` writes them (default: the bank being read's)."""
    lang = language or read_in()
    s = unicodedata.normalize("NFKC", str(text)).strip().replace("−", "-").replace("×", "x")
    s = _ABOUT.sub("", s)
    if not s:
        raise NotAnAnswer(
            _("empty answer; type a number like {examples}").format(examples=_examples(lang, 0))
        )
    check_length(s)
    body = _NUMBER_BODY.match(s) if _NUMBER_START.match(s) else None
    if body is None:
        raise NotAnAnswer(
            _("{typed} is not a number; type one like {examples}").format(
                typed=shown(text), examples=_examples(lang, 1)
            )
        )
    # a space-separated group like "2 800" belongs to the number; "3.6 MB" does not
    number = body.group(0).strip()
    if len(number) > MAX_NUMBER_CHARS:
        raise _too_big(text, _("more than {n} characters of digits").format(n=MAX_NUMBER_CHARS))
    value = read_number(number, lang)
    rest = s[len(body.group(0)) :]
    exp, scale, unit = _after(rest, text) if rest else (0, 1, None)
    if exp:
        value = value.scaleb(exp)
    if scale != 1:
        value *= scale
    if value and not -MAX_EXPONENT <= value.adjusted() <= MAX_EXPONENT:
        raise _too_big(text, _("beyond 10^±{n}").format(n=MAX_EXPONENT))
    return Quantity(value, unit, scale != 1, number)


def other_reading_of(text: str, q: Quantity, language: str) -> Quantity | None:
    """``text`` (read as ``q`` in ``language``) read in the other convention, when that reads
    another number (``2.800``: 2.8 in English, 2800 in Dutch); None when both read alike.
    Asked only of a wrong answer, so a right one is read once."""
    number = q.number.lstrip("+-")
    if len(number) < 5 or number[-4] not in ".," or not ambiguous(number):
        return None
    return parse_quantity(text, other_reading(language))


def _examples(language: str, full: int) -> str:
    """Numbers written as ``language`` writes them, for a message (``full``: with grouping)."""
    if language in ("en", ""):
        return ("2800, 2.8k or 3.6 MB", "2800, 2,800, 2.8k or 3.6 MB")[full]
    return (_("2800, 2,8k or 3,6 MB"), _("2800, 2.800, 2,8k or 3,6 MB"))[full]


def _after(rest: str, text: str) -> tuple[int, int, str | None]:
    """What follows a number: its power of ten (``e6``, ``x 10^3``), multiplier (``k``,
    ``miljoen``) and unit or count word (lower-case, None for none)."""
    exp = 0
    power = _POWER.match(rest)
    if power:
        written = next(g for g in power.groups() if g is not None)
        if len(written.lstrip("+-")) > 4 or abs(int(written)) > MAX_EXPONENT:
            raise _too_big(text, _("a power of ten beyond ±{n}").format(n=MAX_EXPONENT))
        exp = int(written)
        rest = rest[power.end() :]
    tail = rest.strip().casefold().rstrip(".").strip()
    scale = 1
    mult = _MULTIPLIER.match(tail) if tail else None
    if mult and tail not in BYTE_UNITS:
        scale = MULTIPLIERS[mult.group(1)]
        tail = mult.group(2).strip()
    if not tail:
        return exp, scale, None
    tail = _SPACES.sub(" ", tail).rstrip(".")
    if tail in BYTE_UNITS or tail in COUNT_WORDS:
        return exp, scale, tail
    raise NotAnAnswer(
        _(
            "cannot read {rest} after the number; expected a unit like MB, bytes or KiB, or a "
            "multiplier like k or M"
        ).format(rest=shown(rest))
    )


def _too_big(text: str, why: str) -> NotAnAnswer:
    return NotAnAnswer(
        _("{typed} is not a number I can compare ({why})").format(typed=shown(text), why=why)
    )
