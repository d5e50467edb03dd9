"""Time to the app's first screen against ``python -c "import textual.app"``, side by side.

Each sample is a fresh interpreter, as a student starting ``cnnquiz`` gets: the app sample
imports cnnquiz, loads the bundled banks (from the parsed-bank cache after the first sample, as
a student's second start does), opens the progress store and runs the app headless
(``run_test``) until the home screen is mounted with its figures; the baseline only imports
Textual. Samples alternate (app, baseline, app, ...) so machine noise hits both alike.

    .venv/bin/python benchmarks/bench_app_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

APP = """
import asyncio, sys
from cnnquiz.app import make_app
from cnnquiz.app.screens.home import HomeScreen

async def main():
    app = make_app(sys.argv[1:] or None)
    async with app.run_test(size=(100, 30)) as pilot:
        while not (isinstance(app.screen, HomeScreen) and app.screen.is_mounted):
            await pilot.pause()
        assert app.screen.query_one("#modes").option_count == 4
    assert "torch" not in sys.modules, "the first screen imported torch"

asyncio.run(main())
"""
BASELINE = "import textual.app"


def bench_env(home: str) -> dict[str, str]:
    """The environment of every sample: an empty ``CNNQUIZ_HOME`` and cache folder in ``home``, and
    bytecode written (to ``home/pycache``) and reused after the first sample, as an installed
    cnnquiz and Textual have it; ``PYTHONDONTWRITEBYTECODE`` would make only cnnquiz compile from
    source at every start, since Textual's installed bytecode lies beside it."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {
        **env,
        "CNNQUIZ_HOME": home,
        "CNNQUIZ_CACHE": os.path.join(home, "cache"),
        "PYTHONPYCACHEPREFIX": os.path.join(home, "pycache"),
    }


def sample(code: str, env: dict[str, str], *args: str) -> float:
    """Seconds of one fresh interpreter running ``code`` (``args`` are its ``sys.argv[1:]``)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *args], check=True, env=env)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="samples of each (default 7)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = bench_env(home)
        sample(APP, env)  # warm the file cache, write the bytecode, fill the bank cache once
        sample(BASELINE, env)
        app, base = [], []
        for _ in range(args.runs):
            app.append(sample(APP, env))
            base.append(sample(BASELINE, env))
    a, b = statistics.median(app), statistics.median(base)
    print(f"runs: {args.runs} of each, fresh interpreters, alternating")
    print(
        f"python -c 'import textual.app':         median {b * 1000:7.0f} ms  (min {min(base) * 1000:.0f})"
    )
    print(
        f"cnnquiz app to the home screen (headless): median {a * 1000:7.0f} ms  (min {min(app) * 1000:.0f})"
    )
    print(f"ratio app / import textual.app: {a / b:.2f}x")


if __name__ == "__main__":
    main()
