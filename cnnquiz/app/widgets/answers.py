"""Answer inputs that fit the question: a list to pick one choice, a list to tick several."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList, SelectionList
from textual.widgets.option_list import Option

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class ChoiceList(OptionList):
    """One answer from a list (choice, true/false): arrows or the letter, then Enter."""

    @dataclass
    class Chosen(Message):
        choice_list: ChoiceList
        text: str

    def __init__(self, choices: list[str], *, id: str | None = None) -> None:
        self.choices = list(choices)
        options = [Option(f"{LETTERS[i]}) {c}", id=str(i)) for i, c in enumerate(self.choices)]
        super().__init__(*options, id=id)

    def on_mount(self) -> None:
        self.highlighted = 0

    def on_key(self, event) -> None:  # noqa: ANN001 - textual's Key event
        """A letter jumps to its choice, as a printed exam labels them."""
        key = event.character.upper() if event.character else ""
        if len(key) == 1 and key in LETTERS[: len(self.choices)]:
            self.highlighted = LETTERS.index(key)
            event.stop()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Chosen(self, self.choices[event.option_index]))


class MultiChoiceList(SelectionList[int]):
    """Several answers: space ticks, Enter submits the letters of the ticked ones."""

    BINDINGS = [
        Binding("space", "select", "Tick", show=True),
        Binding("enter", "submit", "Submit", show=True),
    ]

    @dataclass
    class Chosen(Message):
        choice_list: MultiChoiceList
        text: str

    def __init__(self, choices: list[str], *, id: str | None = None) -> None:
        self.choices = list(choices)
        super().__init__(*[(f"{LETTERS[i]}) {c}", i) for i, c in enumerate(self.choices)], id=id)

    def on_mount(self) -> None:
        self.highlighted = 0

    def action_submit(self) -> None:
        letters = ", ".join(LETTERS[i] for i in sorted(self.selected))
        self.post_message(self.Chosen(self, letters))
