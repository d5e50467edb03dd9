"""The Textual app: one factory, ``make_app``, used by ``cnnquiz``, the tests and the benchmark.

The app owns what every screen shares: the banks, the progress store, the grading function,
the clock and the student's topic and bank filter. Top-level screens are modes (see
``registry``), so the calculator keeps what was typed while the student goes off to practise.
The app also navigates: a session's screens return values (the question screen its session,
the results screen a retry or None) and the app's callbacks decide what comes next, so no
screen imports another.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App
from textual.binding import Binding
from textual.command import CommandPalette as TextualCommandPalette

from cnnquiz.app.commands import CommandPalette, ScreensProvider
from cnnquiz.app.protocol import ProgressStore, QuizHost
from cnnquiz.app.registry import SCREENS
from cnnquiz.i18n import N_, _
from cnnquiz.study.select import MODE_TITLES, MODES, filter_questions, select_questions
from cnnquiz.study.session import Session

if TYPE_CHECKING:
    from cnnquiz.bank import Bank, Item, Question, Verdict

    Grade = Callable[[Item, str], Verdict]  # cnnquiz.bank.grade, or a test's stand-in


class CnnquizApp(App[None]):
    """Practice, exams, the calculator and statistics, keyboard first."""

    # what every screen shares; each screen names its own .tcss (CSS_PATH)
    CSS_PATH = "app.tcss"
    TITLE = "cnnquiz"
    SUB_TITLE = N_("exam prep for neural networks and CNNs")
    COMMANDS = App.COMMANDS | {ScreensProvider}
    BINDINGS = [
        Binding("f1", "help", N_("Help")),
        Binding("question_mark", "help", N_("Help"), show=False),
        Binding("ctrl+t", "change_theme", N_("Theme"), show=False),
    ]

    def __init__(
        self,
        banks: Sequence[Bank],
        progress: ProgressStore | None,
        grade: Grade,
        *,
        topics: Iterable[str] | None = None,
        bank_titles: Iterable[str] | None = None,
        seed: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        warning: str | None = None,
        quiz: Sequence[Question] | None = None,
    ) -> None:
        super().__init__()
        self.sub_title = _(self.SUB_TITLE)
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
            title = _("Left out or repaired")
            self.notify(self.warning, title=title, severity="warning", timeout=12)
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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A key that opens a screen this app was built without (tests leave Train out) is
        neither shown nor run."""
        if action == "switch_mode":
            return bool(parameters) and parameters[0] in SCREENS
        return True

    # ---- what the screens share -----------------------------------------------------------
    @cached_property
    def topics(self) -> list[str]:
        """Every topic of the loaded questions, sorted (they are fixed once the app is made;
        the home screen asks for them on every redraw)."""
        return sorted({t for q in self.questions for t in q.topics})

    def filtered_questions(self) -> list[Question]:
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

    # ---- navigation -----------------------------------------------------------------------
    def start(self, mode: str) -> None:
        """Open a session of ``mode``; an exam first asks how many questions and how long."""
        if mode == "exam":
            from cnnquiz.app.dialogs.exam_setup import ExamSetupScreen

            self.push_screen(ExamSetupScreen(self.exam_count, self.exam_minutes), self._exam_ready)
            return
        self._launch(mode)

    def _exam_ready(self, settings: tuple[int, float | None] | None) -> None:
        if settings is None:
            return
        self.exam_count, self.exam_minutes = settings
        self._launch("exam", *settings)

    def _launch(self, mode: str, count: int | None = None, minutes: float | None = None) -> None:
        session = self.make_session(mode, count, minutes)
        if session is None:
            why = {
                "practice": _("nothing is due and nothing is new"),
                "missed": _("nothing was answered wrong last time"),
            }.get(mode, _("no questions match"))
            said = _("{mode}: {why} with the current filter.").format(
                mode=_(MODE_TITLES[mode]), why=why
            )
            self.notify(said, severity="information")
            return
        self.start_session(session)

    def start_session(self, session: Session) -> None:
        from cnnquiz.app.screens.question import QuestionScreen

        self.push_screen(QuestionScreen(session), self._session_over)

    def _session_over(self, session: Session | None) -> None:
        """The question screen closed with its session: the results, if anything was answered."""
        if session is None or not session.answers:
            self._back_home()
            return
        from cnnquiz.app.screens.results import ResultsScreen

        self.push_screen(ResultsScreen(session, final=self.quiz is not None), self._results_closed)

    def _results_closed(self, retry: Session | None) -> None:
        """The results closed with a session of the missed questions to retry, or None."""
        if retry is not None:
            self.start_session(retry)
        else:
            self._back_home()

    def _back_home(self) -> None:
        """Home is on top again: for ``cnnquiz quiz`` that is the end, so the app closes."""
        if self.quiz is not None:
            self.exit()

    # ---- actions --------------------------------------------------------------------------
    def action_command_palette(self) -> None:
        """Ctrl+P: the palette, in the subclass that survives an early PageDown (see commands)."""
        if self.use_command_palette and not isinstance(self.screen, TextualCommandPalette):
            self.push_screen(CommandPalette(id="--command-palette"))

    def search_themes(self) -> None:
        """Ctrl+T: the theme picker, the same guarded palette over the themes."""
        from textual.theme import ThemeProvider

        self.push_screen(
            CommandPalette(providers=[ThemeProvider], placeholder=_("Search for themes…"))
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
            self.start(mode)
        else:
            said = _("A session is open: finish it or press Esc first.")
            self.notify(said, severity="warning")


def make_app(
    bank_paths: Sequence[str | Path] | None = None,
    *,
    banks: Sequence[Bank] | None = None,
    progress: ProgressStore | None = None,
    grade: Grade | None = None,
    topics: Iterable[str] | None = None,
    bank_titles: Iterable[str] | None = None,
    seed: int | None = None,
    clock: Callable[[], float] | None = None,
    quiz: Sequence[Question] | None = None,
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
    repaired = progress.warning if progress is not None else None
    warning = "\n".join([*bank_warnings, repaired or ""]).strip()
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


if TYPE_CHECKING:
    _checked: type[QuizHost] = CnnquizApp  # mypy: the app is what its screens expect of it
