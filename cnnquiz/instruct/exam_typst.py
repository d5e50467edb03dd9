"""The exam and its key typeset as PDF with typst (the ``typst`` package from PyPI).

One PDF holds every student's paper, each starting on a new page with its page count restarted,
so the whole class prints in one go; every page's header has a line for the name and the
student number and says whose exam it is (``Exam 07 · page 2``), so a loose page finds its
paper. Each question is kept on one page where it fits, and each answer gets a box of its own.
The key is a second PDF: per student a table of keys, then the worked solutions. Only typst's
own fonts are used and the time stamp is fixed, so the same exam gives the same bytes anywhere.
"""

from __future__ import annotations

from cnnquiz.errors import CnnquizError
from cnnquiz.instruct.exam import Exam, Paper, Slot
from cnnquiz.instruct.exam_markup import markdown, string, text
from cnnquiz.instruct.exam_text import how_to_answer, letters, number_of, unit_texts

_PREAMBLE = """\
#set document(title: {title})
#set text(size: 10.5pt)
#set par(justify: false)
#set raw(theme: none)
#show raw.where(block: true): it => block(fill: luma(240), inset: 6pt, radius: 2pt, it)
#set page(paper: "a4", margin: (top: 2.6cm, bottom: 2cm, x: 2cm), header: context {{
  let now = here().page()
  let starts = query(<paper>).map(m => (m.value, m.location().page()))
  let mine = starts.filter(s => s.at(1) <= now)
  if mine.len() > 0 {{
    let (who, first) = mine.last()
    let later = starts.filter(s => s.at(1) > now)
    let last = if later.len() > 0 {{ later.first().at(1) - 1 }} else {{ counter(page).final().first() }}
    set text(size: 9pt)
    grid(columns: (1fr, auto), align: (left, right),
      [{left}],
      [{right} #who · page #(now - first + 1) of #(last - first + 1)])
    line(length: 100%, stroke: 0.5pt)
  }}
}})
#let answer-box(label, what, height) = block(breakable: false, above: 0.6em,
  rect(width: 100%, height: height, stroke: 0.7pt,
    text(size: 8pt, fill: luma(110))[Answer #label #what]))
"""
_FIELD = "#box(width: {width}, stroke: (bottom: 0.5pt))[]"
_HEIGHT = {"numeric": "1.3cm", "shape": "1.3cm", "text": "1.6cm"}  # choices: 1cm


def papers_typst(exam: Exam) -> str:
    fields = (
        f"Name: {_FIELD.format(width='6.5cm')} #h(1.2em) "
        f"Student number: {_FIELD.format(width='3cm')}"
    )
    head = _PREAMBLE.format(title=string(exam.title), left=fields, right="Exam")
    return head + "\n".join(_paper(exam.title, p) for p in exam.papers)


def _paper(title: str, paper: Paper) -> str:
    out = [
        "#pagebreak(weak: true)",
        f"#metadata({string(paper.student.title)}) <paper>",
        f'#text(size: 15pt, weight: "bold")[{text(title)}] #h(1fr) '
        f"#text(size: 13pt)[Exam {text(paper.student.title)}]",
        "#v(0.8em)",
    ]
    out += [_unit(unit) for unit in paper.units]
    return "\n\n".join(out) + "\n"


def _unit(unit: tuple[Slot, ...]) -> str:
    stem, parts = unit_texts(unit)
    body = [f"#strong[{number_of(unit)}.];"]
    if stem:
        body.append(markdown(stem))
    for slot, prompt in parts:
        if slot.label[-1].isalpha():
            body.append(f"#strong[({slot.label[-1]})]; {markdown(prompt)}")
        else:
            body.append(markdown(prompt))
        choices = letters(slot)
        if choices:
            items = ", ".join(f"[#strong[{a})]; {markdown(c)}]" for a, c in choices)
            body.append(f"#list(marker: [], {items});")
        what = how_to_answer(slot)
        height = _HEIGHT.get(slot.item.kind, "1cm")
        body.append(
            f"#answer-box({string(slot.label)}, {string(f'({what})' if what else '')}, {height});"
        )
    inner = "\n\n".join(body)
    return f"#block(breakable: {'true' if len(parts) > 2 else 'false'}, below: 1.4em)[\n{inner}\n];"


def key_typst(exam: Exam) -> str:
    head = _PREAMBLE.format(
        title=string(f"{exam.title}: answer key"),
        left=f"{text(exam.title)}: answer key",
        right="Key of exam",
    )
    return head + "\n".join(_key(p) for p in exam.papers)


def _key(paper: Paper) -> str:
    rows = ", ".join(
        f"[{text(s.label)}], [#raw({string(s.id)});], [{text(s.item.answer_text)}]"
        for s in paper.slots
    )
    out = [
        "#pagebreak(weak: true)",
        f"#metadata({string(paper.student.title)}) <paper>",
        f'#text(size: 14pt, weight: "bold")[Exam {text(paper.student.title)}: answer key]',
        f"#table(columns: (auto, auto, 1fr), table.header([*number*], [*question*], [*key*]), "
        f"{rows});",
    ]
    for s in paper.slots:
        solution = s.item.explanation.strip() or "(no worked solution in the bank)"
        out.append(
            f"#block(breakable: true)[#strong[{text(s.label)} · ]; #raw({string(s.id)});"
            f"#strong[: {text(s.item.answer_text)}];\n\n{markdown(solution)}\n];"
        )
    return "\n\n".join(out) + "\n"


def compile_pdf(source: str) -> bytes:
    """The PDF typst makes of ``source``, with its own fonts and a fixed time stamp."""
    import typst

    try:
        return bytes(typst.compile(source.encode("utf-8"), ignore_system_fonts=True, timestamp=0))
    except (
        RuntimeError
    ) as exc:  # typst's errors: a bug here, not the user's, but say it in one line
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CnnquizError(f"typst could not typeset the exam: {first}", "typst") from None
