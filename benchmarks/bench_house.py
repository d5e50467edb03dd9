"""The three start-up figures of issue 10, each against a baseline measured in the same run.

1. The app to its home screen with the bundled banks / ``python -c "import textual.app"``
   (target at most 2.0).
2. The same with the bundled banks copied ``--copies`` times (ids made distinct: about 3,500
   questions), on a second start, when the parsed-bank cache is warm (target at most 3.0); the
   first start, which fills the cache, is shown beside it.
3. ``cnnquiz bank check --no-verify`` on those copies: seconds (target at most 3 s), milliseconds
   per question, and that per question against the bundled banks' (near 1.0 when reading is
   linear; the fixed cost of starting Python makes the small run's figure the larger).

Every sample is a fresh interpreter with its own empty ``CNNQUIZ_HOME`` and cache folder; the
samples of one round alternate (bundled app, baseline, large app, cold large app, check, check)
so a busy machine slows them alike, and each figure is the median of ``--runs`` rounds.

    python benchmarks/bench_house.py [--runs 5] [--copies 10]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# the sibling script is not in a package: its folder goes on the path before it is imported
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_app_startup import APP, BASELINE, bench_env, sample

ROOT = Path(__file__).resolve().parent.parent
ID_LINE = re.compile(r"^(\s*-\s+id:\s*)(['\"]?)([^'\"\s#]+)", re.MULTILINE)


def copy_banks(source: Path, target: Path, copies: int) -> None:
    """``copies`` copies of every bank in ``source``, each question's id suffixed with its copy
    (``conv-out`` becomes ``conv-out-c3``), so that no id repeats across the copies."""
    target.mkdir(parents=True)
    for n in range(1, copies + 1):
        suffix = f"-c{n}"
        for bank in sorted(source.glob("*.yaml")):
            text = ID_LINE.sub(rf"\g<0>{suffix}", bank.read_text(encoding="utf-8"))
            (target / f"{bank.stem}{suffix}.yaml").write_text(text, encoding="utf-8")


def check(env: dict[str, str], *paths: str) -> tuple[float, int]:
    """Seconds of ``cnnquiz bank check --no-verify PATHS`` and the questions it counted."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "cnnquiz", "bank", "check", "--no-verify", *paths],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    seconds = time.perf_counter() - start
    counted = re.search(r"checked [\d,]+ banks?: ([\d,]+) questions?", done.stdout)
    if done.returncode != 0 or counted is None:
        raise SystemExit(f"bank check failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return seconds, int(counted[1].replace(",", ""))


def fresh_env(scratch: Path, name: str, pycache: str) -> dict[str, str]:
    """An empty home and bank cache for one sample (removed first, so nothing is warm by chance);
    the bytecode is the warm samples' (a student's first start has it from the installation)."""
    home = scratch / name
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir()
    return {**bench_env(str(home)), "PYTHONPYCACHEPREFIX": pycache}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="rounds of samples (default 5)")
    parser.add_argument("--copies", type=int, default=10, help="copies of the bundled banks")
    args = parser.parse_args()
    times: dict[str, list[float]] = {k: [] for k in ("base", "app", "big", "cold", "chk", "chk1")}
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        big = scratch / "banks"
        copy_banks(ROOT / "questions", big, args.copies)
        old = time.time() - 60  # as a student's banks are: not written in the last seconds
        for f in big.iterdir():
            os.utime(f, (old, old))
        warm = bench_env(str(scratch / "warm"))  # the app samples share it: warm after one start
        sample(APP, warm)
        sample(APP, warm, str(big))
        sample(BASELINE, warm)
        _, n_big = check(warm, str(big))
        _, n_one = check(warm)
        for _ in range(args.runs):
            times["app"].append(sample(APP, warm))
            times["base"].append(sample(BASELINE, warm))
            times["big"].append(sample(APP, warm, str(big)))
            times["cold"].append(
                sample(APP, fresh_env(scratch, "cold", warm["PYTHONPYCACHEPREFIX"]), str(big))
            )
            times["chk"].append(check(warm, str(big))[0])
            times["chk1"].append(check(warm)[0])
    med = {k: statistics.median(v) for k, v in times.items()}
    per_big, per_one = med["chk"] / n_big, med["chk1"] / n_one
    print(f"runs: {args.runs} rounds, fresh interpreters, alternating; medians")
    print(f"python -c 'import textual.app'                      {med['base'] * 1000:7.0f} ms")
    print(
        f"1. app to home, bundled ({n_one} questions)           {med['app'] * 1000:7.0f} ms"
        f"   ratio {med['app'] / med['base']:.2f}  (target <= 2.0)"
    )
    print(
        f"2. app to home, {n_big} questions, second start      {med['big'] * 1000:7.0f} ms"
        f"   ratio {med['big'] / med['base']:.2f}  (target <= 3.0)"
    )
    print(
        f"   (first start, filling the cache:                {med['cold'] * 1000:7.0f} ms"
        f"   ratio {med['cold'] / med['base']:.2f})"
    )
    print(
        f"3. bank check --no-verify, {n_big} questions          {med['chk']:7.2f} s "
        f"   {per_big * 1000:.2f} ms/question  (target <= 3 s)"
    )
    print(
        f"   bank check --no-verify, bundled ({n_one})           {med['chk1']:7.2f} s "
        f"   {per_one * 1000:.2f} ms/question; per question large / bundled {per_big / per_one:.2f}"
    )


if __name__ == "__main__":
    main()
