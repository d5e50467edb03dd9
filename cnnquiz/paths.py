"""Where cnnquiz keeps the student's data: progress and training runs.

One place decides, so the app, the quiz, ``stats`` and ``train`` agree. ``CNNQUIZ_HOME`` moves
everything (tests give each test its own; a student can keep a second profile or a USB stick).
Nothing here creates folders: the code that writes a file creates its parent when it writes.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "cnnquiz"
HOME_ENV = "CNNQUIZ_HOME"


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


def progress_path() -> Path:
    """The SQLite file holding every answer and the review schedule."""
    return data_dir() / "progress.sqlite3"


def runs_dir() -> Path:
    """Where ``cnnquiz train`` puts a folder per run (config, metrics, weights)."""
    return data_dir() / "runs"
