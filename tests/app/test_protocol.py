"""The seams the screens read through: the fakes the tests use and the real bank and progress
classes have the members ``cnnquiz.app.protocol`` names (mypy checks the types; this checks the
names at run time, so a member renamed on one side fails here and not in a snapshot)."""

from __future__ import annotations

from pathlib import Path

from cnnquiz.app import make_app
from cnnquiz.app.protocol import ItemView, ProgressStore, QuestionView, QuizHost
from cnnquiz.bank import load_bank
from cnnquiz.progress import Progress
from tests.fakes import FakeProgress, fake_questions

MINI = Path(__file__).parents[1] / "fixtures" / "app" / "mini.yaml"


def members(protocol: type) -> set[str]:
    """The names a Protocol declares, with those of the Protocols it extends."""
    names: set[str] = set()
    for cls in protocol.__mro__:
        if cls.__module__.startswith("cnnquiz."):
            names |= set(vars(cls).get("__annotations__", {}))
            names |= {n for n in vars(cls) if not n.startswith("_")}
    return names


def test_fake_and_real_items_show_the_same_members():
    real = load_bank(MINI).questions[0]
    for question in (real, fake_questions()[0]):
        assert all(hasattr(question, name) for name in members(QuestionView)), question
        item = question.draw(7)
        assert isinstance(item, ItemView), item


def test_fake_and_real_progress_stores_have_what_the_app_calls(tmp_path):
    assert {"record", "due", "mastery", "stats", "warning"} <= members(ProgressStore)
    real = Progress(tmp_path / "progress.db")
    for store in (FakeProgress(), real):
        missing = [name for name in members(ProgressStore) if not hasattr(store, name)]
        assert not missing, (type(store).__name__, missing)
    real.close()


def test_the_app_is_what_its_screens_expect():
    app = make_app([MINI], progress=FakeProgress(), seed=1)
    missing = [name for name in members(QuizHost) if not hasattr(app, name)]
    assert not missing
