"""YAML that remembers where each mapping key and list item came from.

Instructors write banks and students write network specs by hand; every error must say
``file:line``. PyYAML's safe loader is kept, only mappings and sequences are built as
subclasses that carry the line of each key and item (1-based).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from cnnquiz.errors import SpecError


class LineDict(dict):
    """A mapping with ``line`` (where it starts) and ``key_lines`` (where each key is)."""

    line: int = 0
    key_lines: dict[Any, int]


class LineList(list):
    """A sequence with ``line`` (where it starts) and ``item_lines`` (where each item is)."""

    line: int = 0
    item_lines: list[int]


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's parser where PyYAML has it (bundled banks parse ~5x faster), Python's otherwise;
    either way the safe constructors, plus line numbers."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) and key is not None:
            raise SpecError("a mapping key must be a plain value", f"line {key_node.start_mark.line + 1}")
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def loads(text: str, source: str = "<string>") -> Any:
    """Parse YAML text; a syntax error becomes ``source:line: message``."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f"{source}:{mark.line + 1}" if mark else source
        problem = exc.problem or exc.context or "invalid YAML"
        raise SpecError(f"YAML syntax error: {problem}", line) from None
    except yaml.YAMLError as exc:
        raise SpecError(f"YAML error: {exc}", source) from None


def load(path: str | Path) -> Any:
    """Read and parse a YAML file; unreadable files are one-line errors too."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError("no such file", str(path)) from None
    except IsADirectoryError:
        raise SpecError("is a folder, expected a YAML file", str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"cannot read: {exc}", str(path)) from None
    return loads(text, str(path))


def line_of(data: Any, loc: tuple[Any, ...]) -> int | None:
    """The line of the deepest element of ``loc`` (keys and indexes) that can be located."""
    line = getattr(data, "line", None)
    node = data
    for part in loc:
        if isinstance(node, LineDict) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
    return line
