"""Home: the banks and topics with the student's mastery, what is due, and the ways to start."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from cnnquiz.app.protocol import HostedScreen
from cnnquiz.app.registry import SCREENS
from cnnquiz.app.safe import plain
from cnnquiz.app.widgets.answers import TickList
from cnnquiz.i18n import N_, _, ngettext, number
from cnnquiz.net.units import fmt_int
from cnnquiz.render import bar
from cnnquiz.study.select import MODE_TITLES, MODES, count_units

BUILT_IN = ("home", "calculator", "stats")  # the screens whose keys are written out below

MODE_HELP = {
    "practice": N_("due first, then new"),
    "cram": N_("any, ignoring the schedule"),
    "exam": N_("feedback at the end"),
    "missed": N_("wrong last time"),
}


def questions(n: int) -> str:
    """``1 question``, ``2,800 questions``: a count of questions in the student's language."""
    return ngettext("{n} question", "{n} questions", n).format(n=number(fmt_int(n)))


class HomeScreen(HostedScreen[None]):
    """Pick topics and banks (space toggles), then a mode: the list or its key."""

    CSS_PATH = "home.tcss"
    # At 80 columns the footer holds about 68 columns of keys beside "^p palette": the four
    # modes share one label (the list beside spells each out with its key) so F1 Help fits.
    START = Binding.Group(N_("Start"))
    BINDINGS = [
        Binding("p", "start('practice')", N_("Practice"), group=START),
        Binding("c", "start('cram')", N_("Cram"), group=START),
        Binding("e", "start('exam')", N_("Exam"), group=START),
        Binding("m", "start('missed')", N_("Missed"), group=START),
        Binding("t", "focus_list('topics')", N_("Topics"), show=False),
        Binding("b", "focus_list('banks')", N_("Banks"), show=False),
        Binding("a", "toggle_all", N_("All/none"), show=False),
        Binding("f3", "app.switch_mode('calculator')", N_("Calc")),
        Binding("f4", "app.switch_mode('stats')", N_("Stats")),
        Binding("q", "app.quit", N_("Quit")),
        # screens registered beyond the built-in ones (Train); the app hides a key for a screen
        # it was built without (see CnnquizApp.check_action)
        *[
            Binding(entry.key, f"app.switch_mode('{entry.name}')", entry.title)
            for entry in SCREENS.values()
            if entry.key and entry.name not in BUILT_IN
        ],
    ]

    def __init__(self) -> None:
        super().__init__()
        self._mastery: dict[str, float] = {}  # per topic, in the banks the filter lets through
        self._topic_counts: dict[str, int] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="home-body"):
            with Vertical(id="home-left"):
                topics = TickList[str](id="topics")
                topics.border_title = _("Topics · mastery")
                yield topics
                banks = TickList[str](id="banks")
                banks.border_title = _("Banks")
                yield banks
            with Vertical(id="home-right"):
                modes = OptionList(id="modes")
                modes.border_title = _("Start")
                yield modes
                yield Static(id="home-summary")
        yield Footer()

    def on_mount(self) -> None:
        # a bank need not name topics (only the required fields): then there is nothing to pick
        self.query_one("#topics", SelectionList).display = bool(self.host.topics)
        self._fill_filters()
        self.query_one("#modes", OptionList).focus()

    def on_screen_resume(self) -> None:
        """Also the first showing: the figures are computed once when the screen appears, and
        again whenever it comes back (a session or the exam set-up may have changed them)."""
        self.refresh_figures()

    # ---- filters --------------------------------------------------------------------------
    def _fill_filters(self) -> None:
        host = self.host
        topics = self.query_one("#topics", SelectionList)
        chosen = host.topic_filter
        topics.add_options([(t, t, chosen is None or t in chosen) for t in host.topics])
        banks = self.query_one("#banks", SelectionList)
        chosen_banks = host.bank_filter
        banks.add_options(
            [
                (
                    plain(f"{b.title} ({len(b.questions)})"),
                    b.title,
                    chosen_banks is None or b.title in chosen_banks,
                )
                for b in host.banks
            ]
        )

    @on(SelectionList.SelectedChanged)
    def _filter_changed(self, event: SelectionList.SelectedChanged) -> None:
        host = self.host
        selected = set(event.selection_list.selected)
        if event.selection_list.id == "topics":
            chosen = None if len(selected) == len(host.topics) else selected
            if chosen == host.topic_filter:
                return  # filling the list at start fires one event per option: nothing changed
            host.topic_filter = chosen
        else:
            chosen = None if len(selected) == len(host.banks) else selected
            if chosen == host.bank_filter:
                return
            host.bank_filter = chosen
        self.refresh_figures()

    def action_toggle_all(self) -> None:
        focused = self.focused
        target = (
            focused
            if isinstance(focused, SelectionList)
            else self.query_one("#topics", SelectionList)
        )
        if not target.display:
            target = self.query_one("#banks", SelectionList)
        if len(target.selected) == target.option_count:
            target.deselect_all()
        else:
            target.select_all()

    def action_focus_list(self, widget_id: str) -> None:
        target = self.query_one(f"#{widget_id}", SelectionList)
        if not target.display:
            self.notify(_("These banks name no topics: every question is in."), timeout=4)
            return
        target.focus()
        if target.highlighted is None and target.option_count:
            target.highlighted = 0

    # ---- figures --------------------------------------------------------------------------
    def refresh_figures(self) -> None:
        """Mastery bars, due and new counts: recomputed after every session."""
        host = self.host
        progress = host.progress
        in_bank = [
            q for q in host.questions if host.bank_filter is None or q.bank in host.bank_filter
        ]
        by_topic: dict[str, list[str]] = {}
        for q in in_bank:
            for t in q.topics:
                by_topic.setdefault(t, []).append(q.id)
        self._mastery = (
            progress.mastery({q.id: list(q.topics) for q in in_bank})
            if progress is not None
            else {}
        )
        self._topic_counts = {t: len(v) for t, v in by_topic.items()}
        self._label_topics()
        filtered = host.filtered_questions()
        ids = [q.id for q in filtered]
        self._list_modes(ids, count_units(filtered))
        self.query_one("#home-summary", Static).update(self._summary(len(ids)))

    def _list_modes(self, ids: list[str], items: int) -> None:
        """Each mode with what it would ask now, keeping the highlighted one; an exam counts
        items (a multi-part item is one question of the paper), as its selection does."""
        progress = self.host.progress
        due = len(progress.due(ids)) if progress is not None else 0
        new = len(progress.new(ids)) if progress is not None else len(ids)
        missed = len(progress.missed_last_time(ids)) if progress is not None else 0
        counts = {
            "practice": _("{due} due · {new} new").format(due=due, new=new),
            "cram": questions(len(ids)),
            "exam": questions(min(self.host.exam_count, items)),
            "missed": _("{n} to retry").format(n=missed),
        }
        modes = self.query_one("#modes", OptionList)
        highlighted = modes.highlighted
        modes.clear_options()
        for key, mode in zip("pcem", MODES, strict=True):
            prompt = Text.assemble(
                (f"{key} ", "bold"),
                (f"{_(MODE_TITLES[mode]):<9}", "bold"),
                (counts[mode], ""),
                "\n",
                (f"  {_(MODE_HELP[mode])}", "dim"),
            )
            modes.add_option(Option(prompt, id=mode))
        modes.highlighted = highlighted if highlighted is not None else 0

    def _summary(self, selected: int) -> Text:
        """How many questions the filter lets through, the streak and today's answers."""
        host = self.host
        text = Text.assemble(
            (number(f"{selected}"), "bold"),
            _(" of {questions} selected").format(questions=questions(len(host.questions))),
        )
        if not host.topics:
            text.append(_("\nThese banks name no topics."), style="dim")
        if host.progress is not None:
            stats = host.progress.stats()
            today = stats.days[-1] if stats.days else None
            text.append(_("\nStreak "))
            days = ngettext("{n} day", "{n} days", stats.streak).format(n=stats.streak)
            text.append(days, style="bold")
            if today is not None:
                text.append(
                    _("\nToday {answers} answered, {correct} right").format(
                        answers=today.answers, correct=today.correct
                    )
                )
        return text

    def _label_topics(self) -> None:
        """Topic, bar, percentage and count, fitted to the list's width (narrow at 80 columns)."""
        topics = self.query_one("#topics", SelectionList)
        inner = (topics.content_size.width or 60) - 5  # the tick box and the scrollbar
        name_w = max(8, min(22, inner // 2 - 2))
        bar_w = max(4, min(24, inner - name_w - 12))
        mastery = self._mastery
        for index, topic in enumerate(self.host.topics):
            shown = plain(topic).plain
            name = shown if len(shown) <= name_w else shown[: name_w - 1] + "…"
            label = Text(f"{name:<{name_w}} ")
            label.append_text(bar(mastery.get(topic, 0.0), bar_w))
            label.append(f" {round(100 * mastery.get(topic, 0.0)):>3}%")
            label.append(f" {self._topic_counts.get(topic, 0):>3}", style="dim")
            topics.replace_option_prompt_at_index(index, label)

    def on_resize(self) -> None:
        self.call_after_refresh(self._label_topics)

    # ---- starting -------------------------------------------------------------------------
    @on(OptionList.OptionSelected, "#modes")
    def _mode_chosen(self, event: OptionList.OptionSelected) -> None:
        self.host.start(event.option.id or "practice")

    def action_start(self, mode: str) -> None:
        self.host.start(mode)
