"""The Textual face of cnnquiz. ``make_app`` builds it; ``cnnquiz`` with no arguments runs it."""

from __future__ import annotations

from cnnquiz.app.app import CnnquizApp, make_app

__all__ = ["CnnquizApp", "make_app"]
