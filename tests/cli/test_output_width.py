"""Tables piped and on an 80-column terminal (issue 9 item 25).

Piped, a line is as long as its content: nothing wraps, nothing is cut, no line ends in padding.
The pipe runs with an 80-column terminal on stdin, as ``cnnquiz calc model NET | cat`` typed in a
terminal does (that terminal's width used to leak into the pipe). On a terminal (a real
pseudo-terminal, 80 columns) nothing is wider than 80 columns, optional columns go first, and
every figure is printed whole.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from datetime import UTC, datetime

import pytest
from PIL import Image
from rich.cells import cell_len

from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # runs the command line on a pseudo-terminal, trains

ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
# the variables that would tell Rich a width or a terminal: each run here sets its own
UNSET = ("COLUMNS", "LINES", "FORCE_COLOR", "TTY_COMPATIBLE", "NO_COLOR", "CLICOLOR_FORCE")

WORKED = "examples/worked.yaml"
# a wide network: long labels, big counts, and a FLOPs column
WIDE = [
    "--in",
    "224x224x3",
    "conv 64 k3 same relu; conv 512 k3 s2 same relu; maxpool 2; conv 4096 k3 same relu; gap; "
    "dense 1000 softmax",
]


def _terminal(columns: int) -> tuple[int, int]:
    """A pseudo-terminal ``columns`` wide: (controller, terminal) file descriptors."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    return controller, terminal


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    return {**env, "TERM": "xterm-256color"}


def piped(*args: str, input: str | None = None) -> str:
    """``cnnquiz ARGS | cat`` typed in an 80-column terminal: stdin is that terminal."""
    controller, terminal = _terminal(80)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "cnnquiz", *args],
            **({"input": input} if input is not None else {"stdin": terminal}),
            capture_output=True,
            env=_env(),
            cwd=ROOT,
            timeout=300,
            text=True,
        )
    finally:
        os.close(terminal)
        os.close(controller)
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


def on_terminal(*args: str, columns: int = 80) -> str:
    """``cnnquiz ARGS`` in a terminal ``columns`` wide; what the screen gets, escapes removed."""
    controller, terminal = _terminal(columns)
    proc = subprocess.Popen(
        [sys.executable, "-m", "cnnquiz", *args],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=_env(),
        cwd=ROOT,
    )
    os.close(terminal)
    chunks, deadline = [], time.monotonic() + 300
    try:
        while True:
            ready, _, _ = select.select([controller], [], [], max(0, deadline - time.monotonic()))
            if not ready:
                proc.kill()
                pytest.fail(f"cnnquiz {' '.join(args)} still running after 300 s")
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal closed: the program has ended
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(controller)
    assert proc.wait(timeout=60) in (0, 1)
    text = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    return ESCAPES.sub("", text)


def assert_whole_lines(text: str) -> None:
    assert text.strip()
    assert "…" not in text
    for line in text.splitlines():
        assert line == line.rstrip(), f"padded line: {line!r}"


def assert_fits(text: str, columns: int = 80) -> None:
    assert text.strip()
    assert "…" not in text
    for line in text.splitlines():
        assert cell_len(line) <= columns, f"{cell_len(line)} columns: {line!r}"


def _json(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "cnnquiz", *args, "--json", NO_TORCH],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=ROOT,
        timeout=300,
    )
    return json.loads(done.stdout)


def _rows(text: str, report: dict, whole_labels: bool = True) -> None:
    """Every layer's output shape and counts stand whole on the row of that layer; piped, its
    label too (on a narrow terminal a label may break between words, as the last resort)."""
    from cnnquiz.net.units import fmt_int

    lines = text.splitlines()
    for layer in report["layers"]:
        figures = [layer["output_shape"]]
        if "params" in layer:
            figures += [fmt_int(layer["params"]), fmt_int(layer["macs"])]
        if "field" in layer:
            figures.append(layer["field"])
        label = layer["label"] if whole_labels else layer["label"].split()[0]
        start = rf"^(\d+ +)?{re.escape(label)}\s"
        row = [
            line
            for line in lines
            if re.search(start, line)
            and all(re.search(rf"(^|\s){re.escape(f)}(\s|$)", line) for f in figures)
        ]
        assert row, f"no row for {layer['label']!r} with {figures} in\n{text}"


NO_TORCH = "--no-verify"  # torch takes seconds to import; the one verified run shows Torch
CALC = [
    ["calc", "conv", "--in", "200x300x3", "--filters", "100", "--stride", "2", NO_TORCH],
    ["calc", "pool", "--in", "100x150x100", "--size", "2", NO_TORCH],
    ["calc", "dense", "--in", "1024", "--units", "64", NO_TORCH],
    ["calc", "flatten", "--in", "4x4x64", "--units", "10", NO_TORCH],
    ["calc", "gap", "--in", "4x4x64", "--units", "10", NO_TORCH],
    ["calc", "model", WORKED, NO_TORCH],
    ["calc", "model", *WIDE, "--flops", NO_TORCH],
    ["calc", "receptive", WORKED],
    ["calc", "receptive", *WIDE, NO_TORCH],
]


@pytest.mark.parametrize("argv", CALC, ids=lambda a: " ".join(a[:2]))
def test_calc_piped_is_whole_lines(argv):
    text = piped(*argv)
    assert_whole_lines(text)
    if argv[1] in ("model", "receptive"):
        report = _json(*argv)
        _rows(text, report)
        assert any(len(line) > 80 for line in text.splitlines())  # not wrapped at stdin's 80
        if argv[1] == "receptive":
            assert "Working" in text and "1 + (3 - 1)" in text
        if "--flops" in argv:
            assert "FLOPs" in text


@pytest.mark.parametrize("argv", CALC, ids=lambda a: " ".join(a[:2]))
def test_calc_on_an_80_column_terminal_fits_and_keeps_every_figure(argv):
    text = on_terminal(*argv)
    assert_fits(text)
    if argv[1] in ("model", "receptive"):
        # the wide network does not fit even without FLOPs and #: its labels then wrap
        _rows(text, _json(*argv), whole_labels=WIDE[-1] not in argv)
    if argv[1] == "receptive":
        assert "left out to fit 80 columns: Working" in text


def test_receptive_at_80_columns_drops_working_but_never_cuts_a_shape():
    """The issue's case: output shapes were cut to "30x3…" at 80 columns; 140 have room."""
    args = ["calc", "receptive", "--in", "32x32x3", "conv 8; conv 8; conv 8", NO_TORCH]
    text = on_terminal(*args)
    assert_fits(text)
    assert re.search(r"^1 +Conv2D 8 3x3 valid +30x30x8 +3x3 +1x1 +1x1 +3x3$", text, re.M)
    assert "Working" not in text.split("(left out")[0]
    wide = on_terminal(*args, columns=140)
    assert "Working" in wide and "left out" not in wide


def test_model_at_80_columns_keeps_the_layer_on_one_row():
    text = on_terminal("calc", "model", WORKED, NO_TORCH)
    assert_fits(text)
    assert re.search(r"^Conv2D 100 3x3 s2 same +100x150x100 +2,800 +40,500,000 +6 MB$", text, re.M)
    assert "(left out to fit 80 columns: #)" in text


def test_bank_check_piped_and_on_a_terminal():
    """Its lines are messages, not a table: whole, never cut (a terminal folds a long one)."""
    args = ["bank", "check", "tests/fixtures/banks/minimal.yaml", "--no-verify"]
    assert_whole_lines(piped(*args))
    screen = on_terminal(*args)
    assert "…" not in screen and "minimal.yaml:4: warning: min-numeric: no explanation" in screen


def _answers() -> None:
    from cnnquiz.progress import Progress

    now = datetime.now(UTC)
    with Progress() as p:
        p.record(
            "conv-a", "Bank", ["convolution", "a-rather-long-topic-name"], "correct", "4", now=now
        )
        p.record("conv-b", "Bank", ["pooling"], "wrong", "5", now=now)


def test_stats_piped_and_on_a_terminal():
    _answers()
    text = piped("stats", "--days", "3")
    assert_whole_lines(text)
    assert "a-rather-long-topic-name" in text and "Accuracy per topic" in text
    screen = on_terminal("stats", "--days", "3")
    assert_fits(screen)
    assert "a-rather-long-topic-name" in screen


def test_quiz_score_piped():
    from cnnquiz.bank import load_banks

    bank = load_banks([ROOT / "tests/fixtures/banks/minimal.yaml"])[0]
    answers = "skip\n" * len(bank.questions)
    text = piped("quiz", "--plain", "--no-record", "tests/fixtures/banks/minimal.yaml", input=answers)
    score = text[text.index("Score:") :]
    assert_whole_lines(score)


def _images(root):
    for split in ("train", "valid", "test"):
        for i in range(4):
            for name, colour in (("car", (220, 30, 30)), ("truck", (30, 30, 220))):
                path = root / split / name / f"{i}.png"
                path.parent.mkdir(parents=True, exist_ok=True)
                Image.new("RGB", (20, 20), colour).save(path)
    return root


def test_train_summary_and_runs_piped_and_on_a_terminal(tmp_path):
    images, runs = _images(tmp_path / "cars"), tmp_path / "runs"
    fast = ["--epochs", "1", "--batch", "8", "--size", "16", "--threads", "1"]
    text = piped("train", "--data", str(images), *fast, "--runs-dir", str(runs))
    assert_whole_lines(text)
    assert "Confusion matrix" in text and "textbook estimate" in text
    # the memory table's label is one line, beside its figure
    assert re.search(
        r"^peak RSS of the whole process \(Python, torch, the dataset\) +[\d.]+ MB$", text, re.M
    )
    assert_whole_lines(piped("runs", "--runs-dir", str(runs)))
    screen = on_terminal("runs", "--runs-dir", str(runs))
    assert_fits(screen)
    assert "finished" in screen or "%" in screen


# The mechanism itself, in process: the console and print_table every command above uses.


def _console_at(monkeypatch, columns: int | None):
    """The commands' console, on a terminal ``columns`` wide (None: piped)."""
    from cnnquiz.cli.common import console

    for name in UNSET:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    if columns is not None:
        monkeypatch.setenv("TTY_COMPATIBLE", "1")
        monkeypatch.setenv("COLUMNS", str(columns))
    else:
        monkeypatch.setenv("TTY_COMPATIBLE", "0")
    return console()


def _figures_table():
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for name in ("name", "a", "b", "note"):
        table.add_column(name, justify="left" if name in ("name", "note") else "right")
    table.add_row("first row", "123,456,789,012", "987,654,321,098", "said in words")
    return table


def test_optional_columns_go_in_order_until_the_table_fits(monkeypatch, capsys):
    from cnnquiz.cli.common import print_table

    print_table(_console_at(monkeypatch, 50), _figures_table(), optional=("note", "b", "a"))
    out = ESCAPES.sub("", capsys.readouterr().out)
    assert "123,456,789,012" in out and "987,654,321,098" in out and "note" not in out.split("(")[0]
    assert "(left out to fit 50 columns: note)" in out
    assert_fits(out, 50)


def test_a_table_too_wide_even_without_its_optional_columns_is_printed_whole(monkeypatch, capsys):
    from cnnquiz.cli.common import print_table

    out = _console_at(monkeypatch, 20)
    print_table(out, _figures_table(), wrap=("name",))
    out.print("after")
    out = ESCAPES.sub("", capsys.readouterr().out)
    lines = out.splitlines()
    assert lines[-2:] == ["row", "after"]
    assert "…" not in out and "123,456,789,012" in out and "987,654,321,098" in out
    assert lines[1].startswith("first") and "said in words" in lines[1]  # wider, not cut


def test_a_cell_wider_than_the_terminal_is_measured_whole(monkeypatch, capsys):
    from rich.table import Table

    from cnnquiz.cli.common import print_table

    table = Table(box=None, pad_edge=False)
    table.add_column("shape")
    table.add_column("note")
    table.add_row("x".join(["1234567"] * 4), "words")
    print_table(_console_at(monkeypatch, 20), table, optional=("note",))
    out = ESCAPES.sub("", capsys.readouterr().out)
    assert "1234567x1234567x1234567x1234567" in out and "…" not in out


def test_piped_console_has_no_width_and_a_rule_stays_80_wide(monkeypatch, capsys):
    out = _console_at(monkeypatch, None)
    out.print("word " * 100)
    out.rule("heading")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ("word " * 100).rstrip()
    assert len(lines[1]) == 80 and "heading" in lines[1]


def test_trailing_spaces_are_stripped_behind_style_codes_too(monkeypatch, capsys):
    from rich.text import Text

    from cnnquiz.cli.common import console

    for name in UNSET:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")  # colour into a pipe (for less -R): still no padding
    out = console()
    out.print(Text("bold   ", style="bold"))
    out.print(Text("plain  "), Text("red  ", style="red"))
    text = capsys.readouterr().out
    assert "\x1b[" in text and "bold" in text and "red" in text
    assert not re.search(r" (\x1b\[[0-9;]*m)*\n", text), repr(text)


def test_printing_while_a_progress_display_runs_goes_through_once(monkeypatch, capsys):
    """Rich swaps sys.stdout for a proxy during a live display: no loop, no lost line."""
    from rich.progress import Progress

    out = _console_at(monkeypatch, 80)
    with Progress(console=out, transient=True) as progress:
        progress.add_task("epoch 1", total=2)
        print("a line printed meanwhile   ")
    text = ESCAPES.sub("", capsys.readouterr().out)
    assert "a line printed meanwhile\n" in text.replace("\r", "")
