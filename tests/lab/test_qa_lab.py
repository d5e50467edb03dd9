"""Regressions found by using the lab as a student would (issue 15's QA pass)."""

from __future__ import annotations

import pytest

from cnnquiz.errors import SpecError
from cnnquiz.lab.gin_config import configure, resolve_gin


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("cnn.filters = %width\n", 1, "%width is used but never set: add a line `width = <value>`"),
        ("# uses %k\ncnn.kernel = %k  # %k\n", 2, "%k is used but never set"),
        ("cnn.filters = @gin.singleton()\n", 1, "singleton() missing 1 required positional"),
    ],
)  # fmt: skip
def test_what_fails_while_gin_makes_the_values_is_one_line(tmp_path, text, line, message):
    path = tmp_path / "odd.gin"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as err:
        configure([path])
    assert str(err.value).startswith(f"{path}:{line}: ")
    assert message in str(err.value) and "\n" not in str(err.value)


def test_an_unset_macro_in_a_binding_names_the_bind_argument():
    with pytest.raises(SpecError) as err:
        configure([resolve_gin("lab")], ["cnn.kernel = %kk"])
    assert (
        str(err.value)
        == "--bind 'cnn.kernel = %kk': %kk is used but never set: add a line `kk = <value>`"
    )


def test_a_set_macro_still_works(tmp_path):
    path = tmp_path / "macro.gin"
    path.write_text("k = 5\ncnn.kernel = %k\n", encoding="utf-8")
    assert configure([path]).params["cnn.kernel"] == 5


@pytest.mark.slow
def test_an_unset_macro_on_the_command_line_is_exit_2_not_a_traceback(cli, tmp_path):
    path = tmp_path / "m.gin"
    path.write_text("cnn.filters = %f\n", encoding="utf-8")
    result = cli("train", "--demo", "--gin", str(path), "--dry-run")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert (
        result.stderr
        == f"cnnquiz: error: {path}:1: %f is used but never set: add a line `f = <value>`\n"
    )
