"""Issue 9, loading and grading: hostile or mistaken banks never crash, hang or teach a wrong
figure. ``bank check`` names every problem with file:line; ``quiz`` and ``app`` leave out what
is bad (one warning line each) and ask the rest."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cnnquiz.bank import grade, read_banks
from cnnquiz.bank.computed import MAX_VALUES, var_values
from cnnquiz.study.load import load_for_study

DATA = Path(__file__).parents[1] / "fixtures" / "banks"
MINIMAL = str(DATA / "minimal.yaml")


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _errors(path: Path) -> list[tuple[int | None, str]]:
    _banks, problems = read_banks([path])
    return [(p.line, p.message) for p in problems if p.severity == "error"]


# --- 9.1: a bank with only the required fields works everywhere ------------------------------


def test_the_minimal_bank_passes_bank_check(cli):
    out = cli("bank", "check", "--no-verify", MINIMAL)
    assert out.returncode == 0, out.stdout
    assert "OK: 0 errors" in out.stdout


def test_the_minimal_bank_through_a_plain_quiz_scores_without_topics(cli):
    answers = "10\n?\n2x2x1\nrelu\nmaxpool, flatten\nfalse\nbinary cross-entropy\n20\n"
    out = cli("quiz", MINIMAL, "--all", "--seed", "3", "--no-record", input=answers)
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    assert "Question 1 of 7 · Minimal\n" in out.stdout  # no empty topic list after the title
    assert "This question has no hint.\n" in out.stdout  # 9.24: not "No more hints."
    assert out.stdout.endswith("Score: 7 of 7 correct (100%)\n")


def test_a_topic_filter_on_a_bank_without_topics_says_there_are_none(cli):
    out = cli("quiz", MINIMAL, "--topic", "conv", "--no-record", input="")
    assert out.returncode == 2
    assert out.stderr == (
        "cnnquiz: error: --topic: no questions on 'conv'; topics: none (these banks have no "
        "topics)\n"
    )


# --- 9.3: range bombs --------------------------------------------------------------------------

RANGE = """\
title: Ranges
questions:
  - id: r
    type: computed
    prompt: "Conv2D(2, 3x3) on {h}x{h}x1?"
    vars:
      h: RANGE
    network:
      input: "{h}x{h}x1"
      layers:
        - conv: {filters: 2}
    ask: params
    explanation: (3·3·1 + 1)·2
"""


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("{range: [8, 1000000000000]}", "has more than 1,000,000 values; use a larger step"),
        ("{range: [8, 9], step: 1e-12}", "has more than 1,000,000 values"),
        ("{range: [8, 9], step: 1.0e-12}", "has more than 1,000,000 values"),
        ("{range: [8, .inf]}", "the range's end must be a finite number, got inf"),
        ("{range: [-.inf, 8]}", "the range's start must be a finite number"),
        ("{range: [8, 16], step: .nan}", "step must be a finite number, got nan"),
        ("{range: [8, 16], step: 0}", "step must be positive, got 0"),
        ("{range: [8, 16], step: -2}", "step must be positive, got -2"),
        ("{range: [16, 8]}", "is empty: its end is below its start"),
    ],
)
def test_range_bombs_are_errors_with_the_line(tmp_path, spec, message):
    path = _write(tmp_path, "r.yaml", RANGE.replace("RANGE", spec))
    ((line, text),) = _errors(path)
    assert line == 7
    assert text.startswith("var h: ") and message in text, text


def test_a_computed_question_with_a_bad_tolerance_fails_on_load(tmp_path):
    text = RANGE.replace("RANGE", "[8, 16]").replace(
        "    ask: params\n", "    ask: params\n    tolerance: .nan\n"
    )
    path = _write(tmp_path, "r.yaml", text)
    ((line, message),) = _errors(path)
    assert line == 13 and "it must be a finite number" in message


def test_ranges_are_drawn_by_index_not_built(tmp_path):
    values = var_values({"range": [8, 8 + MAX_VALUES - 1]})
    assert len(values) == MAX_VALUES and values[0] == 8 and values[-1] == 8 + MAX_VALUES - 1
    assert var_values({"range": [1, 2], "step": 0.25})[:] == [1.0, 1.25, 1.5, 1.75, 2.0]
    assert list(var_values({"range": [2, 64], "step": 3}))[-2:] == [59, 62]
    path = _write(tmp_path, "r.yaml", RANGE.replace("RANGE", "{range: [8, 900000]}"))
    (q,) = load_for_study([path])[0][0].questions
    item = q.draw(5)
    assert item.prompt == q.draw(5).prompt and grade(item, item.answer_text).status == "correct"


# --- 9.6: bad numbers in a bank ----------------------------------------------------------------

BAD_NUMBERS = """\
title: Bad numbers
questions:
  - id: tol-nan
    type: numeric
    prompt: p
    answer: 2800
    tolerance: .nan
  - id: tol-nan-pct
    type: numeric
    prompt: p
    answer: 2800
    tolerance: "nan%"
  - id: tol-inf
    type: numeric
    prompt: p
    answer: 2800
    tolerance: .inf
  - id: tol-huge-pct
    type: numeric
    prompt: p
    answer: 2800
    tolerance: "1e999%"
  - id: tol-as-large
    type: numeric
    prompt: p
    answer: 0.5
    tolerance: 1e50
  - id: answer-huge
    type: numeric
    prompt: p
    answer: "1e999"
  - id: answer-long
    type: numeric
    prompt: p
    answer: 1234567890123456789012345678901234567890123456789012345678901234567890
  - id: answer-nan
    type: numeric
    prompt: p
    answer: .nan
  - id: shape-huge
    type: shape
    prompt: p
    answer: 99999999999x1
"""


def test_bad_numbers_in_a_bank_are_errors_with_their_lines(cli, tmp_path):
    path = _write(tmp_path, "bad.yaml", BAD_NUMBERS)
    out = cli("bank", "check", "--no-verify", str(path))
    assert out.returncode == 2
    assert "Traceback" not in out.stdout + out.stderr
    lines = out.stdout.splitlines()
    expected = {
        7: "tolerance must be like 1% or 0.05, got 'nan': it must be a finite number",
        12: "got 'nan%': it must be a finite number",
        17: "got 'inf': it must be a finite number",
        22: "got '1e999%': a relative tolerance of 100% or more accepts 0 for any key",
        27: "tolerance '1e50' is as large as the answer itself, so 0 would be correct",
        31: "'1e999' is not a number I can compare (a power of ten beyond ±100)",
        35: "is not a number I can compare (more than 64 characters of digits)",
        39: "the answer cannot be read: 'nan' is not a number",
        43: "is not a shape I can compare (a dimension beyond 2^31",
    }
    for line, message in expected.items():
        assert any(x.startswith(f"{path}:{line}: error: ") and message in x for x in lines), (
            line,
            out.stdout,
        )
    assert "FAILED: invalid banks: 9 errors" in out.stdout


def test_one_bad_bank_does_not_stop_the_quiz(cli, tmp_path):
    bad = _write(tmp_path, "bad.yaml", BAD_NUMBERS)
    out = cli("quiz", str(bad), MINIMAL, "--all", "--seed", "1", "--no-record", input="10\n")
    assert out.returncode == 0, out.stderr
    assert out.stderr == (
        f"cnnquiz: warning: {bad}:7: tolerance must be like 1% or 0.05, got 'nan': it must be a "
        "finite number (NaN or infinity would accept any answer) (left out; cnnquiz bank check "
        "lists every problem)\n"
    )
    assert "cnnquiz quiz: 7 questions" in out.stdout
    only_bad = cli("quiz", str(bad), "--no-record", input="")
    assert only_bad.returncode == 2
    assert only_bad.stderr.count("\n") == 1 and only_bad.stderr.startswith(
        f"cnnquiz: error: {bad}:7: tolerance must be"
    )


# --- 9.15: a wrong key never reaches a student -------------------------------------------------

WRONG_KEY = """\
title: Keys
questions:
  - id: key-right
    type: numeric
    prompt: Parameters of Conv2D(32, 3x3) on 28x28x3?
    network: {input: 28x28x3, layers: [conv: {filters: 32}]}
    ask: params
    answer: 896
    explanation: (3·3·3 + 1)·32 = 896
  - id: key-wrong
    type: numeric
    prompt: Parameters of Conv2D(32, 3x3) on 28x28x3, once more?
    network: {input: 28x28x3, layers: [conv: {filters: 32}]}
    ask: params
    answer: 800
    explanation: (3·3·3 + 1)·32 = 896
  - id: shape-wrong
    type: shape
    prompt: Output of Conv2D(32, 3x3) on 28x28x3?
    network: {input: 28x28x3, layers: [conv: {filters: 32}]}
    ask: output_shape
    answer: 28x28x32
    explanation: valid padding loses a pixel each side
"""


def test_a_wrong_key_is_left_out_of_the_quiz_with_both_figures(cli, tmp_path):
    path = _write(tmp_path, "keys.yaml", WRONG_KEY)
    out = cli("quiz", str(path), "--all", "--seed", "1", "--no-record", input="800\n896\n")
    assert out.returncode == 0, out.stderr
    assert out.stderr == (
        f"cnnquiz: warning: {path}:10: key-wrong left out: wrong answer key: the answer says 800, "
        "the calculator gives 896 for params\n"
        f"cnnquiz: warning: {path}:17: shape-wrong left out: wrong answer key: the answer says "
        "28x28x32, the calculator gives 26x26x32 for output_shape (a known mistake: that is the "
        "output of same padding; this layer uses valid)\n"
    )
    assert "cnnquiz quiz: 1 question" in out.stdout
    assert "Wrong: expected 896." in out.stdout  # 800 is never "Correct"
    check = cli("bank", "check", "--no-verify", str(path))
    assert check.returncode == 1
    assert (
        f"{path}:10: error: key-wrong: wrong answer key: the answer says 800, the calculator "
        "gives 896 for params" in check.stdout
    )


def test_the_app_gets_the_same_warnings(tmp_path):
    from cnnquiz.app import make_app

    path = _write(tmp_path, "keys.yaml", WRONG_KEY)
    bad = _write(tmp_path, "bad.yaml", BAD_NUMBERS)
    app = make_app([path, bad], record=False)
    assert [q.id for q in app.questions] == ["key-right"]
    assert f"{path}:10: key-wrong left out: wrong answer key" in app.warning
    assert f"{bad}:7: tolerance must be" in app.warning


@pytest.mark.slow  # loads the banks in a subprocess
def test_loading_the_bundled_banks_to_study_imports_no_torch():
    code = (
        "import sys\nfrom cnnquiz.bank import bundled_bank_paths\nfrom cnnquiz.study.load import load_for_study\n"
        "banks, warnings = load_for_study(bundled_bank_paths())\n"
        "print(sum(len(b.questions) for b in banks), len(warnings), 'torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    count, warnings, torch = out.stdout.split()
    assert int(count) > 150 and warnings == "0" and torch == "False"


def test_bank_check_messages_that_quote_the_bank_carry_no_escape(cli, tmp_path):
    path = _write(tmp_path, "var.yaml", RANGE.replace("RANGE", '[8, 16]\n      "\\e[2Jk": [1, 2]'))
    out = cli("bank", "check", "--no-verify", str(path))
    assert "var k is never used in the prompt or network" in out.stdout
    assert "\x1b" not in out.stdout
