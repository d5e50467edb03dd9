"""Progress: every answer the student gives, and the review schedule (FSRS) built from them.

The domain side of "what should I practise next?": no Rich, no Textual, no torch.

    from cnnquiz.progress import Progress
    with Progress() as p:                       # paths.progress_path(), or Progress(path)
        attempt = p.record("conv-params-rgb", "Convolution arithmetic", ["convolution"],
                           "correct", "2800", seconds=12.5)
        p.rerate(attempt.id, "easy")            # the student found it easy
        p.due(all_ids), p.new(all_ids), p.stats()
"""

from cnnquiz.progress.database import SCHEMA_VERSION, ProgressSchemaError, ProgressWriteError
from cnnquiz.progress.records import Attempt, CardInfo, DayCount, Stats, TopicStat
from cnnquiz.progress.store import Progress

__all__ = [
    "SCHEMA_VERSION",
    "Attempt",
    "CardInfo",
    "DayCount",
    "Progress",
    "ProgressSchemaError",
    "ProgressWriteError",
    "Stats",
    "TopicStat",
]
