"""Exports read back, and compared with the bank by cnnquiz's own grader.

GIFT is parsed by the real ``gift-pegjs`` (npm), Moodle XML by ``xml.etree`` and its cloze
boxes by :func:`parse_cloze` (Moodle's embedded-answer syntax). Each format is turned into the
same :class:`Readback`, and :func:`assert_matches` checks it against the exported item: the
prompt and feedback as written, and every answer graded by cnnquiz as Moodle would grade it
(a 100 % answer correct, at its value and at the edges of its margin; a 0 % answer wrong, with
the feedback cnnquiz gives).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from cnnquiz.bank.answers import BYTE_UNITS, UNIT_NAMES
from cnnquiz.bank.keys import ChoiceKey, MultiKey, NumberKey, ShapeKey, TextKey, TrueFalseKey
from cnnquiz.bank.model import Item, grade

NODE_DIR = Path(__file__).resolve().parent.parent / "node"
GIFT_PEGJS = NODE_DIR / "node_modules" / "gift-pegjs"


def gift_parser_missing() -> str | None:
    """Why the GIFT tests cannot run here, or None."""
    if shutil.which("node") is None:
        return "node is not installed: the GIFT output cannot be read by gift-pegjs"
    if not GIFT_PEGJS.is_dir():
        return "gift-pegjs is not installed: run `npm ci --prefix tests/node`"
    return None


def parse_gift(text: str) -> list[dict]:
    done = subprocess.run(
        ["node", str(NODE_DIR / "parse_gift.js")],
        input=text,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    if not done.stdout.strip():
        raise AssertionError(
            f"parse_gift.js printed nothing (exit {done.returncode}): {done.stderr}"
        )
    parsed = json.loads(done.stdout)
    if isinstance(parsed, dict):
        line = parsed.get("line")
        context = text.splitlines()[line - 1] if line else ""
        raise AssertionError(f"gift-pegjs: {parsed['error']} at line {line}: {context[:200]}")
    return parsed


@dataclass
class Answer:
    fraction: Decimal
    text: str
    tolerance: Decimal | None = None
    feedback: str = ""


@dataclass
class Readback:
    """One question as Moodle would hold it, from any format."""

    category: str | None
    name: str
    idnumber: str
    type: str  # numerical | shortanswer | multichoice | truefalse
    stem: str
    general_feedback: str
    answers: list[Answer] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


def from_gift(parsed: list[dict]) -> list[Readback]:
    questions: list[Readback] = []
    category = None
    for q in parsed:
        if q["type"] == "Category":
            category = q["title"]
            continue
        kind = {
            "Numerical": "numerical",
            "Short": "shortanswer",
            "MC": "multichoice",
            "TF": "truefalse",
        }
        back = Readback(
            category,
            q["title"],
            q["id"],
            kind[q["type"]],
            q["stem"]["text"],
            (q["globalFeedback"] or {}).get("text", ""),
            tags=q["tags"] or [],
        )
        back.answers = _gift_answers(q)
        questions.append(back)
    return questions


def _gift_answers(q: dict) -> list[Answer]:
    def feedback(c: dict) -> str:
        return (c.get("feedback") or {}).get("text", "")

    if q["type"] == "TF":
        truth = q["isTrue"]
        # Moodle's order: {TRUE#shown for the wrong answer#shown for the right one}; gift-pegjs
        # names them trueFeedback and falseFeedback whatever the key
        assert q["falseFeedback"] is None, q
        return [
            Answer(Decimal(100), str(truth).lower()),
            Answer(
                Decimal(0),
                str(not truth).lower(),
                feedback=(q["trueFeedback"] or {}).get("text", ""),
            ),
        ]
    answers = []
    for c in q["choices"]:
        weight = c["weight"]
        if weight is None:
            weight = 100 if c["isCorrect"] else 0
        if q["type"] == "Numerical":
            assert c["text"]["type"] == "range", c
            text, tol = repr(c["text"]["number"]), Decimal(repr(c["text"]["range"]))
        else:
            text, tol = c["text"]["text"], None
        answers.append(Answer(Decimal(repr(weight)), text, tol, feedback(c)))
    return answers


def _text(element, tag: str) -> str:
    found = element.find(f"{tag}/text")
    return (found.text or "") if found is not None else ""


def from_xml(root) -> list[Readback]:
    """Every question but the cloze ones (see :func:`cloze_parts`), and the cloze ones whole."""
    questions = []
    category = None
    for q in root.findall("question"):
        if q.get("type") == "category":
            category = _text(q, "category")
            continue
        back = Readback(
            category,
            _text(q, "name"),
            q.findtext("idnumber") or "",
            q.get("type"),
            _text(q, "questiontext"),
            _text(q, "generalfeedback"),
            tags=[t.findtext("text") for t in q.findall("tags/tag")],
        )
        for a in q.findall("answer"):
            tol = a.findtext("tolerance")
            back.answers.append(
                Answer(
                    Decimal(a.get("fraction")),
                    a.findtext("text") or "",
                    Decimal(tol) if tol is not None else None,
                    _text(a, "feedback"),
                )
            )
        questions.append(back)
    return questions


# --- cloze -----------------------------------------------------------------------------------

_BOX = re.compile(r"\{(\d*):([A-Z_]+):((?:\\.|[^\\}])*)\}")
_UNESCAPE = re.compile(r"\\(.)")


def _split_slow(text: str, sep: str) -> list[str]:
    parts, current, i = [], "", 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            current += text[i : i + 2]
            i += 2
        elif text[i] == sep:
            parts.append(current)
            current = ""
            i += 1
        else:
            current += text[i]
            i += 1
    return [*parts, current]


def parse_cloze(text: str) -> list[tuple[str, list[Answer]]]:
    """Each box of a cloze question text: its type and its answers (text unescaped, HTML
    entities decoded). Fails on a box Moodle would not read."""
    boxes = []
    for m in _BOX.finditer(text):
        weight, kind, body = m.groups()
        assert weight == "1", m.group(0)
        answers = []
        for raw in _split_slow(body, "~"):
            g = re.match(r"(=|%(-?[\d.]+)%)(.*)$", raw, re.S)
            assert g, f"no grade in {raw!r} of {m.group(0)}"
            fraction = Decimal(100) if g[1] == "=" else Decimal(g[2])
            answer, *rest = _split_slow(g[3], "#")
            assert len(rest) <= 1, raw
            feedback = html.unescape(_UNESCAPE.sub(r"\1", rest[0])) if rest else ""
            tol = None
            if kind == "NUMERICAL":
                answer, tol_text = answer.split(":")
                tol = Decimal(tol_text)
            answers.append(
                Answer(fraction, html.unescape(_UNESCAPE.sub(r"\1", answer)), tol, feedback)
            )
        boxes.append((kind, answers))
    outside = _BOX.sub("", text)
    assert "{" not in outside and "}" not in outside, "a brace outside the boxes"
    return boxes


CLOZE_TYPES = {
    "NUMERICAL": "numerical",
    "SHORTANSWER": "shortanswer",
    "MULTICHOICE": "truefalse",
    "MULTICHOICE_V": "multichoice",
    "MULTIRESPONSE_V": "multichoice",
}


# --- the comparison --------------------------------------------------------------------------


def unit_of(key: NumberKey) -> str | None:
    return UNIT_NAMES[key.unit or "bytes"] if key.size else None


def assert_matches(back: Readback, item: Item, render=lambda text: text) -> None:
    """The answers read back grade, by cnnquiz, as Moodle would grade them. ``render`` is how
    the format writes a choice or a feedback (Moodle XML: as HTML)."""
    key = item.key

    def shown(text: str | None) -> str:
        return render(text) if text else ""

    where = f"{back.name}"
    if isinstance(key, NumberKey):
        _numbers(back, item, key, where, shown)
    elif isinstance(key, ShapeKey | TextKey):
        assert back.type == "shortanswer", where
        right = [a for a in back.answers if a.fraction == 100]
        assert right, where
        for a in back.answers:
            typed = a.text.replace("\\*", "*")
            # Moodle gives the first answer that matches (case-insensitive)
            first = next(b for b in back.answers if b.text.lower() == a.text.lower())
            verdict = grade(item, typed)
            assert verdict.status == ("correct" if first.fraction == 100 else "wrong"), (where, a)
            if first.fraction == 0:
                assert shown(verdict.feedback) == first.feedback, (where, a)
        if isinstance(key, ShapeKey):
            dims = [str(d) for d in key.shape]
            for spelling in ("x".join(dims), "×".join(dims), f"({', '.join(dims)})"):
                assert spelling in [a.text for a in right], (where, spelling)
        else:
            assert [a.text.replace("\\*", "*") for a in right] == list(key.spellings), where
    elif isinstance(key, ChoiceKey | MultiKey):
        _choices(back, key, where, shown)
    else:
        assert isinstance(key, TrueFalseKey)
        assert back.type == "truefalse", where
        right = [a for a in back.answers if a.fraction == 100]
        assert [a.text for a in right] == [str(key.truth).lower()], where
        wrong = [a for a in back.answers if a.fraction == 0]
        assert [a.feedback for a in wrong] == [
            shown(key.feedback.get(str(not key.truth).lower()))
        ], where


def _numbers(back: Readback, item: Item, key: NumberKey, where: str, shown) -> None:
    assert back.type == "numerical", where
    factor = Decimal(BYTE_UNITS[key.unit or "bytes"]) if key.size else Decimal(1)
    unit = unit_of(key)
    right = [a for a in back.answers if a.fraction == 100]
    assert len(right) == 1, where
    value, margin = Decimal(right[0].text), right[0].tolerance
    assert value * factor == key.number, where
    assert margin * factor == max(key.rel_tol * key.number, key.abs_tol), where

    def typed(v: Decimal) -> str:
        return f"{v:f} {unit}" if unit else f"{v:f}"

    for edge in (value, value - margin, value + margin):
        assert grade(item, typed(edge)).status == "correct", (where, edge)
    if margin:
        assert grade(item, typed(value + margin * Decimal("1.05"))).status == "wrong", where
    for a in back.answers:
        if a.fraction == 0:
            # Moodle gives the first answer whose margin holds the number typed
            value = Decimal(a.text)
            first = next(b for b in back.answers if abs(value - Decimal(b.text)) <= b.tolerance)
            verdict = grade(item, typed(value))
            assert first.fraction == 0 and verdict.status == "wrong", (where, a)
            assert shown(verdict.feedback) == first.feedback, (where, a, verdict)


def _choices(back: Readback, key: ChoiceKey | MultiKey, where: str, shown) -> None:
    assert back.type == "multichoice", where
    assert [a.text for a in back.answers] == [shown(c) for c in key.choices], where
    assert [a.feedback for a in back.answers] == [
        shown(key.feedback.get(c)) for c in key.choices
    ], where
    if isinstance(key, ChoiceKey):
        assert [a.fraction for a in back.answers] == [
            100 if i == key.choice else 0 for i in range(len(key.choices))
        ], where
        return
    right = [a.fraction for i, a in enumerate(back.answers) if i in key.picks]
    wrong = [a.fraction for i, a in enumerate(back.answers) if i not in key.picks]
    assert all(f > 0 for f in right) and abs(sum(right) - 100) < Decimal("0.001"), where
    assert all(f < 0 for f in wrong) and (not wrong or abs(sum(wrong) + 100) < Decimal("0.001")), (
        where
    )
