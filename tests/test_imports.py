"""Import hygiene: the domain never imports a face, and nothing imports torch before it is needed.

Each check runs in a fresh interpreter so that other tests' imports cannot hide a leak.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow  # every test imports cnnquiz in a fresh interpreter

DOMAIN = [
    "cnnquiz.net.spec",
    "cnnquiz.net.arithmetic",
    "cnnquiz.net.units",
    "cnnquiz.yamlio",
    "cnnquiz.errors",
    "cnnquiz.report.build",
    "cnnquiz.report.receptive",
    "cnnquiz.report.json",
    "cnnquiz.report.notes",
    "cnnquiz.study.select",
    "cnnquiz.study.session",
    "cnnquiz.train.config",
    "cnnquiz.train.data",
    "cnnquiz.train.runs",
    "cnnquiz.train.runcheck",
    "cnnquiz.train.networks",
    "cnnquiz.train.run",
    "cnnquiz.train.predict",
    "cnnquiz.train.gradcam",
    "cnnquiz.bank",
    "cnnquiz.progress",
    "cnnquiz.progress.rows",
    "cnnquiz.paths",
]
FACES = ("textual", "rich")
# Faces' modules that may import Rich but import torch only inside the functions that train
# or predict (the import-linter contract cannot see the difference: it counts lazy imports).
TORCH_LATER = ["cnnquiz.render", "cnnquiz.cli.train", "cnnquiz.cli.train_render"]


def _loaded_after(code: str) -> set[str]:
    # the module list goes to stderr after a marker, so the command's own output cannot mix in
    probe = (
        f"{code}\nimport sys\n"
        "print('MODULES:', ' '.join(sorted(m.split('.')[0] for m in sys.modules)), file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    line = [x for x in out.stderr.splitlines() if x.startswith("MODULES:")][-1]
    return set(line.split()[1:])


@pytest.mark.parametrize("module", DOMAIN)
def test_domain_imports_no_face_and_no_torch(module):
    loaded = _loaded_after(f"import {module}")
    assert not loaded & {*FACES, "torch"}, f"{module} pulled in {sorted(loaded & {*FACES, 'torch'})}"


@pytest.mark.parametrize("module", TORCH_LATER)
def test_faces_import_torch_only_when_it_is_needed(module):
    assert "torch" not in _loaded_after(f"import {module}")


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["calc", "--help"],
        ["calc", "conv", "--in", "200x300x3", "--filters", "100", "--stride", "2", "--padding", "same", "--no-verify"],
        ["calc", "model", "examples/worked.yaml", "--no-verify"],
        ["train", "--help"],
        ["stats", "--help"],
    ],
)
def test_cli_without_torch(argv):
    code = (
        "import sys\nfrom cnnquiz.cli import main\n"
        f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
    )
    assert "torch" not in _loaded_after(code)
