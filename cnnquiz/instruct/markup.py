"""Markdown to HTML for Moodle XML: CommonMark (tables too), raw HTML in a bank shown as text.

A bank's prompt is Markdown; Moodle shows HTML. Raw HTML in a bank is escaped, not passed on,
so a ``</question>`` or a ``<script>`` in a prompt arrives as the characters typed. Code blocks
stay ``<pre><code>`` with their language class.
"""

from __future__ import annotations

import functools
import re
from typing import Any

# Characters XML 1.0 cannot hold at all (a bank can: YAML allows some, escapes allow the rest)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@functools.cache
def parser() -> Any:
    """The one Markdown reader of the exports and the exams: CommonMark with tables, raw HTML
    kept as text; made once (markdown-it is imported only when something is exported)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table")


def to_html(markdown: str) -> str:
    """The Markdown as HTML (no trailing newline); empty for empty text."""
    return str(parser().render(xml_safe(markdown))).strip()


def xml_safe(text: str) -> str:
    """The text without the characters XML 1.0 forbids (control characters but tab and
    newlines, two non-characters)."""
    return _NOT_XML.sub("", text)
