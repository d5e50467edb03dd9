"""Ctrl+C held back for the few seconds that end a training run.

After the last epoch a run still measures the test split and writes its weights; a Ctrl+C there
used to throw the finished training away (no weights, status ``failed``). ``held_back()`` lets
that work finish and reports that Ctrl+C was pressed, so the run ends as ``cancelled`` with its
epochs kept, as a Ctrl+C during an epoch does. Signals can only be caught on the main thread
(the app trains on a worker thread, whose Cancel button goes through the reporter instead):
elsewhere it holds nothing back.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def held_back() -> Iterator[list[bool]]:
    """``with held_back() as pressed:``; ``pressed`` is ``[True]`` if Ctrl+C came meanwhile.

    Only Python's own handler (Ctrl+C raises ``KeyboardInterrupt``) is replaced: a caller's
    handler (``cnnquiz tune``'s "stop after this trial") already decides what Ctrl+C does.
    """
    pressed: list[bool] = []
    main = threading.current_thread() is threading.main_thread()
    if not main or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield pressed
        return
    previous = signal.getsignal(signal.SIGINT)

    def note(*_: object) -> None:
        pressed[:] = [True]

    signal.signal(signal.SIGINT, note)
    try:
        yield pressed
    finally:
        signal.signal(signal.SIGINT, previous)
