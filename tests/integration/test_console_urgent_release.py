"""Handing back an urgent case (policy 7.1): at 17:40 with nobody on duty, Release is refused and the caseworker
is told what to do instead, so nobody goes home thinking someone has it; when someone is on duty it goes back,
and the message says exactly who was told (the duty e-mail address, not a person). Ordinary cases release as
before. Through the real console (TOTP sign-in) and a real SMTP server as the duty inbox."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from intake import queue
from intake.db import unit_of_work
from tests.conftest import Inbox, dispose, make_app
from tests.integration.test_console import enquire, svc
from tests.integration.test_console_duty_rota import DAYS, at_today, member, reopening, text

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def evening_app(tmp_path: Path, smtp: tuple[Inbox, int]) -> Iterator[Flask]:
    """Open weekdays 9 to 5 (today from midnight to 5pm); the console stays open to 23:59, so whoever signs in
    keeps their login at 17:40; duty alerts go to the stand-in SMTP server."""
    today = DAYS[datetime.now(LONDON).weekday()]
    app = make_app(tmp_path, OFFICE_HOURS=f"Mon-Fri 09:00-17:00; {today} 00:00-17:00", CONSOLE_LOCK_TIME="23:59",
                   SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp[1]), DUTY_EMAIL="duty@example.org",
                   MAIL_FROM="intake@example.org")
    yield app
    dispose(app)


def status(app: Flask, reference: str) -> tuple[str, str | None]:
    """(status, who has it)."""
    with unit_of_work(svc(app).sessions) as session:
        enquiry = queue.by_reference(session, reference)
        assert enquiry is not None
        return enquiry.status, enquiry.claimed_by


def released(auth: Any, reference: str) -> str:
    """Press Release on the case; the page it lands on, as words."""
    response = auth.post(f"/caseworker/case/{reference}/release")
    assert response.status_code == 302
    return text(auth.client.get(response.headers["Location"]))


def test_at_1740_with_nobody_on_duty_an_urgent_case_is_not_handed_back(
    evening_app: Flask, duty: Inbox
) -> None:
    app = evening_app
    now = at_today(app, 17, 40)
    alex = member(app, "alex")
    urgent, ordinary = enquire(app, urgent=True), enquire(app)
    for reference in (urgent, ordinary):
        assert alex.post(f"/caseworker/claim/{reference}").status_code == 302
    mails = len(duty.messages)

    said = released(alex, urgent)
    assert status(app, urgent) == ("claimed", "alex")  # still hers: nobody else would pick it up
    assert f"{urgent} is urgent and is still yours" in said
    assert f"nobody is on duty, so in the queue it would wait until {reopening(now)}" in said
    assert "Keep it and act on it now" in said and "ask a manager to put someone on duty" in said
    assert "alerted" not in said and "is back in the queue" not in said
    assert len(duty.messages) == mails  # no alert claimed, none sent
    assert "so it cannot be released now" in said and "Release back to the queue" not in said  # said before too

    said = released(alex, ordinary)  # an ordinary case goes back as before
    assert status(app, ordinary) == ("queued", None) and f"{ordinary} is back in the queue." in said


def test_the_only_one_on_duty_cannot_hand_an_urgent_case_back_to_themselves(evening_app: Flask) -> None:
    app = evening_app
    at_today(app, 17, 40)
    alex = member(app, "alex", on_duty=True)
    urgent = enquire(app, urgent=True)
    alex.post(f"/caseworker/claim/{urgent}")
    said = released(alex, urgent)
    assert status(app, urgent) == ("claimed", "alex")
    assert "nobody else is on duty" in said


def test_with_someone_on_duty_the_message_says_who_was_told(evening_app: Flask, duty: Inbox) -> None:
    app = evening_app
    at_today(app, 17, 40)
    alex = member(app, "alex")
    member(app, "sam", on_duty=True)
    urgent = enquire(app, urgent=True)
    alex.post(f"/caseworker/claim/{urgent}")
    mails = len(duty.messages)

    said = released(alex, urgent)
    assert status(app, urgent) == ("queued", None)
    assert len(duty.messages) == mails + 1
    assert f"{urgent} is back in the queue" in said
    assert "an alert went to the duty e-mail address" in said and "On duty now: sam." in said
    assert "duty caseworker was alerted" not in said


def test_in_office_hours_an_urgent_case_goes_back_for_the_team(evening_app: Flask) -> None:
    app = evening_app
    at_today(app, 11)
    alex = member(app, "alex")
    urgent = enquire(app, urgent=True)
    alex.post(f"/caseworker/claim/{urgent}")
    said = released(alex, urgent)
    assert status(app, urgent) == ("queued", None)
    assert "Nobody is on duty now: tell a colleague in the office that it is waiting." in said
