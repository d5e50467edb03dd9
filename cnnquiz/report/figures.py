"""The few figures the reports show that the net arithmetic does not name, derived once here.

Pure integers and pairs, no text: the builders format them, the faces only print them.
"""

from __future__ import annotations

from collections.abc import Sequence

from cnnquiz.net.memory import TrainingRam
from cnnquiz.net.receptive import ReceptiveRow

Pair = tuple[int, int]


def flops(macs: int) -> int:
    """A multiply-accumulate is two floating-point operations."""
    return 2 * macs


def textbook_bytes(train: TrainingRam) -> int:
    """What the textbook keeps for backward: every layer's output and the input, per image of
    the batch; the figure autograd's measurement is set beside."""
    return train.outputs_bytes + train.inputs_bytes


def with_inputs(rows: Sequence[ReceptiveRow]) -> list[tuple[ReceptiveRow, Pair, Pair]]:
    """Each layer's receptive row with the field and jump it starts from (the layer before's;
    1 and 1 for the first layer), the numbers its working adds up."""
    starts: list[tuple[Pair, Pair]] = [((1, 1), (1, 1))]
    starts += [(r.field, r.jump) for r in rows]
    return [(r, field_in, jump_in) for r, (field_in, jump_in) in zip(rows, starts, strict=False)]
