"""Answer inputs that fit the question: a list to pick one choice, a list to tick several."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.strip import Strip
from textual.widgets import (
    Checkbox,  # its box characters are the ones SelectionList draws
    OptionList,
    SelectionList,
)
from textual.widgets.option_list import Option, OptionDoesNotExist

from cnnquiz.app.safe import plain
from cnnquiz.i18n import N_

T = TypeVar("T")

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _letter_moves(widget: ChoiceList | MultiChoiceList, event: events.Key) -> None:
    """The letter of a choice (``b`` or ``B``) highlights it; other keys go on as usual."""
    key = event.character.upper() if event.character else ""
    if len(key) == 1 and key in LETTERS[: len(widget.choices)]:
        widget.highlighted = LETTERS.index(key)
        event.stop()
        event.prevent_default()


class ChoiceList(OptionList):
    """One answer from a list (choice, true/false): arrows or the letter, then Enter."""

    @dataclass
    class Chosen(Message):
        choice_list: ChoiceList
        text: str

    def __init__(self, choices: list[str], *, id: str | None = None) -> None:
        self.choices = list(choices)
        options = [
            Option(plain(f"{LETTERS[i]}) {c}"), id=str(i)) for i, c in enumerate(self.choices)
        ]
        super().__init__(*options, id=id)

    def on_mount(self) -> None:
        self.highlighted = 0

    def on_key(self, event: events.Key) -> None:
        """A letter jumps to its choice, as a printed exam labels them."""
        _letter_moves(self, event)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Chosen(self, self.choices[event.option_index]))


class TickList(SelectionList[T], Generic[T]):
    """A selection list whose box is empty when not ticked: the state does not rest on colour
    alone (Textual draws an X in both states), so it reads in monochrome and to screen readers."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        try:
            option = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip
        if (
            len(segments) > 1
            and segments[1].text == Checkbox.BUTTON_INNER
            and option.value not in self._selected
        ):
            segments[1] = Segment(" " * len(Checkbox.BUTTON_INNER), segments[1].style)
            return Strip(segments, strip.cell_length)
        return strip


class MultiChoiceList(TickList[int]):
    """Several answers: a letter or the arrows move to a choice, Space ticks it, Enter submits
    the letters of the ticked ones (``b Space c Space Enter`` answers "B, C")."""

    BINDINGS = [
        Binding("space", "select", N_("Tick"), show=True),
        Binding("enter", "submit", N_("Submit"), show=True),
    ]

    @dataclass
    class Chosen(Message):
        choice_list: MultiChoiceList
        text: str

    def __init__(self, choices: list[str], *, id: str | None = None) -> None:
        self.choices = list(choices)
        super().__init__(
            *[(plain(f"{LETTERS[i]}) {c}"), i) for i, c in enumerate(self.choices)], id=id
        )

    def on_mount(self) -> None:
        self.highlighted = 0

    def on_key(self, event: events.Key) -> None:
        _letter_moves(self, event)

    def action_submit(self) -> None:
        letters = ", ".join(LETTERS[i] for i in sorted(self.selected))
        self.post_message(self.Chosen(self, letters))
