"""One clock for the whole console: sign-in hours and the nightly lock follow CONSOLE_CLOCK, as the pages do,
so a test or a service manager's rehearsal at a fixed time sees the console exactly as it would be then."""

from __future__ import annotations

from flask import Flask

from bot.console.guard import OUT_OF_HOURS
from tests.integration.test_console import AuthActions, add_caseworker, set_clock

# Nov 2026: London is on GMT, so these UTC times are the office's own. The default office hours are
# Mon-Fri 09:00-17:00 and the console locks at 19:00.
FRIDAY_MORNING = "2026-11-27 10:00"
FRIDAY_EVENING = "2026-11-27 20:00"  # after the nightly lock


def off_duty(app: Flask) -> AuthActions:
    """A caseworker not on duty: they may sign in in console hours only."""
    return AuthActions(app.test_client(), app, "sam", add_caseworker(app, "sam", on_duty=False))


def test_after_the_nightly_lock_by_the_console_clock_sign_in_is_refused_whatever_the_real_time(app: Flask) -> None:
    set_clock(app, FRIDAY_EVENING)
    auth = off_duty(app)
    refused = auth.login()
    assert refused.status_code == 401 and OUT_OF_HOURS in refused.get_data(as_text=True)
    assert auth.client.get("/caseworker/queue").status_code == 302


def test_inside_hours_by_the_console_clock_sign_in_is_allowed_whatever_the_real_time(app: Flask) -> None:
    set_clock(app, FRIDAY_MORNING)
    auth = off_duty(app)
    assert auth.login().status_code == 302
    assert auth.client.get("/caseworker/queue").status_code == 200


def test_the_nightly_lock_by_the_console_clock_ends_a_login(app: Flask) -> None:
    set_clock(app, "2026-11-27 18:55")
    auth = off_duty(app)
    assert auth.login().status_code == 302
    set_clock(app, "2026-11-27 19:01")
    ended = auth.client.get("/caseworker/queue")
    assert ended.status_code == 302 and ended.headers["Location"].endswith("/caseworker/login")
    assert auth.client.get("/caseworker/queue").status_code == 302  # over, not just one refused page
