"""The search space: --grid values, their product, space files and seeded draws."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cnnquiz.errors import SpecError
from cnnquiz.lab.space import MAX_TRIALS, Axis, grid, literal, parse_grid, parse_space


class TestGrid:
    def test_numbers(self) -> None:
        assert parse_grid("train.lr=0.01,0.003") == Axis("train.lr", (0.01, 0.003))

    def test_tuples_strings_booleans(self) -> None:
        assert parse_grid("cnn.filters=(16,32),(32,64)").values == ((16, 32), (32, 64))
        assert parse_grid("cnn.pooling='max', 'gap'").values == ("max", "gap")
        assert parse_grid("cnn.batchnorm=True,False").values == (True, False)

    def test_scoped_name_and_one_value(self) -> None:
        assert parse_grid("dense/cnn.units = 8").values == (8,)

    def test_product_first_axis_slowest(self) -> None:
        trials = grid(
            [parse_grid("train.lr=0.01,0.003"), parse_grid("cnn.filters=(16,32),(32,64)")]
        )
        assert [t.bindings for t in trials] == [
            ["train.lr = 0.01", "cnn.filters = (16, 32)"],
            ["train.lr = 0.01", "cnn.filters = (32, 64)"],
            ["train.lr = 0.003", "cnn.filters = (16, 32)"],
            ["train.lr = 0.003", "cnn.filters = (32, 64)"],
        ]
        assert trials[3].as_dict() == {"train.lr": 0.003, "cnn.filters": (32, 64)}

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("train.lr", "expected NAME=VALUE"),
            ("train.lr=", "expected NAME=VALUE"),
            ("lr=0.1", "not a gin binding name"),
            ("train.lr=0.1,,0.2", "not gin literals separated by commas"),
            ("train.lr=__import__('os')", "not gin literals"),
            ("train.lr=1],[2", "separated by commas"),
            ("train.lr=1e999", "not a finite number"),
            ("train.lr=0.1,0.1", "given twice"),
            ("train.lr={1, 2}", "not gin literals"),
        ],
    )
    def test_errors_name_the_argument(self, text: str, message: str) -> None:
        with pytest.raises(SpecError, match=message) as info:
            parse_grid(text)
        assert info.value.where == f"--grid {text}"

    def test_repeated_parameter_and_size(self) -> None:
        with pytest.raises(SpecError, match="two --grid options"):
            grid([parse_grid("train.lr=1,2"), parse_grid("train.lr=3")])
        axis = Axis("train.lr", tuple(range(11)))
        with pytest.raises(SpecError, match=f"at most {MAX_TRIALS:,}"):
            grid([axis, Axis("a.b", axis.values), Axis("c.d", axis.values)])

    @given(
        st.lists(
            st.one_of(
                st.integers(-(10**6), 10**6),
                st.floats(allow_nan=False, allow_infinity=False),
                st.text("abc xyz_,()#=", max_size=8),
                st.booleans(),
                st.tuples(st.integers(0, 512), st.integers(0, 512)),
            ),
            min_size=1,
            max_size=5,
            unique_by=repr,
        )
    )
    @settings(max_examples=60, deadline=None)
    def test_bindings_read_back(self, values: list[object]) -> None:
        """What a trial writes as a binding is the value gin (and we) read back."""
        # 1 == True == 1.0: the grid refuses equal values as repeats
        assume(not any(a == b for i, a in enumerate(values) for b in values[i + 1 :]))
        text = "m.p=" + ",".join(repr(v) for v in values)
        trials = grid([parse_grid(text)])
        for trial, value in zip(trials, values, strict=True):
            (binding,) = trial.bindings
            assert literal(binding.split(" = ", 1)[1], "x") == value


SPACE = """\
# what random search draws
train.lr = loguniform(1e-4, 1e-2)   # a decade is as likely as the next
train.momentum = uniform(0.8, 0.99)
cnn.filters = choice((16, 32),
                     (32, 64))
cnn.pooling = choice('max', 'gap')  # '#' inside quotes is not a comment: '#'
train.epochs = 3
"""


class TestSpace:
    def test_draws_are_seeded_and_in_range(self) -> None:
        space = parse_space(SPACE, "space.gin")
        first, again, other = space.draw(20, 1), space.draw(20, 1), space.draw(20, 2)
        assert first == again and first != other
        for trial in first:
            p = trial.as_dict()
            assert list(p) == [
                "train.lr",
                "train.momentum",
                "cnn.filters",
                "cnn.pooling",
                "train.epochs",
            ]
            assert 1e-4 <= p["train.lr"] <= 1e-2
            assert 0.8 <= p["train.momentum"] <= 0.99
            assert p["cnn.filters"] in ((16, 32), (32, 64))
            assert p["cnn.pooling"] in ("max", "gap")
            assert p["train.epochs"] == 3

    def test_loguniform_spreads_over_decades(self) -> None:
        space = parse_space("a.b = loguniform(1e-4, 1e-2)\n")
        below = sum(t.as_dict()["a.b"] < 1e-3 for t in space.draw(400, 0))
        assert 150 < below < 250  # half below the middle decade's edge, not a tenth

    def test_drawn_numbers_keep_three_digits(self) -> None:
        (trial,) = parse_space("a.b = uniform(0, 1)\n").draw(1, 0)
        value = trial.as_dict()["a.b"]
        assert value == float(f"{value:.3g}") and not math.isclose(value, 0)

    @pytest.mark.parametrize(
        ("text", "line", "message"),
        [
            ("a.b = 1\n", None, "nothing to search"),
            ("\n\na.b = uniform(1)\n", 3, "two numbers"),
            ("a.b = uniform(2, 1)\n", 1, "low < high"),
            ("a.b = loguniform(0, 1)\n", 1, "above 0"),
            ("a.b = normal(0, 1)\n", 1, "unknown distribution"),
            ("a.b = choice()\n", 1, "needs its values"),
            ("a.b = choice(1, 2)\na.b = choice(3, 4)\n", 2, "bound twice"),
            ("a.b = choice(1, 2)\nc.d = choice((1,\n", 2, "never closed"),
            ("a.b = choice(1, 2)\nc.d choice(1)\n", 2, "expected a binding"),
            ("a.b = choice(1, 2)\nc.d = os.system('x')\n", 2, "not a gin literal"),
            ("a.b = choice(1, 2)\nc.d = @fn()\n", 2, "not a gin literal"),
            ("a.b = choice(1, @fn)\n", 1, "not gin literals separated by commas"),
        ],
    )
    def test_errors_name_file_and_line(self, text: str, line: int | None, message: str) -> None:
        with pytest.raises(SpecError, match=message) as info:
            parse_space(text, "space.gin")
        assert info.value.where == ("space.gin" if line is None else f"space.gin:{line}")

    def test_trial_count(self) -> None:
        space = parse_space("a.b = choice(1, 2)\n")
        for n in (0, MAX_TRIALS + 1):
            with pytest.raises(SpecError, match="trials") as info:
                space.draw(n, 0)
            assert info.value.where == "--random"


def test_the_bundled_example_space() -> None:
    from pathlib import Path

    from cnnquiz.lab.space import load_space

    path = Path(__file__).parents[2] / "examples" / "space.gin"
    space = load_space(path)
    assert [d.kind for d in space.dimensions] == [
        "loguniform",
        "choice",
        "choice",
        "uniform",
        "choice",
    ]
    trials = space.draw(8, 1)
    assert len({tuple(t.bindings) for t in trials}) == 8
