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
from cnnquiz.net.layers import Network
from cnnquiz.torchcheck.build import to_module
from cnnquiz.train.config import TrainConfig
from cnnquiz.train.data import Dataset, Split
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
    model: nn.Sequential  # the whole spec, softmax included if it has one
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


def logits_of(model: nn.Sequential, network: Network) -> nn.Sequential:
    """The same modules without a final softmax: cross-entropy wants logits (and is stabler)."""
    if not ends_in_softmax(network):
        return model
    last = model[-1]
    if isinstance(last[-1], nn.Softmax):
        return nn.Sequential(*model[:-1], nn.Sequential(*last[:-1]))
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
    model: nn.Sequential | None = None,
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
    net = logits_of(model, network)
    train_x, train_y = data.train.x.to(device), data.train.y.to(device)
    valid = Split(data.valid.x.to(device), data.valid.y.to(device))
    n_classes = len(data.classes)
    optimizer = make_optimizer(net.parameters(), config)
    n = len(train_y)
    steps = math.ceil(n / config.batch)
    total_steps = steps * config.epochs
    schedule = None
    if config.schedule == "cosine":
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda s: 0.5 * (1 + math.cos(math.pi * min(s, total_steps) / total_steps))
        )
    generator = torch.Generator(device="cpu").manual_seed(config.seed)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    history: list[EpochMetrics] = []
    train_seconds = 0.0
    cancelled = False
    every = max(1, reporter.report_every)
    for epoch in range(1, config.epochs + 1):
        reporter.epoch_start(epoch, config.epochs, steps, n)
        net.train()
        order = torch.randperm(n, generator=generator).to(device)
        loss_sum = torch.zeros((), device=device)
        losses = torch.zeros(steps, device=device)  # each batch's loss, to name a NaN's batch
        correct = torch.zeros((), dtype=torch.int64, device=device)
        start = time.perf_counter()
        try:  # Ctrl+C stops like Cancel: the finished epochs are kept and saved
            for step in range(steps):
                idx = order[step * config.batch : (step + 1) * config.batch]
                x, y = train_x[idx], train_y[idx]
                out = net(x)
                loss = F.cross_entropy(out, y)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                if schedule is not None:
                    schedule.step()
                losses[step] = loss.detach()
                loss_sum += loss.detach() * len(y)
                correct += (out.detach().argmax(1) == y).sum()
                if (step + 1) % every == 0 or step + 1 == steps:
                    done = min((step + 1) * config.batch, n)
                    elapsed = time.perf_counter() - start
                    mean_loss = float(loss_sum) / done
                    if not math.isfinite(mean_loss):
                        bad = int((~torch.isfinite(losses[: step + 1])).nonzero()[0, 0])
                        raise diverged(float(losses[bad]), epoch, bad + 1, steps, config.lr)
                    reporter.step(
                        epoch,
                        done,
                        mean_loss,
                        int(correct) / done,
                        done / elapsed if elapsed > 0 else 0.0,
                    )
                    if reporter.cancelled():
                        cancelled = True
                        break
        except KeyboardInterrupt:
            cancelled = True
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        seconds = time.perf_counter() - start
        if cancelled:
            break
        train_seconds += seconds
        done = n
        val_loss, val_acc, _ = evaluate(net, valid, n_classes)
        if not math.isfinite(val_loss):  # finite losses, weights gone to inf: the same end
            raise diverged(val_loss, epoch, None, steps, config.lr)
        metrics = EpochMetrics(
            epoch,
            float(loss_sum) / done,
            int(correct) / done,
            val_loss,
            val_acc,
            seconds,
            done / seconds if seconds > 0 else 0.0,
            optimizer.param_groups[0]["lr"],
        )
        history.append(metrics)
        reporter.epoch_end(metrics)
    test_acc = test_loss = None
    final = data.test if data.test is not None else data.valid
    split_name = "test" if data.test is not None else "validation"
    loss_value, acc_value, confusion = evaluate(
        net, Split(final.x.to(device), final.y.to(device)), n_classes
    )
    if data.test is not None:
        test_loss, test_acc = loss_value, acc_value
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
        split_name,
        train_seconds,
        images / train_seconds if train_seconds > 0 else 0.0,
        str(device),
        threads,
        cancelled,
        memory,
    )
