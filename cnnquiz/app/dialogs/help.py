"""The keys of every screen, read from their bindings so the list cannot drift from the code."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from cnnquiz.app.registry import SCREENS
from cnnquiz.app.words import Dialog
from cnnquiz.i18n import N_, _

SECTIONS = [
    (N_("Everywhere"), "cnnquiz.app.app:CnnquizApp"),
    (N_("Home"), "cnnquiz.app.screens.home:HomeScreen"),
    (N_("Question"), "cnnquiz.app.screens.question:QuestionScreen"),
    (N_("Results"), "cnnquiz.app.screens.results:ResultsScreen"),
    (N_("Calculator"), "cnnquiz.app.screens.calculator:CalculatorScreen"),
    (N_("Stats"), "cnnquiz.app.screens.stats:StatsScreen"),
]

KEY_NAMES = {"question_mark": "?", "escape": "Esc", "enter": "Enter", "space": "Space"}


def _key(keys: str) -> str:
    """``ctrl+g`` → ``Ctrl+G``, ``f1,question_mark`` → ``F1 / ?``: keys as people write them."""
    out = []
    for k in keys.split(","):
        k = KEY_NAMES.get(k, k)
        if k.startswith("ctrl+"):
            k = "Ctrl+" + k[5:].upper()
        elif k[0] == "f" and k[1:].isdigit():
            k = k.upper()
        out.append(k)
    return " / ".join(out)


def _listed(bindings: Iterable[object]) -> list[Binding]:
    """The keys a screen declares, each once: a second binding of the same keys is what they do
    in another run (Results' "Done" in ``cnnquiz quiz``), and a key for a screen this app was
    built without (tests leave Train out) is left out as the app leaves it out of the footer."""
    rows: list[Binding] = []
    seen: set[str] = set()
    for b in bindings:
        if not isinstance(b, Binding) or b.key in seen:
            continue
        opens = re.fullmatch(r"app\.switch_mode\('(\w+)'\)", b.action)
        if opens is None or opens.group(1) in SCREENS:
            seen.add(b.key)
            rows.append(b)
    return rows


def help_text() -> Text:
    """One block per screen. Modules are imported, not screens built: no torch is loaded."""
    text = Text()
    text.append(_("Keys") + "\n", style="bold underline")
    text.append(_("Ctrl+P opens the command palette: every screen, every mode, the theme.") + "\n")
    top = ", ".join(f"{_key(e.key)} {_(e.title)}" for e in SCREENS.values() if e.key)
    text.append(_("Screens: {screens}.").format(screens=top) + "\n")
    known = {target for _title, target in SECTIONS}
    extra = [(e.title, e.target) for e in SCREENS.values() if e.target not in known]
    for title, target in SECTIONS + extra:
        module, _sep, cls = target.partition(":")
        rows = _listed(getattr(importlib.import_module(module), cls).BINDINGS)
        if not rows:
            continue
        text.append(f"\n{_(title)}\n", style="bold")
        for b in rows:
            text.append(f"  {_key(b.key):<18}", style="bold cyan")
            said = _(b.tooltip) if b.tooltip else _(b.description) if b.description else b.action
            text.append(f"{said}\n")
    text.append("\n" + _("Answers") + "\n", style="bold")
    text.append(
        _(
            "  Numbers as people write them: 2800, 2,800, 2.8k, 3.6 MB, 3613600 bytes.\n"
            "  Shapes: 100x150x100 or (100, 150, 100). Choices: arrows or the letter, then\n"
            "  Enter; several: Space ticks, Enter submits. An invalid answer costs nothing."
        )
    )
    return text


class HelpScreen(Dialog[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [Binding("escape,q,f1,question_mark", "close", N_("Close"))]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body", classes="dialog"):
            yield Static(help_text(), id="help-text")

    def action_close(self) -> None:
        self.dismiss()
