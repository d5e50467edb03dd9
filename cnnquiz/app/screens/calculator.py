"""The calculator: type a layer stack, watch parameters, shapes, MACs and RAM follow the typing.

The figures come from ``arithmetic`` through ``report`` (pure, in ``calculator_work``). They are
computed 0.3 s after the last key (a paste of many lines is one computation, not one per line),
in a thread worker, so typing never waits for them; a result for text that has changed since is
dropped. The screen takes at most ``calculator_work.MAX_LAYERS`` layers (``cnnquiz calc model``
has no such limit). The torch check (``bridge.verify``: every output shape and parameter count)
runs in a thread worker on Ctrl+R and posts ``VerifyDone`` back. Ctrl+O opens a network file or
a zoo name (its YAML goes into the layers box, to be edited); on a graph the table gains a From
column and a heading per block use. Ctrl+L loads the course's worked example; Ctrl+Z right after
brings back what was typed before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input, Label, Select, Static, TextArea
from textual.worker import get_current_worker

from cnnquiz.app.messages import Calculated, VerifyDone
from cnnquiz.app.screens.calculator_work import Calculation, Computed, calculate
from cnnquiz.errors import CnnquizError
from cnnquiz.net.optimizers import COURSE_OPTIMIZERS
from cnnquiz.net.units import fmt_int, fmt_mb

if TYPE_CHECKING:  # the figures are computed in a worker, which imports these when it runs
    from cnnquiz.net.figures import NetworkFigures
    from cnnquiz.net.spec import Network
    from cnnquiz.report.model import ModelReport
    from cnnquiz.report.verdicts import TorchVerdict

WORKED_INPUT = "200x300x3"
WORKED_LAYERS = "conv 100 k3 s2 same\nconv 200 k3 s2 same\nconv 400 k3 s2 same"
DEBOUNCE = 0.3  # seconds after the last key before the figures are computed
WORKED = (WORKED_INPUT, "50", WORKED_LAYERS)  # shape, batch, layers


class LayersArea(TextArea):
    """The layers box: Textual's TextArea, safe against undoing a paste.

    Textual 8.2.8 bug (to report upstream): when an undo (or redo) shrinks the document so
    that the vertical scrollbar goes, ``TextArea._undo_batch`` refreshes the size (whose
    scrollbar watcher scrolls to the cursor) before ``Edit.after`` moves the cursor back into
    the shorter document, and ``WrappedDocument.get_offsets`` raises ``ValueError: The document
    line index 3 is out of bounds`` - a multi-line paste then Ctrl+Z took the app down. The
    cursor is parked at the start first; the undone edit then puts it where it belongs.
    """

    def undo(self) -> None:
        if self.history.undo_stack:
            self.move_cursor((0, 0))
        super().undo()

    def redo(self) -> None:
        if self.history.redo_stack:
            self.move_cursor((0, 0))
        super().redo()


def _zoo_names() -> tuple[str, ...]:
    """The bundled networks' names, for the open dialog's hint."""
    from cnnquiz import zoo

    return tuple(zoo.names())


class CalculatorScreen(Screen[None]):
    """Input shape, layers, batch and optimizer in; summary table, RAM and working out."""

    CSS_PATH = "calculator.tcss"
    BINDINGS = [
        Binding("ctrl+r", "verify", "Verify", tooltip="Verify in torch"),
        Binding("ctrl+o", "open", "Open", tooltip="Open a network file or a zoo name"),
        Binding("ctrl+l", "worked_example", "Example", tooltip="Load the worked example"),
        Binding(
            "ctrl+z",
            "undo_example",
            "Undo example",
            priority=True,  # before the layers box's own undo, only while the example is loaded
            tooltip="Right after Ctrl+L: bring back what was typed before",
        ),
        Binding("f2", "app.switch_mode('home')", "Home"),
        Binding("escape", "app.switch_mode('home')", "Home", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.computed: Computed | None = None  # the figures on screen
        self.token = ""
        self._timer: Timer | None = None
        self._wanted: tuple[str, str, str, str] | None = None  # the inputs being computed
        self._shown: tuple[str, str, str, str] | None = None  # the inputs on screen
        self._before_example: tuple[str, str, str] | None = None  # for Ctrl+Z after Ctrl+L
        self._verify_next = False  # Ctrl+R came while the figures were being computed

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="calc-top"):
            yield Label("Input", classes="calc-label")
            yield Input(WORKED_INPUT, id="calc-input", placeholder="200x300x3")
            yield Label("Batch", classes="calc-label")
            yield Input("50", id="calc-batch", type="integer")
            yield Select(
                [(o, o) for o in COURSE_OPTIMIZERS], value="sgd", allow_blank=False, id="calc-optimizer"
            )
        layers = LayersArea(WORKED_LAYERS, id="calc-layers", show_line_numbers=False)
        layers.border_title = "Layers: inline (conv 32 k3 same; maxpool 2; gap; dense 10) or YAML"
        yield layers
        yield Static(id="calc-error")
        with VerticalScroll(id="calc-out"):
            yield Static(id="calc-summary")
            yield Static(id="calc-verify")
            yield DataTable(id="calc-table", cursor_type="none", zebra_stripes=True)
            yield Static(id="calc-ram")
            yield Static(id="calc-steps")
        yield Footer()

    def on_mount(self) -> None:
        self._verdict(None)
        self._start()
        self.query_one("#calc-layers", TextArea).focus()

    # ---- computing ------------------------------------------------------------------------
    def _inputs(self) -> tuple[str, str, str, str]:
        return (
            self.query_one("#calc-input", Input).value,
            self.query_one("#calc-layers", TextArea).text,
            self.query_one("#calc-batch", Input).value,
            str(self.query_one("#calc-optimizer", Select).value),
        )

    @property
    def busy(self) -> bool:
        """A computation is waiting for the typing to pause, running, or not yet shown."""
        return self._timer is not None or self._wanted != self._shown

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    def _changed(self) -> None:
        """Each key restarts the wait: the figures follow once the typing (or a paste) pauses."""
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE, self._start)
        self.refresh_bindings()  # Ctrl+Z undoes the example only while it is unchanged

    def _start(self) -> None:
        self._timer = None
        self._wanted = self._inputs()
        self.compute(self._wanted)

    @work(thread=True, exclusive=True, group="calculate")
    def compute(self, inputs: tuple[str, str, str, str]) -> None:
        """Runs in a thread: a long paste is parsed and analysed without freezing the keys."""
        result = calculate(*inputs)
        if not get_current_worker().is_cancelled:
            self.post_message(Calculated(result))

    def on_calculated(self, message: Calculated) -> None:
        result: Calculation = message.result
        if result.inputs != self._wanted:
            return  # the text changed since: a newer computation is on its way
        self._shown = result.inputs
        error = self.query_one("#calc-error", Static)
        computed = result.computed
        if computed is None:
            error.update(Text(result.error or "", style="bold red"))
            if not result.batch_error:
                self.query_one("#calc-out").add_class("stale")
            if self._verify_next:
                self._verify_next = False
                self._verdict(Text("Nothing checked in torch: the layers above have an error."))
            return
        status = Text(
            f"input {computed.network.input} · float32 · MB = 10^6 bytes · Ctrl+R checks it in torch",
            style="dim",
        )
        for hint in computed.report.hints:
            status.append(f"\nHint: {hint}", style="yellow")
        error.update(status)
        self.query_one("#calc-out").remove_class("stale")
        self.computed = computed
        if result.token != self.token:
            self._verdict(None)  # a torch verdict was about other layers
        self.token = result.token
        self._show(computed.report)
        if self._verify_next and not self.busy:
            self.action_verify()
        # the summary first: an edit never leaves the figures scrolled out of sight
        self.query_one("#calc-out", VerticalScroll).scroll_home(animate=False)

    def _show(self, report: ModelReport) -> None:
        from cnnquiz.app.screens import calculator_text as text

        t = report.totals
        pred, train = report.prediction_ram, report.training_ram
        self.query_one("#calc-summary", Static).update(
            Text.assemble(
                (f"{fmt_int(t.params)} params", "bold"),
                f" ({fmt_mb(t.param_bytes)}) · predict ",
                (fmt_mb(pred.total), "bold"),
                f" · train (batch {train.batch}, {train.optimizer}) ",
                (fmt_mb(train.total), "bold"),
            )
        )
        table = self.query_one("#calc-table", DataTable)
        columns = text.GRAPH_COLUMNS if text.is_graph(report) else text.CHAIN_COLUMNS
        if tuple(str(c.label) for c in table.columns.values()) != columns:
            table.clear(columns=True)
            table.add_columns(*columns)
        table.clear()
        for row in text.table_rows(report):
            table.add_row(*row)
        self.query_one("#calc-ram", Static).update(text.ram_text(report))
        self.query_one("#calc-steps", Static).update(text.steps_text(report))

    # ---- torch ----------------------------------------------------------------------------
    def action_verify(self) -> None:
        """Ctrl+R: check the figures on screen in torch; pressed while they are being computed,
        the check follows as soon as they are shown."""
        if self.busy or self.computed is None:
            self._verify_next = True
            self._verdict(Text("Checking in torch once the figures are ready…", style="italic"))
            return
        self._verify_next = False
        self._verdict(Text("Checking in torch…", style="italic"))
        self.verify_in_torch(self.computed.network, self.computed.figures, self.token)

    @work(thread=True, exclusive=True, group="verify")
    def verify_in_torch(self, network: Network, figures: NetworkFigures, token: str) -> None:
        """Runs in a thread: importing torch takes seconds the screen must not freeze for."""
        try:
            from cnnquiz.torchcheck.verify import verify

            self.post_message(VerifyDone(token, result=verify(network, figures)))
        except Exception as exc:  # any failure becomes the verdict line
            self.post_message(VerifyDone(token, error=f"{type(exc).__name__}: {exc}"))

    def _verdict(self, text: Text | None) -> None:
        """The torch check's line, under the summary; no empty line while there is none."""
        out = self.query_one("#calc-verify", Static)
        out.update(text or "")
        out.display = text is not None

    def on_verify_done(self, message: VerifyDone) -> None:
        if message.token != self.token:
            self._verdict(
                Text("The layers changed while torch was checking: Ctrl+R again.", style="dim")
            )
            return
        result: TorchVerdict | None = message.result
        if message.error or result is None:
            error = message.error or "no verdict came back"
            self._verdict(Text(f"✘ torch check failed: {error}", style="bold red"))
            return
        if result.ok:
            self._verdict(
                Text.assemble(
                    ("✔ torch agrees", "bold green"),
                    f": every output shape and {fmt_int(result.total_trainable)} "
                    f"trainable parameters (torch {result.torch_version}, {result.device} device)",
                )
            )
        else:
            self._verdict(
                Text(
                    "✘ torch disagrees:\n" + "\n".join(f"  {m}" for m in result.mismatches),
                    style="bold red",
                )
            )

    # ---- a file or a zoo network ----------------------------------------------------------
    def action_open(self) -> None:
        """Ctrl+O: a network file or a zoo name; its YAML goes into the layers box."""
        from cnnquiz.app.screens.calculator_open import OpenSpecScreen

        self.app.push_screen(OpenSpecScreen(_zoo_names()), self.open_network)

    def open_network(self, name: str | None) -> None:
        """Put the network's YAML and input shape in the boxes (the figures follow as if typed);
        a name that opens nothing leaves the boxes as they were and says why."""
        if name is None:
            return
        from cnnquiz.app.screens.calculator_work import open_spec

        try:
            opened = open_spec(name, self.query_one("#calc-input", Input).value)
        except CnnquizError as exc:
            self.notify(str(exc), title="Cannot open it", severity="error", timeout=8)
            return
        self._set_fields(opened.shape, self.query_one("#calc-batch", Input).value, opened.text)
        self.query_one("#calc-layers", TextArea).focus()  # to edit what was opened
        self.notify(f"Opened {opened.title}.", timeout=4)

    # ---- the worked example ---------------------------------------------------------------
    def _fields(self) -> tuple[str, str, str]:
        return (
            self.query_one("#calc-input", Input).value,
            self.query_one("#calc-batch", Input).value,
            self.query_one("#calc-layers", TextArea).text,
        )

    def _set_fields(self, shape: str, batch: str, layers: str) -> None:
        self.query_one("#calc-input", Input).value = shape
        self.query_one("#calc-batch", Input).value = batch
        self.query_one("#calc-layers", TextArea).text = layers

    def check_action(self, action: str, _parameters: tuple[object, ...]) -> bool | None:
        """Ctrl+Z is the screen's only while the example just loaded is unchanged; otherwise
        it is the layers box's own undo (so undoing edits there leads back to the example)."""
        if action == "undo_example":
            return self._before_example is not None and self._fields() == WORKED
        return True

    def action_worked_example(self) -> None:
        """Ctrl+L: the course's worked example (903,400 parameters, 12.6 MB per prediction).
        What was typed is kept: Ctrl+Z right after brings it back."""
        current = self._fields()
        if current == WORKED:
            self.notify("This is the worked example already.", timeout=3)
            return
        self._before_example = current
        self._set_fields(*WORKED)
        self.notify("Worked example loaded: Ctrl+Z brings back what you had typed.", timeout=6)
        self.refresh_bindings()

    def action_undo_example(self) -> None:
        if self._before_example is None:
            return
        self._set_fields(*self._before_example)
        self._before_example = None
        self.notify("Your layers are back.", timeout=3)
        self.refresh_bindings()
