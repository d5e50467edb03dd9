"""Before an exam: how many questions, and an optional time limit in minutes."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.markup import escape
from textual.widgets import Input, Label, Static

from cnnquiz.app.words import Dialog
from cnnquiz.i18n import N_, _


class ExamSetupScreen(Dialog[tuple[int, float | None] | None]):
    """Returns ``(questions, minutes or None)``, or None when the student backs out."""

    CSS_PATH = "exam_setup.tcss"
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, count: int = 10, minutes: float | None = None) -> None:
        super().__init__()
        self.count = count
        self.minutes = minutes

    def compose(self) -> ComposeResult:
        with Vertical(id="exam-setup", classes="dialog") as box:
            box.border_title = _("Exam")
            yield Label(_("Questions"))
            yield Input(str(self.count), id="exam-count", type="integer")
            yield Label(_("Time limit in minutes (empty: none)"))
            yield Input(
                "" if self.minutes is None else f"{self.minutes:g}",
                id="exam-minutes",
                type="number",
            )
            yield Static(
                _("No feedback until the end. Tab: next field · Enter: start · Esc: cancel"),
                id="exam-error",
            )

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self._go()

    def _go(self) -> None:
        error = self.query_one("#exam-error", Static)
        count_text = self.query_one("#exam-count", Input).value.strip()
        minutes_text = self.query_one("#exam-minutes", Input).value.strip()
        try:
            count = int(count_text)
            if count < 1:
                raise ValueError
        except ValueError:
            error.update(
                "[b red]" + escape(_("Questions: expected a positive whole number")) + "[/]"
            )
            self.query_one("#exam-count", Input).focus()
            return
        minutes: float | None = None
        if minutes_text:
            try:
                minutes = float(minutes_text)
                if minutes <= 0:
                    raise ValueError
            except ValueError:
                said = _("Time limit: expected a positive number of minutes or nothing")
                error.update("[b red]" + escape(said) + "[/]")
                return
        self.dismiss((count, minutes))

    def action_cancel(self) -> None:
        self.dismiss(None)
