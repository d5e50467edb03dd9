"""Numbers as the course writes them: 2,800 parameters, 3.61 MB (MB = 10^6 bytes)."""

from __future__ import annotations

from cnnquiz.limits import MAX_INT_DIGITS, int_digits

DTYPE_BYTES = {"float32": 4, "float16": 2, "bfloat16": 2, "float64": 8}

MB = 10**6


def fmt_int(n: int) -> str:
    """2800 → '2,800'; exact at any size Python prints (4,300 digits), beyond that '9.99…×10^4999'."""
    digits = int_digits(n)
    if digits <= MAX_INT_DIGITS:
        return f"{n:,}"
    lead = str(abs(n) // 10 ** (digits - 3))  # the first three digits, cut (never rounded up)
    return f"{'-' if n < 0 else ''}{lead[0]}.{lead[1:]}…×10^{digits - 1}"


def fmt_sig(x: float, digits: int = 3) -> str:
    """A number to ``digits`` significant figures, trailing zeros dropped: 12.6136 → '12.6'."""
    if x == 0:
        return "0"
    text = f"{x:.{digits}g}"
    if "e" in text:
        # keep plain notation for the sizes people read (526 MB, not 5.26e+02)
        text = f"{float(text):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if abs(x) >= 1000:
        # 34600000 reads badly; 34,600,000 does (the digits past the third are rounding zeros)
        whole, _, frac = text.partition(".")
        text = f"{int(whole):,}" + (f".{frac}" if frac else "")
    return text


def fmt_mb(n_bytes: int | float, digits: int = 3) -> str:
    """Bytes as MB (10^6) to 3 significant figures: 6000000 → '6 MB', 3613600 → '3.61 MB'."""
    return f"{fmt_sig(n_bytes / MB, digits)} MB"


def fmt_count(n: int, singular: str, plural: str | None = None) -> str:
    """``1 epoch``, ``3 epochs``, ``1 bias``, ``2,800 biases``: a count with its noun agreeing."""
    noun = singular if n == 1 else (plural or singular + "s")
    return f"{fmt_int(n)} {noun}"
