"""The duty rota in the console: every caseworker sees who is on duty now (names only), a manager puts a colleague
on duty or takes them off (audited; never themselves), and the queue warns, on a Friday at 4pm or once the office
has closed, that nobody is on duty, so urgent concerns would wait for the office to reopen."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from intake.db import unit_of_work
from intake.models import Caseworker
from tests.conftest import make_app
from tests.integration.test_console import AuthActions, add_caseworker, audit_rows, svc

LONDON = ZoneInfo("Europe/London")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WARNING = "Nobody is on duty tonight: urgent concerns will wait until"


def text(response: Any) -> str:
    """A page as plain words, tags and extra spaces taken out."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


@pytest.fixture
def rota_app(tmp_path: Path) -> Flask:
    """The office is open weekdays 9am to 5pm, except today (real time), which opens at midnight and whose console
    stays open until 23:59: whoever signs in now stays signed in, on duty or not, whenever the test runs. The
    pages' clock is set by each test."""
    today = DAYS[datetime.now(LONDON).weekday()]
    return make_app(tmp_path, OFFICE_HOURS=f"Mon-Fri 09:00-17:00; {today} 00:00-17:00", CONSOLE_LOCK_TIME="23:59")


def at_today(app: Flask, hour: int, minute: int = 0) -> datetime:
    """Fix the pages' clock at this local time today; returns it."""
    moment = datetime.combine(datetime.now(LONDON).date(), time(hour, minute), tzinfo=LONDON).astimezone(UTC)
    app.config["CONSOLE_CLOCK"] = lambda: moment
    return moment


def member(app: Flask, username: str, role: str = "caseworker", *, on_duty: bool = False) -> AuthActions:
    """An account, signed in (on duty while signing in, so it works at any hour), then on duty or not."""
    auth = AuthActions(app.test_client(), app, username, add_caseworker(app, username, role, on_duty=True))
    assert auth.login().status_code == 302
    set_duty(app, username, on_duty)
    return auth


def set_duty(app: Flask, username: str, on_duty: bool) -> None:
    """Set an account's duty flag directly (the state the test starts from)."""
    with unit_of_work(svc(app).sessions) as session:
        worker = session.scalar(select(Caseworker).where(Caseworker.username == username))
        assert worker is not None
        worker.on_duty = on_duty


def is_on_duty(app: Flask, username: str) -> bool:
    """The account's duty flag as stored."""
    with unit_of_work(svc(app).sessions) as session:
        return bool(session.scalar(select(Caseworker.on_duty).where(Caseworker.username == username)))


def test_a_manager_sees_who_is_on_duty_and_puts_a_caseworker_on_and_off_duty(rota_app: Flask) -> None:
    app = rota_app
    at_today(app, 11)
    morgan = member(app, "morgan", "manager")
    member(app, "alex", on_duty=True)
    member(app, "sam")
    page = morgan.client.get("/caseworker/duty")
    assert page.status_code == 200
    said = text(page)
    assert "On duty now alex" in said and "Put sam on duty" in said and "Take alex off duty" in said
    assert "Who is on duty" in text(morgan.client.get("/caseworker/queue"))  # in the menu, and on the queue

    response = morgan.post("/caseworker/duty/sam", on_duty="yes")
    assert response.status_code == 302 and response.headers["Location"].endswith("/caseworker/duty")
    said = text(morgan.client.get("/caseworker/duty"))
    assert "sam is on duty" in said and "On duty now alex sam" in said
    assert is_on_duty(app, "sam")
    morgan.post("/caseworker/duty/alex", on_duty="no")
    assert not is_on_duty(app, "alex")
    assert "On duty now: sam." in text(morgan.client.get("/caseworker/queue"))
    # Audited as an admin's change is: who did it, to whom.
    assert [(e.actor, e.detail) for e in audit_rows(app, "account_on_duty")] == [("morgan", "sam")]
    assert [(e.actor, e.detail) for e in audit_rows(app, "account_off_duty")] == [("morgan", "alex")]


def test_a_manager_does_not_change_their_own_duty_nor_put_an_admin_on_duty(rota_app: Flask) -> None:
    app = rota_app
    at_today(app, 11)
    morgan = member(app, "morgan", "manager")
    member(app, "ada", "admin")
    said = text(morgan.client.get("/caseworker/duty"))
    assert "Put morgan on duty" not in said and "Ask another manager or an admin" in said
    assert "ada" not in said  # an admin is not on the rota
    assert "You cannot put yourself on or off duty" in text(
        morgan.client.get(morgan.post("/caseworker/duty/morgan", on_duty="yes").headers["Location"]))
    assert "only a caseworker or a manager can be on duty" in text(
        morgan.client.get(morgan.post("/caseworker/duty/ada", on_duty="yes").headers["Location"]))
    assert not is_on_duty(app, "morgan") and not is_on_duty(app, "ada")
    assert audit_rows(app, "account_on_duty") == []


def test_a_caseworker_sees_who_is_on_duty_but_cannot_change_it(rota_app: Flask) -> None:
    app = rota_app
    at_today(app, 11)
    member(app, "alex", on_duty=True)
    sam = member(app, "sam")
    page = sam.client.get("/caseworker/duty")
    assert page.status_code == 200
    said = text(page)
    assert "On duty now alex" in said and "Put sam on duty" not in said and "Take alex off duty" not in said
    assert b'action="/caseworker/duty/' not in page.data
    assert sam.post("/caseworker/duty/sam", on_duty="yes").status_code == 403
    assert sam.post("/caseworker/duty/alex", on_duty="no").status_code == 403
    assert not is_on_duty(app, "sam") and is_on_duty(app, "alex")
    assert audit_rows(app, "account_on_duty") == audit_rows(app, "account_off_duty") == []


def reopening(closing_day: datetime) -> str:
    """When the office reopens after closing this day, in the words parents are told it (rota_app's hours)."""
    local = closing_day.astimezone(LONDON).date()
    following = local + timedelta(days=1)
    while following.weekday() >= 5:
        following += timedelta(days=1)
    if following == local + timedelta(days=1):
        return "9am tomorrow"
    return f"9am on {following.strftime('%A')} {following.day} {following.strftime('%B')}"


def test_an_hour_before_closing_with_nobody_on_duty_the_queue_warns_everyone(rota_app: Flask) -> None:
    app = rota_app
    now = at_today(app, 16)  # "Friday at 4pm", whatever day it is
    sam = member(app, "sam")
    morgan = member(app, "morgan", "manager")
    said = text(sam.client.get("/caseworker/queue"))
    assert f"{WARNING} {reopening(now)} unless someone is put on duty" in said
    assert "The office closes at 17:00" in said and "Tell a manager now" in said
    assert "On duty now: nobody" in said
    managers = morgan.client.get("/caseworker/queue")
    assert WARNING in text(managers) and b'href="/caseworker/duty">Put someone on duty' in managers.data
    # The manager puts sam on duty: the warning goes, and the queue says who is on duty.
    morgan.post("/caseworker/duty/sam", on_duty="yes")
    said = text(sam.client.get("/caseworker/queue"))
    assert "Nobody is on duty" not in said and "On duty now: sam." in said


def test_once_the_office_has_closed_with_nobody_on_duty_the_queue_says_so(rota_app: Flask) -> None:
    app = rota_app
    now = at_today(app, 17, 30)
    sam = member(app, "sam")
    said = text(sam.client.get("/caseworker/queue"))
    assert f"Nobody is on duty now: urgent concerns will wait until {reopening(now)}" in said
    assert "The office is closed" in said


def test_no_warning_in_the_morning_or_while_someone_is_on_duty(rota_app: Flask) -> None:
    app = rota_app
    at_today(app, 11)
    sam = member(app, "sam")
    assert "Nobody is on duty" not in text(sam.client.get("/caseworker/queue"))
    at_today(app, 16, 30)
    assert sam.login().status_code == 302  # hours later by the console's clock: the morning's login is over
    member(app, "alex", on_duty=True)
    said = text(sam.client.get("/caseworker/queue"))
    assert "Nobody is on duty" not in said and "On duty now: alex." in said
