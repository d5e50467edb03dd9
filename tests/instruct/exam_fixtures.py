"""An exam made from tests/instruct/exam_bank.yaml, the way ``exam make`` makes one (no torch)."""

from __future__ import annotations

import shutil
from pathlib import Path

from cnnquiz.instruct.exam import Exam, students_from
from cnnquiz.instruct.exam_files import make_exam
from cnnquiz.instruct.source import choose, load_proven

BANK = Path(__file__).with_name("exam_bank.yaml")


def made(tmp_path: Path, students: str = "6", seed: int = 5, bank: Path | None = None) -> Exam:
    """An exam of every question of the test bank (a copy in ``tmp_path`` unless ``bank``)."""
    if bank is None:
        bank = tmp_path / "bank.yaml"
        shutil.copyfile(BANK, bank)
    banks = load_proven([bank], verify=False)
    questions = choose(banks, seed=seed)
    return make_exam(banks, questions, students_from(students), seed, "Test exam", {})
