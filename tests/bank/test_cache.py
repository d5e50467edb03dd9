"""The parsed-bank cache: a second read of an unchanged file comes from it; an edited file, a
damaged entry or a folder it cannot write falls back to reading the bank, with the same result."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import cnnquiz
from cnnquiz import paths
from cnnquiz.bank import cache
from cnnquiz.bank.files import FileRead
from cnnquiz.bank.keys import key_text
from tests.conftest import LONG_AGO, settled

BANK = """\
title: Cached
questions:
  - id: {qid}
    type: numeric
    prompt: How many parameters does a 3x3 conv with 1 input channel and 1 filter have?
    answer: {answer}
    explanation: 9 weights and 1 bias.
"""


def _bank(
    folder: Path, name: str, qid: str = "conv-params", answer: int = 10, mtime: float = LONG_AGO
) -> Path:
    return settled(folder / name, BANK.format(qid=qid, answer=answer), mtime)


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.pickle"))


def _answer(read: FileRead) -> int:
    assert read.bank is not None
    (q,) = read.bank.questions
    assert q.key is not None
    return int(key_text(q.key).replace(",", ""))


def test_a_second_read_of_an_unchanged_file_comes_from_the_cache(tmp_path, reads):
    path = _bank(tmp_path, "a.yaml")
    first = cache.read_cached(path, tmp_path / "cache")
    second = cache.read_cached(path, tmp_path / "cache")
    assert reads == [path]
    assert len(_entries(tmp_path / "cache")) == 1
    assert second.path == path and second.problems == first.problems == []
    assert second.ids == first.ids == [("conv-params", 3)]
    assert second.bank is not None and first.bank is not None
    assert [q.id for q in second.bank.questions] == ["conv-params"]
    assert second.bank.questions[0].where == f"{path}:3"
    assert _answer(second) == 10


def test_a_file_edited_to_the_same_size_is_read_again(tmp_path, reads):
    path = _bank(tmp_path, "a.yaml", answer=10)
    assert _answer(cache.read_cached(path, tmp_path / "cache")) == 10
    size = path.stat().st_size
    _bank(tmp_path, "a.yaml", answer=11, mtime=LONG_AGO + 1)  # a new mtime, nothing else
    assert path.stat().st_size == size
    assert _answer(cache.read_cached(path, tmp_path / "cache")) == 11
    assert _answer(cache.read_cached(path, tmp_path / "cache")) == 11
    assert reads == [path, path]  # the edit was read once, then cached in place of the old
    assert len(_entries(tmp_path / "cache")) == 1


def test_a_file_written_just_now_is_not_cached(tmp_path, reads):
    """Its mtime could stay the same through a second edit within the timestamp granularity."""
    path = _bank(tmp_path, "a.yaml", mtime=time.time())
    cache.read_cached(path, tmp_path / "cache")
    cache.read_cached(path, tmp_path / "cache")
    assert reads == [path, path]
    assert _entries(tmp_path / "cache") == []


def _damage_all(folder: Path, damage) -> None:
    for entry in _entries(folder):
        entry.write_bytes(damage(entry.read_bytes()))


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated (a crash while copying)
        lambda data: b"",
        lambda data: data[:-40] + b"\xff" * 40,  # corrupt payload
        lambda data: b"not a pickle at all\n" * 3,  # foreign file
        lambda data: cache.MAGIC + pickle.dumps(_Evil()),  # a pickle that would run a command
    ],
    ids=["truncated", "empty", "corrupt", "foreign", "code"],
)
def test_a_damaged_entry_is_ignored_and_rebuilt(tmp_path, reads, damage, capfd):
    path = _bank(tmp_path, "a.yaml")
    folder = tmp_path / "cache"
    cache.read_cached(path, folder)
    _damage_all(folder, damage)
    read = cache.read_cached(path, folder)
    assert read.bank is not None and _answer(read) == 10
    assert "pwned" not in capfd.readouterr().out
    cache.read_cached(path, folder)
    assert reads == [path, path]  # read again once, and written again: a hit the third time


def test_an_entry_of_another_version_or_source_is_not_used(tmp_path, reads, monkeypatch):
    path = _bank(tmp_path, "a.yaml")
    cache.read_cached(path, tmp_path / "cache")
    monkeypatch.setattr(cnnquiz, "__version__", "99.0")
    cache.read_cached(path, tmp_path / "cache")
    monkeypatch.setattr(cache, "_source_stamp", lambda: "edited")
    cache.read_cached(path, tmp_path / "cache")
    assert reads == [path, path, path]


@pytest.mark.parametrize("kind", ["parent-is-a-file", "entry-is-a-folder"])
def test_a_cache_folder_that_cannot_be_written_only_costs_time(tmp_path, reads, kind):
    """Permissions cannot be tested as root; a file where a folder must be fails the same way."""
    path = _bank(tmp_path, "a.yaml")
    blocker = tmp_path / "blocked"
    blocker.write_text("a file, not a folder")
    folder = blocker / "banks"
    if kind == "entry-is-a-folder":
        folder = tmp_path / "cache"
        cache.read_cached(path, folder)
        (entry,) = _entries(folder)
        entry.unlink()
        entry.mkdir()
    for _ in range(2):
        read = cache.read_cached(path, folder)
        assert read.bank is not None and _answer(read) == 10
    assert blocker.read_text() == "a file, not a folder"
    assert len(reads) == (2 if kind == "parent-is-a-file" else 3)
    if kind == "entry-is-a-folder":
        assert not [p for p in folder.iterdir() if p.suffix == ".tmp"]


def test_two_banks_have_their_own_entries(tmp_path, reads):
    a = _bank(tmp_path, "a.yaml", qid="in-a")
    b = _bank(tmp_path, "b.yaml", qid="in-b")
    folder = tmp_path / "cache"
    assert [cache.read_cached(p, folder).ids for p in (a, b)] == [[("in-a", 3)], [("in-b", 3)]]
    _bank(tmp_path, "b.yaml", qid="in-c", mtime=LONG_AGO + 5)
    assert [cache.read_cached(p, folder).ids for p in (a, b)] == [[("in-a", 3)], [("in-c", 3)]]
    assert reads == [a, b, b]
    assert len(_entries(folder)) == 2


def test_the_same_file_named_two_ways_keeps_each_name(tmp_path, reads, monkeypatch):
    """Warnings and question locations say the file as the command line named it."""
    path = _bank(tmp_path, "a.yaml")
    monkeypatch.chdir(tmp_path)
    absolute = cache.read_cached(path, tmp_path / "cache")
    relative = cache.read_cached(Path("a.yaml"), tmp_path / "cache")
    assert absolute.bank is not None and relative.bank is not None
    assert absolute.bank.questions[0].where == f"{path}:3"
    assert relative.bank.questions[0].where == "a.yaml:3"
    assert len(reads) == 2


def test_a_file_that_gives_no_bank_is_read_every_time(tmp_path, reads):
    """Unreadable or not YAML: a fixed permission would not change its size or mtime."""
    path = tmp_path / "broken.yaml"
    path.write_text("title: [unclosed\n", encoding="utf-8")
    os.utime(path, (LONG_AGO, LONG_AGO))
    for _ in range(2):
        read = cache.read_cached(path, tmp_path / "cache")
        assert read.bank is None and read.problems[0].severity == "error"
    assert reads == [path, path]
    assert _entries(tmp_path / "cache") == []


def test_a_missing_file_is_the_loaders_to_report(tmp_path):
    read = cache.read_cached(tmp_path / "gone.yaml", tmp_path / "cache")
    assert read.bank is None and read.problems and read.problems[0].severity == "error"
    assert not (tmp_path / "cache").exists()


def test_the_cache_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("CNNQUIZ_CACHE", str(tmp_path / "c"))
    assert paths.cache_dir() == tmp_path / "c"
    monkeypatch.delenv("CNNQUIZ_CACHE")
    monkeypatch.setenv("CNNQUIZ_HOME", str(tmp_path / "home"))
    assert paths.cache_dir() == tmp_path / "home" / "cache"
    monkeypatch.delenv("CNNQUIZ_HOME")
    from platformdirs import user_cache_dir

    assert paths.cache_dir() == Path(user_cache_dir("cnnquiz", appauthor=False))


@pytest.mark.slow  # two fresh interpreters
def test_a_start_from_the_cache_imports_no_loader_schema_pydantic_or_yaml(tmp_path):
    """What makes the second start fast: the parsed banks come back without the machinery
    that parses them (checked in a fresh interpreter, after a first one filled the cache)."""
    code = textwrap.dedent(
        """
        import sys
        from cnnquiz.bank import bundled_bank_paths
        from cnnquiz.study.load import load_for_study
        banks, warnings = load_for_study(bundled_bank_paths())
        heavy = [m for m in ("pydantic", "cnnquiz.bank.loader", "cnnquiz.bank.schema", "torch",
                             "yaml", "cnnquiz.yamlio") if m in sys.modules]
        print(sum(len(b.questions) for b in banks), len(warnings), heavy)
        """
    )
    env = {**os.environ, "CNNQUIZ_CACHE": str(tmp_path / "cache")}
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
        )
        for _ in range(2)
    ]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr + runs[1].stderr
    first, second = (r.stdout.split(" ", 2) for r in runs)
    assert first[:2] == second[:2] and int(first[0]) > 150 and first[1] == "0"
    assert first[2].strip() != "[]"  # the first start parsed the banks
    assert second[2].strip() == "[]"
