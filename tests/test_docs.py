"""The docs show what the program prints: every generated block of README.md and docs/*.md is
rerun here and compared with the docs (tools/docs.py explains the block kinds and the masks).

When one fails, the program's output changed: run ``python tools/docs.py``, read the diff of
the docs, and commit it with the change. Every block that runs commands carries the ``slow``
marker (each starts interpreters; a training block takes many seconds); ``-m "not slow"`` leaves
them out, the full suite runs them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools import docs

BLOCKS = docs.all_blocks()
CHECKED = [b for b in BLOCKS if b.kind in ("console", "run", "file")]


@pytest.mark.parametrize(
    "block",
    # a block that runs commands takes seconds (a training block minutes); a file block is quick
    [
        pytest.param(b, id=b.name, marks=[] if b.kind == "file" else [pytest.mark.slow])
        for b in CHECKED
    ],
)
def test_block_shows_what_the_program_prints(block: docs.Block) -> None:
    new_body = docs.run_block(block)
    assert docs.matches(block, new_body), (
        f"{block.name} no longer shows what the program prints; run `python tools/docs.py`, "
        f"review and commit the docs:\n{docs.difference(block, new_body)}"
    )


def test_every_doc_has_generated_examples() -> None:
    """The README and each page of docs/ show real output, not only prose."""
    names = {b.path.name for b in BLOCKS}
    pages = {p.name for p in docs.doc_paths()}
    assert {"README.md", "students.md", "calculators.md", "instructors.md", "training.md"} <= pages
    assert pages - {"architecture.md"} <= names


def test_readme_is_a_front_door_with_the_ci_test_command() -> None:
    readme = (docs.ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 200
    assert "pytest -n 2" in readme  # .ci/run runs "the README's test command"
    for command in ("calc conv --in 200x300x3 --filters 100", "bank check", "quiz", "--plain",
                    "train --demo"):
        assert command in readme


def test_the_instructors_page_names_every_field_of_the_bank_format() -> None:
    """The bank reference cannot drift from cnnquiz/bank/schema.py: each field, type and ask."""
    from cnnquiz.bank import schema

    page = (docs.ROOT / "docs" / "instructors.md").read_text(encoding="utf-8")
    fields = {*schema.BankHead.model_fields, *schema.Defaults.model_fields,
              *schema.Question.model_fields, *schema.RangeVar.model_fields}
    missing = sorted(f for f in fields | {*schema.QUESTION_TYPES, *schema.ASKS} if f"`{f}`" not in page)
    assert not missing, f"docs/instructors.md does not describe {missing}"


def test_no_output_is_typed_by_hand() -> None:
    """A block that shows a `$ ` prompt is a console block, so its output is generated."""
    for path in docs.doc_paths():
        for block in docs.parse(path, every=True):
            if block.kind is None:
                prompts = [ln for ln in block.body if ln.startswith("$ ")]
                assert not prompts, f"{block.name}: {prompts[0]!r} outside a console block"


def test_links_between_the_docs_resolve() -> None:
    for path in docs.doc_paths():
        text = path.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if "://" in target:
                continue
            assert (path.parent / target).exists(), f"{path.name}: broken link {target}"


def test_masks_hide_timings_but_not_figures() -> None:
    """What varies between runs is masked; a changed loss, accuracy or count is not."""
    row = "    1      1.3492      35.9%    1.2746    48.7%     1,050      5.7"
    assert docs.mask(row) == docs.mask("    1      1.3492      35.9%    1.2746    48.7%       932      6.4")
    assert docs.mask(row) != docs.mask("    1      1.3494      35.8%    1.2750    48.0%     1,050      5.7")
    line = "Test accuracy 46.1% on 1,000 images (1 epochs, 5.7 s of training, 1,050 images/s, cpu)"
    assert docs.mask(line) == docs.mask(line.replace("5.7 s", "12.3 s").replace("1,050", "732"))
    assert docs.mask(line) != docs.mask(line.replace("46.1%", "46.2%"))
    assert docs.mask("Run ~/r/20261201-110927-demo-cnn") == docs.mask("Run ~/r/20270101-000000-demo-cnn")
    assert docs.mask("903,400 parameters") != docs.mask("903,401 parameters")


def test_a_changed_figure_fails_and_a_changed_timing_does_not(tmp_path: Path) -> None:
    block = _block(tmp_path, "```console\n$ echo 903,400 parameters in 5.7 s\n```\n")
    new_body = docs.run_block(block)
    assert new_body == ["$ echo 903,400 parameters in 5.7 s", "903,400 parameters in 5.7 s"]
    block.body = ["$ echo 903,400 parameters in 5.7 s", "903,400 parameters in 9.1 s"]
    assert docs.matches(block, new_body)
    block.body = ["$ echo 903,400 parameters in 5.7 s", "903,401 parameters in 5.7 s"]
    assert not docs.matches(block, new_body)


def _block(tmp_path: Path, text: str) -> docs.Block:
    page = tmp_path / "page.md"
    page.write_text(text, encoding="utf-8")
    (block,) = docs.parse(page)
    return block


def test_a_failing_command_must_show_its_status(tmp_path: Path) -> None:
    """A bad-input example is fine, with its status shown by `echo $?`, which is then checked."""
    shown = _block(tmp_path, "```console\n$ cnnquiz calc conv --in 200x300 --filters 3\n$ echo $?\n```\n")
    body = docs.run_block(shown)
    assert body[0] == "$ cnnquiz calc conv --in 200x300 --filters 3"
    assert body[1].startswith("cnnquiz: error: --in:")  # stderr is recorded too
    assert body[-2:] == ["$ echo $?", "2"]
    hidden = _block(tmp_path, "```console\n$ cnnquiz calc conv --in 200x300 --filters 3\n```\n")
    with pytest.raises(RuntimeError, match=r"exited 2: show it with `\$ echo \$\?`"):
        docs.run_block(hidden)


def test_commands_run_in_a_fixed_environment_outside_the_repository(tmp_path: Path) -> None:
    block = _block(
        tmp_path,
        "```console\n$ echo $COLUMNS $NO_COLOR $TZ $CNNQUIZ_HOME\n$ touch written.txt && ls -d examples\n```\n",
    )
    body = docs.run_block(block)
    assert body[1] == f"100 1 UTC {docs.SHOWN_HOME}"
    assert body[3] == "examples"
    assert not (docs.ROOT / "written.txt").exists()
