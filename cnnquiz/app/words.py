"""The app's words in the student's language: key labels in the footer, read from bindings.

Bindings are class attributes, made when a screen's module is imported, before or after the
language is chosen; their descriptions stay the English source (marked for the catalog) and
are translated here, each time the footer asks a screen for its active bindings. In English
the bindings are returned as they are.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from textual.binding import ActiveBinding, Binding
from textual.screen import ModalScreen

from cnnquiz import i18n
from cnnquiz.i18n import N_, _

# Textual's own label for Ctrl+P in the footer: marked here so that the catalog has it
N_("palette")


def binding(b: Binding) -> Binding:
    """``b`` with its description, tooltip and group label in the current language."""
    group = b.group and replace(b.group, description=_(b.group.description))
    return replace(
        b,
        description=_(b.description) if b.description else b.description,
        tooltip=_(b.tooltip) if b.tooltip else b.tooltip,
        group=group,
    )


def active(bindings: dict[str, ActiveBinding]) -> dict[str, ActiveBinding]:
    """A screen's active bindings as the footer shows them, in the current language."""
    if i18n.current() == i18n.SOURCE_LANGUAGE:
        return bindings
    return {
        key: found._replace(
            binding=binding(found.binding), tooltip=_(found.tooltip) if found.tooltip else ""
        )
        for key, found in bindings.items()
    }


ResultT = TypeVar("ResultT")


class Dialog(ModalScreen[ResultT]):
    """A modal screen whose footer keys speak the student's language."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        return active(super().active_bindings)
