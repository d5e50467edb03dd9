"""What the screens need from the app, and from the banks and the progress store it holds.

A screen reaches the app through ``host`` (see ``HostedScreen``), typed as ``QuizHost``: the
screens depend on these few members, not on ``CnnquizApp`` (which imports the screens to
navigate between them), and mypy checks ``CnnquizApp`` against this Protocol at the end of
``app.py``. The bank and progress Protocols list only what the app reads, so the tests' fakes
(``tests/fakes.py``) stand in for the real ``Bank``, ``Item`` and ``Progress``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol, TypeVar, cast, runtime_checkable

from textual.binding import ActiveBinding
from textual.screen import Screen

from cnnquiz.app import words
from cnnquiz.study.select import Schedule, Selectable
from cnnquiz.study.session import Recorder

if TYPE_CHECKING:
    from cnnquiz.progress import Stats


class QuestionView(Selectable, Protocol):
    """A bank question as the home screen counts it: by bank, by topic and by item (the
    study's ``Selectable``: an exam counts a multi-part item once)."""


class BankView(Protocol):
    """A loaded bank as the home screen lists it."""

    @property
    def title(self) -> str: ...
    @property
    def questions(self) -> Sequence[QuestionView]: ...


@runtime_checkable
class ItemView(Protocol):
    """One drawn question as the question and results screens show it (``bank.Item``)."""

    @property
    def prompt(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def choices(self) -> Sequence[str] | None: ...
    @property
    def hints(self) -> Sequence[str]: ...
    @property
    def explanation(self) -> str: ...
    @property
    def answer_text(self) -> str: ...


class ProgressStore(Schedule, Recorder, Protocol):
    """The progress store as the app uses it: a session's store, plus mastery and statistics."""

    def mastery(self, topic_of: Mapping[str, Iterable[str]], /) -> dict[str, float]: ...
    def stats(self) -> Stats: ...
    @property
    def warning(self) -> str | None: ...  # why the store was repaired or is kept in memory


class QuizHost(Protocol):
    """The app as its screens see it: the banks, the student's filters, the progress store,
    and the one way to start a session (the app decides what follows it)."""

    topic_filter: set[str] | None  # None: every topic (the home screen's ticks set these)
    bank_filter: set[str] | None

    @property
    def banks(self) -> Sequence[BankView]: ...
    @property
    def questions(self) -> Sequence[QuestionView]: ...
    @property
    def progress(self) -> ProgressStore | None: ...
    @property
    def exam_count(self) -> int: ...
    @property
    def topics(self) -> list[str]: ...
    def filtered_questions(self) -> Sequence[QuestionView]: ...
    def start(self, mode: str) -> None: ...


ResultType = TypeVar("ResultType")


class HostedScreen(Screen[ResultType]):
    """A screen of this app: ``host`` is ``self.app`` seen through ``QuizHost``."""

    @property
    def host(self) -> QuizHost:
        # the app is a CnnquizApp, checked against QuizHost in app.py; Textual types it App
        return cast("QuizHost", self.app)

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """The footer's keys, labelled in the student's language."""
        return words.active(super().active_bindings)
