"""Messages that cross screens or come back from worker threads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message


@dataclass
class VerifyDone(Message):
    """The torch check of the calculator's network finished (``result``) or failed (``error``).

    ``token`` is the text that was verified: a verdict for an older text is not shown as if it
    were about what is on screen now.
    """

    token: str
    result: Any = None
    error: str | None = None


@dataclass
class Calculated(Message):
    """The calculator's worker computed the figures for one state of the screen (``result``,
    a ``calculator.Calculation``)."""

    result: Any
