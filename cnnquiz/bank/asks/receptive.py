"""The receptive field of a layer, by the notes' recurrence, with the trap of ignoring strides."""

from __future__ import annotations

from cnnquiz.bank.asks.solution import AskOptions, Solution, said
from cnnquiz.i18n import N_
from cnnquiz.net.figures import NetworkFigures
from cnnquiz.net.receptive import receptive_field
from cnnquiz.net.spec import Network


def receptive(network: Network, fig: NetworkFigures, opts: AskOptions) -> Solution:
    rows = receptive_field(network)
    rows = rows[: opts.layer] if opts.layer else rows
    steps = ["field_out = field_in + (k - 1)·jump_in; jump_out = jump_in·stride"]
    for r in rows:
        steps.append(
            f"layer {r.index} ({r.name}), kernel {r.kernel[0]}x{r.kernel[1]}, stride "
            f"{r.stride[0]}: field {r.field[0]}x{r.field[1]}, jump {r.jump[0]}"
        )
    value = rows[-1].field
    convs = [r for r in rows if r.kernel != (1, 1)]
    traps = []
    naive = 1 + sum(r.kernel[0] - 1 for r in convs)
    if naive != value[0] and not rows[-1].is_global:
        traps.append(
            said(
                (naive, naive),
                N_(
                    "that ignores the strides: after a stride s layer, each step of the "
                    "next kernel moves s input pixels"
                ),
            )
        )
    return Solution("receptive_field", (value[0], value[1]), tuple(steps), tuple(traps))
