"""Rich renderables both faces use: mastery bars, durations and Grad-CAM heatmaps.

Readable in any theme, in a pipe and in a snapshot."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

if TYPE_CHECKING:
    import numpy as np

RAMP = " .:-=+*#%@"  # Grad-CAM without colour: low to high


def bar(ratio: float, width: int = 10) -> Text:
    """``████░░░░░░`` filled to ``ratio`` (0..1), eighth blocks for the partial cell."""
    ratio = min(max(ratio, 0.0), 1.0)
    eighths = round(ratio * width * 8)
    full, part = divmod(eighths, 8)
    partial = " ▏▎▍▌▋▊▉"[part] if part and full < width else ""
    filled = "█" * full + partial.strip()
    text = Text(filled, style="bold green" if ratio >= 0.8 else "yellow" if ratio >= 0.4 else "red")
    text.append("░" * (width - len(filled)), style="dim")
    return text


def duration(seconds: float) -> str:
    """``1:05`` for 65 s; ``1:02:03`` past an hour."""
    s = int(round(seconds))
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def heatmap_ramp(cam: np.ndarray, width: int = 32) -> str:
    """The Grad-CAM map as characters from `` `` (low) to ``@`` (high), for output without
    colour (a pipe, NO_COLOR), where half blocks would all look the same.

    A character is about twice as high as wide, so each text row averages two pixel rows.
    """
    from cnnquiz.train.gradcam import terminal_values

    values = terminal_values(cam, width)
    top = len(RAMP) - 1
    return "\n".join(
        "".join(RAMP[min(top, int(v * top + 0.5))] for v in row).rstrip() for row in values
    )


def heatmap_text(cam: np.ndarray, width: int = 32) -> Text:
    """The Grad-CAM map in half blocks: each ``▀`` is two pixels, top in fg, bottom in bg."""
    from cnnquiz.train.gradcam import terminal_rows

    text = Text()
    for row in terminal_rows(cam, width):
        for top, bottom in row:
            text.append(
                "▀",
                style=f"rgb({top[0]},{top[1]},{top[2]}) on rgb({bottom[0]},{bottom[1]},{bottom[2]})",
            )
        text.append("\n")
    return text
