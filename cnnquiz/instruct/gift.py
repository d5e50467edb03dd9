"""GIFT, Moodle's text format for questions: one question per variant, in Markdown.

Numbers become numerical questions (``{#=3.6136:0.018068}``, the unit stated in the prompt:
GIFT has none), shapes and words short answers, choices multiple choice (several right ones
share 100 %, each wrong one takes its share away), yes/no true/false. The wrong answers the bank
names carry their feedback; the hints and the worked explanation are the general feedback.
A multi-part item becomes one question per part (GIFT has no cloze), each with the stem.
Every question is titled and given an idnumber (``// [id:...]``, Moodle 4+) from its id.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TextIO

from cnnquiz.bank.keys import ChoiceKey, MultiKey, ShapeKey, TextKey, TrueFalseKey
from cnnquiz.bank.model import Item
from cnnquiz.instruct import lms
from cnnquiz.instruct.source import Exported, category_name

_SPECIAL = re.compile(r"([\\~=#{}:])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_TAG_UNSAFE = re.compile(r"[\]\x00-\x1f\x7f]")


def escape(text: str) -> str:
    """Text GIFT reads back as written: its specials ``\\ ~ = # { } :`` escaped, each newline
    ``\\n`` (a blank line would end the question), control characters dropped."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _SPECIAL.sub(r"\\\1", text.strip()).replace("\n", "\\n")


def write_gift(exported: Sequence[Exported], out: TextIO) -> int:
    """Write the exported questions as GIFT; return how many questions were written."""
    out.write("// cnnquiz export: every key proven (cnnquiz bank check); GIFT for Moodle\n\n")
    count = 0
    current = None
    for variant in lms.each_variant(exported):
        category = _category(variant.exported)
        if category != current:
            out.write(f"$CATEGORY: {_CONTROL.sub(' ', category).replace(chr(10), ' ')}\n\n")
            current = category
        out.write(question(variant))
        out.write("\n\n")
        count += 1
    return count


def _category(exported: Exported) -> str:
    """The question's category; a computed part gets one below its item's (the parts are
    separate questions here, each drawn on its own)."""
    q = exported.question
    if q.is_computed and q.group and q.id.startswith(f"{q.group}/"):
        return f"{exported.category}/{category_name(q.id[len(q.group) + 1 :])}"
    return exported.category


def question(variant: lms.Variant) -> str:
    """One GIFT question: tags and idnumber, title, Markdown prompt, answers, feedback."""
    item = variant.item
    tags = "".join(
        f" [tag:{t}]" for t in variant.exported.question.topics if t and not _TAG_UNSAFE.search(t)
    )
    head = f"// [id:{_TAG_UNSAFE.sub('', variant.idnumber)}]{tags}\n"
    prompt = item.prompt.strip()
    answers = _answers(item)
    if item.kind == "numeric":
        unit = lms.numeric(item).unit
        if unit:
            prompt += f"\n\n*Answer in {unit} (the number only).*"
    feedback = lms.general_feedback(item)
    general = f"\n\t####{escape(feedback)}" if feedback else ""
    return f"{head}::{escape(variant.name)}::[markdown]{escape(prompt)} {{{answers}{general}\n}}"


def _answers(item: Item) -> str:
    key = item.key
    if item.kind == "numeric":
        return _numerical(item)
    if isinstance(key, ShapeKey | TextKey):
        return _short(item)
    if isinstance(key, ChoiceKey):
        return "".join(
            f"\n\t{'=' if i == key.choice else '~'}{escape(c)}{_feedback(key.feedback.get(c))}"
            for i, c in enumerate(key.choices)
        )
    if isinstance(key, MultiKey):
        return _multi(key)
    if isinstance(key, TrueFalseKey):
        why = key.feedback.get(str(not key.truth).lower())
        return ("TRUE" if key.truth else "FALSE") + _feedback(why)
    raise AssertionError(f"no GIFT answer for {type(key).__name__}")


def _numerical(item: Item) -> str:
    n = lms.numeric(item)
    lines = [f"\n\t={lms.number(n.value)}:{lms.number(n.margin)}"]
    lines += [f"\n\t=%0%{lms.number(v)}:{lms.number(m)}{_feedback(why)}" for v, m, why in n.wrong]
    return "#" + "".join(lines)


def _short(item: Item) -> str:
    right, wrong = lms.short_answers(item)
    lines = [f"\n\t={escape(lms.short_answer(s))}" for s in right]
    lines += [f"\n\t=%0%{escape(lms.short_answer(s))}{_feedback(why)}" for s, why in wrong]
    return "".join(lines)


def _multi(key: MultiKey) -> str:
    return "".join(
        f"\n\t~%{fraction}%{escape(c)}{_feedback(key.feedback.get(c))}"
        for fraction, c in zip(lms.fractions(key), key.choices, strict=True)
    )


def _feedback(text: str | None) -> str:
    return f"#{escape(text)}" if text else ""
