"""What reading code gives: the network, the framework, and a heading that says what and where.

Its own module so that the readers (keras, pytorch) import it without importing the package's
``read_code``, which imports them: no cycle.
"""

from __future__ import annotations

from dataclasses import dataclass

from cnnquiz.net.network import Network

KERAS = "Keras"
PYTORCH = "PyTorch"


@dataclass(frozen=True)
class CodeRead:
    """What was read from code: the network, the framework, and a heading that says what and
    where (``Keras Sequential at model.py:3, 8 layers``)."""

    network: Network
    framework: str  # "Keras" or "PyTorch"
    what: str
    padding_notes: tuple[str, ...] = ()
