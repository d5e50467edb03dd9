"""One question at a time: the prompt as Markdown, an input that fits the type, feedback at once.

Keys that must work while the student types use ``ctrl`` (hint, new variant, skip); after the
answer the input is disabled, so plain letters (h Hard, e Easy, n/Enter next) reach the screen.
The screen returns its session when it is over; the app decides what follows (the results).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.reactive import var
from textual.widget import Widget
from textual.widgets import Footer, Header, Input, Markdown, Static

from cnnquiz.app.protocol import HostedScreen, ItemView
from cnnquiz.app.safe import markdown, plain
from cnnquiz.app.widgets.answers import ChoiceList, MultiChoiceList
from cnnquiz.i18n import N_, _
from cnnquiz.render import duration
from cnnquiz.study.select import MODE_TITLES
from cnnquiz.study.session import Session

PLACEHOLDERS = {
    "numeric": N_("a number, e.g. 2800, 2.8k or 3.6 MB"),
    "shape": N_("a shape, e.g. 100x150x100"),
    "text": N_("your answer"),
}


class QuestionScreen(HostedScreen[Session]):
    """Asks the session's questions; dismissed with the session when the last one is done."""

    CSS_PATH = "question.tcss"
    BINDINGS = [
        Binding("ctrl+g", "hint", N_("Hint")),
        Binding("ctrl+n", "variant", N_("New variant")),
        Binding("ctrl+s", "skip", N_("Skip")),
        Binding("enter,n", "next", N_("Next"), priority=False),
        Binding("h", "rerate('hard')", N_("Hard")),
        Binding("e", "rerate('easy')", N_("Easy")),
        Binding("escape", "quit_session", N_("Quit")),
    ]

    answered = var(False, init=False, bindings=True)
    """Feedback is on screen for the current question: the answer is locked, Next is on."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def watch_answered(self, answered: bool) -> None:
        for widget in self.query(".answer"):
            widget.disabled = answered

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="q-status")
        with VerticalScroll(id="q-body"):
            yield Markdown(id="q-prompt")
            yield Static(id="q-hints")
            yield Static(id="q-answer-slot")
            yield Static(id="q-verdict")
            yield Markdown(id="q-explanation")
        yield Footer()

    async def on_mount(self) -> None:
        await self.show_question()
        if self.session.time_limit is not None:
            self.set_interval(1.0, self._tick)

    # ---- display --------------------------------------------------------------------------
    def _status(self) -> Text:
        s = self.session
        text = Text.assemble(
            (f"{_(MODE_TITLES[s.mode])}", "bold"),
            _(" · question {n} of {total}").format(n=min(s.index + 1, s.total), total=s.total),
        )
        if s.feedback:
            text.append(
                _(" · score {correct}/{answered}").format(correct=s.correct, answered=s.answered)
            )
        else:
            text.append(_(" · answered {n}").format(n=s.answered))
        if s.remaining is not None:
            text.append(_(" · {time} left").format(time=duration(s.remaining)), style="bold")
        q = s.question
        if q is not None:
            text.append(" · ").append_text(plain(q.bank, style="dim"))
        return text

    async def show_question(self) -> None:
        """Fresh prompt and input for the session's current item."""
        item = self.session.current()[1]
        self.answered = False
        self.query_one("#q-status", Static).update(self._status())
        self.query_one("#q-prompt", Markdown).update(markdown(item.prompt))
        hints = self.query_one("#q-hints", Static)
        hints.update("")
        hints.display = False
        self.query_one("#q-verdict", Static).update("")
        explanation = self.query_one("#q-explanation", Markdown)
        explanation.update("")
        explanation.display = False
        await self.query(".answer").remove()
        widget = self._answer_widget(item)
        widget.add_class("answer")
        await self.query_one("#q-body").mount(widget, after=self.query_one("#q-answer-slot"))
        widget.focus()
        self.query_one("#q-body", VerticalScroll).scroll_home(animate=False)
        self.refresh_bindings()

    def _answer_widget(self, item: ItemView) -> Widget:
        if item.kind == "choice":
            return ChoiceList(list(item.choices or []), id="q-choices")
        if item.kind == "truefalse":
            return ChoiceList([_("True"), _("False")], id="q-choices")
        if item.kind == "multi":
            return MultiChoiceList(list(item.choices or []), id="q-choices")
        return Input(placeholder=_(PLACEHOLDERS.get(item.kind, "your answer")), id="q-input")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Footer shows only what works now: Hard/Easy after a correct answer, Next after any."""
        s = self.session
        if action == "skip":
            return not self.answered
        if action == "next":
            return self.answered
        if action == "rerate":
            return (
                self.answered
                and bool(s.answers)
                and s.answers[-1].correct
                and s.answers[-1].rating is None
            )
        if action in ("hint", "variant"):
            if self.answered:
                return False
            if action == "variant":
                return bool(getattr(s.question, "is_computed", False))
            return True  # with no hint (left), Ctrl+G says so
        return True

    # ---- answering ------------------------------------------------------------------------
    @on(Input.Submitted, "#q-input")
    async def _typed(self, event: Input.Submitted) -> None:
        event.stop()
        await self.submit(event.value)

    @on(ChoiceList.Chosen)
    @on(MultiChoiceList.Chosen)
    async def _chosen(self, event: ChoiceList.Chosen | MultiChoiceList.Chosen) -> None:
        event.stop()
        text = event.text
        if self.session.current()[1].kind == "truefalse":
            text = "true" if text == _("True") else "false"
        await self.submit(text)

    async def submit(self, text: str) -> None:
        """Grade what was typed; in practice show the verdict, in an exam move on."""
        if self.answered or self.session.finished:
            return
        verdict = self.session.submit(text)
        self._say_unsaved()
        out = self.query_one("#q-verdict", Static)
        if verdict.status == "invalid":
            out.update(
                Text.assemble(
                    (_("Invalid: "), "bold yellow"),
                    plain(verdict.message or ""),
                    (_(" (costs nothing: try again)"), "dim"),
                )
            )
            return
        if not self.session.feedback:
            self.session.advance()
            await self._after_advance()
            return
        self.answered = True
        if verdict.status == "correct":
            line = Text.assemble((_("✔ Correct"), "bold green"), "  ", plain(verdict.expected))
            line.append(_("\n  h Hard · e Easy · Enter next"), style="dim")
        else:
            line = Text.assemble(
                (_("✘ Wrong"), "bold red"), _("  expected "), plain(verdict.expected, "bold")
            )
            if verdict.message and str(verdict.expected) not in verdict.message:
                line.append("\n  ").append_text(plain(verdict.message))
        if verdict.feedback:
            line.append("\n  ").append_text(plain(verdict.feedback, "italic"))
        out.update(line)
        explanation = self.query_one("#q-explanation", Markdown)
        item = self.session.current()[1]
        explanation.update(markdown(item.explanation))
        explanation.display = bool(item.explanation)
        self.query_one("#q-status", Static).update(self._status())
        self.query_one("#q-body", VerticalScroll).focus()  # arrows scroll a long explanation

    async def action_next(self) -> None:
        if not self.answered:
            return
        self.session.advance()
        await self._after_advance()

    def action_rerate(self, rating: str) -> None:
        if self.session.rerate(rating):
            said = _("Rated hard: the next review moves accordingly.")
            if rating == "easy":
                said = _("Rated easy: the next review moves accordingly.")
            self.notify(said, timeout=3)
            self.refresh_bindings()
        self._say_unsaved()

    def _say_unsaved(self) -> None:
        """The progress store failed (disk full, locked): say so; the session goes on."""
        message = self.session.take_unsaved()
        if message:
            self.notify(message, title=_("Progress"), severity="error", timeout=10)

    def action_hint(self) -> None:
        """The next hint; a question without one says so (not "no more hints")."""
        hint = self.session.next_hint()
        hints = list(self.session.current()[1].hints or [])[: self.session.hints_shown]
        said = "\n".join(_("Hint {n}: {hint}").format(n=i, hint=h) for i, h in enumerate(hints, 1))
        text = plain(said, "italic cyan")
        if hint is None:
            note = _("No more hints.") if hints else _("This question has no hint.")
            text.append(("\n" if hints else "") + note, style="dim")
        out = self.query_one("#q-hints", Static)
        out.display = True
        out.update(text)
        self.refresh_bindings()

    async def action_variant(self) -> None:
        if not self.answered and self.session.new_variant():
            await self.show_question()

    async def action_skip(self) -> None:
        self.session.skip()
        await self._after_advance()

    async def action_quit_session(self) -> None:
        """Esc: end the session here; the results show what was done so far."""
        self.session.finish()
        await self._after_advance()

    async def _tick(self) -> None:
        if self.session.finished:
            return
        if self.session.time_up:
            self.session.finish()
            self.notify(_("Time is up."), severity="warning")
            await self._after_advance()
            return
        self.query_one("#q-status", Static).update(self._status())

    async def _after_advance(self) -> None:
        if not self.session.finished:
            await self.show_question()
        elif self.is_active:
            self.dismiss(self.session)
        else:  # time ran out under the help screen: close it; on_screen_resume hands back
            self.pop_until_active()

    def on_screen_resume(self) -> None:
        if self.session.finished:
            self.dismiss(self.session)
