"""Issue 9, what an author types: terminal escapes never reach the terminal, ids that look
alike are refused, and a prompt that states its decimals agrees with the tolerance."""

from __future__ import annotations

import textwrap
from pathlib import Path

from cnnquiz.bank import check_banks, read_banks


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _errors(path: Path) -> list[tuple[int | None, str]]:
    _banks, problems = read_banks([path])
    return [(p.line, p.message) for p in problems if p.severity == "error"]


# --- 9.12: terminal escapes --------------------------------------------------------------------

ESCAPES = """\
title: "Evil \\e[2J bank"
questions:
  - id: evil
    type: choice
    prompt: "Which \\e]0;pwned\\a one?"
    choices: ["relu \\e[31m", softmax]
    answer: softmax
    topics: ["topic\\e[5m"]
    hint: "a hint \\x07"
    explanation: "because \\e[2J"
"""


def test_escapes_never_reach_the_terminal_and_bank_check_warns(cli, tmp_path):
    path = _write(tmp_path, "evil.yaml", ESCAPES)
    out = cli("quiz", str(path), "--all", "--no-record", input="?\n\x1b[2Jb\x1b[0m\nb\n")
    assert out.returncode == 0, out.stderr
    assert "\x1b" not in out.stdout and "\x07" not in out.stdout
    assert "Evil [2J bank" not in out.stdout and "Evil  bank" in out.stdout
    assert "> b\n" in out.stdout  # the echoed piped answer, stripped too
    check = cli("bank", "check", "--no-verify", str(path))
    assert check.returncode == 0
    assert "\x1b" not in check.stdout
    warned = {
        (int(x.split(":")[1]), x.split(": warning: ")[1].split(" holds")[0])
        for x in check.stdout.splitlines()
        if "holds control characters" in x
    }
    assert warned == {
        (1, "title"),
        (5, "questions.prompt"),
        (6, "questions.choices"),
        (8, "questions.topics"),
        (9, "questions.hint"),
        (10, "questions.explanation"),
    }
    assert "(U+001B), e.g. a terminal escape" in check.stdout
    assert "(U+0007)" in check.stdout


# --- 9.13: look-alike ids ----------------------------------------------------------------------

IDS = """\
title: Ids
questions:
  - {id: conv-a, type: truefalse, prompt: p, answer: true, explanation: x}
  - {id: "conv-\u0430", type: truefalse, prompt: p, answer: true, explanation: x}
  - {id: "conv-a\u200b", type: truefalse, prompt: p, answer: true, explanation: x}
  - {id: "conv-b\u202e", type: truefalse, prompt: p, answer: true, explanation: x}
  - {id: "\ufb01lter", type: truefalse, prompt: p, answer: true, explanation: x}
  - {id: filter, type: truefalse, prompt: p, answer: true, explanation: x}
  - {id: "сеть", type: truefalse, prompt: p, answer: true, explanation: x}
"""


def test_look_alike_ids_are_errors(tmp_path):
    path = _write(tmp_path, "ids.yaml", IDS)
    assert _errors(path) == [
        (
            4,
            "the id 'conv-\u0430' mixes Cyrillic and Latin letters, which look alike; write it in "
            "one script",
        ),
        (
            5,
            "the id 'conv-a\\u200b' holds invisible or control characters (U+200B); write ids "
            "with visible characters only",
        ),
        (
            6,
            "the id 'conv-b\\u202e' holds invisible or control characters (U+202E); write ids with "
            "visible characters only",
        ),
        (8, f"duplicate id 'filter'; first used at {path}:7"),
    ]
    banks, _ = read_banks([path])
    assert [q.id for q in banks[0].questions] == ["conv-a", "filter", "filter", "сеть"]


# --- 9.24: "(3 decimals)" must match the tolerance ---------------------------------------------

DECIMALS = """\
title: Decimals
questions:
  - {id: d-ok, type: numeric, prompt: "sigmoid(2)? (2 decimals)", answer: 0.88,
     tolerance: 0.005, explanation: x}
  - {id: d-loose, type: numeric, prompt: "ELU(-1)? (3 decimals)", answer: -0.632,
     tolerance: 0.002, explanation: x}
  - {id: d-relative, type: numeric, prompt: "ELU(-1) to 3 decimal places?", answer: -0.632,
     explanation: x}
  - {id: d-long, type: numeric, prompt: "ELU(-1)? (2 decimals)", answer: -0.632,
     tolerance: 0.005, explanation: x}
"""


def test_a_prompt_that_states_decimals_must_match_the_tolerance(tmp_path):
    path = _write(tmp_path, "decimals.yaml", DECIMALS)
    report = check_banks([path], verify=False)
    assert [(p.line, p.message) for p in report.warnings] == [
        (
            5,
            "d-loose: the prompt asks for 3 decimals but the tolerance 0.002 does not match; "
            "use tolerance: 0.0005 (half a unit in the last decimal) to 0.001",
        ),
        (
            7,
            "d-relative: the prompt asks for 3 decimals but the default tolerance 0.5% is "
            "relative; use tolerance: 0.0005 (half a unit in the last decimal) to 0.001",
        ),
        (9, "d-long: the prompt asks for 2 decimals but the answer has more; round it"),
    ]
