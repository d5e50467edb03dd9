"""Reading bank files into questions, collecting every problem with its file and line.

``read_bank`` never stops at the first problem: ``bank check`` reports them all in one pass.
``load_bank``/``load_banks`` (what the quiz uses) raise the first error instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cnnquiz import textsafe, yamlio
from cnnquiz.bank import convention, prepare, schema
from cnnquiz.bank.authored import FieldError
from cnnquiz.bank.code import with_code
from cnnquiz.bank.files import FileRead, Problem, bundled_bank_paths, expand_paths, join_reads
from cnnquiz.bank.lint import normal_id
from cnnquiz.bank.model import Bank, Question
from cnnquiz.bank.variants import NetworkTemplate
from cnnquiz.errors import CnnquizError, SpecError


def language_code(written: str) -> str:
    """A bank's ``language`` as the grader knows it: ``nl``, ``NL``, ``nl-BE``, ``nl_BE`` -> ``nl``."""
    return written.strip().lower().replace("_", "-").split("-")[0] or "en"


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
        self.language = "en"  # the bank's, once its head is read

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
        data = self.document()
        if data is None:
            return None
        try:
            head = schema.BankHead.model_validate(data)
        except ValidationError as exc:
            self.pydantic(exc, data, (), tuple(schema.BankHead.model_fields))
            if not isinstance(data.get("questions"), list):
                return None
            head = None
        defaults = head.defaults.model_dump(exclude_none=True) if head and head.defaults else {}
        title = str(data.get("title", self.path.stem))
        self.language = language_code(head.language) if head else "en"
        self.data = data
        self.control_characters(data, ())
        if not data["questions"]:
            self.add(
                yamlio.line_of(data, ("questions",)),
                "the bank has no questions",
                "warning",
                "style",
            )
        with convention.reading(self.language):  # "2.800" in a Dutch bank's answer is 2800
            questions = [
                q
                for i, raw in enumerate(data["questions"])
                for q in self.question(i, raw, defaults, title)
            ]
        return Bank(
            self.path,
            title,
            self.language,
            questions,
            head.description if head else None,
        )

    def document(self) -> Mapping | None:
        """The file's YAML if it is a mapping (a bank), else None with the problem."""
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
        return data

    def question(
        self, index: int, raw: Any, defaults: Mapping[str, Any], title: str
    ) -> list[Question]:
        """The questions entry ``index`` of ``questions:`` makes (its parts, or itself), each
        problem reported; none when it has an error."""
        line = yamlio.line_of(self.data, ("questions", index))
        if not isinstance(raw, Mapping):
            self.add(line, "a question is a mapping with id, type, prompt and answer")
            return []
        if not self.clean_ids(raw, line):
            return []
        if isinstance(raw.get("id"), str | int):
            self.ids.append((str(raw["id"]), yamlio.line_of(raw, ("id",)) or line))
        partial = False  # built without its invalid fields: checked, never asked
        try:
            model = schema.Question.model_validate(raw)
        except ValidationError as exc:
            self.pydantic(exc, self.data, ("questions", index), schema.QUESTION_FIELDS)
            # go on without the bad fields, so the rest of the question is checked too
            bad = {err["loc"][0] for err in exc.errors() if err["loc"]}
            raw = _without(raw, bad)
            try:
                model = schema.Question.model_validate(raw)
            except ValidationError:
                return []
            partial = True
        merged = _merge(defaults, model.model_dump(exclude_none=True), raw)
        try:
            merged = with_code(merged, self.name, yamlio.line_of(raw, ("code",)))
        except CnnquizError as exc:
            self.add_spec(exc, line)
            return []
        built = self.build_all(merged, raw, line, title)
        self.ids.extend((q.id, q.line) for q in built if q.group)
        return [] if partial else built

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

    def control_characters(self, node: Mapping | list, loc: tuple) -> None:
        """A warning for each text with terminal escapes or control characters: the quiz strips
        them on output, but the author meant something else (a pasted escape, a stray byte)."""
        pairs = node.items() if isinstance(node, Mapping) else enumerate(node)
        for k, v in pairs:
            if isinstance(k, str) and not k.isprintable():
                self.control_text(k, loc + (k,))
            if isinstance(v, Mapping | list):
                self.control_characters(v, loc + (k,))
            elif isinstance(v, str) and not v.isprintable():  # else no control character
                self.control_text(v, loc + (k,))

    def control_text(self, text: str, loc: tuple) -> None:
        found = textsafe.control_characters(text)
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
        prompt_line = yamlio.line_of(raw, ("prompt",))
        shared = NetworkTemplate(q["network"]) if isinstance(q.get("network"), Mapping) else None
        for index, part in enumerate(parts, 1):
            part = {k: v for k, v in part.items() if v is not None}
            part_raw = raw["parts"][index - 1]
            part_line = yamlio.line_of(raw["parts"], (index - 1,)) or line
            if part["id"] in seen:
                self.add(part_line, f"two parts of {q['id']} have the id {part['id']!r}")
                continue
            seen.add(part["id"])
            built = self.build(
                _part_fields(q, part),
                _overlay(raw, part_raw),
                part_line,
                title,
                Place(q["id"], index, prompt_line, shared),
            )
            if built:
                out.append(built)
        return out

    def build(
        self,
        q: dict[str, Any],
        raw: Mapping,
        line: int | None,
        title: str,
        place: Place | None = None,
    ) -> Question | None:
        """The question, complete, or None with its problem reported."""
        try:
            answer = self.answer(q, raw, line, place)
        except FieldError as exc:
            self.add(yamlio.line_of(raw, exc.loc) or line, exc.message)
            return None
        except CnnquizError as exc:
            self.add_spec(exc, line)
            return None
        if not (q.get("explanation") or "").strip():
            self.add(line, f"{q['id']}: no explanation (the worked solution)", "warning", "style")
        return Question(
            id=q["id"],
            type=q["type"],
            bank=title,
            prompt=q["prompt"],
            topics=tuple(q.get("topics") or ()),
            difficulty=int(q.get("difficulty") or 2),
            hints=tuple(q.get("hint") or ()),
            source=q.get("source"),
            explanation=q.get("explanation"),
            group=place.group if place else None,
            part_index=place.index if place else None,
            path=self.path,
            line=line,
            shuffle=q.get("shuffle") is not False,
            mirrors=q.get("mirrors"),
            language=self.language,
            **answer,
        )

    def answer(
        self, q: dict[str, Any], raw: Mapping, line: int | None, place: Place | None
    ) -> dict[str, Any]:
        """The fields that answer the question: a fixed question's key, traps and recomputed
        figure, or a computed question's template."""
        if q["type"] != "computed":
            fixed = prepare.fixed_answer(q, self.name, line, self.advise)
            return {"key": fixed.key, "traps": fixed.traps, "recomputed": fixed.recomputed}
        prompt_line = (place.prompt_line if place else yamlio.line_of(raw, ("prompt",))) or line
        first = place is None or place.index == 1
        shared = place.network if place else None
        return {"template": prepare.template(q, raw, prompt_line, first, self.advise, shared)}

    def advise(self, line: int | None, message: str) -> None:
        self.add(line, message, "warning", "style")


@dataclass(frozen=True)
class Place:
    """Where a part sits: its group (the parent's id), its 1-based index, the line of the
    parent's prompt (what the student reads first)."""

    group: str
    index: int
    prompt_line: int | None
    network: NetworkTemplate | None  # the parent's, parsed once for the parts that share it


def _part_fields(q: Mapping[str, Any], part: Mapping[str, Any]) -> dict[str, Any]:
    """A part's fields over its parent's: its id qualified, its prompt after the parent's."""
    merged = {**q, **part}
    merged["id"] = f"{q['id']}/{part['id']}"
    if q.get("mirrors") and "mirrors" not in part:  # the mirrored item's part of the same id
        merged["mirrors"] = f"{q['mirrors']}/{part['id']}"
    preamble = q["prompt"].rstrip()
    merged["prompt"] = f"{preamble}\n\n{part['prompt']}" if part.get("prompt") else preamble
    if "type" in part and q["type"] == "computed" and part["type"] != "computed":
        for k in ("vars", "network"):
            if k not in part:
                merged.pop(k, None)
    return merged


def _overlay(parent: Mapping, part: Mapping) -> yamlio.LineDict:
    """A part's fields located in the part, the rest in the parent (for line numbers)."""
    merged = yamlio.LineDict({**parent, **part})
    merged.line = getattr(part, "line", 0)
    merged.key_lines = {**getattr(parent, "key_lines", {}), **getattr(part, "key_lines", {})}
    return merged


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
