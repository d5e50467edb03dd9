"""gin, mlflow and torch stay out of ``cnnquiz --help`` and of the lab's modules' import."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("gin", "mlflow", "torch")


@pytest.mark.slow
def test_importing_the_lab_and_the_train_help_loads_no_gin_mlflow_or_torch():
    code = (
        "import sys, contextlib, io\n"
        "import cnnquiz.lab.gin_config, cnnquiz.lab.cnn, cnnquiz.lab.experiment\n"
        "import cnnquiz.train.tracking, cnnquiz.train.runs, cnnquiz.cli.train\n"
        "from cnnquiz.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main(['train', '--help'])\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "[]\n"
