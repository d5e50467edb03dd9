"""The banks that ship with cnnquiz: enough of them, covering the syllabus, every key proven."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cnnquiz.bank import bundled_bank_paths, check_banks, load_banks


@pytest.fixture(scope="module")
def questions():
    return [q for bank in load_banks(bundled_bank_paths()) for q in bank.questions]


def test_at_least_150_questions_and_30_computed_templates(questions):
    assert len(questions) >= 150
    templates = {q.group or q.id for q in questions if q.is_computed}
    assert len(templates) >= 30


def test_every_question_explains_itself(questions):
    for q in questions:
        assert q.draw(0).explanation.strip(), q.id


@pytest.mark.parametrize(
    "topic",
    ["tensors", "dense layers", "universal approximation", "gradient descent", "batches",
     "activation functions", "loss functions", "optimizers", "regularization", "batch norm",
     "overfitting", "data splits", "hyperparameters", "problem types", "convolution", "padding",
     "stride", "multiplications", "pooling", "flatten", "1x1 convolution", "receptive field",
     "memory", "scaling", "architectures", "transfer learning", "keras", "gin", "mlflow", "history"],
)
def test_the_syllabus_is_covered(questions, topic):
    assert any(topic in q.topics for q in questions), f"no question on {topic}"


def test_bank_check_proves_every_key_with_torch():
    pytest.importorskip("torch")
    report = check_banks(bundled_bank_paths(), verify=True, samples=5)
    assert report.exit_status == 0, report.problems
    assert not report.problems


def test_installed_package_finds_its_banks(tmp_path):
    """Run from a folder outside the repository: the package's own copy of the banks is used."""
    out = subprocess.run(
        [sys.executable, "-m", "cnnquiz", "bank", "check", "--no-verify", "--json"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["counts"]["questions"] >= 150
