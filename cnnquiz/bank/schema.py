"""The bank file format as pydantic models: what an instructor may write, and nothing else.

Pydantic reports every problem with its location (``questions.3.answer``); the loader maps
that location to the YAML line with :func:`cnnquiz.yamlio.line_of`. Cross-field rules (an
answer among the choices, a network that works) are checked by the loader, not here.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from cnnquiz.bank import asks

QUESTION_TYPES = ("numeric", "shape", "choice", "multi", "truefalse", "text", "computed")
ASKS = tuple(asks.ASKS)  # declared once, with each ask's handler and answer kind


def _text(value: Any) -> Any:
    """Numbers written as choices or spellings (``choices: [2800, 2700]``) are text too."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _text_list(value: Any) -> Any:
    """A single string where a list is expected is a list of one."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return [_text(value)]
    return value


Text = Annotated[str, BeforeValidator(_text)]
TextList = Annotated[list[Text], BeforeValidator(_text_list)]
Scalar = str | int | float | bool
IntOrVar = Annotated[int | str, Field(union_mode="left_to_right")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class RangeVar(Strict):
    range: Annotated[list[int | float], Field(min_length=2, max_length=2)]
    step: int | float = 1


VarSpec = RangeVar | list[Scalar] | Scalar


class Part(Strict):
    """One part of an exam-style multi-part item; unset fields come from the parent."""

    id: Text
    type: Literal[QUESTION_TYPES] | None = None  # type: ignore[valid-type]
    prompt: Text | None = None
    answer: Any = None
    pattern: str | None = None
    ask: Literal[ASKS] | None = None  # type: ignore[valid-type]
    layer: IntOrVar | None = None
    batch: IntOrVar | None = None
    optimizer: str | None = None
    dtype: str | None = None
    tolerance: str | int | float | None = None
    unit: Text | None = None
    choices: list[Text] | None = None
    shuffle: bool | None = None  # choices in a new order each draw (default true)
    feedback: dict[Text, Text] | None = None
    hint: TextList | None = None
    explanation: Text | None = None
    topics: TextList | None = None
    difficulty: Annotated[int, Field(ge=1, le=3)] | None = None
    source: Text | None = None
    mirrors: Text | None = None  # the id of the question this one mirrors in another language


class Question(Part):
    """A question: a part's fields, with type and prompt required, plus what parts share."""

    type: Literal[QUESTION_TYPES]  # type: ignore[valid-type]
    prompt: Text
    network: Any = None
    code: Text | None = None  # the network as Keras or PyTorch code, read (never run)
    code_input: str | None = None  # HxWxC where the code states no input
    vars: dict[str, VarSpec] | None = None
    parts: Annotated[list[Part], Field(min_length=1)] | None = None


class Defaults(Strict):
    topics: TextList | None = None
    difficulty: Annotated[int, Field(ge=1, le=3)] | None = None
    source: Text | None = None
    tolerance: str | int | float | None = None
    dtype: str | None = None
    shuffle: bool | None = None


class BankHead(Strict):
    """The bank without its questions: those are validated one by one, so one bad question
    does not hide the problems of the others."""

    title: Text
    language: str = "en"
    description: Text | None = None
    defaults: Defaults | None = None
    questions: list[Any]


QUESTION_FIELDS = tuple(Question.model_fields)


def describe_error(err: Mapping[str, Any], fields: tuple[str, ...]) -> str:
    """One pydantic error as an instructor reads it: `unknown field 'awnser' (did you mean answer?)`."""
    loc = [str(x) for x in err["loc"] if not str(x).startswith(("function-", "list[", "union["))]
    name = loc[-1] if loc else "value"
    kind = err["type"]
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(name, fields, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        return f"unknown field {name!r}{hint}"
    if kind == "missing":
        return f"missing field {name!r}"
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return f"{name}: {err['input']!r} is not one of {expected}"
    field = ".".join(loc) or "value"
    return f"{field}: {err['msg'].lower()}, got {err.get('input')!r}"
