"""Moodle XML export parsed back (xml.etree, cloze boxes by their syntax) and compared with the bank."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest

from cnnquiz.bank import bundled_bank_paths
from cnnquiz.instruct import cloze, lms, moodle_xml
from cnnquiz.instruct.markup import to_html
from cnnquiz.instruct.source import choose, export, load_proven
from tests.instruct.readback import CLOZE_TYPES, Readback, assert_matches, from_xml, parse_cloze

HOSTILE = Path(__file__).with_name("hostile.yaml")
FIXTURES = Path(__file__).parent.parent / "fixtures" / "banks"
OTHER_BANKS = [FIXTURES / f"{name}.yaml" for name in ("minimal", "grading", "worked", "plain")]
OTHER_BANKS.append(HOSTILE.with_name("mixed.yaml"))  # a fixed part among computed ones


def exported(paths, variants: int = 3, seed: int = 0):
    return export(choose(load_proven(paths, verify=False)), variants, seed)


def xml_of(items) -> tuple[ET.Element, int, str]:
    out = io.StringIO()
    count = moodle_xml.write_moodle_xml(items, out)
    text = out.getvalue()
    return ET.fromstring(text.encode("utf-8")), count, text


def expected_questions(items):
    """What each <question> should hold, in order: a variant, or a multi-part item's cloze."""
    for group in lms.groups(items):
        if group[0].question.group is None:
            yield from lms.each_variant(group)
        else:
            yield from cloze.variants(group)


def check_all(items) -> int:
    root, count, _ = xml_of(items)
    questions = from_xml(root)
    expected = list(expected_questions(items))
    assert count == len(questions) == len(expected)
    for back, want in zip(questions, expected, strict=True):
        assert back.name == want.name and back.idnumber == want.idnumber
        if isinstance(want, cloze.Cloze):
            check_cloze(back, want)
            continue
        item = want.item
        assert back.category == want.exported.category
        assert back.stem == to_html(item.prompt)
        assert back.tags == list(want.exported.question.topics)
        assert to_html(item.explanation) in back.general_feedback
        assert_matches(back, item, to_html)
    return count


def check_cloze(back: Readback, want: cloze.Cloze) -> None:
    """One box per part, in order, each grading as the part's item grades."""
    assert back.type == "cloze" and back.category == want.category
    boxes = parse_cloze(back.stem)
    assert len(boxes) == len(want.items)
    for (kind, answers), item in zip(boxes, want.items, strict=True):
        part = Readback(None, back.name, back.idnumber, CLOZE_TYPES[kind], "", "", answers)
        if item.kind == "truefalse":
            assert kind == "MULTICHOICE"
        assert_matches(part, item)
    for item in want.items:
        assert to_html(item.explanation) in back.general_feedback


def test_every_bundled_bank_parses_back_as_written():
    count = check_all(exported(bundled_bank_paths()))
    assert count > 400  # 388 questions, the computed ones in 3 variants, multi-part as one


@pytest.mark.parametrize("path", OTHER_BANKS, ids=lambda p: p.stem)
def test_the_test_banks_parses_back_as_written(path):
    """Every field once, only the required ones, tolerances, sizes in bytes and MB."""
    check_all(exported([path]))


def test_hostile_text_parses_back_as_written():
    """GIFT's specials, XML, HTML, a cloze box, escape sequences and unicode in every field."""
    items = exported([HOSTILE])
    check_all(items)
    _, _, text = xml_of(items)
    assert "<script>" not in text and "</answer> ]]>" not in text  # escaped, never raw


def test_multi_part_computed_items_are_one_cloze_per_variant_with_the_same_numbers():
    items = [e for e in exported(bundled_bank_paths(), variants=3) if e.question.group]
    computed = [e for e in items if e.question.is_computed]
    assert computed
    for group in lms.groups(computed):
        for variant in cloze.variants(group):
            assert len({i.seed for i in variant.items}) == 1
            assert len({tuple(sorted(i.values.items())) for i in variant.items}) == 1


def test_sizes_carry_units_with_multipliers_so_bytes_grade_too():
    items = [e for e in exported(bundled_bank_paths()) if not e.question.group]
    sized = next(e for e in items if e.items[0].kind == "numeric" and e.items[0].key.size)
    root, _, _ = xml_of([sized])
    q = root.findall("question")[1]
    units = {u.findtext("unit_name"): Decimal(u.findtext("multiplier")) for u in q.iter("unit")}
    base = lms.numeric(sized.items[0]).unit
    assert units[base] == 1 and q.findtext("showunits") == "0"
    value = Decimal(q.find("answer/text").text)
    in_bytes = value * units["bytes"]
    assert in_bytes == sized.items[0].key.number


def test_cloze_stem_is_the_shared_paragraphs():
    assert cloze.stem(["A\n\nB", "A\n\nC"]) == "A"
    assert cloze.stem(["A\n\nX\n\nB", "A\n\nX\n\nC"]) == "A\n\nX"
    assert cloze.stem(["A", "A"]) == "A"
    assert cloze.stem(["A\n\nB", "C\n\nB"]) == ""


@pytest.mark.parametrize(
    "text", ["}", "#", "~", "/", '"', "\\", 'a } b # c ~ d / e " f \\ g', "<b>&amp;</b>"]
)
def test_cloze_box_text_reads_back(text):
    box = cloze._box("SHORTANSWER", [("=", text, text)])
    [(kind, [answer])] = parse_cloze(f"<p>{box}</p>")
    assert kind == "SHORTANSWER" and answer.text == text and answer.feedback == text


def test_a_fixed_part_among_computed_ones_is_in_every_variant():
    items = exported([HOSTILE.with_name("mixed.yaml")], variants=5)
    [variant_list] = [cloze.variants(group) for group in lms.groups(items)]
    assert len(variant_list) == 5
    assert all(v.items[1].kind == "choice" for v in variant_list)
    assert all(v.category.endswith("/mixed") for v in variant_list)
