"""A bank's Markdown as HTML, for the places a course lives (Moodle, Anki).

CommonMark with tables, and HTML written in a prompt shown as text: a bank is an instructor's
file, but what it says must reach students as the author meant it, never as markup that runs in
their browser (``<script>`` in a prompt is printed, not executed). Code blocks stay code blocks.
"""

from __future__ import annotations

from functools import cache
from html import escape
from typing import TYPE_CHECKING

from cnnquiz.textsafe import printable

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@cache
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt  # installed with rich; imported only for an export

    return MarkdownIt("commonmark", {"html": False}).enable("table")


def markdown_html(text: str) -> str:
    """``text`` (Markdown) as an HTML fragment, without terminal escape sequences."""
    return _parser().render(printable(text)).strip()


def text_html(text: str) -> str:
    """Plain ``text`` as HTML: escaped, nothing interpreted."""
    return escape(printable(text), quote=False)
