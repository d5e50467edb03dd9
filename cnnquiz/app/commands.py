"""Command palette entries: one per top-level screen, plus the help screen and the session modes."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from cnnquiz.app.registry import SCREENS


class ScreensProvider(Provider):
    """``ctrl+p`` then ``calc``: open the calculator; ``exam``: start an exam; and so on."""

    def _entries(self) -> list[tuple[str, str, object]]:
        app = self.app
        out: list[tuple[str, str, object]] = []
        for entry in SCREENS.values():
            out.append((f"Open {entry.title}", entry.help, partial(app.switch_mode, entry.name)))
        out.append(("Open Help", "Every key of every screen", app.action_help))
        for mode, text in (
            ("practice", "Due questions first, then new ones"),
            ("cram", "Any questions, ignoring the schedule"),
            ("exam", "N questions, optional time limit, feedback at the end"),
            ("missed", "The questions answered wrong last time"),
        ):
            out.append((f"Start {mode.title()}", text, partial(app.action_start, mode)))
        return out

    async def discover(self) -> Hits:
        for title, help_text, command in self._entries():
            yield DiscoveryHit(title, command, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, command in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), command, help=help_text)  # type: ignore[arg-type]
