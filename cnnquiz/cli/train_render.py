"""Rich output of ``train``, ``predict`` and ``runs``: summaries, live progress, tables, heatmaps."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from cnnquiz.cli.common import console, print_table
from cnnquiz.net.units import fmt_count, fmt_int, fmt_mb
from cnnquiz.render import RAMP, heatmap_ramp, heatmap_text
from cnnquiz.textsafe import printable

if TYPE_CHECKING:
    from rich.console import Console

    from cnnquiz.train.loop import EpochMetrics
    from cnnquiz.train.predict import Prediction
    from cnnquiz.train.run import Outcome, Plan
    from cnnquiz.train.runs import Run

_console = console()


def _safe(text: object) -> str:
    """Someone else's text (class and folder names, paths) for a markup string: no terminal
    escapes, and brackets shown as brackets, never read as Rich markup."""
    return escape(printable(str(text)))


def warn_skipped(skipped: list[str]) -> None:
    """Unreadable images, one line each, on stderr (so ``--json`` output stays clean)."""
    for problem in skipped:
        print(f"cnnquiz: warning: skipped {problem}", file=sys.stderr)


def _titled(title: str) -> Table:
    """A borderless table under a bold title line (a table title would wrap to the table's width)."""
    _console.print(f"[bold]{title}[/]")
    return Table(box=None, pad_edge=False)


def _device(name: str) -> str:
    """``auto (cpu)``: what ``auto`` resolves to here (torch is being imported to train anyway)."""
    if name != "auto":
        return f"device {name}"
    from cnnquiz.train.loop import pick_device

    return f"device auto ({pick_device(name).type})"


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def plan(p: Plan, heading: str | None = None) -> None:
    """Data, network summary, settings and the textbook RAM estimate, before training."""
    d, c, f, ram = p.data, p.config, p.figures, p.ram
    out = _console
    if heading:
        out.rule(heading)
    source = f"embedded shapes, seed {c.seed}" if d.source == "demo" else d.source
    n_test = len(d.test) if d.test is not None else 0
    out.print(
        f"[bold]Data[/] {source}: {fmt_int(len(d.train))} train, {fmt_int(len(d.valid))} "
        f"validation, {fmt_int(n_test)} test images of {'x'.join(map(str, d.image_shape))}; "
        f"{len(d.classes)} classes: {_safe(', '.join(d.classes))}"
    )
    if d.skipped:
        n = len(d.skipped)
        out.print(f"  [yellow]{fmt_count(n, 'unreadable file')} skipped (named above)[/]")
    source = p.network.source or "network"
    table = _titled(
        f"Network {_safe(p.name)} ({'built in' if source == 'demo.yaml' else _safe(source)})"
    )
    table.add_column("#", justify="right")
    table.add_column("layer")
    table.add_column("output", justify="right")
    table.add_column("parameters", justify="right")
    table.add_column("MACs", justify="right")
    for lf in f.layers:
        table.add_row(
            str(lf.index), lf.name, str(lf.output_shape), fmt_int(lf.params), fmt_int(lf.macs)
        )
    print_table(out, table, wrap=("layer",))
    out.print(
        f"  {fmt_int(f.params)} parameters ({fmt_int(f.trainable)} trainable), "
        f"{fmt_int(f.macs)} multiplications per image"
    )
    decay = f", weight decay {c.weight_decay:g}" if c.weight_decay else ""
    momentum = f" {c.momentum:g}" if c.optimizer == "momentum" else ""
    out.print(
        f"[bold]Settings[/] {fmt_count(c.epochs, 'epoch')}, batch {c.batch}, {c.optimizer}{momentum} "
        f"lr {c.lr:g} ({c.schedule}){decay}, seed {c.seed}, {_device(c.device)}, "
        f"threads {p.threads} ({p.threads_why})"
    )
    out.print(
        f"[bold]RAM estimate[/] for training on a batch of {ram.batch} (textbook): "
        f"layer outputs {fmt_mb(ram.outputs_bytes)} + inputs {fmt_mb(ram.inputs_bytes)} + "
        f"parameters {fmt_mb(ram.param_bytes)} + gradients {fmt_mb(ram.gradient_bytes)} + "
        f"{ram.optimizer} state {fmt_mb(ram.optimizer_bytes)} = [bold]{fmt_mb(ram.total)}[/]"
    )


class ProgressReporter:
    """A Rich progress bar per epoch (loss, accuracy, images/s) and a table row after each."""

    report_every = 10

    def __init__(self) -> None:
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[stats]}"),
            TimeElapsedColumn(),
            console=_console,
            transient=True,
        )
        self.task: TaskID | None = None
        self.header = False

    def epoch_start(self, epoch: int, epochs: int, steps: int, images: int) -> None:
        if self.task is None:
            self.progress.start()
            self.task = self.progress.add_task("", total=images, stats="")
        if not self.header:
            self.progress.console.print(
                f"{'epoch':>5}  {'train loss':>10}  {'train acc':>9}  {'val loss':>8}  "
                f"{'val acc':>7}  {'images/s':>8}  {'seconds':>7}",
                style="bold",
            )
            self.header = True
        self.progress.reset(
            self.task, total=images, description=f"epoch {epoch}/{epochs}", stats=""
        )

    def step(self, epoch: int, images_done: int, loss: float, accuracy: float, ips: float) -> None:
        if self.task is None:  # epoch_start comes first
            return
        self.progress.update(
            self.task,
            completed=images_done,
            stats=f"loss {loss:.3f}  acc {_pct(accuracy)}  {fmt_int(round(ips))} img/s",
        )

    def epoch_end(self, m: EpochMetrics) -> None:
        self.progress.console.print(
            f"{m.epoch:>5}  {m.train_loss:>10.4f}  {_pct(m.train_accuracy):>9}  {m.val_loss:>8.4f}  "
            f"{_pct(m.val_accuracy):>7}  {fmt_int(round(m.images_per_second)):>8}  {m.seconds:>7.1f}"
        )

    def cancelled(self) -> bool:
        return False

    def __enter__(self) -> ProgressReporter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()


def outcome(o: Outcome) -> None:
    """Test accuracy, the confusion matrix, memory estimated beside memory used, the run folder."""
    r, p = o.result, o.plan
    out = _console
    if r.cancelled:
        out.print("[yellow]cancelled[/]: the run folder keeps the epochs that finished")
    if r.test_accuracy is not None and p.data.test is not None:
        out.print(
            f"[bold]Test accuracy[/] {_pct(r.test_accuracy)} on {fmt_int(len(p.data.test))} images "
            f"({fmt_count(len(r.epochs), 'epoch')}, {r.seconds:.1f} s of training, "
            f"{fmt_int(round(r.images_per_second))} images/s, {r.device})"
        )
    else:
        out.print(
            f"[bold]Validation accuracy[/] {_pct(r.epochs[-1].val_accuracy if r.epochs else None)} "
            f"(no test/ folder; {r.seconds:.1f} s of training)"
        )
    classes = [printable(name)[:12] for name in p.data.classes]
    table = _titled(f"Confusion matrix ({r.confusion_split}): rows true, columns predicted")
    table.add_column("")
    for name in classes:
        table.add_column(Text(name), justify="right")
    for k, (name, row) in enumerate(zip(classes, r.confusion, strict=True)):
        cells = [
            f"[bold green]{n}[/]" if i == k else (str(n) if n else "[dim]0[/]")
            for i, n in enumerate(row)
        ]
        table.add_row(Text(name), *cells)
    print_table(out, table)
    mem = _titled("Memory: the textbook estimate beside what was used")
    mem.show_header = False
    mem.add_column("what")  # headers unshown: they name the columns for print_table
    mem.add_column("bytes", justify="right")
    mem.add_row(
        f"textbook estimate, batch {p.ram.batch} (outputs + inputs + parameters + "
        f"gradients + {p.ram.optimizer} state)",
        fmt_mb(p.ram.total),
    )
    mem.add_row(
        "  of which layer outputs and inputs", fmt_mb(p.ram.outputs_bytes + p.ram.inputs_bytes)
    )
    if o.saved_bytes is not None:
        mem.add_row("autograd's saved tensors for one batch (measured)", fmt_mb(o.saved_bytes))
    if r.memory.get("cuda_peak_bytes"):
        mem.add_row("CUDA peak allocated", fmt_mb(r.memory["cuda_peak_bytes"]))
    if r.memory.get("peak_rss_bytes"):
        mem.add_row(
            "peak RSS of the whole process (Python, torch, the dataset)",
            fmt_mb(r.memory["peak_rss_bytes"]),
        )
    print_table(out, mem, wrap=("what",))
    out.print(f"[bold]Run[/] {_safe(o.run_dir)}")
    if o.samples is not None:
        pngs = sorted(o.samples.glob("*.png"))
        first = o.samples / "triangle.png" if "triangle.png" in {p.name for p in pngs} else pngs[0]
        out.print(
            f"[bold]Samples[/] one new image per class in {_safe(o.samples)}; try:\n"
            f"  cnnquiz predict {_safe(o.run_dir)} {_safe(first)} --heatmap",
            soft_wrap=True,
        )


def comparison(cnn: Outcome, dense: Outcome) -> None:
    table = _titled("CNN against a dense network of similar size (same data, same settings)")
    for col in ("network", "parameters", "test accuracy", "seconds"):
        table.add_column(col, justify="left" if col == "network" else "right")
    for o in (cnn, dense):
        table.add_row(
            Text(printable(o.plan.name)),
            fmt_int(o.plan.figures.params),
            _pct(o.result.test_accuracy),
            f"{o.result.seconds:.1f}",
        )
    print_table(_console, table)
    a, b = cnn.result.test_accuracy, dense.result.test_accuracy
    if a is not None and b is not None and a >= b:
        _console.print(
            f"the CNN is {100 * (a - b):.1f} points ahead: its kernels find a pattern "
            "wherever it is; the dense weights must learn every position apart"
        )
    elif a is not None and b is not None:
        _console.print(f"the dense network is {100 * (b - a):.1f} points ahead on this data")


def prediction(run: Run, image: Path, result: Prediction, gradcam: str | None) -> None:
    out = _console
    out.print(f"[bold]{_safe(image)}[/] with run {_safe(run.name)}")
    table = Table(box=None, pad_edge=False)
    table.add_column("class")
    table.add_column("probability", justify="right")
    table.add_column("")
    order = sorted(range(len(result.classes)), key=lambda i: -result.probabilities[i])
    for i in order:
        p = result.probabilities[i]
        style = "bold green" if i == result.best else ""
        name = Text(printable(result.classes[i]), style=style)
        table.add_row(name, f"{100 * p:.1f}%", "█" * round(20 * p))
    print_table(out, table)
    label = _safe(result.label)
    out.print(f"prediction: [bold]{label}[/] ({100 * result.probabilities[result.best]:.1f}%)")
    if result.cam is not None:
        if _has_colour(out):
            out.print(f"Grad-CAM of {label} (last conv layer; red: what decided it):")
            out.print(heatmap_text(result.cam))
        else:
            out.print(f"Grad-CAM of {label} (last conv layer; '{RAMP}': low to high):")
            out.print(Text(heatmap_ramp(result.cam)))
        if gradcam:
            out.print(f"overlay written to {_safe(gradcam)}")


def _has_colour(console: Console) -> bool:
    """Whether colours reach the reader: a terminal that has them, and no NO_COLOR."""
    return console.color_system is not None and not console.no_color


def runs_table(root: Path, found: list[Run]) -> None:
    if not found:
        _console.print(f"no runs in {_safe(root)} yet: try cnnquiz train --demo")
        return
    table = _titled(f"Runs in {_safe(root)}")
    table.add_column("run")
    table.add_column("network")
    table.add_column("settings")
    for col in ("epochs", "test acc", "s"):
        table.add_column(col, justify="right")
    for r in found:
        info: dict[str, Any] = {
            k: printable(v) if isinstance(v, str) else v for k, v in r.info.items()
        }
        try:
            cfg = r.network.train or {}
        except Exception:  # a damaged config.yaml still lists the run
            cfg = {}
        settings = f"{cfg.get('optimizer', '?')} {cfg.get('lr', '?')} b{cfg.get('batch', '?')}"
        seconds = info.get("seconds")
        status = info.get("status", "?")
        accuracy = info.get("test_accuracy", info.get("val_accuracy"))
        table.add_row(
            Text(printable(r.name)),
            Text(str(info.get("name", "?"))),
            Text(printable(settings)),
            str(info.get("epochs", len(r.epochs))),
            _pct(accuracy) if status == "finished" else str(status),
            "-" if seconds is None else f"{seconds:.1f}",
        )
    print_table(_console, table, optional=("settings", "s"))
