"""``cnnquiz bank check``'s summary: counts agree with their noun and group their digits as
every other count cnnquiz prints (``units.fmt_count``)."""

from __future__ import annotations

from cnnquiz.cli.bank import summary

COUNTS = {
    "banks": 1,
    "questions": 3190,
    "with_network": 1,
    "computed": 650,
    "variants": 13000,
    "verified_by_torch": 1,
    "errors": 0,
    "warnings": 1,
}


def test_the_summary_counts_with_their_noun_and_grouped_digits():
    assert summary(COUNTS, 0, verified=True, samples=20).splitlines() == [
        "checked 1 bank: 3,190 questions, 1 answer key recomputed by the calculator, "
        "650 computed questions self-tested on 13,000 variants (20 each)",
        "torch: 1 distinct network built and compared",
        "OK: 0 errors, 1 warning",
    ]


def test_the_summary_says_when_torch_was_skipped_and_why_it_failed():
    lines = summary(COUNTS | {"errors": 2}, 2, verified=False, samples=5).splitlines()
    assert lines[1:] == ["torch: skipped (--no-verify)", "FAILED: invalid banks: 2 errors, 1 warning"]
