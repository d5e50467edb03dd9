"""Reading bank files into questions, collecting every problem with its file and line.

``read_bank`` never stops at the first problem: ``bank check`` reports them all in one pass.
``load_bank``/``load_banks`` (what the quiz uses) raise the first error instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cnnquiz import textsafe, yamlio
from cnnquiz.bank import computed, schema
from cnnquiz.bank.asks import evaluate
from cnnquiz.bank.files import FileRead, Problem, bundled_bank_paths, expand_paths, join_reads
from cnnquiz.bank.lint import decimals_mismatch, normal_id
from cnnquiz.bank.model import (
    Bank,
    FieldError,
    Question,
    ask_options,
    feedback_traps,
    key_from_answer,
    unit_key,
    validate_tolerance,
)
from cnnquiz.bank.schema import SHAPE_ASKS
from cnnquiz.errors import CnnquizError, SpecError
from cnnquiz.net.spec import parse_network


def _split_where(where: str | None, path: str) -> tuple[str, int | None]:
    m = re.match(r"^(.*):(\d+)$", where or "")
    if m:
        return m.group(1), int(m.group(2))
    return path, None


class _Reader:
    """Reads one file; every problem goes to ``self.problems``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = str(path)
        self.problems: list[Problem] = []
        self.ids: list[tuple[str, int | None]] = []  # every id written, valid question or not
        self.data: Any = None

    def add(
        self, line: int | None, message: str, severity: str = "error", kind: str = "invalid"
    ) -> None:
        self.problems.append(Problem(self.name, line, severity, message, kind))

    def add_spec(self, exc: CnnquizError, fallback: int | None) -> None:
        path, line = _split_where(exc.where, self.name)
        message = exc.message if path == self.name else str(exc)
        self.add(line or fallback, message)

    def pydantic(
        self, exc: ValidationError, data: Any, prefix: tuple, model_fields: tuple[str, ...]
    ) -> None:
        for err in exc.errors():
            loc = tuple(err["loc"])
            line = yamlio.line_of(data, prefix + loc)
            self.add(line, schema.describe_error(err, model_fields))

    def read(self) -> Bank | None:
        try:
            data = yamlio.load(self.path)
        except CnnquizError as exc:
            self.add_spec(exc, None)
            return None
        if not isinstance(data, Mapping):
            self.add(
                getattr(data, "line", None) or 1,
                "a bank is a mapping with title and questions, e.g. `title: Convolution` then `questions:`",
            )
            return None
        try:
            head = schema.BankHead.model_validate(data)
        except ValidationError as exc:
            self.pydantic(exc, data, (), tuple(schema.BankHead.model_fields))
            if not isinstance(data.get("questions"), list):
                return None
            head = None
        defaults = head.defaults.model_dump(exclude_none=True) if head and head.defaults else {}
        bank = Bank(
            self.path,
            str(data.get("title", self.path.stem)),
            head.language if head else "en",
            [],
            head.description if head else None,
        )
        raw_questions = data["questions"]
        self.data = data
        self.control_characters(data, ())
        if not raw_questions:
            self.add(
                yamlio.line_of(data, ("questions",)),
                "the bank has no questions",
                "warning",
                "style",
            )
        for i, raw in enumerate(raw_questions):
            line = yamlio.line_of(data, ("questions", i))
            if not isinstance(raw, Mapping):
                self.add(line, "a question is a mapping with id, type, prompt and answer")
                continue
            if not self.clean_ids(raw, line):
                continue
            if isinstance(raw.get("id"), str | int):
                self.ids.append((str(raw["id"]), yamlio.line_of(raw, ("id",)) or line))
            partial = False  # built without its invalid fields: checked, never asked
            try:
                model = schema.Question.model_validate(raw)
            except ValidationError as exc:
                self.pydantic(exc, data, ("questions", i), schema.QUESTION_FIELDS)
                # go on without the bad fields, so the rest of the question is checked too
                bad = {err["loc"][0] for err in exc.errors() if err["loc"]}
                raw = _without(raw, bad)
                try:
                    model = schema.Question.model_validate(raw)
                except ValidationError:
                    continue
                partial = True
            merged = _merge(defaults, model.model_dump(exclude_none=True), raw)
            built = self.build_all(merged, raw, line, bank.title)
            self.ids.extend((q.id, q.line) for q in built if q.group)
            if not partial:
                bank.questions.extend(built)
        return bank

    def clean_ids(self, raw: Mapping, line: int | None) -> bool:
        """Ids (the question's and its parts') in NFKC form; False, with the error, for an id
        with invisible, control or bidi characters or look-alike letters of two scripts."""
        places = [(raw, yamlio.line_of(raw, ("id",)) or line)]
        if isinstance(raw.get("parts"), list):
            places += [
                (part, yamlio.line_of(part, ("id",)) or line)
                for part in raw["parts"]
                if isinstance(part, Mapping)
            ]
        ok = True
        for place, at in places:
            if not isinstance(place.get("id"), str):
                continue
            qid, problem = normal_id(place["id"])
            if problem:
                self.add(at, problem)
                ok = False
            elif isinstance(place, dict):
                place["id"] = qid  # conv-ﬁlter and conv-filter are one id, as a student sees them
        return ok

    def control_characters(self, node: Any, loc: tuple) -> None:
        """A warning for each text with terminal escapes or control characters: the quiz strips
        them on output, but the author meant something else (a pasted escape, a stray byte)."""
        if isinstance(node, Mapping):
            for k, v in node.items():
                if isinstance(k, str):
                    self.control_characters(k, loc + (k,))
                self.control_characters(v, loc + (k,))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                self.control_characters(v, loc + (i,))
        elif isinstance(node, str):
            found = textsafe.control_characters(node)
            if found:
                field = ".".join(str(x) for x in loc if not isinstance(x, int)) or "text"
                self.add(
                    yamlio.line_of(self.data, loc),
                    f"{field} holds control characters ({', '.join(found)}), e.g. a terminal "
                    "escape; the quiz strips them",
                    "warning",
                    "style",
                )

    def build_all(
        self, q: dict[str, Any], raw: Mapping, line: int | None, title: str
    ) -> list[Question]:
        parts = q.pop("parts", None)
        if not parts:
            built = self.build(q, raw, line, title)
            return [built] if built else []
        out = []
        seen = set()
        for index, part in enumerate(parts, 1):
            part = {k: v for k, v in part.items() if v is not None}
            part_raw = raw["parts"][index - 1]
            part_line = yamlio.line_of(raw["parts"], (index - 1,)) or line
            if part["id"] in seen:
                self.add(part_line, f"two parts of {q['id']} have the id {part['id']!r}")
                continue
            seen.add(part["id"])
            merged = {**q, **part}
            merged["id"] = f"{q['id']}/{part['id']}"
            preamble = q["prompt"].rstrip()
            merged["prompt"] = f"{preamble}\n\n{part['prompt']}" if part.get("prompt") else preamble
            if "type" in part and q["type"] == "computed" and part["type"] != "computed":
                for k in ("vars", "network"):
                    merged.pop(k, None) if k not in part else None
            built = self.build(merged, _overlay(raw, part_raw), part_line, title, q["id"], index)
            if built:
                out.append(built)
        return out

    def build(
        self,
        q: dict[str, Any],
        raw: Mapping,
        line: int | None,
        title: str,
        group: str | None = None,
        part_index: int | None = None,
    ) -> Question | None:
        hints = q.get("hint") or []
        question = Question(
            id=q["id"],
            type=q["type"],
            bank=title,
            prompt=q["prompt"],
            topics=list(q.get("topics") or []),
            difficulty=int(q.get("difficulty") or 2),
            hints=list(hints),
            source=q.get("source"),
            explanation=q.get("explanation"),
            group=group,
            part_index=part_index,
            path=self.path,
            line=line,
            data=q,
        )
        try:
            if question.is_computed:
                self.prepare_computed(question, raw)
            else:
                self.prepare_fixed(question)
        except FieldError as exc:
            self.add(yamlio.line_of(raw, exc.loc) or line, exc.message)
            return None
        except CnnquizError as exc:
            self.add_spec(exc, line)
            return None
        if not (q.get("explanation") or "").strip():
            self.add(line, f"{q['id']}: no explanation (the worked solution)", "warning", "style")
        return question

    def prepare_fixed(self, question: Question) -> None:
        q = question.data
        for name in ("vars",):
            if name in q:
                raise FieldError(f"{name} belongs to computed questions (type: computed)", name)
        if q.get("pattern") is not None:
            if q["type"] != "text":
                raise FieldError("pattern belongs to text questions", "pattern")
            try:
                re.compile(q["pattern"])
            except re.error as exc:
                raise FieldError(
                    f"pattern is not a valid regular expression: {exc}", "pattern"
                ) from None
        if q.get("choices") is not None and q["type"] not in ("choice", "multi"):
            raise FieldError(
                f"choices belong to choice and multi questions, not {q['type']}", "choices"
            )
        key = key_from_answer(q)
        traps = feedback_traps(key)
        question.key = key
        if key.kind == "numeric":
            stated = decimals_mismatch(q["prompt"], key, q.get("tolerance"))
            if stated:
                self.add(question.line, f"{q['id']}: {stated}", "warning", "style")
        if "network" in q or "ask" in q:
            if "network" not in q or "ask" not in q:
                missing = "ask" if "network" in q else "network"
                raise FieldError(
                    f"a question that states an answer about a network needs both network and "
                    f"ask; {missing} is missing",
                    "network" if missing == "ask" else "ask",
                )
            wanted = "shape" if q["ask"] in SHAPE_ASKS else "numeric"
            if q["type"] != wanted:
                raise FieldError(
                    f"ask {q['ask']} gives a {wanted} answer; use type: {wanted}", "ask"
                )
            question.network = parse_network(q["network"], self.name)
            question.figure = evaluate(question.network, q["ask"], ask_options(q))
            traps = traps + question.figure.traps
        if traps:
            from dataclasses import replace

            question.figure = (
                replace(question.figure, traps=traps) if question.figure else _traps_only(traps)
            )

    def prepare_computed(self, question: Question, raw: Mapping) -> None:
        q = question.data
        for name in ("answer", "choices", "pattern"):
            if q.get(name) is not None:
                raise FieldError(
                    f"a computed question's answer comes from the calculator; remove {name}", name
                )
        for name in ("network", "ask"):
            if name not in q:
                raise FieldError(f"a computed question needs {name}", "type")
        if not q.get("vars"):
            self.add(
                yamlio.line_of(raw, ("type",)),
                f"{q['id']}: a computed question without vars has one "
                "variant; consider type: numeric or shape",
                "warning",
                "style",
            )
        unit_key(q.get("unit"))
        validate_tolerance(q)
        var_lists = {}
        for name, spec in (q.get("vars") or {}).items():
            try:
                var_lists[name] = computed.var_values(
                    spec.model_dump() if hasattr(spec, "model_dump") else spec
                )
            except ValueError as exc:
                raise FieldError(f"var {name}: {exc}", ("vars", name)) from None
        question.var_lists = var_lists
        for name in (
            "prompt",
            "network",
            "hint",
            "explanation",
            "layer",
            "batch",
            "optimizer",
            "dtype",
        ):
            unknown = sorted(computed.names_in(q.get(name)) - set(var_lists))
            if unknown:
                known = ", ".join(var_lists) or "none"
                names = ", ".join(f"{{{u}}}" for u in unknown)
                word = "var" if len(unknown) == 1 else "vars"
                raise FieldError(f"unknown {word} {names} in {name}; the vars are {known}", name)
        used = set().union(
            *(
                computed.names_in(q.get(n))
                for n in ("prompt", "network", "layer", "batch", "optimizer", "dtype")
            )
        )
        for name in var_lists:
            if name not in used and question.part_index in (None, 1):
                self.add(
                    yamlio.line_of(raw, ("vars", name)),
                    f"var {name} is never used in the prompt or network",
                    "warning",
                    "style",
                )
        shown = computed.names_in(q.get("prompt"))
        prompt_line = yamlio.line_of(getattr(raw, "parent", raw), ("prompt",)) or question.line
        for name in sorted(used - shown):
            if len(var_lists.get(name, ())) > 1 and question.part_index in (None, 1):
                self.add(
                    prompt_line,
                    f"{question.id}: var {name} changes the network but the prompt never shows "
                    "it, so the student cannot know it",
                    "warning",
                    "style",
                )


def _overlay(parent: Mapping, part: Mapping) -> yamlio.LineDict:
    """A part's fields located in the part, the rest in the parent (for line numbers)."""
    merged = yamlio.LineDict({**parent, **part})
    merged.line = getattr(part, "line", 0)
    merged.key_lines = {**getattr(parent, "key_lines", {}), **getattr(part, "key_lines", {})}
    merged.parent = parent  # type: ignore[attr-defined]
    return merged


def _traps_only(traps):
    from cnnquiz.bank.asks import Figure

    return Figure("feedback", 0, False, (), traps)  # type: ignore[arg-type]


def _without(raw: Mapping, fields: set) -> yamlio.LineDict:
    kept = yamlio.LineDict((k, v) for k, v in raw.items() if k not in fields)
    kept.line = getattr(raw, "line", 0)
    kept.key_lines = dict(getattr(raw, "key_lines", {}))
    return kept


def _merge(defaults: Mapping[str, Any], q: dict[str, Any], raw: Mapping) -> dict[str, Any]:
    """Bank defaults under the question's own fields; topics add up."""
    out = {**{k: v for k, v in defaults.items() if k != "topics"}, **q}
    topics = list(defaults.get("topics") or []) + list(q.get("topics") or [])
    out["topics"] = list(dict.fromkeys(topics))
    if "network" in raw:
        out["network"] = raw["network"]  # keep the YAML line numbers for the network's errors
    if "vars" in raw:
        out["vars"] = raw["vars"]
    if "feedback" in raw and isinstance(raw["feedback"], Mapping):
        out["feedback"] = {str(k): str(v) for k, v in raw["feedback"].items()}
    return out


def read_bank(path: Path | str) -> tuple[Bank | None, list[Problem]]:
    """One bank and every problem in it."""
    reader = _Reader(Path(path))
    bank = reader.read()
    return bank, reader.problems


def read_file(path: Path | str) -> FileRead:
    """One file alone, every id in it kept for :func:`join_reads` (what the study cache keeps)."""
    reader = _Reader(Path(path))
    bank = reader.read()
    return FileRead(reader.path, bank, reader.problems, reader.ids)


def read_banks(paths: Iterable[Path | str]) -> tuple[list[Bank], list[Problem]]:
    """Every bank under ``paths`` and every problem, duplicate ids across banks included."""
    files, problems = expand_paths(paths)
    return join_reads((read_file(f) for f in files), problems)


def load_banks(paths: Iterable[Path | str]) -> list[Bank]:
    """The banks under ``paths`` (a folder means its *.yaml); the first error is raised."""
    banks, problems = read_banks(paths)
    for p in problems:
        if p.severity == "error":
            raise SpecError(p.message, f"{p.path}:{p.line}" if p.line else p.path)
    return banks


def load_bank(path: Path | str) -> Bank:
    return load_banks([path])[0]


__all__ = [
    "Problem",
    "bundled_bank_paths",
    "load_bank",
    "load_banks",
    "read_bank",
    "read_banks",
    "SpecError",
]
