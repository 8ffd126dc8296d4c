"""POST /caseworker/alive: console.js's keep-alive refreshes a live login's last-seen time and nothing more."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import ALWAYS_OPEN, make_app
from tests.integration.test_console import PASSWORD, AuthActions, add_caseworker, age_session, audit_rows

JSON = {"Accept": "application/json"}


@pytest.fixture
def auth(app: Flask, client: FlaskClient) -> AuthActions:
    """A caseworker, not yet signed in."""
    return AuthActions(client, app, "alex", add_caseworker(app, "alex"))


def seen(client: FlaskClient) -> float:
    with client.session_transaction() as flask_session:
        return float(flask_session["staff"]["seen"])


def alive(auth: AuthActions, token: str | None = None) -> tuple[int, dict[str, object] | None]:
    """The keep-alive as console.js sends it: CSRF in a header, JSON wanted."""
    headers = dict(JSON)
    if token is not None:
        headers["X-CSRFToken"] = token
    response = auth.client.post("/caseworker/alive", headers=headers)
    return response.status_code, response.get_json(silent=True)


def test_alive_refreshes_last_seen_so_a_long_note_survives(app: Flask, auth: AuthActions) -> None:
    auth.login()
    token = auth.token("/caseworker/queue")
    # 4 minutes of typing, no request (console.js sends the keep-alive well within the 5-minute idle lock)
    age_session(auth.client, seen=4 * 60)
    before = seen(auth.client)
    assert alive(auth, token) == (200, {"alive": True})
    assert seen(auth.client) > before + 3 * 60
    age_session(auth.client, seen=4 * 60)  # and another 4: 8 minutes in all, past the idle time, still open
    assert alive(auth, token)[0] == 200
    assert auth.client.get("/caseworker/queue").status_code == 200


def test_alive_needs_the_csrf_token(auth: AuthActions) -> None:
    auth.login()
    auth.token("/caseworker/queue")
    before = seen(auth.client)
    status, _ = alive(auth)
    assert status == 400
    assert seen(auth.client) == before


def test_alive_is_refused_once_the_login_was_idle_too_long(app: Flask, auth: AuthActions) -> None:
    auth.login()
    token = auth.token("/caseworker/queue")
    age_session(auth.client, seen=16 * 60)
    status, body = alive(auth, token)
    assert status == 401 and body is not None
    assert body["ended"] is True and body["error"] == "Your session has ended. Please sign in again."
    assert body["sign_in"] == "/caseworker/login"
    assert len(audit_rows(app, "session_ended")) == 1
    assert auth.client.get("/caseworker/queue").status_code == 302
    # The sign-in page says why (console.js goes there).
    assert b"Your session has ended. Please sign in again." in auth.client.get("/caseworker/login").data


def test_alive_does_not_stretch_a_login_past_12_hours(tmp_path: Path) -> None:
    # The nightly lock an hour from now, so the last one was 23 hours ago: only the 12 hours can end this login.
    lock = (datetime.now(ZoneInfo("Europe/London")) + timedelta(hours=1)).strftime("%H:%M")
    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN, CONSOLE_LOCK_TIME=lock)
    auth = AuthActions(app.test_client(), app, "alex", add_caseworker(app, "alex"))
    auth.login()
    token = auth.token("/caseworker/queue")
    age_session(auth.client, **{"in": 12 * 3600 - 30})
    assert alive(auth, token)[0] == 200
    age_session(auth.client, **{"in": 60})
    assert alive(auth, token)[0] == 401


def test_alive_does_not_stretch_a_login_past_the_nightly_lock(tmp_path: Path) -> None:
    lock = (datetime.now(ZoneInfo("Europe/London")) - timedelta(minutes=2)).strftime("%H:%M")
    app = make_app(tmp_path, CONSOLE_LOCK_TIME=lock)
    auth = AuthActions(app.test_client(), app, "sam", add_caseworker(app, "sam"))
    auth.login()
    token = auth.token("/caseworker/queue")
    assert alive(auth, token)[0] == 200
    age_session(auth.client, **{"in": 5 * 60})  # signed in before tonight's lock
    status, body = alive(auth, token)
    assert status == 401 and body is not None and body["ended"] is True


def test_alive_is_refused_after_sign_out(app: Flask) -> None:
    secret = add_caseworker(app, "casey")
    first = AuthActions(app.test_client(), app, "casey", secret)
    first.login()
    token = first.token("/caseworker/queue")
    cookie = first.client.get_cookie("console_session", path="/")
    assert cookie is not None
    other_tab = app.test_client()  # the same login elsewhere: its cookie still holds the CSRF token
    other_tab.set_cookie("console_session", cookie.value, path="/")
    first.logout()
    response = other_tab.post("/caseworker/alive", headers={**JSON, "X-CSRFToken": token})
    assert response.status_code == 401 and response.get_json()["ended"] is True
    # In the browser that signed out, the cleared cookie has no CSRF token left: refused as well.
    assert alive(first, token)[0] in (400, 401)


def test_alive_does_not_unlock_or_keep_a_locked_screen_alive(auth: AuthActions) -> None:
    auth.login()
    token = auth.token("/caseworker/queue")
    auth.post("/caseworker/lock")
    before = seen(auth.client)
    status, body = alive(auth, token)
    assert status == 423 and body is not None and body["locked"] is True
    assert seen(auth.client) == before
    assert auth.client.get("/caseworker/queue").headers["Location"].endswith("/caseworker/unlock")


def test_unlock_tells_an_ended_login_from_a_wrong_password(auth: AuthActions) -> None:
    auth.login()
    token = auth.token("/caseworker/queue")
    auth.post("/caseworker/lock")
    wrong = auth.client.post("/caseworker/unlock", data={"password": "not it at all", "csrf_token": token},
                             headers=JSON)
    assert wrong.status_code == 401 and not wrong.get_json().get("ended")
    age_session(auth.client, seen=16 * 60)
    over = auth.client.post("/caseworker/unlock", data={"password": PASSWORD, "csrf_token": token}, headers=JSON)
    assert over.status_code == 401
    assert over.get_json() == {"error": "Your session has ended. Please sign in again.", "ended": True,
                               "sign_in": "/caseworker/login"}
