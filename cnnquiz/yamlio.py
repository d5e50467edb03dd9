"""YAML that remembers where each mapping key and list item came from, read with limits.

Instructors write banks and students write network specs by hand; every error must say
``file:line``. PyYAML's safe loader is kept, only mappings and sequences are built as
subclasses that carry the line of each key and item (1-based).

Everything cnnquiz reads as YAML comes through :func:`load` or :func:`loads`, and files
through :func:`read_text`, so the limits in :mod:`cnnquiz.limits` hold everywhere: a regular
file of at most 10 MB, at most a million values after aliases are expanded, no duplicate keys,
no integer Python cannot read.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import yaml

from cnnquiz.errors import SpecError
from cnnquiz.limits import (
    MAX_FILE_BYTES,
    MAX_INT_DIGITS,
    MAX_YAML_DEPTH,
    MAX_YAML_NODES,
    int_digits,
    number_text,
)
from cnnquiz.lines import LineDict, LineList, line_of
from cnnquiz.net.units import fmt_mb

__all__ = ["LineDict", "LineList", "file_size", "line_of", "load", "loads", "read_text"]


_TAG_NAMES = {"int": "a whole number", "float": "a number", "timestamp": "a date", "bool": "true or false"}


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's parser where PyYAML has it (bundled banks parse ~5x faster), Python's otherwise;
    either way the safe constructors, plus line numbers, a size check and duplicate keys refused."""

    source = "<string>"

    def construct_document(self, node: yaml.Node) -> Any:
        # The composed graph shares each anchored node among its aliases, so it stays small;
        # what the aliases expand to is counted here, before anything walks the expansion.
        _check_expansion(node, self.source)
        return super().construct_document(node)


def _at(source: str, node: yaml.Node) -> str:
    return f"{source}:{node.start_mark.line + 1}"


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_expansion(root: yaml.Node, source: str) -> None:
    """Refuse a document whose aliases expand past ``MAX_YAML_NODES`` nodes or nest too deep.

    One pass over the distinct lists and mappings (each size computed once, shared ones
    reused; scalars count 1): a 600-byte "billion laughs" file is refused after a few dozen
    nodes, without expanding it.
    """
    scalar = yaml.ScalarNode
    found: dict[int, tuple[int, int]] = {}  # id of a list or mapping -> (expanded size, depth)
    open_nodes: set[int] = set()  # entered, not finished: the path from the root
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        if isinstance(node, scalar):
            continue
        key = id(node)
        if finished:
            open_nodes.discard(key)
            size, depth = 1, 1
            for child in _children(node):
                if isinstance(child, scalar):
                    size += 1
                    depth = max(depth, 2)
                else:
                    child_size, child_depth = found[id(child)]
                    size += child_size
                    depth = max(depth, child_depth + 1)
            if size > MAX_YAML_NODES:
                raise SpecError(
                    f"the YAML expands to more than {MAX_YAML_NODES:,} values (anchors and "
                    "aliases repeated inside each other, a 'billion laughs' file?); refused",
                    _at(source, node),
                )
            if depth > MAX_YAML_DEPTH:
                raise SpecError(
                    f"lists and mappings nest more than {MAX_YAML_DEPTH} deep; refused",
                    _at(source, node),
                )
            found[key] = (size, depth)
        elif key in open_nodes:
            raise SpecError("an alias refers to the list or mapping it is in", _at(source, node))
        elif key not in found:
            open_nodes.add(key)
            stack.append((node, True))
            stack.extend(
                (c, False) for c in _children(node) if not isinstance(c, scalar) and id(c) not in found
            )


_MERGE_TAG = "tag:yaml.org,2002:merge"


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    written: dict[object, int] | None
    if any(key_node.tag == _MERGE_TAG for key_node, _ in node.value):
        # keys merged in with << come first and may be overridden: check the written ones
        _check_duplicates(loader, [k for k, _ in node.value if k.tag != _MERGE_TAG])
        loader.flatten_mapping(node)
        written = None
    else:
        written = {}
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = _plain_key(loader, key_node)
        line = key_node.start_mark.line + 1
        if written is not None:
            if key in written:
                raise _duplicate(loader, key, key_node, written[key])
            written[key] = line
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


def _check_duplicates(loader: _Loader, key_nodes: list[yaml.Node]) -> None:
    first: dict[Any, int] = {}
    for key_node in key_nodes:
        key = _plain_key(loader, key_node)
        if key in first:
            raise _duplicate(loader, key, key_node, first[key])
        first[key] = key_node.start_mark.line + 1


def _duplicate(loader: _Loader, key: Any, key_node: yaml.Node, first_line: int) -> SpecError:
    return SpecError(
        f"duplicate key {number_text(key)} (first at line {first_line})", _at(loader.source, key_node)
    )


def _plain_key(loader: _Loader, key_node: yaml.Node) -> Any:
    key = loader.construct_object(key_node, deep=True)
    if not isinstance(key, str | int | float | bool) and key is not None:
        raise SpecError("a mapping key must be a plain value", _at(loader.source, key_node))
    return key


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int:
    """An int, refused past 4,300 decimal digits (Python reads and prints no more), checked on
    the text first: base-60 ``1:2:3...`` or hex would otherwise be converted at any length."""
    text = str(node.value).replace("_", "").lstrip("+-")
    too_long = SpecError(
        f"a whole number past the {MAX_INT_DIGITS:,}-digit limit on numbers read "
        f"({len(text):,} characters)",
        _at(loader.source, node),
    )
    if len(text) > MAX_INT_DIGITS + 2:  # "0x", "0b", "0o" prefixes
        raise too_long
    value = yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)
    if int_digits(value) > MAX_INT_DIGITS:
        raise too_long
    return value


def _guarded(construct: Any, tag: str) -> Any:
    """A scalar constructor whose ValueError and the like (a 13th month in a date, ``!!float
    abc``) become one line at that value."""
    what = _TAG_NAMES.get(tag, f"a {tag} value")

    def guarded(loader: _Loader, node: yaml.ScalarNode) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, TypeError, AttributeError, OverflowError) as exc:
            detail = f": {exc}" if isinstance(exc, ValueError | OverflowError) else ""
            raise SpecError(
                f"cannot read {number_text(node.value)} as {what}{detail}", _at(loader.source, node)
            ) from None

    return guarded


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:int", _guarded(_construct_int, "int"))
for _tag in ("bool", "float", "binary", "timestamp"):
    _Loader.add_constructor(
        f"tag:yaml.org,2002:{_tag}",
        _guarded(yaml.constructor.SafeConstructor.yaml_constructors[f"tag:yaml.org,2002:{_tag}"], _tag),
    )


def loads(text: str, source: str = "<string>") -> Any:
    """Parse YAML text; a syntax error, a bomb or a duplicate key becomes ``source:line: message``.

    Every YAML cnnquiz reads passes here: banks, specs, a run's config, the app's pasted layers.
    """
    loader = _Loader(text)
    loader.source = source
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f"{source}:{mark.line + 1}" if mark else source
        problem = exc.problem or exc.context or "invalid YAML"
        raise SpecError(f"YAML syntax error: {problem}", line) from None
    except yaml.YAMLError as exc:
        raise SpecError(f"YAML error: {exc}", source) from None
    except RecursionError:  # nesting deeper than the parser's stack, before it can be counted
        raise SpecError(f"lists and mappings nest more than {MAX_YAML_DEPTH} deep; refused", source) from None
    finally:
        loader.dispose()


def file_size(path: str | Path, what: str, cap: int = MAX_FILE_BYTES) -> int:
    """The size of ``path``: a regular file of at most ``cap`` bytes, else a one-line error.

    ``/dev/zero``, a named pipe (which would wait for a writer forever) or a 2 GB file are
    refused before a byte is read.
    """
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise SpecError("no such file", str(path)) from None
    except (OSError, ValueError) as exc:  # a name too long, a NUL byte, no permission
        raise SpecError(f"cannot read: {getattr(exc, 'strerror', None) or exc}", str(path)) from None
    if stat.S_ISDIR(info.st_mode):
        raise SpecError(f"is a folder, expected {what}", str(path))
    if not stat.S_ISREG(info.st_mode):
        raise SpecError(f"is not a regular file (a device, pipe or socket), expected {what}", str(path))
    if info.st_size > cap:
        raise SpecError(_too_big(cap, what), str(path))
    return info.st_size


def _too_big(cap: int, what: str) -> str:
    return f"is larger than {fmt_mb(cap)}, the limit on files read; expected {what}"


def read_text(path: str | Path, what: str = "a YAML file") -> str:
    """A file's text: a regular file of at most ``MAX_FILE_BYTES``, UTF-8, else a one-line error.

    Banks, specs and run files are read here (see :func:`file_size` for what is refused).
    """
    path = Path(path)
    file_size(path, what)
    try:
        with path.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)  # the size may have changed since stat
        if len(data) > MAX_FILE_BYTES:
            raise SpecError(_too_big(MAX_FILE_BYTES, what), str(path))
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(f"is not UTF-8 text (byte {exc.start + 1}), expected {what}", str(path)) from None
    except OSError as exc:
        raise SpecError(f"cannot read: {exc.strerror or exc}", str(path)) from None


def load(path: str | Path) -> Any:
    """Read and parse a YAML file; unreadable files are one-line errors too."""
    return loads(read_text(path), str(path))
