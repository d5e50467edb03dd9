"""The limits on what cnnquiz reads, in one place, and the checks that apply them.

Every number a person types or a file holds is checked against these where it is read (a
shape, a layer option, a YAML file, a command-line flag), so that nothing past them reaches
the arithmetic or torch: a 5,000-digit integer, a 10^12-pixel image or ``/dev/zero`` are
one-line errors that state the limit. Below the limits the arithmetic stays exact (Python ints).
"""

from __future__ import annotations

import re
from typing import Any

from cnnquiz.errors import SpecError

MAX_DIM = 2**31
"""Largest dimension: a height, width, channel count, vector length, kernel, stride, filters,
units (torch indexes one axis with 32-bit-safe sizes; no real network comes near it)."""

MAX_COUNT = 2**63 - 1
"""Largest count: values in a tensor, parameters, multiplications (torch's int64 numel)."""

MAX_FILE_BYTES = 10 * 10**6
"""Largest bank, spec or run file read: 10 MB (the bundled banks are 6-25 kB each)."""

MAX_YAML_NODES = 1_000_000
"""Largest YAML document, counted as nodes after alias expansion (a "billion laughs" file of
600 bytes expands to 10^9). The biggest bundled bank, convolution.yaml, has 1,446."""

MAX_YAML_DEPTH = 200
"""Deepest nesting of YAML lists and mappings (the bundled banks nest 8 deep)."""

MAX_INT_DIGITS = 4300
"""Digits Python reads in a decimal integer (``sys.int_info.default_max_str_digits``)."""

_DIGITS = re.compile(r"\s*([+-]?)0*(\d+)\s*")


def number_text(value: Any, limit: int = 40) -> str:
    """``value`` for an error message, a long one cut: ``'99999…' (5,000 characters)``."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"a {int_digits(value):,}-digit number"
    text = repr(value)
    if len(text) > limit:
        return f"{text[: limit - 8]}… ({len(text):,} characters)"
    return text


def int_digits(value: int) -> int:
    """Decimal digits of an int without converting it to text (which Python limits)."""
    value = abs(value)
    digits = int(value.bit_length() * 0.30103) + 1  # log10(2) rounded down: exact or one over
    return digits if value >= 10 ** (digits - 1) else max(digits - 1, 1)


def parse_int(text: str, where: str, what: str, maximum: int = MAX_DIM) -> int:
    """A whole number typed as text, refused past ``maximum`` before Python converts it.

    ``int()`` raises ``ValueError`` past 4,300 digits; counting the digits first turns any
    length into the same one-line error, with the limit in it.
    """
    m = _DIGITS.fullmatch(text)
    if not m:
        raise SpecError(f"{what} must be a whole number, got {number_text(text)}", where)
    sign, digits = m.groups()
    if len(digits) > 40:  # past any limit; converting it could itself fail
        raise SpecError(too_big(what, f"a {len(digits):,}-digit number", maximum), where)
    value = int(sign + digits)
    check_max(value, where, what, maximum)
    return value


def too_big(what: str, shown: str, maximum: int) -> str:
    return f"{what} must be at most {_limit_text(maximum)}, got {shown}"


def _limit_text(maximum: int) -> str:
    names = {MAX_DIM: "2^31", MAX_COUNT: "2^63 - 1"}
    return f"{maximum:,} ({names[maximum]})" if maximum in names else f"{maximum:,}"


def check_max(value: int, where: str | None, what: str, maximum: int = MAX_DIM) -> int:
    """``value`` unless it is past ``maximum``: a dimension past 2^31, a count past 2^63 - 1."""
    if value > maximum:
        raise SpecError(too_big(what, number_text(value) if value.bit_length() > 128
                                else f"{value:,}", maximum), where)
    return value

MAX_LAYERS = 10_000
"""Most layers a network may have once its blocks and repeats are expanded (ResNet-152 has
about 500 with its activations as layers). A spec whose blocks nest and repeat past it (six
blocks of ten uses each make 10^6) is refused while it is expanded, before it is built."""

MAX_BLOCK_DEPTH = 50
"""Deepest nesting of blocks using blocks (GoogLeNet's and ResNet's specs nest 2 deep); each
level is a step of recursion when a network is read, so a chain of a thousand blocks is one
line of error, not Python's recursion limit."""
