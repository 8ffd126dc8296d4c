"""The server keeps the console's rules itself, whatever the page's script did (policy 8.3, 8.4):
an idle login is locked until the password (not only hidden by console.js), and a login kept out of hours
ends once its owner is taken off duty."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import update

from intake.db import unit_of_work
from intake.models import Caseworker
from tests.conftest import ALWAYS_OPEN, make_app
from tests.integration.test_console import PASSWORD, AuthActions, add_caseworker, age_session, audit_rows, enquire, svc

SUMMARY = "My son Jamie Smith at Oak School"
JSON = {"Accept": "application/json"}


def claimed_case(app: Flask, username: str = "alex") -> tuple[AuthActions, str]:
    """A caseworker signed in, holding a case with a child's name in it."""
    reference = enquire(app, summary=SUMMARY)
    auth = AuthActions(app.test_client(), app, username, add_caseworker(app, username))
    assert auth.login().status_code == 302
    assert auth.post(f"/caseworker/claim/{reference}").status_code == 302
    assert SUMMARY.encode() in auth.client.get(f"/caseworker/case/{reference}").data
    return auth, reference


def test_a_reload_after_the_idle_time_asks_for_the_password_even_if_the_page_never_locked(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)  # CONSOLE_IDLE_MINUTES left at its default, 5
    auth, reference = claimed_case(app)
    age_session(auth.client, seen=6 * 60)  # the lock request never arrived: no script, or it failed

    page = auth.client.get(f"/caseworker/case/{reference}")
    assert page.status_code == 302 and page.headers["Location"].endswith("/caseworker/unlock")
    unlock_page = auth.client.get("/caseworker/unlock")
    assert b"The screen is locked. Enter your password to continue." in unlock_page.data
    assert SUMMARY.encode() not in unlock_page.data
    # Still locked on the next try: a reload is no way round it, nor is console.js's JSON.
    assert auth.client.get(f"/caseworker/case/{reference}").status_code == 302
    answer = auth.client.get("/caseworker/queue.json", headers=JSON)
    assert answer.status_code == 423 and answer.get_json()["locked"] is True
    assert SUMMARY not in answer.get_data(as_text=True)

    assert auth.post("/caseworker/unlock", password="wrong password!").status_code == 401
    assert auth.client.get(f"/caseworker/case/{reference}").status_code == 302
    assert auth.post("/caseworker/unlock", password=PASSWORD).status_code == 302
    assert SUMMARY.encode() in auth.client.get(f"/caseworker/case/{reference}").data
    assert audit_rows(app, "session_ended") == []  # locked, not signed out: the password is enough


def test_the_keep_alive_after_the_idle_time_is_told_the_screen_is_locked(tmp_path: Path) -> None:
    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN, CONSOLE_IDLE_MINUTES="2")
    auth, _ = claimed_case(app)
    token = auth.token("/caseworker/queue")
    age_session(auth.client, seen=90)  # within the idle time: the keep-alive works
    assert auth.client.post("/caseworker/alive", headers={**JSON, "X-CSRFToken": token}).status_code == 200
    age_session(auth.client, seen=3 * 60)
    answer = auth.client.post("/caseworker/alive", headers={**JSON, "X-CSRFToken": token})
    assert answer.status_code == 423 and answer.get_json()["locked"] is True  # console.js shows its lock


def test_a_login_kept_out_of_hours_ends_when_its_owner_is_taken_off_duty(tmp_path: Path) -> None:
    tomorrow = (datetime.now(ZoneInfo("Europe/London")) + timedelta(days=1)).strftime("%a")
    app = make_app(tmp_path, OFFICE_HOURS=f"{tomorrow} 09:00-17:00")  # closed now
    auth, reference = claimed_case(app, "duty")  # on duty, so signed in out of hours
    other = AuthActions(app.test_client(), app, "other", add_caseworker(app, "other"))
    assert other.login().status_code == 302

    with unit_of_work(svc(app).sessions) as session:  # a manager takes "duty" off duty
        session.execute(update(Caseworker).where(Caseworker.username == "duty").values(on_duty=False))

    page = auth.client.get(f"/caseworker/case/{reference}")
    assert page.status_code == 302 and page.headers["Location"].endswith("/caseworker/login")
    sign_in_page = auth.client.get("/caseworker/login").get_data(as_text=True)
    assert "The console is closed out of hours. Only the on-duty caseworker can sign in now." in sign_in_page
    assert SUMMARY not in sign_in_page
    assert auth.client.get(f"/caseworker/case/{reference}").status_code == 302  # ended, not only refused once
    assert [(e.actor, e.detail) for e in audit_rows(app, "session_ended")] == [
        ("duty", "out of hours and not on duty")]
    # Whoever is still on duty carries on.
    assert other.client.get("/caseworker/queue").status_code == 200


def test_a_login_in_office_hours_does_not_need_duty(tmp_path: Path) -> None:
    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)
    auth, reference = claimed_case(app)
    with unit_of_work(svc(app).sessions) as session:
        session.execute(update(Caseworker).values(on_duty=False))
    assert SUMMARY.encode() in auth.client.get(f"/caseworker/case/{reference}").data
