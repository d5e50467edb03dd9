"""A bank as an Anki deck (``.apkg``): the student's own spaced repetition, outside cnnquiz.

Two note types. Numbers, shapes and words are typed in (Anki's ``{{type:...}}`` field shows the
difference from the key); choices, several choices and true/false are answered by choosing. The
back holds the key, the known mistakes for that key (``2,700: you forgot the bias``), the choices'
feedback and the worked explanation; hints fold away under the prompt. Topics become tags.

Re-importing updates rather than duplicates: a note's GUID comes from its question's id and its
variant number, the note types and the deck have ids fixed by their names. A computed question
gives ``--variants`` notes, each with its own numbers (each proven by
:mod:`cnnquiz.instruct.source`); a multi-part item gives a note per part, each prompt with the
item's shared preamble.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cnnquiz.bank.answers import format_shape, letter
from cnnquiz.bank.keys import (
    TRUTH_WORDS,
    ChoiceKey,
    MultiKey,
    NumberKey,
    TextKey,
    TrueFalseKey,
    key_text,
)
from cnnquiz.bank.model import Item
from cnnquiz.instruct.markup import to_html, xml_safe

if TYPE_CHECKING:
    from cnnquiz.instruct.source import Exported

# Anki keys note types and decks by number: fixed here so a second import updates the first.
TYPE_IN_MODEL_ID = 1_607_392_311
CHOICE_MODEL_ID = 1_607_392_312
CHOICE_KINDS = ("choice", "multi", "truefalse")
_FIELDS = ("Question", "Choices", "Answer", "Mistakes", "Hints", "Explanation", "Id")
_CSS = """\
.card { font-family: sans-serif; font-size: 18px; text-align: left; max-width: 42em; margin: auto; }
.choices li { margin: .2em 0; }
.answer { font-weight: bold; font-size: 120%; }
.mistakes, .hints { color: #555; }
pre { background: #f4f4f4; padding: .5em; overflow-x: auto; }
.id { color: #999; font-size: 70%; margin-top: 2em; }
"""
_HINTS = "{{#Hints}}<details class=hints><summary>Hint</summary>{{Hints}}</details>{{/Hints}}"
_BACK = (
    "{{#Mistakes}}<div class=mistakes>{{Mistakes}}</div>{{/Mistakes}}"
    "<div class=explanation>{{Explanation}}</div><div class=id>{{Id}}</div>"
)


def _model(model_id: int, name: str, front: str, back: str) -> Any:
    import genanki  # writes the .apkg; imported only for an Anki export

    return genanki.Model(
        model_id,
        name,
        fields=[{"name": f} for f in _FIELDS],
        templates=[{"name": "Card 1", "qfmt": front, "afmt": back}],
        css=_CSS,
    )


def _models() -> tuple[Any, Any]:
    type_in = _model(
        TYPE_IN_MODEL_ID,
        "cnnquiz: type the answer",
        f"{{{{Question}}}}{_HINTS}\n\n{{{{type:Answer}}}}",
        f"{{{{Question}}}}\n\n<hr id=answer>\n\n{{{{type:Answer}}}}{_BACK}",
    )
    choice = _model(
        CHOICE_MODEL_ID,
        "cnnquiz: choose",
        f"{{{{Question}}}}<ol class=choices type=A>{{{{Choices}}}}</ol>{_HINTS}",
        "{{FrontSide}}\n\n<hr id=answer>\n\n<div class=answer>{{Answer}}</div>" + _BACK,
    )
    return type_in, choice


def deck_id(name: str) -> int:
    """A deck's id, the same for the same name (Anki wants 1 to 2^63-1; genanki's ids use 2^31)."""
    digest = hashlib.sha256(name.encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


def tag(text: str) -> str:
    """A topic as an Anki tag: no spaces (Anki splits tags on them), no control characters."""
    return re.sub(r"[\s\x00-\x1f\"]+", "_", text.strip()) or "_"


def escape(text: str) -> str:
    """Plain text as HTML: ``<``, ``&`` and quotes escaped, nothing interpreted."""
    return html.escape(xml_safe(text), quote=True)


def note_fields(item: Item) -> list[str]:
    """The note's fields for ``item``, in :data:`_FIELDS` order, as HTML (Anki compares the
    answer typed in with the Answer field's text, its markup and entities undone)."""
    key = item.key
    choices = ""
    if item.kind in CHOICE_KINDS:
        words = TRUTH_WORDS.get(item.question.language, TRUTH_WORDS["en"])
        options = item.choices if item.choices is not None else [words[1], words[0]]
        choices = "".join(f"<li>{to_html(c)}</li>" for c in options)
    answer = escape(item.answer_text)
    hints = "".join(to_html(h) for h in item.hints)
    return [
        to_html(item.prompt),
        choices,
        answer,
        _mistakes(item, key),
        hints,
        to_html(item.explanation),
        escape(item.question.id),
    ]


def _mistakes(item: Item, key: Any) -> str:
    """The wrong answers the bank knows for ``key``, each with why it is wrong, as a list."""
    lines: list[str] = []
    for trap in item.traps:
        if isinstance(key, NumberKey) and not isinstance(trap.value, tuple):
            shown = key_text(replace(key, number=trap.value), item.question.language)
        elif isinstance(trap.value, tuple):
            shown = format_shape(trap.value)
        else:
            continue
        lines.append(f"<li>{escape(shown)}: {escape(trap.feedback)}</li>")
    if isinstance(key, ChoiceKey | MultiKey):
        for i, choice in enumerate(key.choices):
            why = key.feedback.get(choice)
            if why:
                lines.append(f"<li>{letter(i).upper()}) {escape(choice)}: {escape(why)}</li>")
    elif isinstance(key, TextKey | TrueFalseKey):  # numbers' and shapes' feedback are traps
        lines.extend(f"<li>{escape(v)}: {escape(w)}</li>" for v, w in key.feedback.items())
    return f"<ul>{''.join(lines)}</ul>" if lines else ""


def write_apkg(
    exported: Sequence[Exported], path: Path, deck: str, timestamp: float | None = None
) -> int:
    """Write the questions of ``exported`` as one deck named ``deck`` to ``path``; the number of
    notes written. Anki updates a note it has when the new one is newer: ``timestamp`` (default:
    now) is the notes' modification time."""
    import genanki

    type_in, choice = _models()
    anki_deck = genanki.Deck(deck_id(deck), deck)
    for entry in exported:
        q = entry.question
        tags = [tag(t) for t in q.topics] + [f"cnnquiz::{tag(q.path.stem if q.path else q.bank)}"]
        for number, item in enumerate(entry.items):
            model = choice if item.kind in CHOICE_KINDS else type_in
            anki_deck.add_note(
                genanki.Note(
                    model=model,
                    fields=note_fields(item),
                    tags=tags,
                    guid=genanki.guid_for("cnnquiz", q.id, number),
                )
            )
    genanki.Package(anki_deck).write_to_file(str(path), timestamp=timestamp)
    return len(anki_deck.notes)
