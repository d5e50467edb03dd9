"""``cnnquiz app``: bad input is one line and exit 2, before any screen opens."""

from __future__ import annotations

import pytest

from cnnquiz.cli.app import resolve_topics
from cnnquiz.errors import CnnquizError

KNOWN = ["1x1 convolution", "convolution", "memory", "pooling"]


def test_topic_exact_first_then_part():
    assert resolve_topics(["Convolution"], KNOWN) == {"convolution"}
    assert resolve_topics(["conv"], KNOWN) == {"1x1 convolution", "convolution"}
    assert resolve_topics(["mem", "pool"], KNOWN) == {"memory", "pooling"}


def test_unknown_topic_names_the_option():
    with pytest.raises(CnnquizError) as err:
        resolve_topics(["gans"], KNOWN)
    assert str(err.value).startswith("--topic: no question has a topic like 'gans'; topics: 1x1")


def test_missing_bank_is_one_line_exit_2(cli):
    out = cli("app", "no-such-bank.yaml")
    assert out.returncode == 2
    assert out.stderr.strip() == "cnnquiz: error: no-such-bank.yaml: no such file or folder"
    assert "Traceback" not in out.stderr


def test_unknown_topic_exit_2(cli):
    out = cli("app", "tests/fixtures/app/mini.yaml", "--topic", "gans")
    assert out.returncode == 2
    assert out.stderr.startswith("cnnquiz: error: --topic: no question has a topic like 'gans'")
    assert len(out.stderr.strip().splitlines()) == 1


def test_help_lists_the_options(cli):
    out = cli("app", "--help")
    assert out.returncode == 0
    for option in ("BANK", "--topic", "--exam-size", "--seed"):
        assert option in out.stdout
