"""Issue 9.5: sizes and numbers past the limits are one-line errors that state the limit.

Nothing past 2^31 per dimension or 2^63 - 1 per count reaches the arithmetic or torch, with or
without ``--no-verify``, and integers longer than Python reads (4,300 digits) are refused where
they are read: ``--in``, flags, inline layers, YAML specs.
"""

from __future__ import annotations

import pytest

from cnnquiz import limits
from cnnquiz.errors import SpecError
from cnnquiz.net.options import parse_shape
from cnnquiz.net.spec import network_from_inline, parse_network
from cnnquiz.yamlio import loads

BIG = "9" * 5000
DIM = "must be at most 2,147,483,648 (2^31)"
COUNT = "must be at most 9,223,372,036,854,775,807 (2^63 - 1)"

CASES = [
    (["conv", "--in", "1000000000000x1000000000000x3", "--filters", "3"],
     f"--in: every dimension {DIM}, got 1,000,000,000,000"),
    (["conv", "--in", f"{BIG}x3x3", "--filters", "3"], f"--in: every dimension {DIM}, got a 5,000-digit number"),
    (["conv", "--in", "8x8x3", "--filters", "1" + "0" * 400],
     f"argument --filters: the number {DIM}, got a 401-digit number"),
    (["conv", "--in", "8x8x3", "--filters", "10**400"], "argument --filters: expected a positive integer, got '10**400'"),
    (["conv", "--in", "8x8x3", "--filters", "2", "--kernel", BIG], f"--kernel: kernel {DIM}, got a 5,000-digit number"),
    (["conv", "--in", "8x8x3", "--filters", "2", "--padding", "1" + "0" * 30], f"--padding: padding {DIM}"),
    (["dense", "--in", "1000000000000", "--units", "1000000000000"], f"--units: the number {DIM}"),
    (["dense", "--in", "1000000000000", "--units", "10"], f"--in: every dimension {DIM}"),
    (["dense", "--in", "2147483648", "--units", "2147483648"], f"the bytes of its parameters {COUNT}"),
    (["conv", "--in", "2147483648x2147483648x2147483648", "--filters", "1"],
     f"--in: the values in a shape (2147483648x2147483648x2147483648) {COUNT}"),
    (["model", "--in", "8x8x3", f"conv {BIG}"], f"layers: layer 1: filters {DIM}, got a 5,000-digit number"),
    (["model", "--in", "8x8x3", "conv 8 k" + BIG], f"layers: layer 1: kernel {DIM}"),
    (["model", "--in", "40000x40000x1", "conv 1 k1", "--batch", "1000000000"],
     f"--batch: the bytes of a batch's activations {COUNT}"),
    (["model", "--in", "8x8x3", "conv 8", "--batch", BIG], f"argument --batch: the number {DIM}"),
]


@pytest.mark.parametrize("verify", [False, True], ids=["no-verify", "verify"])
@pytest.mark.parametrize(("argv", "message"), CASES, ids=[str(i) for i in range(len(CASES))])
def test_huge_sizes_are_one_line_errors_naming_the_limit(cli, argv, message, verify):
    out = cli("calc", *argv, *([] if verify else ["--no-verify"]))
    assert out.returncode == 2, out.stdout + out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and len(lines[0]) < 300, out.stderr


def test_argparse_errors_cut_a_huge_value(cli):
    out = cli("quiz", "--seed", BIG)
    assert out.returncode == 2
    assert "(5,000 characters)" in out.stderr and len(out.stderr) < 300


def test_yaml_specs_apply_the_same_limits():
    net = "input: {shape}\nlayers:\n  - conv: {{filters: {filters}, kernel: {kernel}}}\n"
    for values, message in [
        (dict(shape="[8, 8, 3000000000]", filters=2, kernel=3), f"n.yaml:1: every dimension {DIM}"),
        (dict(shape="8x8x3", filters=f"'{BIG}'", kernel=3), f"n.yaml:3: filters {DIM}, got a 5,000-digit"),
        (dict(shape="8x8x3", filters=10**12, kernel=3), f"n.yaml:3: filters {DIM}, got 1,000,000,000,000"),
        (dict(shape="8x8x3", filters=2, kernel=f"'{BIG}x3'"), f"n.yaml:3: kernel {DIM}"),
        (dict(shape=BIG, filters=2, kernel=3), "n.yaml:1: a whole number past the 4,300-digit limit"),
    ]:
        with pytest.raises(SpecError) as err:
            parse_network(loads(net.format(**values), "n.yaml"), "n.yaml")
        assert message in str(err.value) and len(str(err.value)) < 300


def test_the_limits_themselves_are_allowed_and_exact():
    assert parse_shape("2147483648x1x1").dims == (2**31, 1, 1)
    net = network_from_inline("2147483648", "dense 2147483647")
    assert net.layers[0].units == 2**31 - 1
    with pytest.raises(SpecError, match=DIM.replace("(", r"\(").replace(")", r"\)").replace("^", r"\^")):
        parse_shape("2147483649", "--in")


def test_parse_int_and_number_text():
    assert limits.parse_int(" +00012 ", "w", "x") == 12
    assert limits.parse_int("-5", "w", "x") == -5
    with pytest.raises(SpecError, match="got a 5,000-digit number"):
        limits.parse_int(BIG, "w", "x")
    assert limits.number_text(10**4400) == "a 4,401-digit number"
    assert limits.number_text("x" * 100).endswith("… (102 characters)")
    assert [limits.int_digits(v) for v in (0, 9, 10, 10**50 - 1, 10**50, -(10**40))] == [1, 1, 2, 50, 51, 41]


def test_counts_agree_with_their_noun():
    from cnnquiz.net.units import fmt_count

    assert [fmt_count(n, "epoch") for n in (0, 1, 3)] == ["0 epochs", "1 epoch", "3 epochs"]
    assert fmt_count(1, "bias", "biases") == "1 bias"
    assert fmt_count(2800, "bias", "biases") == "2,800 biases"


def test_fmt_int_is_exact_up_to_what_python_prints_and_safe_past_it():
    from cnnquiz.net.units import fmt_int

    assert fmt_int(2800) == "2,800" and fmt_int(-(10**20)) == "-100,000,000,000,000,000,000"
    assert fmt_int(10**4299).replace(",", "") == "1" + "0" * 4299
    assert fmt_int(10**5000 - 1) == "9.99…×10^4999"
    assert fmt_int(-(10**4400)) == "-1.00…×10^4400"


def test_a_quoted_5000_digit_numeric_key_is_reported_not_a_crash(cli, tmp_path):
    bank = tmp_path / "big.yaml"
    bank.write_text(
        f'title: Big\nquestions:\n  - id: q1\n    type: numeric\n    prompt: p\n    answer: "{BIG}"\n',
        encoding="utf-8",
    )
    out = cli("bank", "check", str(bank), "--no-verify")
    assert out.returncode in (1, 2) and "Traceback" not in out.stderr  # a bad key, not a crash
    assert f"{bank}:6: error: the answer cannot be read" in out.stdout  # the answer's own line


def test_stats_days_past_ten_years_is_refused_not_an_overflow(cli):
    out = cli("stats", "--days", "2000000000")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "argument --days: the number must be at most 3,660, got 2,000,000,000" in out.stderr
