"""What a question needs beyond its text, checked field by field as the loader reads it: a
fixed question's key, traps and recomputed figure; a computed question's template.

Problems are :class:`FieldError` (the question is left out); advice (a var never used, a prompt
that hides what changes the network) goes to ``warn`` with its line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cnnquiz import yamlio, zoo
from cnnquiz.bank import computed
from cnnquiz.bank.asks import ASKS, Trap, evaluate, layer_named
from cnnquiz.bank.authored import (
    ASK_OPTIONS,
    FieldError,
    KeyRules,
    ask_options,
    feedback_traps,
    key_from_answer,
    key_from_solution,
    key_rules,
    unit_key,
)
from cnnquiz.bank.keys import Key, NumberKey
from cnnquiz.bank.lint import decimals_mismatch
from cnnquiz.bank.model import Recomputed
from cnnquiz.bank.variants import NetworkTemplate, Template, template_options
from cnnquiz.errors import SpecError
from cnnquiz.net.network import Network
from cnnquiz.net.spec import parse_network

Warn = Callable[[int | None, str], None]  # a style warning at a line


@dataclass(frozen=True)
class FixedAnswer:
    key: Key
    traps: tuple[Trap, ...]
    recomputed: Recomputed | None


def fixed_answer(q: Mapping[str, Any], source: str, line: int | None, warn: Warn) -> FixedAnswer:
    """The key of a fixed question, the wrong answers it names, and the calculator's figure
    when it states a network and an ask."""
    _check_fixed_fields(q)
    key = key_from_answer(q)
    traps = feedback_traps(key)
    if isinstance(key, NumberKey):
        stated = decimals_mismatch(q["prompt"], key, q.get("tolerance"))
        if stated:
            warn(line, f"{q['id']}: {stated}")
    recomputed = _recomputed(q, key, source) if "network" in q or "ask" in q else None
    if recomputed is not None:
        traps += recomputed.solution.traps
    return FixedAnswer(key, traps, recomputed)


def _check_fixed_fields(q: Mapping[str, Any]) -> None:
    if "vars" in q:
        raise FieldError("vars belongs to computed questions (type: computed)", "vars")
    if q.get("pattern") is not None:
        if q["type"] != "text":
            raise FieldError("pattern belongs to text questions", "pattern")
        try:
            re.compile(q["pattern"])
        except re.error as exc:
            raise FieldError(f"pattern is not a valid regular expression: {exc}", "pattern") from None
    if q.get("choices") is not None and q["type"] not in ("choice", "multi"):
        raise FieldError(
            f"choices belong to choice and multi questions, not {q['type']}", "choices"
        )


def _recomputed(q: Mapping[str, Any], key: Key, source: str) -> Recomputed:
    if "network" not in q or "ask" not in q:
        missing = "ask" if "network" in q else "network"
        raise FieldError(
            f"a question that states an answer about a network needs both network and "
            f"ask; {missing} is missing",
            "network" if missing == "ask" else "ask",
        )
    wanted = ASKS[q["ask"]].question_type
    if q["type"] != wanted:
        raise FieldError(f"ask {q['ask']} gives a {wanted} answer; use type: {wanted}", "ask")
    network = _network(q["network"], source)
    options = ask_options(q)
    if options.layer_name is not None:
        try:
            layer_named(network, options.layer_name)
        except SpecError as exc:
            raise FieldError(str(exc), "layer") from None  # the line of layer:, not the question's
    solution = evaluate(network, q["ask"], options)
    # a shape needs no unit: like the author's key, only a number reads unit and tolerance
    rules = (
        KeyRules()
        if isinstance(solution.value, tuple)
        else KeyRules(unit_key(q.get("unit")), q.get("tolerance"))
    )
    calc = key_from_solution(solution, rules)
    return Recomputed(network, q["ask"], options, solution, calc)


_ZOO_NAME = re.compile(r"[A-Za-z_][\w-]*")


def _network(raw: Any, source: str) -> Network:
    """The spec as written, or a zoo network by its name (``network: resnet18``): the zoo's files
    are held to their published counts by their own tests, so a bank need not copy them out."""
    if isinstance(raw, str) and _ZOO_NAME.fullmatch(raw.strip()):
        try:
            return zoo.load(raw.strip())
        except SpecError as exc:
            raise FieldError(str(exc), "network") from None
    return parse_network(raw, source)


# --------------------------------------------------------------------------------------------
# Computed questions


def template(
    q: Mapping[str, Any],
    raw: Mapping,
    prompt_line: int | None,
    first: bool,
    warn: Warn,
    shared: NetworkTemplate | None = None,
) -> Template:
    """A computed question's template; ``prompt_line`` is where the prompt a student reads
    starts (the parent's, for a part), ``first`` is false for later parts (they share the
    first part's vars, so its advice is not repeated). ``shared`` is the parent's network,
    which parts that do not write their own parse once for all of them."""
    for name in ("answer", "choices", "pattern"):
        if q.get(name) is not None:
            raise FieldError(
                f"a computed question's answer comes from the calculator; remove {name}", name
            )
    for name in ("network", "ask"):
        if name not in q:
            raise FieldError(f"a computed question needs {name}", "type")
    if not q.get("vars"):
        warn(
            yamlio.line_of(raw, ("type",)),
            f"{q['id']}: a computed question without vars has one "
            "variant; consider type: numeric or shape",
        )
    rules = key_rules(q)
    var_lists = _var_lists(q.get("vars") or {})
    _check_names(q, var_lists)
    if first:
        _advise(q, var_lists, raw, prompt_line, warn)
    options = {k: q.get(k) for k in ASK_OPTIONS}
    network = shared if shared is not None and shared.raw is q["network"] else None
    network = network or NetworkTemplate(q["network"])
    return Template(network, q["ask"], options, var_lists, rules, template_options(options))


def _var_lists(specs: Mapping[str, Any]) -> dict[str, Sequence[Any]]:
    var_lists = {}
    for name, spec in specs.items():
        try:
            var_lists[name] = computed.var_values(
                spec.model_dump() if hasattr(spec, "model_dump") else spec
            )
        except ValueError as exc:
            raise FieldError(f"var {name}: {exc}", ("vars", name)) from None
    return var_lists


_TEMPLATED = ("prompt", "network", "hint", "explanation", *ASK_OPTIONS)


def _check_names(q: Mapping[str, Any], var_lists: Mapping[str, Sequence[Any]]) -> None:
    """Every ``{name}`` a template uses is a var."""
    for name in _TEMPLATED:
        unknown = sorted(computed.names_in(q.get(name)) - set(var_lists))
        if unknown:
            known = ", ".join(var_lists) or "none"
            names = ", ".join(f"{{{u}}}" for u in unknown)
            word = "var" if len(unknown) == 1 else "vars"
            raise FieldError(f"unknown {word} {names} in {name}; the vars are {known}", name)


def _advise(
    q: Mapping[str, Any],
    var_lists: Mapping[str, Sequence[Any]],
    raw: Mapping,
    prompt_line: int | None,
    warn: Warn,
) -> None:
    """A var never used, and a var that changes the network but never shows in the prompt."""
    used = set().union(*(computed.names_in(q.get(n)) for n in ("prompt", "network", *ASK_OPTIONS)))
    for name in var_lists:
        if name not in used:
            warn(
                yamlio.line_of(raw, ("vars", name)),
                f"var {name} is never used in the prompt or network",
            )
    shown = computed.names_in(q.get("prompt"))
    for name in sorted(used - shown):
        if len(var_lists.get(name, ())) > 1:
            warn(
                prompt_line,
                f"{q['id']}: var {name} changes the network but the prompt never shows "
                "it, so the student cannot know it",
            )
