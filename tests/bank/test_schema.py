"""Every schema error is reported, all in one pass, each with the line where it was written."""

from __future__ import annotations

import textwrap

import pytest

from cnnquiz.bank import load_banks, read_banks
from cnnquiz.errors import CnnquizError

BAD = textwrap.dedent(
    """\
    title: Broken on purpose
    questions:
      - id: unknown-field
        type: numeric
        prompt: How many?
        awnser: 3
      - id: wrong-type
        type: numeric
        prompt: How many?
        answer: 3
        difficulty: hard
      - id: missing-answer
        type: numeric
        prompt: How many?
      - id: choice-not-among
        type: choice
        prompt: Which?
        choices: [Red, Green, Blue]
        answer: Purple
      - id: bad-network
        type: numeric
        prompt: Parameters?
        answer: 10
        ask: params
        network:
          input: 32x32x3
          layers:
            - conv: {filters: 8, kernel: -3}
      - id: unknown-var
        type: computed
        prompt: "A {h}x{h}x3 image through {f} filters of {k}x{k}?"
        vars: {h: [32, 64], f: [8, 16]}
        network: {input: "{h}x{h}x3", layers: [conv: {filters: "{f}", kernel: 3}]}
        ask: params
      - id: unknown-type
        type: essay
        prompt: Write.
      - id: no-prompt
        type: truefalse
        answer: true
      - id: kernel-too-big
        type: shape
        prompt: Output?
        answer: 1x1x1
        ask: output_shape
        network: {input: 2x2x1, layers: [conv: {filters: 1, kernel: 3}]}
      - id: bad-pattern
        type: text
        prompt: Name?
        answer: x
        pattern: "(unclosed"
      - id: wrong-kind
        type: numeric
        prompt: Shape?
        answer: 3
        ask: output_shape
        network: {input: 5x5x1, layers: [conv: {filters: 1, kernel: 3}]}
      - id: dup-in-bank
        type: truefalse
        prompt: First.
        answer: true
        explanation: fine
      - id: dup-in-bank
        type: truefalse
        prompt: Second.
        answer: false
        explanation: fine
    """
)

OTHER = textwrap.dedent(
    """\
    title: Another bank
    questions:
      - id: elsewhere
        type: truefalse
        prompt: Fine.
        answer: true
        explanation: fine
      - id: wrong-type
        type: truefalse
        prompt: Same id as in the first bank.
        answer: true
        explanation: fine
    """
)


def _line(text: str, marker: str, after: str | None = None) -> int:
    lines = text.splitlines()
    start = 0
    if after:
        start = next(i for i, ln in enumerate(lines) if after in ln)
    return next(i for i, ln in enumerate(lines) if i >= start and marker in ln) + 1


@pytest.fixture
def problems(tmp_path):
    (tmp_path / "a.yaml").write_text(BAD, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(OTHER, encoding="utf-8")
    _banks, found = read_banks([tmp_path])
    return [(p.path.rsplit("/", 1)[-1], p.line, p.message) for p in found if p.severity == "error"]


EXPECTED = [
    ("a.yaml", ("awnser: 3", None), "unknown field 'awnser' (did you mean answer?)"),
    ("a.yaml", ("type: numeric", "id: unknown-field"), "missing answer"),  # checked without awnser
    ("a.yaml", ("difficulty: hard", None), "difficulty: input should be a valid integer"),
    ("a.yaml", ("type: numeric", "id: missing-answer"), "missing answer"),
    ("a.yaml", ("answer: Purple", None), "the answer 'Purple' is not among the choices"),
    ("a.yaml", ("kernel: -3", None), "kernel must be a positive integer"),
    ("a.yaml", ('prompt: "A {h}', None), "unknown var {k} in prompt; the vars are h, f"),
    ("a.yaml", ("type: essay", None), "type: 'essay' is not one of"),
    ("a.yaml", ("- id: no-prompt", None), "missing field 'prompt'"),
    ("a.yaml", ("conv: {filters: 1, kernel: 3}]}", "id: kernel-too-big"), "window does not fit"),
    ("a.yaml", ('pattern: "(unclosed"', None), "pattern is not a valid regular expression"),
    (
        "a.yaml",
        ("ask: output_shape", "id: wrong-kind"),
        "ask output_shape gives a shape answer; use type: shape",
    ),
    ("a.yaml", ("- id: dup-in-bank", "prompt: First."), "duplicate id 'dup-in-bank'"),
    ("b.yaml", ("- id: wrong-type", None), "duplicate id 'wrong-type'; first used at"),
]


@pytest.mark.parametrize(("file", "marker", "message"), EXPECTED, ids=[e[2][:40] for e in EXPECTED])
def test_error_with_its_line(problems, file, marker, message):
    text = BAD if file == "a.yaml" else OTHER
    line = _line(text, *marker)
    hits = [p for p in problems if p[0] == file and message in p[2]]
    assert hits, f"no {message!r} in {problems}"
    assert any(p[1] == line for p in hits), f"{message!r} expected at line {line}, got {hits}"


def test_all_problems_in_one_pass(problems):
    assert len(problems) == len(EXPECTED)


def test_yaml_syntax_error_has_its_line(tmp_path):
    bank = tmp_path / "syntax.yaml"
    bank.write_text(
        "title: x\nquestions:\n  - id: a\n    prompt: [unclosed\n    type: numeric\n",
        encoding="utf-8",
    )
    _banks, found = read_banks([bank])
    assert len(found) == 1
    assert found[0].message.startswith("YAML syntax error")
    assert found[0].line is not None and found[0].line >= 4


def test_not_a_bank(tmp_path):
    bank = tmp_path / "list.yaml"
    bank.write_text("- just\n- a list\n", encoding="utf-8")
    _banks, found = read_banks([bank])
    assert [(p.line, p.severity) for p in found] == [(1, "error")]
    assert "title and questions" in found[0].message


def test_load_banks_raises_the_first_error_as_file_line(tmp_path):
    (tmp_path / "a.yaml").write_text(BAD, encoding="utf-8")
    with pytest.raises(CnnquizError) as exc:
        load_banks([tmp_path / "a.yaml"])
    assert str(exc.value).startswith(f"{tmp_path / 'a.yaml'}:6: unknown field 'awnser'")


def test_missing_path_is_an_error(tmp_path):
    _banks, found = read_banks([tmp_path / "nope.yaml"])
    assert found[0].message == "no such file or folder"


def test_warnings_are_apart_from_errors(tmp_path):
    bank = tmp_path / "w.yaml"
    bank.write_text(
        "title: w\nquestions:\n  - id: no-explanation\n    type: truefalse\n    prompt: p\n    answer: true\n",
        encoding="utf-8",
    )
    _banks, found = read_banks([bank])
    assert [(p.line, p.severity, p.kind) for p in found] == [(3, "warning", "style")]
    assert "no explanation" in found[0].message


def test_unknown_unit_and_optimizer_have_their_lines(tmp_path):
    bank = tmp_path / "units.yaml"
    bank.write_text(
        textwrap.dedent(
            """\
            title: units
            questions:
              - id: u1
                type: numeric
                prompt: p
                answer: 3
                unit: megabytes
                explanation: e
              - id: u2
                type: numeric
                prompt: p
                answer: 3
                network: {input: 8x8x1, layers: [conv: {filters: 1}]}
                ask: ram_train
                optimizer: lion
                explanation: e
              - id: u3
                type: computed
                prompt: "{f}"
                vars: {f: [1, 2]}
                network: {input: 8x8x1, layers: [conv: {filters: "{f}"}]}
                ask: params
                unit: parsecs
                explanation: e
            """
        ),
        encoding="utf-8",
    )
    _banks, found = read_banks([bank])
    assert [(p.line, p.message.split(";")[0]) for p in found] == [
        (7, "unknown unit 'megabytes'"),
        (15, "unknown optimizer 'lion'"),
        (23, "unknown unit 'parsecs'"),
    ]


def test_mirrors_names_the_question_in_another_language_and_its_parts_follow(tmp_path):
    path = tmp_path / "nl.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            title: Nederlands
            language: nl
            questions:
              - id: conv-gewichten
                mirrors: conv-params-basic
                type: numeric
                prompt: Hoeveel gewichten?
                answer: 2800
                explanation: 3*3*3*100 + 100
              - id: item
                mirrors: exam-item
                type: numeric
                prompt: Een laag.
                parts:
                  - id: a
                    prompt: Hoeveel?
                    answer: 1
                    explanation: een
                  - id: b
                    mirrors: other/b2
                    prompt: Hoeveel?
                    answer: 2
                    explanation: twee
            """
        )
    )
    [bank] = load_banks([path])
    assert bank.language == "nl"
    assert [(q.id, q.mirrors) for q in bank.questions] == [
        ("conv-gewichten", "conv-params-basic"),
        ("item/a", "exam-item/a"),
        ("item/b", "other/b2"),
    ]
