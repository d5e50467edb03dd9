"""English banks read and graded by this tree against a baseline tree (another checkout, e.g. main):
the language of a bank (issue 14) must not make English reading or grading slower.

Two figures, each the median of ``--runs`` rounds, each sample a fresh interpreter whose
``PYTHONPATH`` is one tree, the trees alternating within a round so a busy machine slows both:

1. reading the bundled English banks (YAML, schema, keys, the calculator; no cache), CPU seconds;
2. grading a fixed table of typed answers (numbers, sizes, shapes, true/false, some invalid)
   against every item of those banks, microseconds per answer.

    python benchmarks/bench_grading.py --baseline /work/main [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SAMPLE = r"""
import json, sys, time
sys.path.insert(0, sys.argv[2])  # this tree's cnnquiz, whatever is installed
import cnnquiz
assert cnnquiz.__file__.startswith(sys.argv[2]), cnnquiz.__file__
from cnnquiz.bank.loader import read_banks
from cnnquiz.bank import grade
from cnnquiz.bank.files import _yaml_files
from pathlib import Path

paths = _yaml_files(Path(sys.argv[1]) / "questions")
start = time.process_time()
banks, _problems = read_banks(paths)
read = time.process_time() - start
items = [q.draw(1) for b in banks for q in b.questions]
typed = ["2800", "2,800", "2.8k", "3.6 MB", "3,613,600 bytes", "12.6", "100x150x100", "true",
         "no", "b", "abc", "", "2.800", "1.234.567,5", "0.5"]
start = time.process_time()
n = 0
for _ in range(3):
    for item in items:
        for text in typed:
            grade(item, text)
            n += 1
graded = (time.process_time() - start) / n * 1e6
print(json.dumps({"read": read, "grade_us": graded, "questions": len(items)}))
"""


def sample(tree: Path, banks: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree), "CNNQUIZ_CACHE": os.devnull}
    out = subprocess.run(
        [sys.executable, "-c", SAMPLE, str(banks), str(tree)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=tree,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="the tree to compare with")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    figures: dict[str, list[dict]] = {"this": [], "baseline": []}
    for _ in range(args.runs):  # the same banks (this tree's English ones) for both
        figures["this"].append(sample(ROOT, ROOT))
        figures["baseline"].append(sample(args.baseline.resolve(), ROOT))
    questions = figures["this"][0]["questions"]
    print(f"{questions} English questions, median of {args.runs} rounds")
    for name, unit, scale in (("read", "s", 1.0), ("grade_us", "µs/answer", 1.0)):
        this = statistics.median(f[name] * scale for f in figures["this"])
        base = statistics.median(f[name] * scale for f in figures["baseline"])
        label = "read the banks" if name == "read" else "grade an answer"
        print(
            f"{label:16} this {this:8.3f} {unit:10} baseline {base:8.3f}   ratio {this / base:.2f}"
        )


if __name__ == "__main__":
    main()
