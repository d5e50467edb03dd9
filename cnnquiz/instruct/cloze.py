"""Cloze (Moodle's "embedded answers"): a multi-part item as one question, a box per part.

The item's stem once, then each part's own prompt with its answer box written in Moodle's
embedded-answer syntax: ``{1:NUMERICAL:=73856:0~%0%73728:0#you forgot the bias}``,
``{1:SHORTANSWER:=55x55x96~=55×55×96}``, ``{1:MULTICHOICE_V:...}``, ``{1:MULTIRESPONSE:...}``.
Inside a box ``} # ~ / " \\`` are escaped with a backslash; outside, a brace of the prompt is
written as an HTML entity, so no text of a bank is ever read as a box.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from cnnquiz.bank.keys import ChoiceKey, MultiKey, ShapeKey, TextKey, TrueFalseKey
from cnnquiz.bank.model import Item
from cnnquiz.instruct import lms
from cnnquiz.instruct.markup import to_html, xml_safe
from cnnquiz.instruct.source import Exported

_BOX_SPECIAL = re.compile(r'([\\}#~/"])')
Answer = tuple[str, str, str | None]  # its grade (=, %0%, %50%), its text, its feedback


@dataclass(frozen=True)
class Cloze:
    """One variant of a multi-part item: each part's item from the same draw."""

    parts: tuple[Exported, ...]
    items: tuple[Item, ...]
    index: int  # 0-based
    total: int

    @property
    def category(self) -> str:
        """A computed part's category (the item's own), else the bank's."""
        return next((p for p in self.parts if p.question.is_computed), self.parts[0]).category

    @property
    def group(self) -> str:
        return self.parts[0].question.group or self.parts[0].question.id

    @property
    def name(self) -> str:
        return self.group if self.total == 1 else f"{self.group} ({self.index + 1}/{self.total})"

    @property
    def idnumber(self) -> str:
        return self.group if self.total == 1 else f"{self.group}.v{self.index + 1}"


def variants(parts: Sequence[Exported]) -> list[Cloze]:
    """The item's variants: the computed parts' items drawn with the same seed, in the first
    computed part's order (a draw one part has not kept, as a repeat, is left out for all); a
    fixed part has the same item in every variant."""
    drawn = [p for p in parts if p.question.is_computed] or [parts[0]]
    by_seed = {p.question.id: {item.seed: item for item in p.items} for p in parts if p in drawn}
    seeds = [s for s in (i.seed for i in drawn[0].items) if all(s in m for m in by_seed.values())]
    return [
        Cloze(
            tuple(parts),
            tuple(by_seed[p.question.id][s] if p in drawn else p.items[0] for p in parts),
            k,
            len(seeds),
        )
        for k, s in enumerate(seeds)
    ]


def stem(prompts: Sequence[str]) -> str:
    """The longest run of whole paragraphs every part's prompt starts with."""
    first = prompts[0]
    best = ""
    for end in (m.start() for m in re.finditer(r"\n\n", first)):
        head = first[:end]
        if all(p == head or p.startswith(head + "\n\n") for p in prompts):
            best = head
    if all(p == first for p in prompts):
        return first
    return best


def question_html(cloze: Cloze) -> str:
    """The question text: the stem, then each part's prompt and its box."""
    prompts = [item.prompt for item in cloze.items]
    common = stem(prompts)
    blocks = [_braces(to_html(common))] if common else []
    for item, prompt in zip(cloze.items, prompts, strict=True):
        own = prompt[len(common) :].strip()
        if own:
            blocks.append(_braces(to_html(own)))
        blocks.append(f"<p>{box(item)}{_unit(item)}</p>")
    return "\n".join(blocks)


def general_feedback(cloze: Cloze) -> str:
    """Markdown: each part's hints and worked explanation under its number."""
    sections = []
    for number, item in enumerate(cloze.items, 1):
        feedback = lms.general_feedback(item)
        if feedback:
            sections.append(f"**Part {number}.**\n\n{feedback}")
    return "\n\n".join(sections)


def hints(cloze: Cloze) -> list[str]:
    """Moodle's hints are the question's: each part's, with its number."""
    return [f"Part {n}: {h}" for n, item in enumerate(cloze.items, 1) for h in item.hints]


def box(item: Item) -> str:
    """The part's answer box in Moodle's embedded-answer syntax."""
    key = item.key
    if item.kind == "numeric":
        return _box("NUMERICAL", _numerical(item), escape_text=False)
    if isinstance(key, ShapeKey | TextKey):
        return _box("SHORTANSWER", _short(item))
    if isinstance(key, ChoiceKey | MultiKey):
        kind = "MULTICHOICE_V" if isinstance(key, ChoiceKey) else "MULTIRESPONSE_V"
        fractions = [f"%{f}%" for f in lms.fractions(key)]
        return _box(
            kind, [(f, c, key.feedback.get(c)) for f, c in zip(fractions, key.choices, strict=True)]
        )
    assert isinstance(key, TrueFalseKey)
    answers = []
    for value in (True, False):
        name = str(value).lower()
        right = value == key.truth
        answers.append(
            ("%100%" if right else "%0%", name, None if right else key.feedback.get(name))
        )
    return _box("MULTICHOICE", answers)


def _numerical(item: Item) -> list[Answer]:
    n = lms.numeric(item)
    answers: list[Answer] = [("=", f"{lms.number(n.value)}:{lms.number(n.margin)}", None)]
    answers += [("%0%", f"{lms.number(v)}:{lms.number(m)}", why) for v, m, why in n.wrong]
    return answers


def _short(item: Item) -> list[Answer]:
    right, wrong = lms.short_answers(item)
    answers: list[Answer] = [("=", lms.short_answer(s), None) for s in right]
    answers += [("%0%", lms.short_answer(s), why) for s, why in wrong]
    return answers


def _box(kind: str, answers: list[Answer], escape_text: bool = True) -> str:
    """``{1:KIND:answer~answer}``: each answer its grade, its text, its feedback."""
    written = []
    for grade, text, feedback in answers:
        shown = _in_box(text) if escape_text else text
        written.append(f"{grade}{shown}" + (f"#{_in_box(feedback)}" if feedback else ""))
    return f"{{1:{kind}:{'~'.join(written)}}}"


def _in_box(text: str) -> str:
    """Text inside a box: HTML-escaped (the question text is HTML), newlines as spaces, and
    the box's own specials escaped."""
    flat = " ".join(xml_safe(text).split())
    return _BOX_SPECIAL.sub(r"\\\1", html.escape(flat, quote=False))


def _braces(fragment: str) -> str:
    return fragment.replace("{", "&#123;").replace("}", "&#125;")


def _unit(item: Item) -> str:
    unit = lms.numeric(item).unit if item.kind == "numeric" else None
    return f" {html.escape(unit)}" if unit else ""
