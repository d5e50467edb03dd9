"""A question that states its network as model code (``code: |``, with ``code_input: 32x32x3``
where the code states no input): the code is read by :func:`cnnquiz.code.read_code` (never
run) into the spec the rest of the bank reads as ``network:``, and shown in the prompt as a
highlighted Python block. An error in the code is reported at its line in the bank file."""

from __future__ import annotations

import re
from typing import Any

from cnnquiz.errors import SpecError
from cnnquiz.net.spec import network_to_dict, parse_shape

_WHERE = re.compile(r"(?P<source>.*?):(?P<line>\d+)(?::(?P<col>\d+))?")


def code_block(code: str) -> str:
    """The code as a fenced Markdown block (the quiz highlights it)."""
    return f"```python\n{code.rstrip()}\n```"


def with_code(q: dict[str, Any], bank: str, code_line: int | None) -> dict[str, Any]:
    """The question with ``network:`` read from its ``code:`` and the code shown after its
    prompt; unchanged without ``code:``. ``code_line``: the line of ``code:`` in the bank."""
    code = q.get("code")
    if code is None:
        return q
    if "network" in q:
        raise SpecError(
            "a question states its network once: code or network, not both", _at(bank, code_line)
        )
    from cnnquiz.code import read_code

    shape = None
    if q.get("code_input") is not None:
        shape = parse_shape(str(q["code_input"]), "code_input")
    source = f"{q.get('id', 'question')}.code"
    try:
        read = read_code(str(code), source, shape)
    except SpecError as exc:
        raise SpecError(exc.message, _in_bank(exc.where, source, bank, code_line)) from None
    out = {k: v for k, v in q.items() if k not in ("code", "code_input")}
    out["network"] = network_to_dict(read.network)
    out["prompt"] = f"{q['prompt'].rstrip()}\n\n{code_block(str(code))}"
    return out


def _at(bank: str, line: int | None) -> str:
    return f"{bank}:{line}" if line else bank


def _in_bank(where: str | None, source: str, bank: str, code_line: int | None) -> str:
    """``q.code:3:5`` as the bank's line: a ``code: |`` block starts on the line after its key."""
    match = _WHERE.fullmatch(where or "")
    if not match or match["source"] != source or not code_line:
        return _at(bank, code_line)
    return _at(bank, code_line + int(match["line"]))
