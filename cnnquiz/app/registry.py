"""The app's top-level screens, in one list: the command palette, the help screen and the mode
switcher all read it, so adding a screen is one ``register`` call.

Screens are named by ``"module:Class"`` and imported only when first opened: the home screen
appears without importing the calculator's torch bridge or the training demo. Each screen is
built with no arguments and reaches the app through its typed ``host`` (``protocol.QuizHost``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from textual.screen import Screen

from cnnquiz.i18n import N_


@dataclass(frozen=True)
class ScreenEntry:
    """One top-level screen: its mode name, what the palette shows, and where its class lives."""

    name: str
    title: str  # English, marked for the catalog (N_): translated where shown
    help: str
    target: str  # "package.module:ClassName"
    key: str | None = None  # the app-wide key that opens it (shown in help)

    def factory(self) -> Callable[[], Screen]:
        def build() -> Screen:
            module, _sep, cls = self.target.partition(":")
            return getattr(importlib.import_module(module), cls)()

        return build


SCREENS: dict[str, ScreenEntry] = {}


def register(entry: ScreenEntry) -> None:
    """Add (or replace) a top-level screen."""
    SCREENS[entry.name] = entry


register(
    ScreenEntry(
        "home",
        N_("Home"),
        N_("Banks, topics and mastery; start Practice, Cram, Exam or Missed"),
        "cnnquiz.app.screens.home:HomeScreen",
        "f2",
    )
)
register(
    ScreenEntry(
        "calculator",
        N_("Calculator"),
        N_("Type a layer stack; parameters, shapes, MACs and RAM update live"),
        "cnnquiz.app.screens.calculator:CalculatorScreen",
        "f3",
    )
)
register(
    ScreenEntry(
        "stats",
        N_("Stats"),
        N_("Answers per day, accuracy per topic, streak"),
        "cnnquiz.app.screens.stats:StatsScreen",
        "f4",
    )
)

register(
    ScreenEntry(
        "train",
        N_("Train"),
        N_("Watch a small CNN learn on the demo data"),
        "cnnquiz.app.screens.train:TrainScreen",
        "f5",
    )
)
