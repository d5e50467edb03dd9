"""Command palette entries (one per top-level screen, the help screen, the session modes), and
the palette itself, guarded against a Textual bug."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import CommandList, DiscoveryHit, Hit, Hits, Provider
from textual.command import CommandPalette as TextualCommandPalette

from cnnquiz.app.registry import SCREENS
from cnnquiz.i18n import N_, _
from cnnquiz.study.select import MODE_TITLES

Command = Callable[[], object]  # what the palette calls when an entry is chosen


class ScreensProvider(Provider):
    """``ctrl+p`` then ``calc``: open the calculator; ``exam``: start an exam; and so on."""

    def _entries(self) -> list[tuple[str, str, Command]]:
        app = self.app
        out: list[tuple[str, str, Command]] = []
        for entry in SCREENS.values():
            title = _("Open {screen}").format(screen=_(entry.title))
            out.append((title, _(entry.help), partial(app.switch_mode, entry.name)))
        help_title = _("Open {screen}").format(screen=_("Help"))
        out.append((help_title, _("Every key of every screen"), partial(app.run_action, "help")))
        for mode, text in (
            ("practice", N_("Due questions first, then new ones")),
            ("cram", N_("Any questions, ignoring the schedule")),
            ("exam", N_("N questions, optional time limit, feedback at the end")),
            ("missed", N_("The questions answered wrong last time")),
        ):
            start = partial(app.run_action, f"start('{mode}')")
            title = _("Start {mode}").format(mode=_(MODE_TITLES[mode]))
            out.append((title, _(text), start))
        return out

    async def discover(self) -> Hits:
        for title, help_text, command in self._entries():
            yield DiscoveryHit(title, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, command in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), command, help=help_text)


class CommandPalette(TextualCommandPalette):
    """Textual's palette, safe against a page key pressed before its list is laid out.

    Textual 8.2.8 bug (to report upstream): ``ctrl+p`` then ``pagedown`` at once raises
    ``KeyError: 0`` in ``OptionList._move_page``. The command list already holds the discovered
    commands but has no height yet, so ``OptionList._update_lines`` returned early and
    ``_index_to_line`` is empty; the app dies with it. Until Textual guards it, a page move
    waits for the list to have a size (the next press works as usual).
    """

    def _action_command_list(self, action: str) -> None:
        if action in ("page_down", "page_up"):
            commands = self.query_one(CommandList)
            if not commands.scrollable_content_region.height or not commands._lines:
                return
        super()._action_command_list(action)
