"""A 2x2 grid sweep next to the same four trainings typed one after another by hand.

``cnnquiz tune`` reads (here: draws) the data once and trains every trial in one process; by
hand, each ``cnnquiz train`` starts Python, imports torch, draws the 8,000 images and trains.
The yardstick is the four commands a student would otherwise type, run in a row:

    cnnquiz tune --demo --grid 'train.lr=0.01,0.003' --grid 'cnn.filters=(16,32),(32,64)' --epochs 3
    cnnquiz train --demo --bind 'train.lr = 0.01' --bind 'cnn.filters = (16, 32)' --epochs 3
    ... (the other three combinations)

Both sides use the same CPU threads (``--threads``, default 1, so the machine's load changes
neither side's choice) and alternate round by round (sweep first, then by hand first), and the
median of each is taken. The target (issue 15: the sweep at most 1.2x the four by hand) is
judged on CPU time, the seconds the commands themselves computed: on a shared machine the wall
clock swings with whatever else runs (one round measured 0.73, the next 1.64, with the same
work), while CPU time counts each side's own work. Both are printed.

    python benchmarks/bench_tune.py [--rounds 1] [--epochs 3] [--threads 1]
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LRS = ("0.01", "0.003")
FILTERS = ("(16, 32)", "(32, 64)")
TARGET = 1.2


def wall(cmd: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system, the command's own) of one command, output
    discarded; a failing command stops the benchmark."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(
        cmd,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "NO_COLOR": "1"},
    )
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {result.stderr.decode().strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return took, cpu


def sweep_cmd(runs: Path, epochs: int, threads: int) -> list[str]:
    return [
        *(sys.executable, "-m", "cnnquiz", "tune", "--demo"),
        *("--grid", "train.lr=" + ",".join(LRS), "--grid", "cnn.filters=" + ",".join(FILTERS)),
        *("--epochs", str(epochs), "--threads", str(threads), "--runs-dir", str(runs)),
    ]


def by_hand_cmds(runs: Path, epochs: int, threads: int) -> list[list[str]]:
    return [
        [
            *(sys.executable, "-m", "cnnquiz", "train", "--demo"),
            *("--bind", f"train.lr = {lr}", "--bind", f"cnn.filters = {filters}"),
            *("--epochs", str(epochs), "--threads", str(threads), "--runs-dir", str(runs)),
        ]
        for lr, filters in itertools.product(LRS, FILTERS)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1, help="rounds of each side (default 1)")
    parser.add_argument("--epochs", type=int, default=3, help="epochs per trial (default 3)")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads, both sides")
    args = parser.parse_args()
    times: dict[str, list[tuple[float, float]]] = {"sweep": [], "hand": []}
    with tempfile.TemporaryDirectory() as tmp:
        runs = Path(tmp) / "runs"
        sweep = sweep_cmd(runs, args.epochs, args.threads)
        hand = by_hand_cmds(runs, args.epochs, args.threads)
        for n in range(args.rounds):
            sides = [("sweep", [sweep]), ("hand", hand)]
            for name, cmds in sides if n % 2 == 0 else sides[::-1]:
                each = [wall(cmd) for cmd in cmds]
                times[name].append((sum(w for w, _ in each), sum(c for _, c in each)))
    (sweep_w, sweep_c), (hand_w, hand_c) = (
        tuple(statistics.median(x) for x in zip(*times[side], strict=True))
        for side in ("sweep", "hand")
    )
    ratio = sweep_c / hand_c
    rounds = f"{args.rounds} round{'s' if args.rounds != 1 else ''}"
    print(
        f"2x2 grid, {args.epochs} epochs a trial, embedded dataset, {args.threads} thread(s); "
        f"{rounds}, alternating; medians"
    )
    print("                                               CPU time   wall clock")
    print(f"cnnquiz tune (one process, data drawn once)    {sweep_c:6.1f} s    {sweep_w:6.1f} s")
    print(f"4 x cnnquiz train, one after another by hand   {hand_c:6.1f} s    {hand_w:6.1f} s")
    print(
        f"ratio tune / by hand: {ratio:.2f} in CPU time (target <= {TARGET}): "
        f"{'ok' if ratio <= TARGET else 'over'}; {sweep_w / hand_w:.2f} on the wall clock"
    )
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
