"""What a search tries: the grid of ``--grid`` values, or random draws from a space file.

A trial is a list of gin bindings (``train.lr = 0.003``), the same text a student would put
in a gin file or pass to ``--bind``, so every trial can be repeated by hand.

``--grid 'train.lr=0.01,0.003'`` gives one parameter its values, written as gin literals
(numbers, strings in quotes, tuples, lists, True/False/None); several ``--grid`` options make
the product: two values of ``train.lr`` times two of ``cnn.filters`` are four trials.

A space file (``space.gin``) is written like a gin file, one binding a line, ``#`` comments,
a value may run over several lines while a bracket is open. A value is either a gin literal,
the same in every trial, or one of three distributions a trial draws from::

    train.lr = loguniform(1e-4, 1e-2)     # equally likely in every decade: 1e-4..1e-3..1e-2
    train.momentum = uniform(0.8, 0.99)   # equally likely anywhere from 0.8 to 0.99
    cnn.filters = choice((16, 32), (32, 64))
    train.epochs = 3                      # the same for every trial

Values are read with ``ast.literal_eval``: nothing in a grid or a space file is ever run.
"""

from __future__ import annotations

import ast
import itertools
import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cnnquiz import yamlio
from cnnquiz.errors import SpecError

MAX_TRIALS = 1000  # a search larger than this is a typo (a 10x10x10 grid already is 1,000)
DISTRIBUTIONS = ("uniform", "loguniform", "choice")
DIGITS = 3  # significant digits a drawn number keeps, so the table reads 0.00316, not 0.0031622...

# gin's binding names: an optional scope (``train/``), a configurable, a dot, a parameter
_NAME = re.compile(r"^(?:[A-Za-z_][\w.]*/)*[A-Za-z_][\w.]*\.[A-Za-z_]\w*$")


@dataclass(frozen=True)
class Trial:
    """One point of a search: its parameters in order, as values and as gin bindings."""

    params: tuple[tuple[str, Any], ...]

    @property
    def bindings(self) -> list[str]:
        return [f"{name} = {gin_literal(value)}" for name, value in self.params]

    def as_dict(self) -> dict[str, Any]:
        return dict(self.params)


def gin_literal(value: Any) -> str:
    """A value as gin reads it back: Python's literal syntax (``(16, 32)``, ``'max'``, ``True``)."""
    return repr(value)


def _check_value(value: Any, where: str) -> Any:
    """Only what a gin literal can hold: numbers (finite), strings, booleans, None, and
    tuples, lists and dicts of them."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise SpecError(f"{value!r} is not a finite number", where)
        return value
    if isinstance(value, tuple | list):
        for item in value:
            _check_value(item, where)
        return value
    if isinstance(value, dict):
        for key, item in value.items():
            _check_value(key, where)
            _check_value(item, where)
        return value
    raise SpecError(f"{type(value).__name__} values are not gin literals", where)


def literal(text: str, where: str) -> Any:
    """One gin literal from its text; anything else (a name, a call, an expression) is an error."""
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise SpecError(
            f"{text.strip()!r} is not a gin literal (a number, a 'string', a tuple, "
            "True/False/None)",
            where,
        ) from None
    return _check_value(value, where)


def _binding_name(name: str, where: str) -> str:
    name = name.strip()
    if not _NAME.match(name):
        raise SpecError(
            f"{name!r} is not a gin binding name (configurable.parameter, e.g. train.lr)", where
        )
    return name


def _literals(text: str, where: str) -> Any:
    """Gin literals separated by commas, read as one list (an error quotes the text as given)."""
    try:
        return literal(f"[{text}]", where)
    except SpecError as exc:
        if "not a gin literal" not in exc.message:
            raise
        raise SpecError(
            f"{text.strip()!r} is not gin literals separated by commas (numbers, 'strings', "
            "tuples, True/False/None)",
            where,
        ) from None


# ---- grid ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Axis:
    """One ``--grid`` option: a binding name and the values the grid tries for it."""

    name: str
    values: tuple[Any, ...]


def parse_grid(text: str) -> Axis:
    """``train.lr=0.01,0.003`` or ``cnn.filters=(16,32),(32,64)``: a name and its values."""
    where = f"--grid {text}"
    name, eq, rest = text.partition("=")
    if not eq or not rest.strip():
        raise SpecError("expected NAME=VALUE,VALUE,... (e.g. train.lr=0.01,0.003)", where)
    name = _binding_name(name, where)
    values = _literals(rest, where)
    if not isinstance(values, list) or not values:  # "1],[2" reads as a tuple of lists
        raise SpecError(f"expected values separated by commas, got {rest.strip()!r}", where)
    seen: list[Any] = []
    for value in values:
        if value in seen:
            raise SpecError(f"{gin_literal(value)} is given twice", where)
        seen.append(value)
    return Axis(name, tuple(values))


def grid(axes: Sequence[Axis]) -> list[Trial]:
    """Every combination of the axes' values, the first axis changing slowest."""
    names = [a.name for a in axes]
    for name in names:
        if names.count(name) > 1:
            raise SpecError("this parameter is given by two --grid options", f"--grid {name}")
    count = math.prod(len(a.values) for a in axes)
    if count > MAX_TRIALS:
        raise SpecError(f"the grid has {count:,} trials; at most {MAX_TRIALS:,}", "--grid")
    return [
        Trial(tuple(zip(names, combo, strict=True)))
        for combo in itertools.product(*(a.values for a in axes))
    ]


# ---- random space -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Dimension:
    """One line of a space file: a fixed value (``kind`` "fixed") or a distribution."""

    name: str
    kind: str  # fixed | uniform | loguniform | choice
    args: tuple[Any, ...]
    where: str  # file:line

    def draw(self, rng: random.Random) -> Any:
        if self.kind == "fixed":
            return self.args[0]
        if self.kind == "choice":
            return self.args[rng.randrange(len(self.args))]
        low, high = self.args
        if self.kind == "uniform":
            return _round(rng.uniform(low, high))
        return _round(math.exp(rng.uniform(math.log(low), math.log(high))))


def _round(x: float) -> float:
    return float(f"{x:.{DIGITS}g}")


@dataclass(frozen=True)
class Space:
    source: str
    dimensions: tuple[Dimension, ...]

    def draw(self, n: int, seed: int) -> list[Trial]:
        """``n`` trials, the same ones for the same seed; each dimension drawn in file order."""
        if not 1 <= n <= MAX_TRIALS:
            raise SpecError(f"expected from 1 to {MAX_TRIALS:,} trials, got {n}", "--random")
        rng = random.Random(seed)
        return [Trial(tuple((d.name, d.draw(rng)) for d in self.dimensions)) for _ in range(n)]


def load_space(path: str | Path) -> Space:
    """A space file, checked: every error names the file and line."""
    text = yamlio.read_text(path, "a space file")
    return parse_space(text, str(path))


def parse_space(text: str, source: str = "<space>") -> Space:
    dimensions: list[Dimension] = []
    for line_no, statement in _statements(text, source):
        where = f"{source}:{line_no}"
        name, eq, value = statement.partition("=")
        if not eq:
            raise SpecError("expected a binding: name = value or name = uniform(low, high)", where)
        name = _binding_name(name, where)
        if any(d.name == name for d in dimensions):
            raise SpecError(f"{name} is bound twice", where)
        dimensions.append(_dimension(name, value.strip(), where))
    if not any(d.kind != "fixed" for d in dimensions):
        raise SpecError(
            "nothing to search: bind a parameter to uniform(...), loguniform(...) or choice(...)",
            source,
        )
    return Space(source, tuple(dimensions))


def _statements(text: str, source: str) -> list[tuple[int, str]]:
    """(first line number, text) of each binding, comments dropped, open brackets continued."""
    statements: list[tuple[int, str]] = []
    pending, start, depth = "", 0, 0
    for n, raw in enumerate(text.splitlines(), 1):
        line = _strip_comment(raw).strip()
        if not line and not pending:
            continue
        if not pending:
            start = n
        pending = f"{pending} {line}".strip()
        depth = _depth(pending)
        if depth <= 0:
            statements.append((start, pending))
            pending = ""
    if pending:
        raise SpecError("a bracket opened here is never closed", f"{source}:{start}")
    return statements


def _strip_comment(line: str) -> str:
    """The line up to a ``#`` that is not inside quotes."""
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#":
            return line[:i]
    return line


def _depth(text: str) -> int:
    """Open brackets less closed ones, outside quotes."""
    depth, quote = 0, ""
    for ch in text:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
    return depth


def _dimension(name: str, value: str, where: str) -> Dimension:
    """``uniform(a, b)``, ``loguniform(a, b)``, ``choice(x, y, ...)`` or a gin literal."""
    match = re.match(r"^([A-Za-z_]\w*)\s*\((.*)\)$", value, re.DOTALL)
    if match is None:
        return Dimension(name, "fixed", (literal(value, where),), where)
    kind = match[1]
    if kind not in DISTRIBUTIONS:
        raise SpecError(
            f"unknown distribution {kind}(); expected {', '.join(DISTRIBUTIONS)}", where
        )
    args = _literals(match[2], where)
    if not isinstance(args, list) or not args:
        raise SpecError(f"{kind}() needs its values, e.g. {kind}{_EXAMPLE[kind]}", where)
    if kind == "choice":
        return Dimension(name, kind, tuple(args), where)
    return Dimension(name, kind, _range(kind, args, where), where)


_EXAMPLE = {"uniform": "(0.8, 0.99)", "loguniform": "(1e-4, 1e-2)", "choice": "(16, 32, 64)"}


def _range(kind: str, args: list[Any], where: str) -> tuple[float, float]:
    numbers = [a for a in args if isinstance(a, int | float) and not isinstance(a, bool)]
    if len(args) != 2 or len(numbers) != 2:
        raise SpecError(f"{kind}() takes two numbers, low and high: {kind}{_EXAMPLE[kind]}", where)
    low, high = float(numbers[0]), float(numbers[1])
    if not low < high:
        raise SpecError(f"{kind}() needs low < high, got {low:g} and {high:g}", where)
    if kind == "loguniform" and low <= 0:
        raise SpecError(
            f"loguniform() needs low above 0 (it draws the logarithm), got {low:g}", where
        )
    return low, high
