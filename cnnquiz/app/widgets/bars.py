"""Text bars for mastery and accuracy: readable in any theme and in a snapshot."""

from __future__ import annotations

from rich.text import Text


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
