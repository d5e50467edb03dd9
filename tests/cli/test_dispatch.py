"""The top-level command: options without a command go to the app, usage errors are one line."""

from __future__ import annotations

from cnnquiz import __version__


def test_app_options_work_without_the_app_command(cli):
    out = cli("--topic", "no-such-topic")
    assert out.returncode == 2
    assert out.stderr.startswith("cnnquiz: error: --topic: no question has a topic like 'no-such-topic'")
    assert "Traceback" not in out.stderr


def test_version_and_unknown_options(cli):
    assert cli("--version").stdout.strip() == f"cnnquiz {__version__}"
    out = cli("--bogus")
    assert out.returncode == 2
    assert len(out.stderr.strip().splitlines()) == 1
    assert "unrecognized arguments: --bogus" in out.stderr


def test_unknown_command_is_one_line(cli):
    out = cli("frobnicate")
    assert out.returncode == 2
    assert len(out.stderr.strip().splitlines()) == 1
    assert "invalid choice: 'frobnicate'" in out.stderr
