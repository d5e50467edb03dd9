"""Moodle XML: the richest format Moodle imports, one ``<question>`` per variant.

Numbers become numerical questions with the key's unit (a size: MB as the base unit and every
other size unit with its multiplier, so ``3613600 bytes`` and ``3.6 MB`` both grade), shapes and
words short answers, choices multiple choice (single, or several right ones sharing 100 % and
wrong ones taking their share away), yes/no true/false, and a multi-part item one cloze question
(:mod:`cnnquiz.instruct.cloze`). Prompts are Markdown turned into HTML; the hints are Moodle
hints (shown between tries) and, with the worked explanation, the general feedback. Each
question has an ``<idnumber>`` from its id and variant.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from decimal import Decimal
from typing import TextIO

from cnnquiz.bank.keys import ChoiceKey, MultiKey, TrueFalseKey
from cnnquiz.bank.model import Item
from cnnquiz.instruct import cloze, lms
from cnnquiz.instruct.markup import to_html, xml_safe
from cnnquiz.instruct.source import Exported

PENALTY = "0.3333333"  # Moodle's default: each wrong try in interactive mode costs a third


def write_moodle_xml(exported: Sequence[Exported], out: TextIO) -> int:
    """Write the exported questions as Moodle XML; return how many questions were written."""
    quiz = ET.Element("quiz")
    quiz.append(ET.Comment(" cnnquiz export: every key proven (cnnquiz bank check) "))
    count = 0
    current = None
    for group in lms.groups(exported):
        for category, element in _questions(group):
            if category != current:
                quiz.append(_category(category))
                current = category
            quiz.append(element)
            count += 1
    ET.indent(quiz, space="  ")
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(quiz, encoding="unicode"))
    out.write("\n")
    return count


def _questions(group: list[Exported]) -> list[tuple[str, ET.Element]]:
    """Each question of a run of exported ones (a multi-part item's: its cloze variants), with
    its category."""
    if group[0].question.group is not None:
        return [(v.category, cloze_question(v)) for v in cloze.variants(group)]
    return [(v.exported.category, question(v)) for v in lms.each_variant(group)]


def cloze_question(variant: cloze.Cloze) -> ET.Element:
    """A multi-part item's variant as one cloze question."""
    element = head("cloze", variant.name, cloze.question_html(variant))
    topics = variant.parts[0].question.topics
    tail(element, variant.idnumber, topics, cloze.hints(variant), cloze.general_feedback(variant))
    return element


def _category(path: str) -> ET.Element:
    element = ET.Element("question", type="category")
    _text(ET.SubElement(element, "category"), path)
    return element


def question(variant: lms.Variant) -> ET.Element:
    """One ``<question>`` of the type the item's kind asks for."""
    item = variant.item
    qtype, build = _TYPES[item.kind]
    element = head(qtype, variant.name, to_html(item.prompt))
    build(element, item)
    topics = variant.exported.question.topics
    tail(element, variant.idnumber, topics, item.hints, lms.general_feedback(item))
    return element


def head(qtype: str, name: str, prompt_html: str) -> ET.Element:
    element = ET.Element("question", type=qtype)
    _text(ET.SubElement(element, "name"), name)
    _text(ET.SubElement(element, "questiontext", format="html"), prompt_html)
    return element


def tail(
    element: ET.Element,
    idnumber: str,
    topics: Sequence[str],
    hints: Sequence[str],
    feedback: str,
) -> None:
    """General feedback, grade, penalty, idnumber, hints and tags, after the answers."""
    _text(ET.SubElement(element, "generalfeedback", format="html"), to_html(feedback))
    ET.SubElement(element, "defaultgrade").text = "1"
    ET.SubElement(element, "penalty").text = PENALTY
    ET.SubElement(element, "hidden").text = "0"
    ET.SubElement(element, "idnumber").text = xml_safe(idnumber)
    for hint in hints:
        _text(ET.SubElement(element, "hint", format="html"), to_html(hint))
    named = [t for t in topics if t.strip()]
    if named:
        tags = ET.SubElement(element, "tags")
        for topic in named:
            _text(ET.SubElement(tags, "tag"), topic)


def _text(parent: ET.Element, text: str) -> ET.Element:
    ET.SubElement(parent, "text").text = xml_safe(text)
    return parent


def _answer(
    parent: ET.Element,
    fraction: str,
    text: str,
    feedback: str | None,
    fmt: str = "moodle_auto_format",
) -> ET.Element:
    answer = ET.SubElement(parent, "answer", fraction=fraction, format=fmt)
    _text(answer, text)
    _text(ET.SubElement(answer, "feedback", format="html"), to_html(feedback or ""))
    return answer


def _numerical(element: ET.Element, item: Item) -> None:
    n = lms.numeric(item)
    answers: list[tuple[str, Decimal, Decimal, str | None]] = [("100", n.value, n.margin, None)]
    answers += [("0", v, m, why) for v, m, why in n.wrong]
    for fraction, value, margin, why in answers:
        answer = _answer(element, fraction, lms.number(value), why)
        ET.SubElement(answer, "tolerance").text = lms.number(margin)
    if n.units:
        units = ET.SubElement(element, "units")
        for name, multiplier in n.units:
            unit = ET.SubElement(units, "unit")
            ET.SubElement(unit, "multiplier").text = lms.number(multiplier)
            ET.SubElement(unit, "unit_name").text = name
    # units optional (a bare number is in the base unit), typed in a box after the number
    for tag, setting in (
        ("unitgradingtype", "0"),
        ("unitpenalty", "0.1"),
        ("showunits", "0" if n.units else "3"),
        ("unitsleft", "0"),
    ):
        ET.SubElement(element, tag).text = setting


def _short(element: ET.Element, item: Item) -> None:
    ET.SubElement(element, "usecase").text = "0"
    right, wrong = lms.short_answers(item)
    for spelling in right:
        _answer(element, "100", lms.short_answer(spelling), None)
    for spelling, why in wrong:
        _answer(element, "0", lms.short_answer(spelling), why)


def _choices(element: ET.Element, item: Item) -> None:
    key = item.key
    assert isinstance(key, ChoiceKey | MultiKey)
    single = isinstance(key, ChoiceKey)
    ET.SubElement(element, "single").text = "true" if single else "false"
    ET.SubElement(element, "shuffleanswers").text = str(item.question.shuffle).lower()
    ET.SubElement(element, "answernumbering").text = "abc"
    for fraction, choice in zip(lms.fractions(key), key.choices, strict=True):
        _answer(element, fraction, to_html(choice), key.feedback.get(choice), fmt="html")


def _truefalse(element: ET.Element, item: Item) -> None:
    key = item.key
    assert isinstance(key, TrueFalseKey)
    for value in (True, False):
        right = value == key.truth
        why = None if right else key.feedback.get(str(value).lower())
        _answer(element, "100" if right else "0", str(value).lower(), why)


_TYPES = {
    "numeric": ("numerical", _numerical),
    "shape": ("shortanswer", _short),
    "text": ("shortanswer", _short),
    "choice": ("multichoice", _choices),
    "multi": ("multichoice", _choices),
    "truefalse": ("truefalse", _truefalse),
}
