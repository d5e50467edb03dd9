"""Checking a big graph in torch next to ``import torch``: issue 11's performance targets.

1. ``cnnquiz calc model resnet50`` (the torch check and the autograd measurement included)
   against ``python -c "import torch"``: target a ratio of at most 1.5, since the calculator
   cannot start faster than torch imports.
2. ``cnnquiz calc model resnet50 --no-verify``: target under 0.5 s (torch is not imported).

Every sample is a fresh interpreter with its own empty ``CNNQUIZ_HOME``; the samples of one round
alternate (import torch, verified, unverified), so a busy machine slows them alike, and each
figure is the median of ``--runs`` rounds, after one round that warms the file cache and writes
the bytecode.

    python benchmarks/bench_graphs.py [--runs 5] [--spec resnet50]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# the sibling script is not in a package: its folder goes on the path before it is imported
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_app_startup import bench_env

ROOT = Path(__file__).resolve().parent.parent
RATIO_TARGET = 1.5
NO_VERIFY_TARGET = 0.5  # seconds


def wall(args: list[str], env: dict[str, str]) -> float:
    """Seconds one fresh interpreter takes to run ``args``; a failing run stops the benchmark."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr.decode().strip()}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="rounds of samples (default 5)")
    parser.add_argument("--spec", default="resnet50", help="a zoo name or a spec file")
    args = parser.parse_args()
    commands = {
        "base": ["-c", "import torch"],
        "verified": ["-m", "cnnquiz", "calc", "model", args.spec],
        "unverified": ["-m", "cnnquiz", "calc", "model", args.spec, "--no-verify"],
    }
    times: dict[str, list[float]] = {k: [] for k in commands}
    with tempfile.TemporaryDirectory() as home:
        env = {**bench_env(home), "NO_COLOR": "1"}
        for cmd in commands.values():
            wall(cmd, env)
        for _ in range(args.runs):
            for key, cmd in commands.items():
                times[key].append(wall(cmd, env))
    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = med["verified"] / med["base"]
    print(f"runs: {args.runs} rounds, fresh interpreters, alternating; medians")
    print(f"python -c 'import torch'                        {med['base']:6.2f} s")
    print(
        f"1. calc model {args.spec} (torch check, autograd)  {med['verified']:6.2f} s"
        f"   ratio {ratio:.2f}  (target <= {RATIO_TARGET})"
    )
    print(
        f"2. calc model {args.spec} --no-verify             {med['unverified']:6.2f} s"
        f"   (target < {NO_VERIFY_TARGET} s)"
    )


if __name__ == "__main__":
    main()
