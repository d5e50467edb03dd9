"""How fast the demo trains: against a minimal PyTorch loop, and to 95% test accuracy.

    .venv/bin/python benchmarks/bench_train.py [--threads N] [--rounds R] [--busy B]

1. Overhead. The demo's loop (``cnnquiz.train.loop.train`` with the command line's Rich
   progress reporter, drawing to a discarded console) and a minimal hand-written loop
   (randperm, index, forward, cross-entropy, zero_grad, backward, step: nothing else) train the
   same spec-built model on the same in-memory tensors (the first ``--images`` demo training
   images), one epoch each, alternating for ``--rounds`` rounds so that load from other
   processes hits both alike. Reported: the median images/s of each and the median of the
   paired ratios, by wall clock and by CPU time (target at least 0.9).
2. Time to 95%. The demo as ``cnnquiz train --demo`` runs it (its spec's settings), with the
   test accuracy measured after every epoch outside the timed steps; reported: the training
   seconds and the wall-clock seconds (data generation included) until it first reaches 95%.
3. Threads under load. ``--busy`` spinning processes (started and stopped here) keep cores
   busy, as another program would; the demo loop then trains one epoch of ``--images`` images
   with the default thread count (``auto``: the usable cores less the load) and with every
   usable core (``--threads 0``), alternating for ``--rounds`` rounds. Reported: the median
   images/s of each and the median of the paired ratios auto / every core (issue 9.28: with
   one busy process on two cores every core was 4x slower than one thread).
   ``--only-load`` runs this part alone.
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch
import torch.nn.functional as F

from cnnquiz.torchcheck.build import to_module
from cnnquiz.train import config, data, networks
from cnnquiz.train.loop import Reporter, evaluate, logits_of, train

TARGET = 0.95  # test accuracy the demo must reach
DEMO_TRAIN = data.DEMO_SPLIT[0]  # training images per epoch


def minimal_epoch(
    model: torch.nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    batch: int,
    optimizer: torch.optim.Optimizer,
) -> tuple[float, float]:
    """One epoch of the plainest loop; returns (wall, CPU) seconds of its steps."""
    model.train()
    wall, cpu = time.perf_counter(), time.process_time()
    order = torch.randperm(len(y))
    for i in range(0, len(y), batch):
        idx = order[i : i + batch]
        loss = F.cross_entropy(model(x[idx]), y[idx])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return time.perf_counter() - wall, time.process_time() - cpu


def timed_reporter() -> Reporter:
    """The command line's progress reporter (drawing to a console nobody reads), timing the
    steps: from the epoch's start to the report after its last step, evaluation excluded."""
    from rich.console import Console

    from cnnquiz.cli import train_render

    train_render._console = Console(file=io.StringIO(), force_terminal=True, width=100)

    class Timed(train_render.ProgressReporter):
        def epoch_start(self, *args: int) -> None:
            super().epoch_start(*args)
            self.wall, self.cpu = time.perf_counter(), time.process_time()

        def step(self, *args: float) -> None:
            super().step(*args)
            self.seconds = (time.perf_counter() - self.wall, time.process_time() - self.cpu)

    return Timed()


def overhead(
    d: data.Dataset, cfg: config.TrainConfig, rounds: int, images: int
) -> tuple[float, float, float, float]:
    """Median images/s of both loops and the medians of the paired wall and CPU ratios.

    The two loops alternate (ABBA order) on the first ``images`` training images, so load
    from other processes, which comes and goes over seconds, hits both alike.
    """
    network = networks.demo_network()
    subset = replace(d, train=data.Split(d.train.x[:images], d.train.y[:images]))
    one_epoch = config.with_overrides(cfg, epochs=1)
    torch.manual_seed(0)
    plain = logits_of(to_module(network), network)
    optimizer = torch.optim.Adam(plain.parameters(), lr=cfg.lr)
    x, y = subset.train.x, subset.train.y

    def ours() -> tuple[float, float]:
        with timed_reporter() as reporter:
            train(network, subset, one_epoch, reporter)
        return reporter.seconds

    minimal_epoch(plain, x, y, cfg.batch, optimizer)  # warm-up of both
    ours()
    pairs = []
    for r in range(rounds):
        if r % 2:
            theirs_s, ours_s = minimal_epoch(plain, x, y, cfg.batch, optimizer), ours()
        else:
            ours_s, theirs_s = ours(), minimal_epoch(plain, x, y, cfg.batch, optimizer)
        pairs.append((ours_s, theirs_s))
    med = statistics.median
    return (
        med(images / o[0] for o, _ in pairs),
        med(images / t[0] for _, t in pairs),
        med(t[0] / o[0] for o, t in pairs),
        med(t[1] / o[1] for o, t in pairs),
    )


class WatchTest(Reporter):
    """Evaluates the test split after each epoch (outside the timed steps)."""

    def __init__(self, model: torch.nn.Module, network, d: data.Dataset) -> None:
        self.model, self.network, self.data = model, network, d
        self.train_seconds = 0.0
        self.reached: tuple[int, float, float, float] | None = None  # epoch, acc, train s, wall s
        self.started = time.perf_counter()

    def epoch_end(self, metrics) -> None:
        self.train_seconds += metrics.seconds
        net = logits_of(self.model, self.network)
        _, acc, _ = evaluate(net, self.data.test, len(self.data.classes))
        wall = time.perf_counter() - self.started
        print(
            f"  epoch {metrics.epoch:2d}: test accuracy {100 * acc:5.1f}%  "
            f"training {self.train_seconds:5.1f} s  wall {wall:5.1f} s  "
            f"{metrics.images_per_second:,.0f} images/s",
            flush=True,
        )
        if self.reached is None and acc >= TARGET:
            self.reached = (metrics.epoch, acc, self.train_seconds, wall)


def time_to_target(cfg: config.TrainConfig) -> WatchTest:
    started = time.perf_counter()
    d = data.demo_dataset(cfg.seed)
    network = networks.demo_network()
    torch.manual_seed(cfg.seed)
    model = to_module(network)
    watch = WatchTest(model, network, d)
    watch.started = started
    train(network, d, cfg, watch, model=model)
    return watch


SPIN = "while True: pass"  # a busy process: one core, all the time


def under_load(
    d: data.Dataset, cfg: config.TrainConfig, rounds: int, images: int, busy: int
) -> None:
    """Images/s with the automatic thread count and with every core, while ``busy``
    spinning processes load the machine."""
    network = networks.demo_network()
    subset = replace(d, train=data.Split(d.train.x[:images], d.train.y[:images]))
    one_epoch = config.with_overrides(cfg, epochs=1)
    spinners = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(busy)]
    try:
        time.sleep(0.5)  # let them get going
        auto, why = replace(one_epoch, threads=None).thread_choice()
        every = config.usable_cores()
        print(
            f"threads under load: {busy} busy process{'es' if busy != 1 else ''} started; "
            f"auto chose {auto} ({why}), every core is {every}"
        )

        def speed(threads: int) -> float:
            torch.manual_seed(0)
            model = to_module(network)
            run = replace(one_epoch, threads=threads)
            return train(network, subset, run, model=model, threads=threads).images_per_second

        speed(auto)  # warm-up
        pairs = []
        for r in range(rounds):  # ABBA order: changes in load hit both alike
            if r % 2:
                b, a = speed(every), speed(auto)
            else:
                a, b = speed(auto), speed(every)
            pairs.append((a, b))
            print(f"  round {r + 1:2d}: auto {a:8,.0f} images/s   every core {b:8,.0f} images/s")
    finally:
        for p in spinners:
            p.kill()
            p.wait()
    med = statistics.median
    print(f"  auto ({auto} thread{'' if auto == 1 else 's'})       {med(a for a, _ in pairs):8,.0f} images/s (median)")
    print(f"  every core ({every} threads) {med(b for _, b in pairs):8,.0f} images/s (median)")
    print(f"  ratio auto / every core, median of the pairs: {med(a / b for a, b in pairs):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--threads", type=int, default=0, help="CPU threads of parts 1 and 2 (0: every core)"
    )
    parser.add_argument("--rounds", type=int, default=12, help="alternating epochs of each loop")
    parser.add_argument("--images", type=int, default=1920, help="training images per epoch there")
    parser.add_argument("--busy", type=int, default=1, help="spinning processes in part 3")
    parser.add_argument("--only-load", action="store_true", help="only part 3, threads under load")
    args = parser.parse_args()
    cfg = config.from_mapping(networks.demo_network().train, "demo.yaml")
    cfg = config.with_overrides(cfg, threads=args.threads, device="cpu")
    torch.set_num_threads(cfg.cpu_threads())
    print(
        f"torch {torch.__version__}, {cfg.cpu_threads()} threads, demo: {cfg.epochs} epochs, "
        f"batch {cfg.batch}, {cfg.optimizer} lr {cfg.lr} ({cfg.schedule})"
    )
    d = data.demo_dataset(cfg.seed)
    if args.only_load:
        under_load(d, cfg, args.rounds, args.images, args.busy)
        return
    ours, theirs, wall, cpu = overhead(d, cfg, args.rounds, args.images)
    print(f"{args.rounds} alternating epochs of {args.images:,} images each:")
    print(f"  demo loop     {ours:8,.0f} images/s (median)")
    print(f"  minimal loop  {theirs:8,.0f} images/s (median)")
    print(
        f"  ratio demo / minimal, median of the pairs: {wall:.3f} wall clock, {cpu:.3f} CPU "
        "time (target >= 0.9)"
    )
    print("time to 95% test accuracy, the demo's own settings:")
    watch = time_to_target(cfg)
    if watch.reached:
        epoch, acc, train_s, wall_s = watch.reached
        print(
            f"reached {100 * acc:.1f}% after epoch {epoch} ({epoch * DEMO_TRAIN:,} images seen): "
            f"{train_s:.1f} s of training, "
            f"{wall_s:.1f} s wall clock (data generation and evaluation included)"
        )
    else:
        print(f"did not reach {100 * TARGET:.0f}% in {cfg.epochs} epochs")
    under_load(d, cfg, args.rounds, args.images, args.busy)


if __name__ == "__main__":
    main()
