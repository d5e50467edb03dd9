"""Reading numbers the way people type them: ``2,800``, ``2.8k``, ``3.6 MB``, ``3613600 bytes``,
``2.800`` in a Dutch question; and what every reader of answers shares (:class:`NotAnAnswer`).

Each reader returns a parsed value or raises :class:`NotAnAnswer` with the reason, so that
input that is not an answer at all (``abc``, an empty line) is told apart from a wrong answer.
:mod:`cnnquiz.bank.answers` reads the other kinds of answer and re-exports these names.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from cnnquiz.bank.convention import ambiguous, other_reading, read_in, thousands_mark
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


@dataclass(frozen=True)
class Quantity:
    """A number as typed: its value and, if given, its unit.

    ``unit`` is a lower-case key of :data:`BYTE_UNITS`, a count word (``params``) or None;
    ``scaled`` is true when a multiplier (``k``, ``M``) was typed. ``other`` is the value the
    other convention reads (``2.800`` is 2.8 in English, 2800 in Dutch), None when both read
    the same; ``number`` is the number as typed (``2.800``), for a message.
    """

    value: Decimal
    unit: str | None = None
    scaled: bool = False
    other: Decimal | None = None
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
    raw = _separators(_unspaced(raw.strip()), thousands_mark(language))
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
    if commas or dots:
        sep = "," if commas else "."
        whole, _sep, frac = raw.partition(sep)
        if sep == thousands and ambiguous(raw):
            return whole + frac  # 2,800 (English) or 2.800 (Dutch): a thousands separator
        return (whole or "0") + "." + frac  # 3,61 or 3.61: a decimal sign
    return raw


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
    readings = [read_number(number, lang)]
    if ambiguous(number.lstrip("+-")):  # 2.800, 2,800: the other convention reads another
        readings.append(read_number(number, other_reading(lang)))
    rest = s[len(body.group(0)) :]
    exp, rest = _power(rest, text)
    tail = rest.strip().casefold().rstrip(".").strip()
    mult = _MULTIPLIER.match(tail)
    scale = 1
    if mult and tail not in BYTE_UNITS:
        scale = MULTIPLIERS[mult.group(1)]
        tail = mult.group(2).strip()
    unit = _unit(tail, rest)
    value, *other = (_scaled(r, exp, scale) for r in readings)
    if value and not -MAX_EXPONENT <= value.adjusted() <= MAX_EXPONENT:
        raise _too_big(text, _("beyond 10^±{n}").format(n=MAX_EXPONENT))
    return Quantity(value, unit, scale != 1, other[0] if other else None, number)


def _examples(language: str, full: int) -> str:
    """Numbers written as ``language`` writes them, for a message (``full``: with grouping)."""
    if language in ("en", ""):
        return ("2800, 2.8k or 3.6 MB", "2800, 2,800, 2.8k or 3.6 MB")[full]
    return (_("2800, 2,8k or 3,6 MB"), _("2800, 2.800, 2,8k or 3,6 MB"))[full]


def _power(rest: str, text: str) -> tuple[int, str]:
    """The power of ten after a number (``e6``, ``x 10^3``) and what follows it."""
    power = _POWER.match(rest)
    if not power:
        return 0, rest
    exp = next(g for g in power.groups() if g is not None)
    if len(exp.lstrip("+-")) > 4 or abs(int(exp)) > MAX_EXPONENT:
        raise _too_big(text, _("a power of ten beyond ±{n}").format(n=MAX_EXPONENT))
    return int(exp), rest[power.end() :]


def _unit(tail: str, rest: str) -> str | None:
    """The unit or count word after the number (lower-case), None for none."""
    if not tail:
        return None
    tail = _SPACES.sub(" ", tail).rstrip(".")
    if tail in BYTE_UNITS or tail in COUNT_WORDS:
        return tail
    raise NotAnAnswer(
        _(
            "cannot read {rest} after the number; expected a unit like MB, bytes or KiB, or a "
            "multiplier like k or M"
        ).format(rest=shown(rest))
    )


def _scaled(value: Decimal, exp: int, scale: int) -> Decimal:
    if exp:
        value = value.scaleb(exp)
    return value * scale if scale != 1 else value


def _too_big(text: str, why: str) -> NotAnAnswer:
    return NotAnAnswer(
        _("{typed} is not a number I can compare ({why})").format(typed=shown(text), why=why)
    )
