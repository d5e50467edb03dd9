"""Someone else's text on screen: bank titles, prompts, choices, topics, hints, explanations.

Textual parses a plain ``str`` given to a list option or a table cell as Rich markup, so a
choice written ``[red]red[/red]`` would lose its brackets (and ``[link=...]`` would become a
link); an escape sequence in a bank must never reach the terminal. Bank text goes through
``plain`` (a ``Text``: shown literally) or, where it is Markdown, ``markdown``.
"""

from __future__ import annotations

from rich.text import Text

from cnnquiz.textsafe import printable


def plain(text: object, style: str = "") -> Text:
    """``text`` shown as it is written: no markup, no escape sequences or control characters."""
    return Text(printable(str(text)), style=style)


def markdown(text: str | None) -> str:
    """Markdown from a bank without escape sequences or control characters (the markup of
    Markdown stays: prompts and explanations are written in it)."""
    return printable(text or "")
