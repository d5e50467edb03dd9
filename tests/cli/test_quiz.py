"""The plain quiz driven through a pipe, as a script or a screen reader would use it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cnnquiz.bank import load_bank

DATA = Path(__file__).parents[1] / "fixtures" / "banks"
PLAIN = str(DATA / "plain.yaml")


def test_a_whole_quiz_through_a_pipe(cli):
    out = cli(
        "quiz", PLAIN, "--all", "--seed", "1", "--no-record", input="?\n?\n?\nabc\n2800\nb\nno\n"
    )
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert text.startswith("cnnquiz quiz: 3 questions (seed 1: --seed 1 repeats this quiz)\n")
    assert "Question 1 of 3 · Plain questions · basics, convolution\n" in text
    assert "Hint: Each filter spans all 3 channels.\n" in text
    assert "Hint: One bias per filter.\n" in text
    assert "No more hints.\n" in text
    assert (
        "Not an answer: 'abc' is not a number; type one like 2800, 2,800, 2.8k or 3.6 MB. Try again.\n"
        in text
    )
    assert "Correct: 2,800\n" in text
    assert "  a) Mean squared error\n  b) Binary cross-entropy\n" in text
    assert "Correct: B) Binary cross-entropy\n" in text
    assert "Correct: false\n" in text
    assert text.endswith(
        "Score: 3 of 3 correct (100%)\n"
        "  basics       3/3  100%\n"
        "  convolution  1/1  100%\n"
        "  losses       1/1  100%\n"
    )


def test_wrong_answers_get_feedback_and_the_explanation(cli):
    out = cli("quiz", PLAIN, "--all", "--seed", "1", "--no-record", input="2700\na\nskip\n")
    assert out.returncode == 0
    text = out.stdout
    assert "Wrong: expected 2,800.\nWhy: you forgot the bias: 2,700 + 100 = 2,800" in text
    assert "Explanation:\n  (3·3·3 + 1)·100 = 2,800\n" in text
    assert "Why: MSE treats the probability as a regression target.\n" in text
    assert "Skipped. The answer: false\n" in text
    assert "Score: 0 of 3 correct (0%, 1 skipped)\n" in text


def test_end_of_input_ends_with_the_score_so_far(cli):
    out = cli("quiz", PLAIN, "--all", "--no-record", input="2,800\n")
    assert out.returncode == 0
    assert out.stdout.endswith(
        "Score: 1 of 1 correct (100%)\n  basics       1/1  100%\n  convolution  1/1  100%\n"
    )


@pytest.mark.slow  # the quiz in a subprocess
def test_ctrl_c_ends_cleanly_with_the_score(tmp_path):
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "cnnquiz", "quiz", PLAIN, "--all", "--no-record"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdin and proc.stdout
    proc.stdin.write("2800\n")
    proc.stdin.flush()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith("Question 2 of 3") or not line:
            break
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    rest, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Score: 1 of 1 correct (100%)" in rest
    assert "Traceback" not in err


def test_answers_are_recorded_unless_no_record(cli, _isolated_home):
    from cnnquiz.progress import Progress

    out = cli("quiz", PLAIN, "--all", "--seed", "4", input="2700\nabc\nb\n")
    assert out.returncode == 0, out.stderr
    with Progress() as progress:
        attempts = progress.attempts()
    assert sorted((a.question_id, a.verdict) for a in attempts) == [
        ("plain-loss", "correct"),
        ("plain-params", "wrong"),
    ]  # the invalid "abc" counted nothing
    cli("quiz", PLAIN, "--all", "--no-record", input="2800\n")
    with Progress() as progress:
        assert len(progress.attempts()) == 2


@pytest.mark.slow  # the quiz in a subprocess
def test_a_plain_quiz_does_not_import_torch():
    code = (
        "import io, sys\nsys.stdin = io.StringIO('2800\\n')\nfrom cnnquiz.cli import main\n"
        f"main(['quiz', {PLAIN!r}, '--all', '--no-record'])\nprint('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_topic_filter_and_unknown_topic(cli):
    out = cli("quiz", PLAIN, "--topic", "loss", "--no-record", input="b\n")
    assert "Question 1 of 1 · Plain questions · basics, losses" in out.stdout
    bad = cli("quiz", PLAIN, "--topic", "gardening", "--no-record", input="")
    assert bad.returncode == 2
    assert (
        bad.stderr
        == "cnnquiz: error: --topic: no questions on 'gardening'; topics: basics, convolution, losses\n"
    )


def test_bad_bank_is_one_line_exit_2(cli, tmp_path):
    bank = tmp_path / "bad.yaml"
    bank.write_text(
        "title: t\nquestions:\n  - id: a\n    type: numeric\n    prompt: p\n", encoding="utf-8"
    )
    out = cli("quiz", str(bank), input="")
    assert out.returncode == 2
    assert out.stderr == f"cnnquiz: error: {bank}:4: missing answer\n"


def test_same_seed_same_quiz(cli):
    a = cli(
        "quiz", str(DATA / "worked.yaml"), "--seed", "9", "--count", "2", "--no-record", input=""
    )
    b = cli(
        "quiz", str(DATA / "worked.yaml"), "--seed", "9", "--count", "2", "--no-record", input=""
    )
    assert a.stdout == b.stdout and "Question 1 of" in a.stdout


def test_count_counts_a_multi_part_item_once_as_the_app_does(cli):
    """``--count`` and the app's exam follow one rule (cnnquiz.study.select): units."""
    from cnnquiz.study.select import select_questions

    out = cli("quiz", str(DATA / "worked.yaml"), "--count", "3", "--no-record", input="")
    assert out.stdout.startswith("cnnquiz quiz: 3 questions, 12 answers with the parts (seed ")
    questions = load_bank(DATA / "worked.yaml").questions
    for seed in (1, 5):  # with the worked item, then without
        chosen = select_questions("exam", questions, None, count=2, seed=seed)
        args = ("--count", "2", "--seed", str(seed), "--no-record")
        out = cli("quiz", str(DATA / "worked.yaml"), *args, input="")
        parts = f", {len(chosen)} answers with the parts" if len(chosen) > 2 else ""
        assert out.stdout.startswith(f"cnnquiz quiz: 2 questions{parts} (seed {seed}:")
        assert f"Question 1 of {len(chosen)} · " in out.stdout


def test_plain_text_rewraps_paragraphs_and_keeps_code_and_tables():
    from cnnquiz.cli.quiz import plain_text

    md = (
        "**Working** (from the calculator):\n\n- layer 1: output height = ceil(200 / 2) = 100 and\n"
        "  the width follows\n\n```\nconv 100 k3\n```\n| a | b |\n|---|---|\nThe total is\n"
        "903,400 parameters."
    )
    assert plain_text(md, indent="  ", width=41).splitlines() == [
        "  Working (from the calculator):",
        "",
        "  - layer 1: output height = ceil(200 /",
        "    2) = 100 and the width follows",
        "",
        "  conv 100 k3",
        "  | a | b |",
        "  |---|---|",
        "  The total is 903,400 parameters.",
    ]


def _in_a_terminal(args: list[str], term: str, steps: list[tuple[bytes, bytes]]) -> bytes:
    """``cnnquiz ARGS`` on a pseudo-terminal, as a student's shell runs it. Each step waits for
    its text on the screen, then types its key; returns everything written until the exit."""
    import pty
    import select

    main_fd, child_fd = pty.openpty()
    env = {**os.environ, "TERM": term, "COLUMNS": "80", "LINES": "24"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "cnnquiz", *args],
        stdin=child_fd,
        stdout=child_fd,
        stderr=child_fd,
        env=env,
        close_fds=True,
    )
    os.close(child_fd)
    seen = b""
    pending = list(steps)
    mark = 0  # keys wait for text written after the previous key
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if pending and pending[0][0] in seen[mark:]:
                mark = len(seen)
                os.write(main_fd, pending.pop(0)[1])
            ready, _, _ = select.select([main_fd], [], [], 0.2)
            if not ready:
                continue
            try:
                chunk = os.read(main_fd, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(main_fd)
    return seen


@pytest.mark.slow  # the quiz in a subprocess
def test_on_a_terminal_the_quiz_is_full_screen_and_prints_the_score_after():
    out = _in_a_terminal(
        ["quiz", PLAIN, "--all", "--seed", "1", "--no-record"],
        "xterm-256color",
        [(b"e.g. 2800", b"2800\r"), (b"Correct", b"\r"), (b"2 of 3", b"\x11")],  # Ctrl-Q quits
    )
    assert b"\x1b[?1049h" in out  # the app took the alternate screen
    text = out.decode(errors="replace").replace("\r\n", "\n")
    assert "Score: 1 of 1 correct (100%)" in text
    assert "Traceback" not in text


@pytest.mark.slow  # the quiz in a subprocess
def test_term_dumb_gets_the_quiz_line_by_line_even_on_a_terminal():
    out = _in_a_terminal(
        ["quiz", PLAIN, "--all", "--seed", "1", "--no-record"], "dumb", [(b"> ", b"\x04")]
    )
    text = out.decode(errors="replace").replace("\r\n", "\n")
    assert b"\x1b[?1049h" not in out
    assert "Question 1 of 3" in text and "No questions answered." in text


def test_an_answer_the_store_refuses_is_a_warning_not_a_crash(tmp_path, capsys):
    import io

    from cnnquiz.cli.quiz import run_plain
    from cnnquiz.progress import Progress
    from tests.fakes import held_write_lock

    questions = load_bank(PLAIN).questions
    progress = Progress(tmp_path / "p.sqlite3")
    out = io.StringIO()
    with held_write_lock(progress):
        session = run_plain(questions[:1], 1, progress, io.StringIO("2800\n"), out)
    assert "Correct: 2,800" in out.getvalue() and session.correct == 1
    assert capsys.readouterr().err == (
        f"cnnquiz: warning: {progress.path}: answer not saved: "
        "the database was locked by another program for too long\n"
    )
    assert progress.attempts() == []


@pytest.mark.slow  # the quiz in a subprocess
def test_full_screen_scores_a_bank_without_topics():
    """Issue 9.1: the score after the full-screen quiz crashed on max() of no topics."""
    minimal = str(DATA / "minimal.yaml")
    out = _in_a_terminal(
        ["quiz", minimal, "--all", "--seed", "1", "--no-record"],
        "xterm-256color",
        [(b"3x3 conv", b"10\r"), (b"Correct", b"\r"), (b"2 of 7", b"\x11")],
    )
    text = out.decode(errors="replace").replace("\r\n", "\n")
    assert "Score: 1 of 1 correct (100%)" in text
    assert "Traceback" not in text
