"""How long ``cnnquiz calc conv ...`` (with the torch check) takes next to ``import torch``.

The calculator cannot start faster than torch imports, so the fair yardstick is the ratio of
the two wall times, measured side by side: the runs alternate (calc, torch, calc, torch...) so
that a busy machine slows both alike, and the median of each is taken. Target: at most 1.3.

    python benchmarks/bench_calc.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CALC = [
    sys.executable,
    "-m",
    "cnnquiz",
    "calc",
    "conv",
    "--in",
    "200x300x3",
    "--filters",
    "100",
    "--kernel",
    "3",
    "--stride",
    "2",
    "--padding",
    "same",
]
TORCH = [sys.executable, "-c", "import torch"]
TARGET = 1.3


def wall(cmd: list[str]) -> float:
    """Seconds one run takes, output discarded; a failing run stops the benchmark."""
    start = time.perf_counter()
    result = subprocess.run(
        cmd,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "NO_COLOR": "1"},
    )
    took = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {result.stderr.decode().strip()}")
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each command (default 7)")
    args = parser.parse_args()
    wall(CALC), wall(TORCH)  # warm the file cache for both
    calc_times, torch_times = [], []
    for _ in range(args.runs):
        calc_times.append(wall(CALC))
        torch_times.append(wall(TORCH))
    calc_s, torch_s = statistics.median(calc_times), statistics.median(torch_times)
    ratio = calc_s / torch_s
    print(f"cnnquiz calc conv (verified): median {calc_s:.3f} s over {args.runs} runs")
    print(f"python -c 'import torch':     median {torch_s:.3f} s over {args.runs} runs")
    print(f"ratio {ratio:.2f} (target <= {TARGET}): {'ok' if ratio <= TARGET else 'over'}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
