"""The calculator: type a layer stack, watch parameters, shapes, MACs and RAM follow every key.

The figures come from ``arithmetic`` through ``report`` (pure and instant). The torch check
(``bridge.verify``: every output shape and parameter count) runs in a thread worker on
Ctrl+R and posts ``VerifyDone`` back, so the screen never freezes while torch imports.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Select, Static, TextArea

from cnnquiz.app.messages import VerifyDone
from cnnquiz.errors import CnnquizError
from cnnquiz.units import fmt_int, fmt_mb

WORKED_INPUT = "200x300x3"
WORKED_LAYERS = "conv 100 k3 s2 same\nconv 200 k3 s2 same\nconv 400 k3 s2 same"
OPTIMIZERS = ("sgd", "momentum", "adam")


def parse_calculator(shape_text: str, layers_text: str) -> Any:
    """The network typed: a YAML network (``input:`` and ``layers:``), a YAML list of layers,
    or the inline form (one layer per line or separated by ``;``) on the shape typed above."""
    from cnnquiz import yamlio
    from cnnquiz.spec import Network, parse_inline_layers, parse_network, parse_shape

    text = layers_text.strip()
    if not text:
        raise CnnquizError("type at least one layer, e.g. conv 32 k3 same", "layers")
    if text.startswith("-") or text.startswith("input:") or "\ninput:" in text:
        data = yamlio.loads(text, "layers")
        if isinstance(data, list):
            data = {"input": shape_text.strip(), "layers": data}
        return parse_network(data, "layers")
    return Network(parse_shape(shape_text.strip(), "input"), parse_inline_layers(text, "layers"))


class CalculatorScreen(Screen):
    """Input shape, layers, batch and optimizer in; summary table, RAM and working out."""

    BINDINGS = [
        Binding("ctrl+r", "verify", "Verify", tooltip="Verify in torch"),
        Binding("ctrl+l", "worked_example", "Example", tooltip="Load the worked example"),
        Binding("f2", "app.switch_mode('home')", "Home"),
        Binding("escape", "app.switch_mode('home')", "Home", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.report: dict | None = None
        self.network: Any = None
        self.figures: Any = None
        self.token = ""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="calc-top"):
            yield Label("Input", classes="calc-label")
            yield Input(WORKED_INPUT, id="calc-input", placeholder="200x300x3")
            yield Label("Batch", classes="calc-label")
            yield Input("50", id="calc-batch", type="integer")
            yield Select(
                [(o, o) for o in OPTIMIZERS], value="sgd", allow_blank=False, id="calc-optimizer"
            )
        layers = TextArea(WORKED_LAYERS, id="calc-layers", show_line_numbers=False)
        layers.border_title = "Layers: inline (conv 32 k3 same; maxpool 2; gap; dense 10) or YAML"
        yield layers
        yield Static(id="calc-error")
        with VerticalScroll(id="calc-out"):
            table = DataTable(id="calc-table", cursor_type="none", zebra_stripes=True)
            yield table
            yield Static(id="calc-ram")
            yield Static(id="calc-verify")
            yield Static(id="calc-steps")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#calc-table", DataTable)
        table.add_columns("#", "Layer", "Output", "Params", "MACs", "Out MB")
        self.recompute()
        self.query_one("#calc-layers", TextArea).focus()

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    def _changed(self) -> None:
        self.recompute()

    def recompute(self) -> None:
        """Parse and analyse what is typed; an error keeps the last good figures, marked stale."""
        from cnnquiz.arithmetic import analyze
        from cnnquiz.report import model_report

        shape = self.query_one("#calc-input", Input).value
        layers = self.query_one("#calc-layers", TextArea).text
        batch_text = self.query_one("#calc-batch", Input).value.strip() or "1"
        optimizer = str(self.query_one("#calc-optimizer", Select).value)
        error = self.query_one("#calc-error", Static)
        try:
            batch = int(batch_text)
            if batch < 1:
                raise ValueError
        except ValueError:
            error.update(
                Text(
                    f"batch: expected a positive whole number, got {batch_text!r}", style="bold red"
                )
            )
            return
        try:
            network = parse_calculator(shape, layers)
            figures = analyze(network)
            report = model_report(figures, batch, optimizer)
        except CnnquizError as exc:
            error.update(Text(f"{exc}", style="bold red"))
            self.query_one("#calc-out").add_class("stale")
            return
        error.update(
            Text(
                f"input {network.input} · float32 · MB = 10^6 bytes · Ctrl+R checks it in torch",
                style="dim",
            )
        )
        self.query_one("#calc-out").remove_class("stale")
        self.network, self.figures, self.report = network, figures, report
        self.token = f"{shape}\n{layers}"
        self._show(report)
        self.query_one("#calc-verify", Static).update("")

    def _show(self, report: dict) -> None:
        table = self.query_one("#calc-table", DataTable)
        table.clear()
        for row in report["layers"]:
            table.add_row(
                str(row["index"]),
                row["label"],
                row["output_shape"],
                fmt_int(row["params"]),
                fmt_int(row["macs"]),
                fmt_mb(row["output_bytes"]).removesuffix(" MB"),
            )
        t = report["totals"]
        table.add_row(
            "",
            Text("total", style="bold"),
            "",
            Text(fmt_int(t["params"]), style="bold"),
            Text(fmt_int(t["macs"]), style="bold"),
            fmt_mb(t["output_bytes"]).removesuffix(" MB"),
        )
        pred = report["prediction_ram"]
        ram = Text()
        ram.append("Parameters ", style="bold")
        ram.append(
            f"{fmt_int(t['params'])} = {fmt_int(t['param_bytes'])} bytes = {fmt_mb(t['param_bytes'])}"
        )
        if t["non_trainable"]:
            ram.append(f" ({fmt_int(t['trainable'])} trainable)")
        ram.append("\nOne prediction ", style="bold")
        ram.append(
            f"(peak at layer {pred['peak_layer']}: input + output + parameters) {pred['working']}"
        )
        train = report["training_ram"]
        ram.append(f"\nTraining, batch {train['batch']}, {train['optimizer']} ", style="bold")
        ram.append(f"{fmt_mb(train['total'])}")
        for term in train["terms"]:
            ram.append(f"\n  {term['term']:<26} {fmt_mb(term['bytes']):>10}  ")
            ram.append(term["working"], style="dim")
        self.query_one("#calc-ram", Static).update(ram)
        steps = Text()
        for row in report["layers"]:
            steps.append(f"{row['index']}. {row['label']}\n", style="bold")
            for line in row["steps"]:
                steps.append(f"   {line}\n")
        for line in report.get("assumptions", []):
            steps.append(f"· {line}\n", style="dim")
        self.query_one("#calc-steps", Static).update(steps)

    # ---- torch ----------------------------------------------------------------------------
    def action_verify(self) -> None:
        if self.network is None:
            return
        self.query_one("#calc-verify", Static).update(Text("Checking in torch…", style="italic"))
        self.verify_in_torch(self.network, self.figures, self.token)

    @work(thread=True, exclusive=True, group="verify")
    def verify_in_torch(self, network: Any, figures: Any, token: str) -> None:
        """Runs in a thread: importing torch takes seconds the screen must not freeze for."""
        try:
            from cnnquiz.bridge import verify

            self.post_message(VerifyDone(token, result=verify(network, figures)))
        except Exception as exc:  # noqa: BLE001 - any failure becomes the verdict line
            self.post_message(VerifyDone(token, error=f"{type(exc).__name__}: {exc}"))

    def on_verify_done(self, message: VerifyDone) -> None:
        out = self.query_one("#calc-verify", Static)
        if message.token != self.token:
            out.update(
                Text("The layers changed while torch was checking: Ctrl+R again.", style="dim")
            )
            return
        if message.error:
            out.update(Text(f"✘ torch check failed: {message.error}", style="bold red"))
            return
        result = message.result
        if result.ok:
            out.update(
                Text.assemble(
                    ("✔ torch agrees", "bold green"),
                    f": every output shape and {fmt_int(result.total_trainable)} "
                    f"trainable parameters (torch {result.torch_version}, {result.device} device)",
                )
            )
        else:
            out.update(
                Text(
                    "✘ torch disagrees:\n" + "\n".join(f"  {m}" for m in result.mismatches),
                    style="bold red",
                )
            )

    def action_worked_example(self) -> None:
        """Ctrl+L: the course's worked example (903,400 parameters, 12.6 MB per prediction)."""
        self.query_one("#calc-input", Input).value = WORKED_INPUT
        self.query_one("#calc-batch", Input).value = "50"
        self.query_one("#calc-layers", TextArea).text = WORKED_LAYERS
