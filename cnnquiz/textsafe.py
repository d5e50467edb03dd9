"""Text from files, runs and users, made safe to write to a terminal.

Banks, class names and piped answers are written by someone else: an escape sequence in them
(``\\x1b[2J`` clears the screen) must reach the student as nothing, never as a command to their
terminal. Newlines and tabs stay; every other control character, and the bidi overrides that make
text read differently from how it is stored, go.
"""

from __future__ import annotations

import re

# ESC followed by a CSI sequence, an OSC string (ended by BEL or ST) or a single-character escape.
_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-_]?)")
# C0 controls but \t and \n, DEL, C1 controls, and the bidi embedding/override/isolate marks.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` without escape sequences or control characters (``\\n`` and ``\\t`` kept)."""
    if text.isprintable():
        return text
    return _CONTROL.sub("", _ESCAPE.sub("", text))


def control_characters(text: str) -> list[str]:
    """The control characters in ``text`` as ``U+001B``-style names, each once, in order."""
    found = dict.fromkeys(f"U+{ord(c):04X}" for c in _CONTROL.findall(text))
    return list(found)
