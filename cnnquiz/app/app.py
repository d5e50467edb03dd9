"""The Textual app: one factory, ``make_app``, used by ``cnnquiz``, the tests and the benchmark.

The app owns what every screen shares: the banks, the progress store, the grading function,
the clock and the student's topic and bank filter. Top-level screens are modes (see
``registry``), so the calculator keeps what was typed while the student goes off to practise.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from textual.app import App
from textual.binding import Binding

from cnnquiz.app.commands import CommandPalette, ScreensProvider
from cnnquiz.app.registry import SCREENS
from cnnquiz.study.select import MODES, filter_questions, select_questions
from cnnquiz.study.session import Session


class CnnquizApp(App[None]):
    """Practice, exams, the calculator and statistics, keyboard first."""

    CSS_PATH = "app.tcss"
    TITLE = "cnnquiz"
    SUB_TITLE = "exam prep for neural networks and CNNs"
    COMMANDS = App.COMMANDS | {ScreensProvider}
    BINDINGS = [
        Binding("f1", "help", "Help"),
        Binding("question_mark", "help", "Help", show=False),
        Binding("ctrl+t", "change_theme", "Theme", show=False),
    ]

    def __init__(
        self,
        banks: Sequence[Any],
        progress: Any,
        grade: Callable[[Any, str], Any],
        *,
        topics: Iterable[str] | None = None,
        bank_titles: Iterable[str] | None = None,
        seed: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        warning: str | None = None,
        quiz: Sequence[Any] | None = None,
    ) -> None:
        super().__init__()
        self.banks = list(banks)
        self.questions = [q for bank in self.banks for q in bank.questions]
        self.progress = progress
        self.grade = grade
        self.topic_filter: set[str] | None = set(topics) if topics else None
        self.bank_filter: set[str] | None = set(bank_titles) if bank_titles else None
        self.seed = seed
        self.clock = clock
        self.warning = warning
        self.exam_count = 10
        self.exam_minutes: float | None = None
        # ``cnnquiz quiz`` on a terminal: these questions, asked at once, and the app closes when
        # the student leaves their results (``quiz`` stays readable for the score after exit)
        self.quiz_questions = list(quiz or [])
        self.quiz: Session | None = None
        for entry in SCREENS.values():
            self.add_mode(entry.name, entry.factory())
            if entry.key:
                self.bind(
                    entry.key, f"switch_mode('{entry.name}')", description=entry.title, show=False
                )

    def on_mount(self) -> None:
        self.switch_mode("home")
        if self.warning:
            self.notify(self.warning, title="Left out or repaired", severity="warning", timeout=12)
        if self.quiz_questions:
            self.quiz = Session(
                "cram",
                self.quiz_questions,
                self.grade,
                self.progress,
                seed=self.seed or 0,
                clock=self.clock,
            )
            self.start_session(self.quiz)

    def home_resumed(self) -> bool:
        """Home is back on top: a ``cnnquiz quiz`` session is over, so the app closes."""
        if self.quiz is not None and self.quiz.finished:
            self.exit()
            return True
        return False

    # ---- what the screens share -----------------------------------------------------------
    @property
    def topics(self) -> list[str]:
        return sorted({t for q in self.questions for t in q.topics})

    def filtered_questions(self) -> list[Any]:
        """The questions the student's topic and bank filter let through."""
        return filter_questions(self.questions, self.topic_filter, self.bank_filter)

    def new_seed(self) -> int:
        """A fixed seed makes sessions reproducible (tests, snapshots); else a fresh one each time."""
        if self.seed is not None:
            return self.seed
        return random.randrange(2**31)

    def make_session(
        self, mode: str, count: int | None = None, minutes: float | None = None
    ) -> Session | None:
        """A session of ``mode`` over the filtered questions, or None when none qualify."""
        seed = self.new_seed()
        chosen = select_questions(mode, self.filtered_questions(), self.progress, count, seed)
        if not chosen:
            return None
        limit = minutes * 60 if (minutes and mode == "exam") else None
        return Session(
            mode, chosen, self.grade, self.progress, seed=seed, time_limit=limit, clock=self.clock
        )

    # ---- actions --------------------------------------------------------------------------
    def action_command_palette(self) -> None:
        """Ctrl+P: the palette, in the subclass that survives an early PageDown (see commands)."""
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette"))

    def search_themes(self) -> None:
        """Ctrl+T: the theme picker, the same guarded palette over the themes."""
        from textual.theme import ThemeProvider

        self.push_screen(
            CommandPalette(providers=[ThemeProvider], placeholder="Search for themes…")
        )

    def action_help(self) -> None:
        from cnnquiz.app.dialogs.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_start(self, mode: str) -> None:
        """Start a session from anywhere (the palette): the exam asks for its settings first."""
        if mode not in MODES:
            return
        self.switch_mode("home")
        self.call_after_refresh(self._start_on_home, mode)

    def _start_on_home(self, mode: str) -> None:
        from cnnquiz.app.screens.home import HomeScreen

        if isinstance(self.screen, HomeScreen):
            self.screen.start(mode)
        else:
            self.notify("A session is open: finish it or press Esc first.", severity="warning")

    def start_session(self, session: Session) -> None:
        from cnnquiz.app.screens.question import QuestionScreen

        self.push_screen(QuestionScreen(session))


def make_app(
    bank_paths: Sequence[str | Path] | None = None,
    *,
    banks: Sequence[Any] | None = None,
    progress: Any = None,
    grade: Callable[[Any, str], Any] | None = None,
    topics: Iterable[str] | None = None,
    bank_titles: Iterable[str] | None = None,
    seed: int | None = None,
    clock: Callable[[], float] | None = None,
    quiz: Sequence[Any] | None = None,
    record: bool = True,
) -> CnnquizApp:
    """The app over ``bank_paths`` (default: the bundled banks) and the student's progress.

    Bad banks raise ``CnnquizError`` here, before the screen opens, so the command line prints
    one line. ``banks``, ``progress`` and ``grade`` may be given directly (tests use fixed ones).
    ``quiz`` opens those questions at once as a session and closes the app after its results
    (``cnnquiz quiz`` on a terminal); ``record=False`` stores nothing.
    """
    bank_warnings: list[str] = []
    if banks is None:
        from cnnquiz.bank import bundled_bank_paths
        from cnnquiz.study.load import load_for_study

        # a bad bank or a wrong key is left out with a warning; the good banks stay
        banks, bank_warnings = load_for_study(
            list(bank_paths) if bank_paths else bundled_bank_paths()
        )
    if grade is None:
        from cnnquiz.bank import grade as bank_grade

        grade = bank_grade
    if progress is None and record:
        from cnnquiz.progress import Progress

        progress = Progress()
    warning = "\n".join(bank_warnings + [getattr(progress, "warning", None) or ""]).strip()
    return CnnquizApp(
        banks,
        progress,
        grade,
        topics=topics,
        bank_titles=bank_titles,
        seed=seed,
        clock=clock or time.monotonic,
        warning=warning or None,
        quiz=quiz,
    )
