"""A report as the ``--json`` document: the one place a report becomes plain data.

Every field of a report dataclass becomes a key, in the field's order, under its name (or the
``JSON_KEY`` its metadata gives); tuples become lists; a field marked ``OMIT_EMPTY`` is left out
while it is None or empty (``()``, ``""``). The document's keys and order are the ones scripts have read since
the reports were dicts: the golden files and the docs' JSON blocks pin them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from cnnquiz.report.model import JSON_KEY, OMIT_EMPTY

Json = None | bool | int | float | str | list["Json"] | dict[str, "Json"]


def to_json(report: object) -> dict[str, Json]:
    """The report (any dataclass of ``report.model``) as a JSON object."""
    if not dataclasses.is_dataclass(report) or isinstance(report, type):
        raise TypeError(f"expected a report dataclass, got {type(report).__name__}")
    out: dict[str, Json] = {}
    for f in dataclasses.fields(report):
        value = getattr(report, f.name)
        if f.metadata.get(OMIT_EMPTY) and (value is None or value == () or value == ""):
            continue
        out[f.metadata.get(JSON_KEY, f.name)] = _value(value)
    return out


def _value(value: object) -> Json:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, tuple | list):
        return [_value(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _value(v) for k, v in value.items()}
    return to_json(value)
