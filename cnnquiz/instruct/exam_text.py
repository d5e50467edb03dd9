"""The exam as Markdown and HTML, for instructors who edit before they print, and its key.

The papers: one section per student (each starting on a new page when printed), a line for the
name and the student number, every question numbered as on that student's paper, choices
lettered, a box (HTML) or a line (Markdown) per answer. The key: per student a table of numbers,
question ids and keys, then each question's worked solution. Prompts are the banks' Markdown,
rendered with raw HTML switched off, so nothing in a bank can inject markup into the page.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from cnnquiz.instruct.exam import Exam, Paper, Slot, stem_and_parts
from cnnquiz.instruct.markup import parser
from cnnquiz.textsafe import printable

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

_WHAT = {
    "shape": "a shape, H×W×C",
    "choice": "one letter",
    "multi": "every letter that applies",
    "truefalse": "true or false",
}
_PAGE_BREAK = '<div style="page-break-after: always"></div>'


def how_to_answer(slot: Slot) -> str:
    """What the box expects, said beside it ("" for a number or a text)."""
    return _WHAT.get(slot.item.kind, "")


def letters(slot: Slot) -> list[tuple[str, str]]:
    return [(chr(ord("a") + i), printable(c)) for i, c in enumerate(slot.item.choices or ())]


def unit_texts(unit: Sequence[Slot]) -> tuple[str, list[tuple[Slot, str]]]:
    """The unit's shared text ("" for a single question) and each slot with its own text."""
    stem, texts = stem_and_parts(unit)
    return printable(stem), [(s, printable(t)) for s, t in zip(unit, texts, strict=True)]


def number_of(unit: Sequence[Slot]) -> str:
    return unit[0].label.rstrip("abcdefghijklmnopqrstuvwxyz")


# ---- Markdown -----------------------------------------------------------------------------------
def papers_markdown(exam: Exam) -> str:
    return f"\n\n{_PAGE_BREAK}\n\n".join(_paper_md(exam.title, p) for p in exam.papers) + "\n"


def _paper_md(title: str, paper: Paper) -> str:
    out = [
        f"# {title}",
        f"**Exam {paper.student.title}**",
        "Name: ______________________________ Student number: ______________",
    ]
    for unit in paper.units:
        stem, parts = unit_texts(unit)
        out.append(f"### {number_of(unit)}.")
        if stem:
            out.append(stem.strip())
        for slot, text in parts:
            label = f"**({slot.label[-1]})** " if slot.label[-1].isalpha() else ""
            out.append(label + text.strip())
            choices = letters(slot)
            if choices:
                out.append("\n".join(f"- **{a})** {c}" for a, c in choices))
            what = how_to_answer(slot)
            out.append(
                f"**Answer {slot.label}:** ______________________________"
                + (f" ({what})" if what else "")
            )
    return "\n\n".join(out)


def key_markdown(exam: Exam) -> str:
    out = [f"# {exam.title}: answer key"]
    for paper in exam.papers:
        out.append(f"## Exam {paper.student.title}")
        rows = ["| number | question | key |", "|---|---|---|"]
        rows += [
            f"| {s.label} | `{s.id}` | {_cell(printable(s.item.answer_text))} |"
            for s in paper.slots
        ]
        out.append("\n".join(rows))
        for s in paper.slots:
            out.append(f"### {s.label} · `{s.id}`: {printable(s.item.answer_text)}")
            out.append(printable(s.item.explanation).strip() or "(no worked solution in the bank)")
    return "\n\n".join(out) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# ---- HTML ---------------------------------------------------------------------------------------
_CSS = """
body { font-family: sans-serif; max-width: 48em; margin: 2em auto; line-height: 1.4; }
.paper + .paper, .key + .key { break-before: page; page-break-before: always; }
.fields { display: flex; gap: 2em; margin: 1em 0 2em; }
.fields span { flex: 1; border-bottom: 1px solid #000; padding-top: 1.2em; }
.question { break-inside: avoid; margin-bottom: 1.5em; }
.choices { list-style: none; padding-left: 1em; }
.answer { border: 1px solid #000; min-height: 3em; padding: 0.2em 0.4em; color: #666;
  font-size: 0.8em; margin-top: 0.5em; }
table { border-collapse: collapse; } td, th { border: 1px solid #999; padding: 0.2em 0.5em; }
pre { background: #f4f4f4; padding: 0.5em; }
"""


def _page(title: str, body: Iterator[str]) -> str:
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{_CSS}</style></head>\n<body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def papers_html(exam: Exam) -> str:
    md = parser()
    return _page(exam.title, (_paper_html(md, exam.title, p) for p in exam.papers))


def _paper_html(md: MarkdownIt, title: str, paper: Paper) -> str:
    out = [
        '<section class="paper">',
        f"<h1>{html.escape(title)}</h1><p><strong>Exam {html.escape(paper.student.title)}"
        "</strong></p>",
        '<div class="fields"><span>Name</span><span>Student number</span></div>',
    ]
    for unit in paper.units:
        stem, parts = unit_texts(unit)
        out.append(f'<div class="question"><h3>{number_of(unit)}.</h3>')
        if stem:
            out.append(md.render(stem))
        for slot, text in parts:
            if slot.label[-1].isalpha():
                out.append(f"<p><strong>({slot.label[-1]})</strong></p>")
            out.append(md.render(text))
            if slot.item.choices:
                out.append('<ul class="choices">')
                out += [
                    f"<li><strong>{a})</strong> {md.renderInline(c)}</li>" for a, c in letters(slot)
                ]
                out.append("</ul>")
            what = how_to_answer(slot)
            out.append(
                f'<div class="answer">Answer {slot.label}{f" ({what})" if what else ""}</div>'
            )
        out.append("</div>")
    out.append("</section>")
    return "\n".join(out)


def key_html(exam: Exam) -> str:
    md = parser()

    def sections() -> Iterator[str]:
        yield f"<h1>{html.escape(exam.title)}: answer key</h1>"
        for paper in exam.papers:
            yield f'<section class="key"><h2>Exam {html.escape(paper.student.title)}</h2>'
            yield "<table><tr><th>number</th><th>question</th><th>key</th></tr>"
            for s in paper.slots:
                yield (
                    f"<tr><td>{s.label}</td><td><code>{html.escape(s.id)}</code></td>"
                    f"<td>{html.escape(printable(s.item.answer_text))}</td></tr>"
                )
            yield "</table>"
            for s in paper.slots:
                yield (
                    f"<h3>{s.label} · <code>{html.escape(s.id)}</code>: "
                    f"{html.escape(printable(s.item.answer_text))}</h3>"
                )
                yield md.render(printable(s.item.explanation) or "(no worked solution in the bank)")
            yield "</section>"

    return _page(f"{exam.title}: answer key", sections())
