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
    "cnnquiz.report.tables",
    "cnnquiz.report.notes",
    "cnnquiz.study.select",
    "cnnquiz.study.session",
    "cnnquiz.train.config",
    "cnnquiz.train.data",
    "cnnquiz.train.runs",
    "cnnquiz.bank",
    "cnnquiz.progress",
    "cnnquiz.paths",
]
FACES = ("textual", "rich")


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


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["calc", "--help"],
        ["calc", "conv", "--in", "200x300x3", "--filters", "100", "--stride", "2", "--padding", "same", "--no-verify"],
        ["calc", "model", "examples/worked.yaml", "--no-verify"],
    ],
)
def test_cli_without_torch(argv):
    code = (
        "import sys\nfrom cnnquiz.cli import main\n"
        f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
    )
    assert "torch" not in _loaded_after(code)
