"""After a session: the score per topic, the time taken, and the missed questions explained."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Header, Markdown, Static

from cnnquiz.app.protocol import HostedScreen
from cnnquiz.app.safe import markdown, plain
from cnnquiz.i18n import N_, _
from cnnquiz.render import bar, duration
from cnnquiz.study.select import MODE_TITLES
from cnnquiz.study.session import Answer, Session


def answers_markdown(answers: list[Answer], empty: str) -> str:
    """Each answer: its prompt, what was typed, the key and the worked explanation."""
    parts = []
    for n, answer in enumerate(answers, 1):
        item = answer.item
        typed = f"`{answer.text}`" if answer.text else _("*(no answer)*")
        feedback = getattr(answer.verdict, "feedback", None)
        parts.append(
            f"### {n}. {answer.question.id}\n\n{item.prompt}\n\n"
            + _("Your answer: {typed} · expected: **{expected}**").format(
                typed=typed, expected=item.answer_text
            )
            + "\n\n"
            + (f"*{feedback}*\n\n" if feedback else "")
            + f"{item.explanation or ''}\n"
        )
    return markdown("\n---\n\n".join(parts)) if parts else empty


def missed_markdown(session: Session) -> str:
    """The questions answered wrong, explained."""
    if session.correct:
        empty = _("Nothing missed. Well done.")
    else:  # everything skipped: no praise for that
        empty = _("Nothing answered wrong.")
    return answers_markdown(session.missed(), empty)


class ResultsScreen(HostedScreen[Session | None]):
    """``r`` retries the missed and skipped ones as a fresh session; Esc goes home.

    Missed means answered wrong, as on the home screen ("Missed N to retry"); skipped questions
    (and an exam's unreached ones) are listed apart. The screen returns the session to retry,
    or None; ``final`` (``cnnquiz quiz``: leaving closes the app) names Esc "Done".
    """

    CSS_PATH = "results.tcss"
    BINDINGS = [
        Binding("r", "retry", N_("Retry"), tooltip=N_("Retry the missed and skipped questions")),
        Binding("escape,q", "close", N_("Home")),
        Binding("escape,q", "done", N_("Done")),  # the same keys, where leaving closes the app
    ]

    def __init__(self, session: Session, *, final: bool = False) -> None:
        super().__init__()
        self.session = session
        self.final = final

    def compose(self) -> ComposeResult:
        s = self.session
        yield Header()
        with VerticalScroll(id="results-body"):
            yield Static(self._headline(), id="results-score")
            table: DataTable[str | Text] = DataTable(
                id="results-topics", cursor_type="none", zebra_stripes=True
            )
            table.border_title = _("Score per topic")
            yield table
            title = _("Missed ({n})").format(n=len(s.missed()))
            yield Static(Text(title, style="bold"), id="results-missed-title")
            yield Markdown(missed_markdown(s), id="results-missed")
            skipped = s.skipped()
            if skipped:
                title = _("Skipped ({n})").format(n=len(skipped))
                yield Static(Text(title, style="bold"), id="results-skipped-title")
                yield Markdown(answers_markdown(skipped, ""), id="results-skipped")
        yield Footer()

    def _headline(self) -> Text:
        s = self.session
        asked = s.total if s.mode == "exam" else len(s.answers)
        pct = round(100 * s.correct / asked) if asked else 0
        text = Text.assemble(
            (_("{mode} results  ").format(mode=_(MODE_TITLES[s.mode])), "bold"),
            (f"{s.correct} / {asked}", "bold green" if pct >= 50 else "bold red"),
            _("  ({pct}%)  ·  time {time}").format(pct=pct, time=duration(s.elapsed)),
        )
        if s.mode == "exam":
            text.append(_("  ·  answered {n} of {total}").format(n=s.answered, total=s.total))
        return text

    def on_mount(self) -> None:
        table = self.query_one("#results-topics", DataTable)
        table.add_columns(_("Topic"), _("Score"), "", "%")
        scores = self.session.topic_scores()
        table.display = bool(scores)  # banks need not name topics: no empty box then
        for ts in scores:
            table.add_row(
                plain(ts.topic),
                f"{ts.correct}/{ts.asked}",
                bar(ts.ratio, 12),
                f"{round(100 * ts.ratio)}%",
            )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """ "Retry" is in the footer only when something was missed or skipped; Esc says
        "Done" where leaving closes the app, else "Home"."""
        if action == "retry":
            return bool(self.session.missed() or self.session.skipped())
        if action in ("close", "done"):
            return self.final == (action == "done")
        return True

    def action_retry(self) -> None:
        retry = self.session.retry_missed()
        if retry is None:
            self.notify(_("Nothing to retry."))
            return
        self.dismiss(retry)

    def action_close(self) -> None:
        """Esc: back home or, ``final``, the end of ``cnnquiz quiz`` (the app decides)."""
        self.dismiss(None)

    action_done = action_close
