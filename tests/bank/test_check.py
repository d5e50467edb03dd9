"""`cnnquiz bank check`: exit statuses, the report people and CI read, torch only when verifying."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cnnquiz.bank import bundled_bank_paths, check_banks

DATA = Path(__file__).parents[1] / "fixtures" / "banks"


def test_wrong_key_fails_with_exit_1(cli):
    out = cli("bank", "check", str(DATA / "wrong_key.yaml"), "--no-verify")
    assert out.returncode == 1, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == (
        f"{DATA / 'wrong_key.yaml'}:3: error: wrong-params: wrong answer key: the answer says 2,700, "
        "the calculator gives 2,800 for params (a known mistake: you forgot the bias: 2,700 + 100 = "
        "2,800 (one bias per filter or unit))"
    )
    assert lines[-1] == "FAILED: wrong answer keys or failed self-tests: 1 error, 0 warnings"


def test_clean_banks_exit_0(cli):
    out = cli(
        "bank",
        "check",
        str(DATA / "worked.yaml"),
        str(DATA / "grading.yaml"),
        "--no-verify",
        "--samples",
        "5",
    )
    assert out.returncode == 0, out.stdout
    assert out.stdout.splitlines()[-3:] == [
        "checked 2 banks: 24 questions, 7 answer keys recomputed by the calculator, 10 computed "
        "questions self-tested on 50 variants (5 each)",
        "torch: skipped (--no-verify)",
        "OK: 0 errors, 0 warnings",
    ]


def test_invalid_bank_exits_2_and_reports_every_problem(cli, tmp_path):
    bank = tmp_path / "bad.yaml"
    bank.write_text(
        "title: bad\nquestions:\n  - id: a\n    type: numeric\n    prompt: p\n    awnser: 1\n"
        "  - id: b\n    type: choice\n    prompt: p\n    choices: [x, y]\n    answer: z\n"
        "  - id: c\n    type: truefalse\n    prompt: p\n    answer: true\n",
        encoding="utf-8",
    )
    # both banks in one folder, so the order by file name does not depend on where tmp lives
    wrong = tmp_path / "wrong_key.yaml"
    wrong.write_text((DATA / "wrong_key.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    out = cli("bank", "check", str(bank), str(wrong), "--no-verify")
    assert out.returncode == 2
    lines = out.stdout.splitlines()
    assert lines[:4] == [
        f"{bank}:4: error: missing answer",  # the question is checked on without the unknown field
        f"{bank}:6: error: unknown field 'awnser' (did you mean answer?)",
        f"{bank}:11: error: the answer 'z' is not among the choices",
        f"{wrong}:3: error: wrong-params: wrong answer key: the answer says 2,700, "
        "the calculator gives 2,800 for params (a known mistake: you forgot the bias: 2,700 + 100 = "
        "2,800 (one bias per filter or unit))",
    ]
    assert (
        lines[4] == f"{bank}:12: warning: c: no explanation (the worked solution)"
    )  # warnings after errors
    assert lines[-1] == "FAILED: invalid banks: 4 errors, 1 warning"
    assert "Traceback" not in out.stderr


def test_json_report(cli):
    out = cli("bank", "check", str(DATA / "wrong_key.yaml"), "--json", "--no-verify")
    assert out.returncode == 1
    report = json.loads(out.stdout)
    assert report["ok"] is False and report["exit_status"] == 1
    assert report["counts"]["questions"] == 2
    (problem,) = report["problems"]
    assert problem["line"] == 3 and problem["severity"] == "error" and problem["kind"] == "key"


@pytest.mark.slow  # bank check in a subprocess
def test_no_verify_does_not_import_torch():
    code = (
        "import sys\nfrom cnnquiz.cli import main\n"
        f"status = main(['bank', 'check', {str(DATA / 'worked.yaml')!r}, '--no-verify', '--samples', '2'])\n"
        "assert status == 0, status\nprint('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_missing_file_exits_2(cli, tmp_path):
    out = cli("bank", "check", str(tmp_path / "nope.yaml"), "--no-verify")
    assert out.returncode == 2
    assert out.stdout.startswith(f"{tmp_path / 'nope.yaml'}: error: no such file or folder")


def test_samples_must_be_positive(cli):
    out = cli("bank", "check", "--samples", "0")
    assert out.returncode == 2
    assert "--samples" in out.stderr and "Traceback" not in out.stderr


def test_perturbation_accepted_by_a_loose_tolerance_fails_the_self_test(tmp_path):
    bank = tmp_path / "loose.yaml"
    bank.write_text(
        "title: loose\nquestions:\n  - id: loose\n    type: computed\n    prompt: '{f}'\n"
        "    vars: {f: [8, 16]}\n    network: {input: 8x8x3, layers: [conv: {filters: '{f}'}]}\n"
        "    ask: params\n    tolerance: 50%\n    explanation: too loose\n",
        encoding="utf-8",
    )
    report = check_banks([bank], verify=False, samples=3)
    assert report.exit_status == 1
    assert "accepts too much" in report.errors[0].message


def test_bundled_banks_are_found():
    paths = bundled_bank_paths()
    assert paths, "no bundled banks"
    assert all(p.suffix == ".yaml" for p in paths)


def test_verify_uses_torch_and_agrees():
    pytest.importorskip("torch")
    pytest.importorskip("cnnquiz.torchcheck.build")
    report = check_banks([DATA / "worked.yaml"], verify=True, samples=2)
    assert report.exit_status == 0, report.problems
    assert report.counts["verified_by_torch"] == 1  # the three examples share one network


def test_a_file_named_twice_is_checked_once():
    report = check_banks([DATA / "plain.yaml", DATA], verify=False, samples=2)
    assert not [p for p in report.problems if "duplicate id" in p.message]
    assert report.counts["banks"] == len(list(DATA.glob("*.yaml")))


def test_github_annotations(cli):
    out = cli("bank", "check", str(DATA / "wrong_key.yaml"), "--no-verify", "--github")
    assert out.returncode == 1
    path = str(DATA / "wrong_key.yaml").replace(":", "%3A").replace(",", "%2C")
    assert (
        f"::error file={path},line=3::wrong-params: wrong answer key: the answer says 2,700"
        in out.stdout
    )


def test_every_variant_of_a_computed_question_is_built_in_torch(tmp_path, monkeypatch):
    """A calculator/torch disagreement that only one drawn network shows is still caught."""
    pytest.importorskip("torch")
    from types import SimpleNamespace

    from cnnquiz.torchcheck import verify as bridge

    bank = tmp_path / "bank.yaml"
    bank.write_text(
        "title: t\nquestions:\n"
        "  - id: c\n    type: computed\n    prompt: '{f} filters: output shape?'\n"
        "    vars: {f: [8, 16, 32]}\n"
        "    network: {input: 8x8x3, layers: [conv: {filters: '{f}', kernel: 3}]}\n"
        "    ask: output_shape\n"
    )
    built = []

    def verify(network, analysis):  # stands in for bridge.verify
        filters = network.layers[0].filters
        built.append(filters)
        wrong = ["parameters: calculator 9,999, torch 10,000"] if filters == 32 else []
        return SimpleNamespace(mismatches=wrong)

    monkeypatch.setattr(bridge, "verify", verify)
    report = check_banks([bank], verify=True, samples=20)
    assert sorted(built) == [8, 16, 32]  # each distinct network once
    assert report.exit_status == 1
    [problem] = report.errors
    assert "calculator and torch disagree: parameters" in problem.message
