"""Where cnnquiz keeps the student's data (progress, training runs) and what it can rebuild.

One place decides, so the app, the quiz, ``stats`` and ``train`` agree. ``CNNQUIZ_HOME`` moves
everything (tests give each test its own; a student can keep a second profile or a USB stick).
The cache holds only what cnnquiz can rebuild (parsed banks), so it lives in the platform's cache
folder, which a system may clear; ``CNNQUIZ_CACHE`` moves it alone.
Nothing here creates folders: the code that writes a file creates its parent when it writes.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "cnnquiz"
HOME_ENV = "CNNQUIZ_HOME"
CACHE_ENV = "CNNQUIZ_CACHE"


def data_dir() -> Path:
    """The user data directory: ``$CNNQUIZ_HOME`` if set, else the platform's (platformdirs).

    Linux: ``~/.local/share/cnnquiz``; macOS: ``~/Library/Application Support/cnnquiz``;
    Windows: ``%LOCALAPPDATA%\\cnnquiz``.
    """
    home = os.environ.get(HOME_ENV, "").strip()
    if home:
        return Path(home).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """Where rebuildable files go: ``$CNNQUIZ_CACHE``, else ``$CNNQUIZ_HOME/cache`` when the
    home is moved (a profile on a USB stick keeps its cache with it), else the platform's.

    Linux: ``~/.cache/cnnquiz``; macOS: ``~/Library/Caches/cnnquiz``;
    Windows: ``%LOCALAPPDATA%\\cnnquiz\\Cache``.
    """
    cache = os.environ.get(CACHE_ENV, "").strip()
    if cache:
        return Path(cache).expanduser()
    if os.environ.get(HOME_ENV, "").strip():
        return data_dir() / "cache"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir(APP_NAME, appauthor=False))


def progress_path() -> Path:
    """The SQLite file holding every answer and the review schedule."""
    return data_dir() / "progress.sqlite3"


def runs_dir() -> Path:
    """Where ``cnnquiz train`` puts a folder per run (config, metrics, weights)."""
    return data_dir() / "runs"


def on_disk(name: str) -> bool:
    """Whether ``name`` names something on disk; a name the system cannot even look up (too
    long, a null byte: inline text typed where a file may go) names nothing."""
    try:
        os.stat(name)
    except (OSError, ValueError):
        return False
    return True
