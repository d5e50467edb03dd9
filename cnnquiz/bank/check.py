"""``bank check``: prove every answer key, or say exactly where it is wrong.

Schema problems come from the loader (all of them, with lines). Then each question is proved:
a fixed question that states a network and an answer is recomputed by the calculator (and, with
``verify``, its network is built in torch and compared); a computed question is self-tested on
``samples`` variants: its key must grade as correct and a perturbed answer as wrong, and (with
``verify``) each variant's network is built in torch and compared, each distinct one once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from cnnquiz.bank.answers import BYTE_UNITS, UNIT_NAMES, format_shape
from cnnquiz.bank.keys import NumberKey, ShapeKey, plain, round_sig
from cnnquiz.bank.loader import Problem, read_banks
from cnnquiz.bank.model import Bank, Item, Question, grade, key_mismatch
from cnnquiz.errors import CnnquizError
from cnnquiz.net.arithmetic import analyze
from cnnquiz.net.network import Network
from cnnquiz.net.spec import network_to_dict
from cnnquiz.net.units import fmt_int

EXIT_KINDS = {"invalid": 2, "key": 1, "selftest": 1, "verify": 1}


@dataclass
class CheckReport:
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    banks: list[Bank] = field(default_factory=list)  # the banks read (a bad file is not one)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def exit_status(self) -> int:
        """2 unreadable or invalid files, 1 a wrong key or failed self-test, 0 clean."""
        return max((EXIT_KINDS.get(p.kind, 2) for p in self.errors), default=0)

    def ordered(self) -> list[Problem]:
        """Errors first, then warnings; each by file and line."""
        return sorted(self.problems, key=_order)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.exit_status == 0,
            "exit_status": self.exit_status,
            "counts": self.counts,
            "problems": [p._asdict() for p in self.ordered()],
        }


def _order(p: Problem) -> tuple:
    return (p.severity != "error", p.path, p.line or 0)


def check_banks(
    paths: Iterable[Path | str], verify: bool = True, samples: int = 20, seed: int = 0
) -> CheckReport:
    """Load every bank under ``paths``, report all problems, and prove every key."""
    banks, problems = read_banks(paths)
    report = CheckReport(problems, banks=banks)
    questions = [q for b in banks for q in b.questions]
    report.counts = {
        "banks": len(banks),
        "questions": len(questions),
        "computed": sum(q.is_computed for q in questions),
        "with_network": sum(q.recomputed is not None for q in questions),
        "variants": 0,
        "verified_by_torch": 0,
    }
    verifier = _Verifier(report) if verify else None
    for q in questions:
        try:
            if q.is_computed:
                _selftest_computed(q, report, samples, seed, verifier)
            else:
                _check_fixed(q, report, verifier)
        except CnnquizError as exc:  # a variant that cannot be drawn, a network torch cannot build
            _add(report, q, f"{q.id}: {exc.message}", "selftest")
    report.counts["errors"] = len(report.errors)
    report.counts["warnings"] = len(report.warnings)
    return report


def _add(
    report: CheckReport, q: Question, message: str, kind: str, severity: str = "error"
) -> None:
    report.problems.append(Problem(str(q.path), q.line, severity, message, kind))


def _check_fixed(q: Question, report: CheckReport, verifier: _Verifier | None) -> None:
    item = q.draw(0)
    _roundtrip(q, item, report)
    if q.recomputed is None:
        return
    wrong = key_mismatch(q)  # the same test a quiz makes on load before it asks the question
    if wrong:
        _add(report, q, f"{q.id}: {wrong}", "key")
    if verifier:
        verifier.verify(q, q.recomputed.network, q.recomputed.options.dtype)


def _roundtrip(q: Question, item: Item, report: CheckReport, seed: int | None = None) -> bool:
    """The key as shown must grade as correct: the grader and the key agree."""
    verdict = grade(item, item.answer_text)
    if verdict.status != "correct":
        at = f" (seed {seed})" if seed is not None else ""
        _add(
            report,
            q,
            f"{q.id}{at}: its own key {item.answer_text!r} grades as {verdict.status}: "
            f"{verdict.message}",
            "selftest",
        )
        return False
    return True


def perturb(item: Item) -> str:
    """An answer that must grade as wrong: the key moved by about 10 %."""
    key = item.key
    if isinstance(key, ShapeKey):
        dims = list(key.shape or (1,))
        dims[0] += 1
        return format_shape(tuple(dims))
    if not isinstance(key, NumberKey):
        raise TypeError(f"only numbers and shapes are perturbed, not {type(key).__name__}")
    n = key.number
    if key.size:
        unit = key.unit if key.unit in BYTE_UNITS else "mb"
        factor = Decimal(BYTE_UNITS[unit])
        if n == 0:
            return f"1 {UNIT_NAMES[unit]}"
        return f"{plain(round_sig(n * Decimal('1.1') / factor, 4))} {UNIT_NAMES[unit]}"
    step = max(Decimal(1), (abs(n) / 10).to_integral_value())
    return fmt_int(int(n + step)) if n == n.to_integral_value() else str(n * Decimal("1.1"))


def _selftest_computed(
    q: Question, report: CheckReport, samples: int, seed: int, verifier: _Verifier | None
) -> None:
    prompts = set()
    for s in range(seed, seed + samples):
        item = q.draw(s)
        report.counts["variants"] += 1
        prompts.add(item.prompt)
        if not _roundtrip(q, item, report, s):
            return
        wrong = perturb(item)
        verdict = grade(item, wrong)
        if verdict.status != "wrong":
            _add(
                report,
                q,
                f"{q.id} (seed {s}): the perturbed answer {wrong!r} grades as {verdict.status}; "
                f"the key {item.answer_text!r} accepts too much (check tolerance)",
                "selftest",
            )
            return
        if verifier:
            variant = q.variant(s)
            verifier.verify(q, variant.network, variant.options.dtype, s)
    varied = q.template is not None and any(len(v) > 1 for v in q.template.var_lists.values())
    if samples > 1 and len(prompts) == 1 and varied and q.part_index in (None, 1):
        _add(
            report,
            q,
            f"{q.id}: every draw gives the same prompt; do the vars appear in it?",
            "style",
            "warning",
        )


class _Verifier:
    """The torch bridge, imported on first use; each distinct network is verified once."""

    def __init__(self, report: CheckReport) -> None:
        self.report = report
        self.done: set[str] = set()
        self.bridge: Any = None

    def verify(self, q: Question, network: Network, dtype: str, seed: int | None = None) -> None:
        key = repr(network_to_dict(network))
        if key in self.done:
            return
        self.done.add(key)
        if self.bridge is None:
            try:
                from cnnquiz.torchcheck import verify as bridge
            except ImportError as exc:
                _add(self.report, q, f"cannot verify with torch ({exc}); use --no-verify", "verify")
                self.bridge = False
                return
            self.bridge = bridge
        if self.bridge is False:
            return
        result = self.bridge.verify(network, analyze(network, dtype))
        self.report.counts["verified_by_torch"] += 1
        at = f" (seed {seed})" if seed is not None else ""
        for m in result.mismatches:
            _add(self.report, q, f"{q.id}{at}: calculator and torch disagree: {m}", "verify")
