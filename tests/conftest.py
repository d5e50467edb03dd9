"""Shared fixtures: every test gets its own CNNQUIZ_HOME and no test touches the user's cache;
a way to run the CLI like a user."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LONG_AGO = time.time() - 3600  # settled: older than bank.cache.SETTLE_SECONDS, so it is cached


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that runs the command line (the ``cli`` fixture) starts a fresh Python with
    cnnquiz in a subprocess, which costs a second or more: it is ``slow``, wherever it is."""
    for item in items:
        if "cli" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def _shared_cache(tmp_path_factory) -> Path:
    """One parsed-bank cache for the session (each xdist worker has its own): the tests that start
    the app or the quiz in a subprocess share the bundled banks' entries, as a student's starts do.
    Entries are keyed by file, size, mtime and cnnquiz's source, so sharing changes no result."""
    return tmp_path_factory.mktemp("cnnquiz-cache")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch, _shared_cache):
    """No test reads or writes the real user's progress or cache (subprocesses inherit both)."""
    home = tmp_path_factory.mktemp("cnnquiz-home")
    monkeypatch.setenv("CNNQUIZ_HOME", str(home))
    monkeypatch.setenv("CNNQUIZ_CACHE", str(_shared_cache))
    return home


def run_cli(*args: str, input: str | None = None, timeout: float = 120, env: dict | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``cnnquiz ARGS`` in a subprocess, as a user types it; text output captured."""
    full_env = {**os.environ, "COLUMNS": "120", "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "cnnquiz", *args],
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        cwd=cwd or ROOT,
    )


@pytest.fixture
def cli():
    return run_cli


def settled(path: Path, text: str, mtime: float = LONG_AGO) -> Path:
    """A bank file written with an old modification time, which the parsed-bank cache keeps
    (a file younger than a few seconds may still be edited within the same mtime)."""
    path.write_text(text, encoding="utf-8")
    os.utime(path, (mtime, mtime))
    return path


@pytest.fixture
def reads(monkeypatch) -> list[Path]:
    """Every bank file the loader really reads (a cache hit reads none)."""
    from cnnquiz.bank import loader

    seen: list[Path] = []
    real = loader.read_file

    def counting(path):
        seen.append(Path(path))
        return real(path)

    monkeypatch.setattr(loader, "read_file", counting)
    return seen
