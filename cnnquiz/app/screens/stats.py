"""Stats: answers per day, accuracy per topic and the streak, from the progress store."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Sparkline, Static

from cnnquiz.app.protocol import HostedScreen
from cnnquiz.app.safe import plain
from cnnquiz.render import bar

DAYS_LISTED = 14


class StatsScreen(HostedScreen[None]):
    """Read-only; refreshed each time it is shown, so a finished session counts at once."""

    CSS_PATH = "stats.tcss"
    BINDINGS = [
        Binding("f2", "app.switch_mode('home')", "Home"),
        Binding("escape", "app.switch_mode('home')", "Home", show=False),
        Binding("r", "refresh_stats", "Refresh"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="stats-body"):
            yield Static(id="stats-headline")
            spark = Sparkline([], id="stats-spark")
            spark.border_title = "Answers per day"
            yield spark
            with Horizontal(id="stats-tables"):
                days: DataTable[str] = DataTable(
                    id="stats-days", cursor_type="none", zebra_stripes=True
                )
                days.border_title = "Recent days"
                yield days
                topics: DataTable[str | Text] = DataTable(
                    id="stats-topics", cursor_type="none", zebra_stripes=True
                )
                topics.border_title = "Accuracy per topic"
                yield topics
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#stats-days", DataTable).add_columns("Day", "Answers", "Right")
        self.query_one("#stats-topics", DataTable).add_columns("Topic", "Answers", "Accuracy", "")
        self.action_refresh_stats()

    def on_screen_resume(self) -> None:
        self.action_refresh_stats()

    def action_refresh_stats(self) -> None:
        progress = self.host.progress
        if progress is None:
            return
        stats = progress.stats()
        headline = Text.assemble(
            ("Answers ", "bold"),
            f"{stats.answers}",
            ("  Correct ", "bold"),
            f"{stats.correct} ({round(100 * stats.accuracy)}%)",
            ("  Questions seen ", "bold"),
            f"{stats.questions}",
            ("  Streak ", "bold"),
            (
                f"{stats.streak} day{'s' if stats.streak != 1 else ''}",
                "bold green" if stats.streak else "",
            ),
        )
        if stats.answers == 0:
            headline.append(
                "\nNo answers yet: start a Practice session from Home (F2).", style="dim"
            )
        self.query_one("#stats-headline", Static).update(headline)
        self.query_one("#stats-spark", Sparkline).data = [d.answers for d in stats.days] or [0]
        days = self.query_one("#stats-days", DataTable)
        days.clear()
        for d in reversed(stats.days[-DAYS_LISTED:]):
            days.add_row(d.day.strftime("%a %d %b"), str(d.answers), str(d.correct))
        topics = self.query_one("#stats-topics", DataTable)
        topics.clear()
        topics.display = bool(stats.topics)  # answers to questions without topics: no box
        for t in stats.topics:
            topics.add_row(
                plain(t.topic), str(t.answers), f"{round(100 * t.accuracy)}%", bar(t.accuracy, 8)
            )
