"""Messages that cross screens or come back from worker threads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from textual.message import Message

if TYPE_CHECKING:  # no torch at run time: the type only
    from cnnquiz.torchcheck.verify import Verification

ResultT = TypeVar("ResultT")


@dataclass
class VerifyDone(Message):
    """The torch check of the calculator's network finished (``result``) or failed (``error``).

    ``token`` is the text that was verified: a verdict for an older text is not shown as if it
    were about what is on screen now.
    """

    token: str
    result: Verification | None = None
    error: str | None = None


@dataclass
class Calculated(Message, Generic[ResultT]):
    """A worker computed the figures for one state of a screen: the calculator posts its
    ``calculator.Calculation`` (generic, so this module need not import the screen)."""

    result: ResultT
