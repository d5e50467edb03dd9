"""The training loop: a plain PyTorch loop over tensors in memory, reporting as it goes.

Imported only when torch is needed. Per step it does what a hand-written loop does (index a
batch from a permuted tensor, forward, cross-entropy, backward, step) plus two tiny tensor
operations that count correct answers; it reads numbers back to Python only every
``report_every`` steps, so progress costs the loop nearly nothing (``benchmarks/bench_train.py``
measures it against a minimal loop).
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from cnnquiz.errors import CnnquizError
from cnnquiz.net.network import Network
from cnnquiz.torchcheck.build import to_module
from cnnquiz.torchcheck.graph import Graph, Model
from cnnquiz.train.config import TrainConfig
from cnnquiz.train.data import Dataset, Split
from cnnquiz.train.interrupt import held_back
from cnnquiz.train.networks import ends_in_softmax

EVAL_BATCH = 512  # images per forward when evaluating (no gradients kept, so larger is fine)


@dataclass(frozen=True)
class EpochMetrics:
    epoch: int  # 1-based
    train_loss: float  # mean cross-entropy over the epoch's steps (the weights kept changing)
    train_accuracy: float  # 0..1, same caveat
    val_loss: float
    val_accuracy: float
    seconds: float  # training steps only, evaluation excluded
    images_per_second: float
    lr: float  # learning rate at the epoch's last step


@dataclass
class TrainResult:
    model: Model  # the whole spec, softmax included if it has one
    epochs: list[EpochMetrics]
    test_accuracy: float | None  # None without a test split
    test_loss: float | None
    confusion: list[list[int]]  # rows: true class, columns: predicted (test, else validation)
    confusion_split: str  # "test" or "validation"
    seconds: float  # training steps of every epoch
    images_per_second: float
    device: str
    threads: int
    cancelled: bool = False
    memory: dict[str, int] = field(default_factory=dict)  # peak_rss_bytes, cuda_peak_bytes


class Diverged(CnnquizError):
    """The loss became NaN or infinite: the weights are ruined, the run is not a result."""


def diverged(value: float, epoch: int, batch: int | None, batches: int, lr: float) -> Diverged:
    """``batch`` None: the training batches were finite, the validation loss was not."""
    what = "NaN" if math.isnan(value) else "infinite"
    at = f"in epoch {epoch}, batch {batch} of {batches}" if batch else f"after epoch {epoch}"
    smaller = min(lr / 10, TrainConfig.lr)
    return Diverged(
        f"the loss became {what} {at}; the weights are no longer numbers, so the run stops "
        f"unsaved. The learning rate {lr:g} is probably too large: try a smaller --lr, "
        f"such as {smaller:g}"
    )


class Reporter:
    """What the faces override to show progress; the defaults show nothing."""

    report_every = 10  # steps between ``step`` calls

    def epoch_start(self, epoch: int, epochs: int, steps: int, images: int) -> None: ...

    def step(
        self, epoch: int, images_done: int, loss: float, accuracy: float, images_per_second: float
    ) -> None: ...

    def epoch_end(self, metrics: EpochMetrics) -> None: ...

    def cancelled(self) -> bool:
        """Polled every ``report_every`` steps; True stops after that step (the app's Cancel)."""
        return False


def pick_device(name: str) -> torch.device:
    if name == "cuda" and not torch.cuda.is_available():
        raise CnnquizError("CUDA is not available on this machine (try --device cpu)", "--device")
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(name)


def logits_of(model: Model, network: Network) -> Model:
    """The same modules without a final softmax: cross-entropy wants logits (and is stabler)."""
    if not ends_in_softmax(network):
        return model
    *before, last = model  # each child is one spec layer, its own nn.Sequential
    if isinstance(last, nn.Sequential) and isinstance(last[-1], nn.Softmax):
        trimmed = nn.Sequential(*list(last)[:-1])
        return (
            model.with_last(trimmed)
            if isinstance(model, Graph)
            else nn.Sequential(*before, trimmed)
        )
    return model


def make_optimizer(params: Any, config: TrainConfig) -> torch.optim.Optimizer:
    """SGD, SGD with momentum, or Adam; weight decay is L2 added to the gradient in all three."""
    if config.optimizer == "adam":
        return torch.optim.Adam(params, lr=config.lr, weight_decay=config.weight_decay)
    momentum = config.momentum if config.optimizer == "momentum" else 0.0
    return torch.optim.SGD(
        params, lr=config.lr, momentum=momentum, weight_decay=config.weight_decay
    )


def evaluate(
    model: nn.Module, split: Split, n_classes: int
) -> tuple[float, float, list[list[int]]]:
    """Mean loss, accuracy (0..1) and confusion matrix of ``model`` (logits) on ``split``."""
    model.eval()
    loss = torch.zeros((), device=split.x.device)
    confusion = torch.zeros(n_classes * n_classes, dtype=torch.int64, device=split.x.device)
    with torch.no_grad():
        for i in range(0, len(split), EVAL_BATCH):
            x, y = split.x[i : i + EVAL_BATCH], split.y[i : i + EVAL_BATCH]
            out = model(x)
            loss += F.cross_entropy(out, y, reduction="sum")
            confusion += torch.bincount(y * n_classes + out.argmax(1), minlength=n_classes**2)
    n = max(len(split), 1)
    matrix = confusion.view(n_classes, n_classes)
    accuracy = float(matrix.diagonal().sum()) / n
    return float(loss) / n, accuracy, matrix.tolist()


def peak_rss_bytes() -> int:
    """The process's peak resident memory so far (0 where the platform does not say)."""
    try:
        import resource
    except ImportError:  # Windows
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)  # macOS bytes, Linux KiB


def train(
    network: Network,
    data: Dataset,
    config: TrainConfig,
    reporter: Reporter | None = None,
    model: Model | None = None,
    threads: int | None = None,
) -> TrainResult:
    """Train ``network`` on ``data`` as ``config`` says; deterministic on the CPU for a seed.

    ``model`` (``bridge.to_module(network)``) is trained in place when given, so a caller can
    watch it between epochs (the benchmark measures test accuracy after each); otherwise the
    network is built here, initialised from ``config.seed``. ``threads``: the CPU threads the
    face chose and showed (``config.thread_choice()``), else chosen here.

    A loss that becomes NaN or infinite stops the run with ``Diverged`` (which epoch and
    batch), checked where the loop reads numbers back anyway: it costs the loop nothing more.
    """
    reporter = reporter or Reporter()
    device = pick_device(config.device)
    threads = threads or config.cpu_threads()
    torch.set_num_threads(threads)
    torch.manual_seed(config.seed)
    model = model.to(device) if model is not None else to_module(network, device=device)
    loop = _start(logits_of(model, network), data, config, reporter, device)
    history: list[EpochMetrics] = []
    cancelled = False
    for epoch in range(1, config.epochs + 1):
        reporter.epoch_start(epoch, config.epochs, loop.steps, loop.n)
        metrics = _epoch(loop, epoch)
        if metrics is None:
            cancelled = True
            break
        history.append(metrics)
        reporter.epoch_end(metrics)
    with held_back() as pressed:  # Ctrl+C while testing: finish, keep the run, as cancelled
        result = _finish(model, loop, data, history, threads, cancelled)
    result.cancelled = result.cancelled or bool(pressed)
    return result


@dataclass
class _Loop:
    """What every epoch of one run shares: the network (logits), its optimizer and schedule,
    the training and validation data already on the device."""

    net: nn.Module
    optimizer: torch.optim.Optimizer
    schedule: torch.optim.lr_scheduler.LRScheduler | None
    x: torch.Tensor
    y: torch.Tensor
    valid: Split
    n_classes: int
    device: torch.device
    generator: torch.Generator  # the shuffling, apart from torch's global seed
    config: TrainConfig
    reporter: Reporter

    @property
    def n(self) -> int:
        return len(self.y)

    @property
    def steps(self) -> int:
        return math.ceil(self.n / self.config.batch)


def _start(
    net: nn.Module, data: Dataset, config: TrainConfig, reporter: Reporter, device: torch.device
) -> _Loop:
    optimizer = make_optimizer(net.parameters(), config)
    total_steps = math.ceil(len(data.train) / config.batch) * config.epochs
    schedule = None
    if config.schedule == "cosine":
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda s: 0.5 * (1 + math.cos(math.pi * min(s, total_steps) / total_steps))
        )
    loop = _Loop(
        net,
        optimizer,
        schedule,
        data.train.x.to(device),
        data.train.y.to(device),
        Split(data.valid.x.to(device), data.valid.y.to(device)),
        len(data.classes),
        device,
        torch.Generator(device="cpu").manual_seed(config.seed),
        config,
        reporter,
    )
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    return loop


@dataclass
class _Tally:
    """An epoch's running sums, kept on the device: read back only every ``report_every``
    steps, so counting costs the loop no synchronisation."""

    loss_sum: torch.Tensor
    losses: torch.Tensor  # each batch's loss, to name a NaN's batch
    correct: torch.Tensor

    @classmethod
    def zeros(cls, steps: int, device: torch.device) -> _Tally:
        return cls(
            torch.zeros((), device=device),
            torch.zeros(steps, device=device),
            torch.zeros((), dtype=torch.int64, device=device),
        )


def _epoch(loop: _Loop, epoch: int) -> EpochMetrics | None:
    """One pass over the training images, then the validation loss; None when cancelled."""
    loop.net.train()
    order = torch.randperm(loop.n, generator=loop.generator).to(loop.device)
    tally = _Tally.zeros(loop.steps, loop.device)
    start = time.perf_counter()
    try:  # Ctrl+C stops like Cancel: the finished epochs are kept and saved
        finished = _steps(loop, epoch, order, tally, start)
    except KeyboardInterrupt:
        finished = False
    if loop.device.type == "cuda":
        torch.cuda.synchronize(loop.device)
    seconds = time.perf_counter() - start
    if not finished:
        return None
    try:
        val_loss, val_acc, _ = evaluate(loop.net, loop.valid, loop.n_classes)
    except KeyboardInterrupt:  # while validating: as during the steps, this epoch unfinished
        return None
    if not math.isfinite(val_loss):  # finite losses, weights gone to inf: the same end
        raise diverged(val_loss, epoch, None, loop.steps, loop.config.lr)
    n = loop.n
    return EpochMetrics(
        epoch,
        float(tally.loss_sum) / n,
        int(tally.correct) / n,
        val_loss,
        val_acc,
        seconds,
        n / seconds if seconds > 0 else 0.0,
        loop.optimizer.param_groups[0]["lr"],
    )


def _steps(loop: _Loop, epoch: int, order: torch.Tensor, tally: _Tally, start: float) -> bool:
    """The epoch's optimisation steps; False when the reporter cancelled."""
    batch, every = loop.config.batch, max(1, loop.reporter.report_every)
    for step in range(loop.steps):
        idx = order[step * batch : (step + 1) * batch]
        x, y = loop.x[idx], loop.y[idx]
        out = loop.net(x)
        loss = F.cross_entropy(out, y)
        loop.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        loop.optimizer.step()
        if loop.schedule is not None:
            loop.schedule.step()
        tally.losses[step] = loss.detach()
        tally.loss_sum += loss.detach() * len(y)
        tally.correct += (out.detach().argmax(1) == y).sum()
        if (step + 1) % every == 0 or step + 1 == loop.steps:
            if not _report(loop, epoch, step, tally, start):
                return False
    return True


def _report(loop: _Loop, epoch: int, step: int, tally: _Tally, start: float) -> bool:
    """Read the sums back: a NaN stops the run, else the reporter is told; False if it cancels."""
    done = min((step + 1) * loop.config.batch, loop.n)
    elapsed = time.perf_counter() - start
    mean_loss = float(tally.loss_sum) / done
    if not math.isfinite(mean_loss):
        bad = int((~torch.isfinite(tally.losses[: step + 1])).nonzero()[0, 0])
        raise diverged(float(tally.losses[bad]), epoch, bad + 1, loop.steps, loop.config.lr)
    loop.reporter.step(
        epoch,
        done,
        mean_loss,
        int(tally.correct) / done,
        done / elapsed if elapsed > 0 else 0.0,
    )
    return not loop.reporter.cancelled()


def _finish(
    model: Model,
    loop: _Loop,
    data: Dataset,
    history: list[EpochMetrics],
    threads: int,
    cancelled: bool,
) -> TrainResult:
    """The test split's figures (the validation split's without one) and the run's totals."""
    device = loop.device
    final = data.test if data.test is not None else data.valid
    loss_value, acc_value, confusion = evaluate(
        loop.net, Split(final.x.to(device), final.y.to(device)), loop.n_classes
    )
    test_loss, test_acc = (loss_value, acc_value) if data.test is not None else (None, None)
    train_seconds = sum(m.seconds for m in history)
    images = sum(round(m.images_per_second * m.seconds) for m in history)
    memory = {"peak_rss_bytes": peak_rss_bytes()}
    if device.type == "cuda":
        memory["cuda_peak_bytes"] = int(torch.cuda.max_memory_allocated(device))
    model.eval()
    return TrainResult(
        model,
        history,
        test_acc,
        test_loss,
        confusion,
        "test" if data.test is not None else "validation",
        train_seconds,
        images / train_seconds if train_seconds > 0 else 0.0,
        str(device),
        threads,
        cancelled,
        memory,
    )
