"""Parsed bank files kept between starts, so a second start skips parsing YAML, the schema and
the calculator: reading is about 2 ms a question, and instructors' banks grow to thousands.

One cache file per bank file, under :func:`cnnquiz.paths.cache_dir` ``/banks``. An entry is used
only when everything that shaped it is unchanged: the bank file's name as given and resolved, its
size and mtime (ns), the cache format, the cnnquiz version and a stamp of cnnquiz's own source
files (an edited loader, or a class that gained a field, must not meet an old pickle). That is
all a parse depends on while a bank names no other file; a bank format that includes files must
add theirs to the key. Anything else (a missing, corrupt, truncated, foreign or stale entry, an
unreadable or unwritable folder) means the bank file is read as if there were no cache, and its
entry rewritten when possible: the cache holds nothing that cannot be rebuilt, so no failure of
it is the student's problem.

Entries are pickles. That is safe here because the folder is the user's own: whoever can write
there can already change the user's shell start-up files. Even so, an entry is unpickled only
after its magic line and its header (plain tuples and strings) match, and only classes of
cnnquiz's banks and networks, paths and decimals may be rebuilt from it.
"""

from __future__ import annotations

import os
import pickle
import stat
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

import cnnquiz
from cnnquiz import paths
from cnnquiz.bank.files import FileRead

FORMAT = 2  # bump when what an entry holds changes shape without a version or source change
MAGIC = b"cnnquiz bank cache\n"
# A file changed again within the file system's timestamp granularity (up to 2 s on FAT) keeps
# its mtime; an entry for a file younger than this would be trusted too early, so none is written.
SETTLE_SECONDS = 3.0
_MODULES = ("cnnquiz.bank.", "cnnquiz.net.", "cnnquiz.lines", "cnnquiz.errors")
_OTHERS = frozenset(
    {
        ("pathlib", "PosixPath"),
        ("pathlib", "WindowsPath"),
        ("pathlib", "PurePosixPath"),
        ("pathlib", "PureWindowsPath"),
        ("decimal", "Decimal"),
        ("builtins", "set"),
        ("builtins", "frozenset"),
    }
)

Header = tuple[int, str, str, str, str, int, int]


def folder() -> Path:
    """Where the entries go: ``banks`` in :func:`cnnquiz.paths.cache_dir`."""
    return paths.cache_dir() / "banks"


def read_cached(path: Path, entries: Path) -> FileRead:
    """``path`` read as :func:`cnnquiz.bank.loader.read_file` reads it, from its entry in the
    folder ``entries`` when that still holds, else read and its entry written."""
    header = _header(path)
    if header is None:  # not a regular file we can stat: the loader says why
        return _read(path)
    entry = entries / f"{_digest(repr(header[3:5]))}.pickle"
    found = _load(entry, header)
    if found is not None:
        return found
    read = _read(path)
    # a file that gave no bank (unreadable, not YAML) is not kept: its permissions may be fixed
    # without changing its size or mtime, and failing again is quick
    if read.bank is not None and time.time() - header[6] / 1e9 >= SETTLE_SECONDS:
        _store(entry, header, read)
    return read


def _read(path: Path) -> FileRead:
    from cnnquiz.bank.loader import read_file  # pydantic and YAML only when an entry misses

    return read_file(path)


def _header(path: Path) -> Header | None:
    try:
        info = path.stat()
        resolved = str(path.resolve())
    except (OSError, ValueError, RuntimeError):  # RuntimeError: a symlink loop before 3.13
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return (
        FORMAT,
        cnnquiz.__version__,
        _source_stamp(),
        str(path),
        resolved,
        info.st_size,
        info.st_mtime_ns,
    )


def _load(entry: Path, header: Header) -> FileRead | None:
    try:
        with entry.open("rb") as f:
            if f.read(len(MAGIC)) != MAGIC or _Unpickler(f).load() != header:
                return None
            found = _Unpickler(f).load()
    except Exception:  # any damage to a cache file (of any kind) means: read the bank
        return None
    return found if isinstance(found, FileRead) else None


def _store(entry: Path, header: Header, read: FileRead) -> None:
    """Write the entry beside its final name, then rename it: a reader sees the old entry or
    the new one, never half of one, and two processes writing at once both leave a whole one."""
    import tempfile

    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=entry.parent, prefix=entry.stem, suffix=".tmp")
    except OSError:  # a read-only or full disk: the next start reads the bank again
        return
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(MAGIC)
            pickle.dump(header, f, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(read, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, entry)
    except Exception:  # a full disk or an unpicklable bank: no entry, and no harm
        try:
            os.unlink(temp)
        except OSError:
            pass


class _Unpickler(pickle.Unpickler):
    """Rebuilds only the classes a parsed bank is made of."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _OTHERS or module.startswith(_MODULES):
            found = super().find_class(module, name)
            if isinstance(found, type):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a parsed bank")


def _digest(text: str) -> str:
    import hashlib

    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


@lru_cache(maxsize=1)
def _source_stamp() -> str:
    """Every source file of the installed cnnquiz by name, size and mtime: a developer's edit
    (same version number) makes every entry stale, where a version check alone would not. The
    zoo's specs count as source: a question with ``network: resnet18`` holds their figures."""
    root = Path(cnnquiz.__file__).parent
    seen: list[str] = []
    folders = [str(root)]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for e in entries:
                if e.is_dir() and e.name != "__pycache__":
                    folders.append(e.path)
                elif e.name.endswith((".py", ".yaml")):
                    info = e.stat()
                    seen.append(f"{e.path}\0{info.st_size}\0{info.st_mtime_ns}")
    return _digest("\n".join(sorted(seen)))
