"""The console's clock, shared by every console page that needs "now"."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from intake.models import utcnow


def now() -> datetime:
    """The real time (aware, UTC), or the fixed one a test or a rehearsal sets in CONSOLE_CLOCK."""
    fixed = current_app.config.get("CONSOLE_CLOCK")
    return fixed() if fixed else utcnow()
