"""The Train screen: watch a small CNN learn, live, and ask it about an image afterwards.

The same training as ``cnnquiz train`` (``cnnquiz.train.run``) runs in a thread worker;
a reporter posts progress messages back (merged when the screen falls behind), which feed two
sparklines (loss and accuracy), a progress bar and the epoch table. Escape or the Cancel
button stops training after the current step; the run folder keeps the finished epochs.
Predict classifies an image (empty path: a fresh shape from the embedded generator) and draws
its Grad-CAM map with half blocks. Torch is imported only in the worker, when training starts.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import (
    Button,
    DataTable,
    Footer,
    Header,
    Input,
    Label,
    ProgressBar,
    Select,
    Sparkline,
    Static,
)

from cnnquiz.errors import CnnquizError
from cnnquiz.net.units import fmt_count
from cnnquiz.train.config import OPTIMIZERS

if TYPE_CHECKING:  # torch is imported only in the worker, when training starts
    from cnnquiz.train.loop import EpochMetrics
    from cnnquiz.train.run import Outcome


class TrainScreen(Screen):
    """Settings in; live curves, the epoch table, the test accuracy and predictions out."""

    CSS_PATH = "train.tcss"
    BINDINGS = [
        Binding("ctrl+r", "train", "Train"),
        Binding("escape", "cancel", "Cancel / Home"),
        Binding("ctrl+o", "predict", "Predict"),
        Binding("ctrl+s", "sweeps", "Sweeps", show=False),  # the status line says it: 80 cols
        Binding("f2", "app.switch_mode('home')", "Home"),
    ]

    @dataclass
    class Progress(Message):
        """Part of an epoch done; only the newest matters, so unread ones are replaced."""

        epoch: int
        epochs: int
        fraction: float
        loss: float
        accuracy: float
        images_per_second: float

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, TrainScreen.Progress)

    @dataclass
    class EpochDone(Message):
        metrics: EpochMetrics

    @dataclass
    class Finished(Message):
        outcome: Outcome | None = None
        error: str | None = None

    @dataclass
    class Predicted(Message):
        text: Text

    running = var(False, init=False)
    """A run is in its worker: Train is off, Cancel on, Predict waits for the run's end."""

    def __init__(self) -> None:
        super().__init__()
        self.losses: list[float] = []
        self.accuracies: list[float] = []
        self.outcome: Outcome | None = None
        self.stop = threading.Event()

    def watch_running(self, running: bool) -> None:
        self.query_one("#train-start", Button).disabled = running
        self.query_one("#train-cancel", Button).disabled = not running
        if running:
            self.query_one("#train-predict", Button).disabled = True

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="train-settings"):
            yield Label("Data", classes="train-label")
            yield Input(placeholder="empty: the embedded shapes; or a folder", id="train-data")
            yield Label("Epochs", classes="train-label")
            yield Input("10", id="train-epochs", type="integer")
            yield Label("Batch", classes="train-label")
            yield Input("64", id="train-batch", type="integer")
            yield Label("lr", classes="train-label")
            yield Input("0.003", id="train-lr", type="number")
            yield Select(
                [(o, o) for o in OPTIMIZERS], value="adam", allow_blank=False, id="train-optimizer"
            )
        with Horizontal(id="train-buttons"):
            yield Button("Train", id="train-start", variant="primary")
            yield Button("Cancel", id="train-cancel", disabled=True)
            yield ProgressBar(id="train-progress", show_eta=False)
            yield Static(id="train-status")
        with Horizontal(id="train-body"):
            with Vertical(id="train-curves"):
                yield Label("loss", id="train-loss-label")
                yield Sparkline([], id="train-loss")
                yield Label("accuracy", id="train-acc-label")
                yield Sparkline([], id="train-acc")
                yield DataTable(id="train-epochs-table", cursor_type="none", zebra_stripes=True)
            with VerticalScroll(id="train-result"):
                yield Static(id="train-summary")
                with Horizontal(id="train-predict-row"):
                    yield Input(
                        placeholder="image to classify (empty: a new demo shape)", id="train-image"
                    )
                    yield Button("Predict", id="train-predict", disabled=True)
                yield Static(id="train-prediction")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#train-epochs-table", DataTable)
        table.add_columns("epoch", "train loss", "train acc", "val loss", "val acc", "img/s")
        self.query_one("#train-status", Static).update(
            Text("Ctrl+R: train\nCtrl+S: sweeps", style="dim")  # two lines fit at 80 columns
        )

    # ---- settings -> a run -----------------------------------------------------------------
    def _overrides(self) -> dict[str, Any]:
        def number(widget_id: str, kind: type) -> Any:
            text = self.query_one(f"#{widget_id}", Input).value.strip()
            name = widget_id.removeprefix("train-")
            try:
                return kind(text)
            except ValueError:
                raise CnnquizError(f"expected a number, got {text!r}", name) from None

        return {
            "epochs": number("train-epochs", int),
            "batch": number("train-batch", int),
            "lr": number("train-lr", float),
            "optimizer": str(self.query_one("#train-optimizer", Select).value),
        }

    @on(Button.Pressed, "#train-start")
    def action_train(self) -> None:
        if self.running:
            return
        try:
            overrides = self._overrides()
        except CnnquizError as exc:
            self._status(str(exc), "bold red")
            return
        folder = self.query_one("#train-data", Input).value.strip() or None
        self.losses.clear()
        self.accuracies.clear()
        self.query_one("#train-epochs-table", DataTable).clear()
        self.query_one("#train-summary", Static).update("")
        self.query_one("#train-prediction", Static).update("")
        self.stop.clear()
        self.running = True
        self._status("preparing the data and the network…", "italic")
        self.run_training(folder, overrides)

    @work(thread=True, exclusive=True, group="train")
    def run_training(self, folder: str | None, overrides: dict[str, Any]) -> None:
        """In a thread: data, torch and the loop take seconds the screen must not freeze for."""
        try:
            from cnnquiz.paths import runs_dir
            from cnnquiz.train.run import execute, prepare

            plan = prepare(
                demo=folder is None, data_dir=folder, config_path=None, overrides=overrides
            )
            outcome = execute(plan, runs_dir(), _Reporter(self), measure=False)
            self.post_message(self.Finished(outcome))
        except CnnquizError as exc:
            self.post_message(self.Finished(error=str(exc)))
        except Exception as exc:  # any failure ends the run with its message
            self.post_message(self.Finished(error=f"{type(exc).__name__}: {exc}"))

    @on(Button.Pressed, "#train-cancel")
    def _cancel_pressed(self) -> None:
        if self.running:
            self.action_cancel()

    def action_cancel(self) -> None:
        """Escape stops a run after its current step; with nothing running it goes home."""
        if self.running:
            self.stop.set()
            self._status("cancelling after this step…", "italic")
        else:
            self.app.switch_mode("home")

    def action_sweeps(self) -> None:
        """The sweeps ``cnnquiz tune`` made, newest first (``screens/sweep.py``)."""
        from cnnquiz.app.screens.sweep import SweepScreen
        from cnnquiz.paths import runs_dir

        self.app.push_screen(SweepScreen(runs_dir()))

    # ---- messages from the worker ----------------------------------------------------------
    def on_train_screen_progress(self, m: TrainScreen.Progress) -> None:
        self.losses.append(m.loss)
        self.accuracies.append(m.accuracy)
        self.query_one("#train-loss", Sparkline).data = list(self.losses)
        self.query_one("#train-acc", Sparkline).data = list(self.accuracies)
        self.query_one("#train-loss-label", Label).update(f"loss {m.loss:.3f}")
        self.query_one("#train-acc-label", Label).update(f"accuracy {100 * m.accuracy:.1f}%")
        bar = self.query_one("#train-progress", ProgressBar)
        bar.update(total=m.epochs, progress=m.epoch - 1 + m.fraction)
        self._status(f"epoch {m.epoch}/{m.epochs} · {m.images_per_second:,.0f} images/s", "")

    def on_train_screen_epoch_done(self, m: TrainScreen.EpochDone) -> None:
        e = m.metrics
        self.query_one("#train-epochs-table", DataTable).add_row(
            str(e.epoch),
            f"{e.train_loss:.4f}",
            f"{100 * e.train_accuracy:.1f}%",
            f"{e.val_loss:.4f}",
            f"{100 * e.val_accuracy:.1f}%",
            f"{e.images_per_second:,.0f}",
        )

    def on_train_screen_finished(self, m: TrainScreen.Finished) -> None:
        self.running = False
        if m.error or m.outcome is None:
            self._status(m.error or "training ended without a result", "bold red")
            return
        self.outcome = m.outcome
        self.query_one("#train-summary", Static).update(summary_text(m.outcome))
        self.query_one("#train-progress", ProgressBar).update(total=1, progress=1)
        self._status("done: Ctrl+O predicts an image with this run", "green")
        self.query_one("#train-predict", Button).disabled = not m.outcome.result.epochs

    # ---- predict ---------------------------------------------------------------------------
    @on(Button.Pressed, "#train-predict")
    @on(Input.Submitted, "#train-image")
    def action_predict(self) -> None:
        if self.outcome is None or self.running:
            return
        text = self.query_one("#train-image", Input).value.strip()
        self.query_one("#train-prediction", Static).update(Text("predicting…", style="italic"))
        self.run_predict(self.outcome, text or None)

    @work(thread=True, exclusive=True, group="predict")
    def run_predict(self, outcome: Outcome, image: str | None) -> None:
        try:
            self.post_message(self.Predicted(predict_text(outcome, image)))
        except CnnquizError as exc:
            self.post_message(self.Predicted(Text(str(exc), style="bold red")))
        except Exception as exc:  # shown, not raised, in the app
            self.post_message(
                self.Predicted(Text(f"{type(exc).__name__}: {exc}", style="bold red"))
            )

    def on_train_screen_predicted(self, m: TrainScreen.Predicted) -> None:
        self.query_one("#train-prediction", Static).update(m.text)

    def _status(self, text: str, style: str) -> None:
        self.query_one("#train-status", Static).update(Text(text, style=style))


class _Reporter:
    """The loop's reporter, in the worker thread: posts messages, answers the Cancel button."""

    report_every = 10

    def __init__(self, screen: TrainScreen) -> None:
        self.screen = screen
        self.epochs = 1
        self.images = 1

    def epoch_start(self, epoch: int, epochs: int, steps: int, images: int) -> None:
        self.epochs, self.images = epochs, images

    def step(self, epoch: int, done: int, loss: float, accuracy: float, ips: float) -> None:
        self.screen.post_message(
            TrainScreen.Progress(epoch, self.epochs, done / self.images, loss, accuracy, ips)
        )

    def epoch_end(self, metrics: EpochMetrics) -> None:
        self.screen.post_message(TrainScreen.EpochDone(metrics))

    def cancelled(self) -> bool:
        return self.screen.stop.is_set()


def summary_text(outcome: Outcome) -> Text:
    """The run's accuracy (test, else the last validation), its length and its folder."""
    r = outcome.result
    acc = (
        r.test_accuracy
        if r.test_accuracy is not None
        else (r.epochs[-1].val_accuracy if r.epochs else None)
    )
    which = "test" if r.test_accuracy is not None else "validation"
    summary = Text()
    if r.cancelled:
        summary.append("cancelled\n", style="bold yellow")
    if acc is not None:
        summary.append(f"{which} accuracy {100 * acc:.1f}%", style="bold")
    summary.append(
        f"\n{fmt_count(len(r.epochs), 'epoch')}, {r.seconds:.1f} s, "
        f"{r.images_per_second:,.0f} images/s\nrun {outcome.run_dir}"
    )
    skipped = outcome.plan.data.skipped
    if skipped:
        summary.append(
            f"\n{len(skipped)} unreadable file(s) skipped, e.g. {skipped[0]}", style="yellow"
        )
    return summary


def predict_text(outcome: Outcome, image: str | None) -> Text:
    """Probabilities and the Grad-CAM map of ``image`` (None: a new shape from the generator)."""
    from cnnquiz.render import heatmap_text
    from cnnquiz.train import predict, runs

    run = runs.load_run(outcome.run_dir)
    if image is None:
        if outcome.plan.data.source != "demo":
            raise CnnquizError("type the path of an image to classify", "image")
        image = str(_fresh_shape(outcome.run_dir))
    result = predict.predict(
        run, Path(image).expanduser(), gradcam=True, model=outcome.result.model
    )
    text = Text()
    text.append(f"{Path(image).name}: ", style="bold")
    text.append(
        f"{result.label} ({100 * result.probabilities[result.best]:.1f}%)\n", style="bold green"
    )
    for name, p in sorted(
        zip(result.classes, result.probabilities, strict=True), key=lambda t: -t[1]
    ):
        text.append(f"  {name:<12} {100 * p:5.1f}% {'█' * round(20 * p)}\n")
    if result.cam is not None:
        text.append("Grad-CAM (red: what decided it)\n", style="dim")
        text.append_text(heatmap_text(result.cam, width=24))
    return text


def _fresh_shape(run_dir: Path) -> Path:
    """A new embedded-style image (a seed the training never used), saved in the run folder."""
    import secrets

    from PIL import Image

    from cnnquiz.train.data import DEMO_CLASSES, shape_images

    images, labels = shape_images(1, seed=10**6 + secrets.randbelow(10**6))
    path = Path(run_dir) / f"sample-{DEMO_CLASSES[int(labels[0])]}.png"
    Image.fromarray(images[0]).save(path)
    return path
