"""The calculator's Ctrl+O: which network to open, a spec file, Keras or PyTorch code, or a
zoo name.

A ``ModalScreen`` that returns what was typed (or None): the calculator reads it
(``calculator_work.open_spec``) and shows the error there, one line, if it cannot.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static


class OpenSpecScreen(ModalScreen[str | None]):
    """Returns the file name or zoo name typed, or None when the student backs out."""

    CSS_PATH = "calculator_open.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, zoo_names: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.zoo_names = zoo_names

    def compose(self) -> ComposeResult:
        with Vertical(id="open-spec", classes="dialog") as box:
            box.border_title = "Open a network"
            yield Label("A YAML file, a .py file of Keras or PyTorch code, or a zoo name")
            yield Input(id="open-name", placeholder="net.yaml, net.py or resnet18")
            zoo = f"Zoo: {', '.join(self.zoo_names)}\n" if self.zoo_names else ""
            yield Static(f"{zoo}Enter: open · Esc: cancel", id="open-hint")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
