"""A bank's Markdown as typst markup, with nothing of the bank's text read as typst code.

Prompts and worked solutions are Markdown (bold, code, code blocks, lists, tables). They are
parsed with markdown-it (raw HTML off) and each node written as typst: text with every
character typst gives a meaning escaped (``#`` would start code, ``$`` maths, ``*`` and ``_``
bold and emphasis, ``@`` a reference, ``<`` a label, ``=``, ``-``, ``+`` and ``1.`` headings
and lists at a line's start, ``/`` a comment, ``\\`` an escape...), code as ``raw`` strings
(quoted, so a backtick or a bracket in code is just text), and every embedded call closed with
``;`` so the text after it cannot continue it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from cnnquiz.instruct.markup import parser
from cnnquiz.textsafe import printable

_SPECIAL = re.compile(r"([\\#$*_@<>`\[\]~=\-+/'\".])")


def text(s: str) -> str:
    """``s`` as typst markup that shows exactly ``s`` (line breaks become spaces)."""
    return _SPECIAL.sub(r"\\\1", printable(s).replace("\r", "").replace("\n", " "))


def string(s: str) -> str:
    """``s`` as a typst string literal."""
    escaped = (
        printable(s)
        .replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "")
    )
    return f'"{escaped.replace(chr(9), chr(92) + "t")}"'


def markdown(source: str) -> str:
    """The Markdown ``source`` as typst markup."""
    from markdown_it.tree import SyntaxTreeNode

    return _blocks(SyntaxTreeNode(parser().parse(printable(source))))


def _blocks(node: Any) -> str:
    return "\n\n".join(_node(c) for c in node.children)


def _inline(node: Any) -> str:
    return "".join(_node(c) for c in node.children)


def _node(node: Any) -> str:
    write = _WRITERS.get(node.type)
    if write is not None:
        return write(node)
    return _inline(node) if node.children else text(node.content or "")


def _fence(node: Any) -> str:
    lang = node.info.strip().split(" ")[0] if node.info else ""
    lang_arg = f"lang: {string(lang)}, " if re.fullmatch(r"[\w+-]+", lang) else ""
    return f"#raw(block: true, {lang_arg}{string(node.content.rstrip(chr(10)))});"


def _list(node: Any) -> str:
    items = ", ".join(f"[{_blocks(item)}]" for item in node.children)
    if node.type == "ordered_list":
        start = node.attrs.get("start", 1)
        return f"#enum(start: {int(start)}, {items});"
    return f"#list({items});"


def _table(node: Any) -> str:
    rows = [tr for section in node.children for tr in section.children]
    if not rows:
        return ""
    columns = max(len(tr.children) for tr in rows)
    head = rows[0]
    header = ", ".join(f"[#strong[{_inline(cell)}];]" for cell in head.children)
    body = ", ".join(f"[{_inline(cell)}]" for tr in rows[1:] for cell in tr.children)
    return f"#table(columns: {columns}, table.header({header}), {body});"


_WRITERS: dict[str, Callable[[Any], str]] = {
    "paragraph": _inline,
    "inline": _inline,
    "text": lambda n: text(n.content),
    "softbreak": lambda n: " ",
    "hardbreak": lambda n: "#linebreak();",
    "strong": lambda n: f"#strong[{_inline(n)}];",
    "em": lambda n: f"#emph[{_inline(n)}];",
    "code_inline": lambda n: f"#raw({string(n.content)});",
    "fence": _fence,
    "code_block": _fence,
    "bullet_list": _list,
    "ordered_list": _list,
    "table": _table,
    "heading": lambda n: f"#strong[{_inline(n)}];",
    "blockquote": lambda n: f"#quote(block: true)[{_blocks(n)}];",
    "hr": lambda n: "#line(length: 100%);",
    "image": lambda n: text(str(n.attrs.get("alt", "") or n.content or "")),
}
