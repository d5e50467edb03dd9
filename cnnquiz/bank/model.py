"""Questions, banks and the concrete items a student answers.

A :class:`Question` is what the bank says, built complete by the loader and never changed;
:meth:`Question.draw` turns it into an :class:`Item` with a prompt, a key and an explanation.
A fixed question draws the same item every time (its choices shuffled by the seed); a computed
one draws the variant of that seed from its :class:`Template`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from cnnquiz.bank import computed
from cnnquiz.bank.answers import format_shape
from cnnquiz.bank.asks import ASKS, AskOptions, Solution, Trap
from cnnquiz.bank.authored import key_from_solution
from cnnquiz.bank.grading import Verdict, grade_key
from cnnquiz.bank.keys import ChoiceKey, Key, MultiKey, NumberKey, ShapeKey, key_text
from cnnquiz.bank.variants import Template, Variant, draw_variant
from cnnquiz.errors import SpecError
from cnnquiz.net.network import Network
from cnnquiz.net.units import fmt_int


@dataclass(frozen=True)
class Item:
    """One concrete thing to answer: what the quiz shows and what the grader needs."""

    question: Question
    prompt: str  # Markdown
    kind: str  # numeric | shape | choice | multi | truefalse | text
    choices: list[str] | None
    hints: list[str]
    explanation: str  # Markdown: the worked solution
    answer_text: str  # the key as a person writes it
    seed: int
    key: Key = field(repr=False)
    traps: tuple[Trap, ...] = field(default=(), repr=False)
    values: Mapping[str, Any] = field(default_factory=dict)  # a computed variant's variables


def grade(item: Item, text: str) -> Verdict:
    """Grade what the student typed against the item's key."""
    return grade_key(item.key, text, item.traps, item.answer_text, item.question.language)


@dataclass(frozen=True)
class Recomputed:
    """A fixed question that states a network and an ask, answered by the calculator on load
    (no torch): ``bank check`` and the quiz compare the author's key with ``key``."""

    network: Network
    ask: str
    options: AskOptions
    solution: Solution
    key: NumberKey | ShapeKey  # the calculator's figure as a key, in the question's unit


@dataclass(frozen=True, eq=False)
class Question:
    id: str
    type: str
    bank: str  # the bank's title
    prompt: str
    topics: tuple[str, ...]
    difficulty: int
    hints: tuple[str, ...]
    source: str | None
    explanation: str | None
    group: str | None = None  # the parent id of a multi-part item
    part_index: int | None = None  # 1-based position within the group
    path: Path | None = None
    line: int | None = None
    shuffle: bool = True  # choices in a new order each draw
    mirrors: str | None = None  # the same question in another language's bank (its id)
    language: str = "en"  # the bank's: how its numbers are read and its keys written
    # a fixed question: its key, the wrong answers it names, the calculator's figure if any
    key: Key | None = field(default=None, repr=False)
    traps: tuple[Trap, ...] = field(default=(), repr=False)
    recomputed: Recomputed | None = field(default=None, repr=False)
    # a computed question: what its variants are drawn from
    template: Template | None = field(default=None, repr=False)

    @property
    def is_computed(self) -> bool:
        return self.type == "computed"

    @property
    def kind(self) -> str:
        if self.template is not None:
            return ASKS[self.template.ask].question_type
        return self.type

    @property
    def ask(self) -> str | None:
        """What the question asks the calculator, if it asks it anything."""
        if self.template is not None:
            return self.template.ask
        return self.recomputed.ask if self.recomputed else None

    @property
    def network(self) -> Network | None:
        """The network a fixed question states (None for computed questions)."""
        return self.recomputed.network if self.recomputed else None

    @property
    def where(self) -> str:
        return (
            f"{self.path}:{self.line}"
            if self.path and self.line
            else (str(self.path) if self.path else self.id)
        )

    def draw(self, seed: int = 0) -> Item:
        """The item for ``seed``; a computed question's variant is the same for the same seed."""
        if self.template is not None:
            return self._draw_computed(self.template, seed)
        if self.key is None:
            raise SpecError(f"{self.id} has no answer key", self.where)
        key = self._shuffled_key(self.key, seed)
        return Item(
            self,
            self.prompt,
            self.type,
            list(key.choices) if isinstance(key, ChoiceKey | MultiKey) else None,
            list(self.hints),
            self.explanation or "",
            key_text(key, self.language),
            seed,
            key,
            self.traps,
        )

    def _shuffled_key(self, key: Key, seed: int) -> Key:
        """Choices in the order of ``seed`` (so a student learns the answer, not its letter),
        unless the bank says ``shuffle: false``; the key follows its choices."""
        if not isinstance(key, ChoiceKey | MultiKey) or not self.shuffle:
            return key
        order = list(range(len(key.choices)))
        computed.rng_for(self.id, seed).shuffle(order)
        return key.shuffled(order)

    def variant(self, seed: int) -> Variant:
        """The variant of a computed question for ``seed`` (redrawn while invalid)."""
        if self.template is None:
            raise SpecError(f"{self.id} is not a computed question", self.where)
        source = str(self.path or self.id)
        return draw_variant(self.template, self.group or self.id, seed, source, self.where)

    def _draw_computed(self, template: Template, seed: int) -> Item:
        v = self.variant(seed)
        key = key_from_solution(v.solution, template.rules)
        answer = key_text(key, self.language)

        def fill(text: str) -> str:
            return computed.substitute(text, v.values) if text else text

        explanation = computed.working(fill(self.explanation or ""), v.solution.steps, answer)
        return Item(
            self,
            fill(self.prompt),
            self.kind,
            None,
            [fill(h) for h in self.hints],
            explanation,
            answer,
            seed,
            key,
            v.solution.traps,
            v.values,
        )


@dataclass(frozen=True)
class Bank:
    path: Path
    title: str
    language: str
    questions: list[Question]
    description: str | None = None


def key_mismatch(q: Question) -> str | None:
    """What is wrong with a fixed question's key, if the calculator gives another figure.

    A question that states a network and what it asks already holds the calculator's figure
    (computed on load, no torch): ``bank check`` reports a disagreement as a wrong key, and a
    quiz leaves the question out, so a wrong key never reaches a student. None when they agree
    or when the calculator cannot recompute the key (no network)."""
    calc = q.recomputed
    if calc is None or q.key is None:
        return None
    value = calc.solution.value
    if _same(value, q.key):
        return None
    if isinstance(value, tuple):
        figure = format_shape(value)
    elif isinstance(calc.key, NumberKey) and calc.key.size:
        figure = f"{fmt_int(int(value))} bytes ({key_text(calc.key)})"
    else:
        figure = key_text(calc.key)
    which = calc.options.layer_name or calc.options.layer
    layer = f" of layer {which}" if which else ""
    message = (
        f"wrong answer key: the answer says {key_text(q.key)}, the calculator gives {figure} "
        f"for {calc.ask}{layer}"
    )
    why = next((t.feedback for t in q.traps if _same(t.value, q.key)), None)
    return f"{message} (a known mistake: {why})" if why else message


def _same(value: Decimal | tuple[int, ...], key: Key) -> bool:
    if isinstance(value, tuple):
        return isinstance(key, ShapeKey) and key.shape == value
    return isinstance(key, NumberKey) and key.close(Decimal(value))
