"""Reading YAML and files safely: alias bombs, duplicate keys, huge integers, devices and pipes.

Every bank, spec and run file is read by ``cnnquiz.yamlio``; these tests attack it directly
and through the commands people run (``bank check``, ``quiz``, ``calc model``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cnnquiz import yamlio
from cnnquiz.bank import bundled_bank_paths
from cnnquiz.errors import SpecError
from cnnquiz.limits import MAX_FILE_BYTES, MAX_YAML_NODES

DATA = Path(__file__).parent / "data" / "banks"


def laughs(indent: str = "", levels: int = 9) -> tuple[list[str], str]:
    """A 'billion laughs' chain: each anchor is a list of 9 aliases of the one before (9^levels)."""
    lines = [f'{indent}l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        lines.append(f"{indent}l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]")
    return lines, f"l{levels - 1}"


def bomb_bank(tmp_path: Path) -> Path:
    chain, last = laughs("      ")
    text = "\n".join([
        "title: Bomb",
        "questions:",
        "  - id: q1",
        "    type: numeric",
        "    prompt: How many?",
        "    answer: 3",
        "    hint:",
        "      x: 1",
        *chain,
        f"    topics: *{last}",
    ]) + "\n"
    path = tmp_path / "bomb.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def bomb_spec(tmp_path: Path) -> Path:
    chain, last = laughs("  ")
    text = "\n".join(["input: 8x8x3", "layers:", "  - flatten: {}", "train:", *chain, f"name: *{last}"])
    path = tmp_path / "bomb-net.yaml"
    path.write_text(text + "\n", encoding="utf-8")
    return path


def test_bomb_is_refused_by_the_loader_naming_the_file():
    chain, last = laughs()
    text = "\n".join([*chain, f"all: *{last}"])
    assert len(text) < 700
    with pytest.raises(SpecError) as err:
        yamlio.loads(text, "bomb.yaml")
    assert err.value.where.startswith("bomb.yaml:")
    assert f"more than {MAX_YAML_NODES:,} values" in err.value.message


def test_the_app_paste_path_is_protected_too():
    # the calculator screen parses what is pasted with yamlio.loads, then the spec parser
    from cnnquiz.app.screens.calculator_work import parse_calculator

    chain, last = laughs("  ")
    text = "\n".join(["input: 8x8x3", "layers: [flatten]", "train:", *chain, f"name: *{last}"])
    with pytest.raises(SpecError, match="billion laughs"):
        parse_calculator("8x8x3", text)
    chain, last = laughs("    ")
    items = "\n".join(["- flatten", "- dense:", "    units: 2", "    x:", *chain, f"    y: *{last}"])
    with pytest.raises(SpecError, match="billion laughs"):
        parse_calculator("8x8x3", items)
    with pytest.raises(SpecError, match="got a 5,000-digit number"):
        parse_calculator("8x8x3", "conv " + "9" * 5000)
    with pytest.raises(SpecError, match="got a 5,000-digit number"):
        parse_calculator("9" * 5000 + "x3x3", "conv 3")


def test_bomb_bank_is_refused_by_bank_check_and_quiz(cli, tmp_path):
    bank = bomb_bank(tmp_path)
    out = cli("bank", "check", str(bank), "--no-verify", timeout=60)
    assert out.returncode == 2
    assert f"{bank}:" in out.stdout and "billion laughs" in out.stdout
    out = cli("quiz", "--plain", str(bank), input="", timeout=60)
    assert out.returncode == 2
    assert "billion laughs" in out.stderr and "Traceback" not in out.stderr


def test_bomb_spec_is_refused_by_calc_model(cli, tmp_path):
    spec = bomb_spec(tmp_path)
    out = cli("calc", "model", str(spec), "--no-verify", timeout=60)
    assert out.returncode == 2
    assert out.stderr.startswith(f"cnnquiz: error: {spec}:")
    assert "billion laughs" in out.stderr and len(out.stderr.splitlines()) == 1


def test_a_shared_anchor_of_ordinary_size_still_loads():
    data = yamlio.loads("base: &b {kernel: 3, stride: 2}\nconv1: *b\nconv2: *b\n")
    assert data["conv1"] == data["conv2"] == {"kernel": 3, "stride": 2}


def test_recursive_aliases_and_deep_nesting_are_refused():
    with pytest.raises(SpecError, match="refers to the list or mapping it is in"):
        yamlio.loads("a: &a [1, *a]\n", "r.yaml")
    with pytest.raises(SpecError, match="nest more than"):
        yamlio.loads("[" * 300 + "]" * 300, "deep.yaml")
    with pytest.raises(SpecError, match="deep.yaml"):
        yamlio.loads("[" * 100_000 + "]" * 100_000, "deep.yaml")


def test_bundled_banks_fit_well_inside_the_limits():
    for path in bundled_bank_paths():
        loader = yamlio._Loader(path.read_text(encoding="utf-8"))
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
        stack, count = [root], 0
        while stack:
            node = stack.pop()
            count += 1
            stack.extend(yamlio._children(node))
        assert count * 100 < MAX_YAML_NODES, path
        yamlio.load(path)


# --- duplicate keys ---------------------------------------------------------------------------


def test_duplicate_keys_name_both_lines():
    text = "id: q1\nanswer: 3\nprompt: p\nanswer: 4\n"
    with pytest.raises(SpecError) as err:
        yamlio.loads(text, "bank.yaml")
    assert str(err.value) == "bank.yaml:4: duplicate key 'answer' (first at line 2)"


def test_duplicate_keys_in_a_bank_are_reported_by_bank_check(cli, tmp_path):
    bank = tmp_path / "dup.yaml"
    bank.write_text(
        "title: Dup\nquestions:\n  - id: q1\n    type: numeric\n    prompt: How many?\n"
        "    answer: 3\n    answer: 4\n",
        encoding="utf-8",
    )
    out = cli("bank", "check", str(bank), "--no-verify")
    assert out.returncode == 2
    assert f"{bank}:7: error: duplicate key 'answer' (first at line 6)" in out.stdout


def test_merge_keys_may_still_be_overridden():
    data = yamlio.loads("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  x: 5\n")
    assert data["c"] == {"x": 5, "y": 2}
    with pytest.raises(SpecError, match="m.yaml:4: duplicate key 'x' .first at line 3."):
        yamlio.loads("c:\n  <<: {x: 1}\n  x: 2\n  x: 3\n", "m.yaml")


# --- numbers Python cannot read -------------------------------------------------------------


@pytest.mark.parametrize("number", ["9" * 5000, "-" + "9" * 4400, "0x" + "f" * 4000, "1:" * 50_000 + "1"])
def test_integers_past_the_digit_limit_are_one_line_errors(number):
    with pytest.raises(SpecError) as err:
        yamlio.loads(f"title: t\nanswer: {number}\n", "big.yaml")
    assert err.value.where == "big.yaml:2"
    assert "4,300-digit limit" in err.value.message and len(str(err.value)) < 200


def test_bank_answer_of_5000_digits_is_reported_not_a_crash(cli, tmp_path):
    bank = tmp_path / "big.yaml"
    bank.write_text(
        "title: Big\nquestions:\n  - id: q1\n    type: numeric\n    prompt: How many?\n"
        f"    answer: {'9' * 5000}\n",
        encoding="utf-8",
    )
    out = cli("bank", "check", str(bank), "--no-verify")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert f"{bank}:6: error: a whole number past the 4,300-digit limit" in out.stdout


@pytest.mark.parametrize(
    ("text", "message"),
    [("date: 2020-13-45", "cannot read '2020-13-45' as a date: month must be in 1..12"),
     ("date: 0000-01-01", "cannot read '0000-01-01' as a date: year 0 is out of range"),
     ("x: !!float abc", "cannot read 'abc' as a number"),
     ("x: !!int abc", "cannot read 'abc' as a whole number"),
     ("x: !!timestamp xyz", "cannot read 'xyz' as a date")],
)
def test_values_their_tag_cannot_hold_are_one_line_errors(text, message):
    # PyYAML raises ValueError or AttributeError from inside its constructors
    with pytest.raises(SpecError) as err:
        yamlio.loads(f"title: t\n{text}\n", "v.yaml")
    assert str(err.value).startswith(f"v.yaml:2: {message}")


# --- files that are not files -----------------------------------------------------------------


def test_devices_pipes_folders_and_huge_files_are_refused(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)  # reading it would wait for a writer forever
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk used
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"title: caf\xe9\n")
    cases = {
        "/dev/zero": "is not a regular file",
        str(fifo): "is not a regular file",
        str(tmp_path): "is a folder",
        str(huge): "is larger than 10 MB, the limit on files read",
        str(latin): "is not UTF-8 text (byte 11)",
        str(tmp_path / ("n" * 300 + ".yaml")): "cannot read: File name too long",
        str(tmp_path / "missing.yaml"): "no such file",
    }
    for path, message in cases.items():
        with pytest.raises(SpecError) as err:
            yamlio.load(path)
        assert err.value.where == path and message in err.value.message, path


def test_commands_refuse_dev_zero_and_pipes(cli, tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    for path in ("/dev/zero", str(fifo)):
        out = cli("bank", "check", path, "--no-verify", timeout=60)
        assert out.returncode == 2, path
        assert f"{path}: error: is not a regular file" in out.stdout
        out = cli("calc", "model", path, "--no-verify", timeout=60)
        assert out.returncode == 2, path
        assert out.stderr.startswith(f"cnnquiz: error: {path}: is not a regular file")


def test_bank_check_names_a_too_long_path_instead_of_crashing(cli):
    name = "b" * 300 + ".yaml"
    out = cli("bank", "check", name, "--no-verify")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert f"{name}: error: cannot read: File name too long" in out.stdout


def test_runs_reads_run_files_through_the_same_limits(cli, tmp_path):
    runs = tmp_path / "runs"
    bomb = runs / "bomb"
    bomb.mkdir(parents=True)
    (bomb / "run.json").write_text('{"status": "done"}', encoding="utf-8")
    chain, last = laughs("  ")
    (bomb / "config.yaml").write_text(
        "\n".join(["input: 8x8x3", "layers: [flatten]", "name: x", "description:", *chain,
                   f"train: {{epochs: 1, x: *{last}}}"]) + "\n",
        encoding="utf-8",
    )
    out = cli("runs", "--runs-dir", str(runs), "--json", timeout=60)
    assert out.returncode == 0, out.stderr
    listed = json.loads(out.stdout)
    assert [r["run_dir"] for r in listed] == [str(bomb)]
    assert listed[0]["config"] == {}  # a config that cannot be read shows no settings


@pytest.mark.parametrize(
    "content",
    ["[" * 100_000 + "]" * 100_000, '{"epochs": ' + "9" * 5000 + "}", None],
    ids=["deep", "digits", "huge"],
)
def test_a_hostile_run_json_is_one_line(cli, tmp_path, content):
    # deep nesting (RecursionError), a 5,000-digit number (ValueError, not a JSONDecodeError)
    # and a file past the size cap are each one line naming the run, exit 2
    run = tmp_path / "runs" / "r1"
    run.mkdir(parents=True)
    if content is None:
        with (run / "run.json").open("wb") as f:
            f.truncate(MAX_FILE_BYTES + 1)
    else:
        (run / "run.json").write_text(content, encoding="utf-8")
    (run / "config.yaml").write_text("input: 8x8x3\nlayers: [flatten]\n", encoding="utf-8")
    out = cli("predict", str(run), "x.png", timeout=60)
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
    assert len(out.stderr.splitlines()) == 1 and str(run) in out.stderr, out.stderr


@pytest.mark.parametrize(
    "argv",
    [("train", "--demo", "--config", "LONG.yaml", "--runs-dir", "TMP"),
     ("predict", "LONG", "x.png", "--runs-dir", "TMP"),
     ("train", "--data", "LONG", "--runs-dir", "TMP"),
     ("quiz", "--plain", "LONG")],
    ids=["train-config", "predict", "train-data", "quiz"],
)
def test_a_name_too_long_for_the_system_is_one_line_anywhere(cli, tmp_path, argv):
    long = "n" * 300
    argv = [a.replace("LONG", long).replace("TMP", str(tmp_path)) for a in argv]
    out = cli(*argv, input="", timeout=120)
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
    assert long in out.stderr and "File name too long" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
