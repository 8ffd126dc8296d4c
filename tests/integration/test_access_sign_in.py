"""Console sign-in: failures are throttled per address (and username), never by locking the account, and the
password hash runs on every path, so a stranger can neither keep the duty caseworker out nor list usernames."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import timedelta
from types import FrameType
from typing import Any

from argon2 import PasswordHasher
from flask import Flask
from sqlalchemy import select

from intake.db import unit_of_work
from intake.models import Caseworker, utcnow
from tests.integration.test_console import PASSWORD, AuthActions, add_caseworker, audit_rows, svc

ATTACKER, OFFICE, ELSEWHERE = "198.51.100.7", "203.0.113.9", "192.0.2.44"
PAUSED = "signing in is paused here"


def at(app: Flask, address: str, username: str, secret: str = "") -> AuthActions:
    """A browser at one address, signing in as `username` (its own cookie jar)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return AuthActions(client, app, username, secret)


def account(app: Flask, username: str) -> Caseworker:
    with unit_of_work(svc(app).sessions) as session:
        worker = session.scalar(select(Caseworker).where(Caseworker.username == username))
        assert worker is not None
        session.expunge(worker)
        return worker


def test_failures_from_elsewhere_never_lock_the_duty_caseworker_out(app: Flask) -> None:
    secret = add_caseworker(app, "duty", on_duty=True)
    stranger = at(app, ATTACKER, "duty", secret)
    for _ in range(5):
        assert stranger.login(password="a guess at the password").status_code == 401
    refused = stranger.login(password="another guess at it")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429 and PAUSED in page and "Your account is not locked" in page
    assert "5 minutes" in page and int(refused.headers["Retry-After"]) > 0
    # From the stranger's address even the right details are not checked now: guessing stays paused.
    assert stranger.login().status_code == 429

    duty = at(app, OFFICE, "duty", secret)  # the real duty caseworker, at their own computer
    response = duty.login()
    assert response.status_code == 302 and response.headers["Location"].endswith("/caseworker/queue")
    assert duty.client.get("/caseworker/queue").status_code == 200
    worker = account(app, "duty")
    assert worker.locked_until is None and worker.active
    assert [e.actor for e in audit_rows(app, "login_failed")] == ["duty"] * 5  # the refused ones never ran
    assert [e.actor for e in audit_rows(app, "login")] == ["duty"]


def test_one_address_trying_many_usernames_is_paused_and_no_one_else_is(app: Flask) -> None:
    secret = add_caseworker(app, "alex")
    prober = at(app, ATTACKER, "")
    for n in range(20):
        prober.username = f"name{n}"
        assert prober.login(code="123456").status_code == 401
    prober.username = "alex"
    assert prober.login(code="123456").status_code == 429  # a username never tried from here: the address is paused
    assert at(app, ELSEWHERE, "alex", secret).login().status_code == 302
    assert len(audit_rows(app, "login_failed")) == 20 and account(app, "alex").locked_until is None


def hashes_run(action: Callable[[], Any]) -> int:
    """How many times argon2 checked a password while `action` ran (the sign-in runs in this thread)."""
    verify = PasswordHasher.verify.__code__
    calls = 0

    def watch(frame: FrameType, event: str, _arg: Any) -> None:
        nonlocal calls
        if event == "call" and frame.f_code is verify:
            calls += 1

    sys.setprofile(watch)
    try:
        action()
    finally:
        sys.setprofile(None)
    return calls


def test_every_sign_in_runs_the_password_hash_once_whether_the_account_exists_or_not(app: Flask) -> None:
    secret = add_caseworker(app, "alex")
    add_caseworker(app, "gone")
    with unit_of_work(svc(app).sessions) as session:
        worker = session.scalar(select(Caseworker).where(Caseworker.username == "gone"))
        assert worker is not None
        worker.active = False
    attempts = {
        "unknown username": at(app, "192.0.2.1", "nobody", secret),
        "disabled account": at(app, "192.0.2.2", "gone", secret),
        "wrong password": at(app, "192.0.2.3", "alex", secret),
    }
    for why, browser in attempts.items():
        token = browser.token()
        form = {"username": browser.username, "password": "not the password", "code": "123456", "csrf_token": token}
        statuses: list[int] = []

        def attempt(b: AuthActions = browser, f: dict[str, str] = form, out: list[int] = statuses) -> None:
            out.append(b.client.post("/caseworker/login", data=f).status_code)

        assert hashes_run(attempt) == 1, why
        assert statuses == [401], why

    # An account the old lockout left locked: the hash runs, and the right details still sign in.
    with unit_of_work(svc(app).sessions) as session:
        worker = session.scalar(select(Caseworker).where(Caseworker.username == "alex"))
        assert worker is not None
        worker.locked_until, worker.failed_logins = utcnow() + timedelta(minutes=15), 4
    alex = at(app, "192.0.2.4", "alex", secret)
    outcome: list[int] = []
    assert hashes_run(lambda: outcome.append(alex.login().status_code)) == 1
    assert outcome == [302]
    assert account(app, "alex").locked_until is None


def test_the_idle_lock_is_throttled_too_but_never_locks_the_account(app: Flask) -> None:
    secret = add_caseworker(app, "alex")
    alex = at(app, ATTACKER, "alex", secret)
    assert alex.login().status_code == 302
    alex.post("/caseworker/lock")
    for _ in range(5):
        assert alex.post("/caseworker/unlock", password="wrong password!").status_code == 401
    refused = alex.post("/caseworker/unlock", password=PASSWORD)
    assert refused.status_code == 429 and PAUSED in refused.get_data(as_text=True)
    json_refused = alex.client.post("/caseworker/unlock", data={"password": PASSWORD, "csrf_token": alex.token(
        "/caseworker/login")}, headers={"Accept": "application/json"})
    assert json_refused.status_code == 429 and PAUSED in json_refused.get_json()["error"]
    # console.js shows these words as they are in the lock box: they say how long to wait.
    assert "up to 5 minutes" in json_refused.get_json()["error"] and int(json_refused.headers["Retry-After"]) > 0
    # Signing in again from another computer works: the account itself was never locked.
    assert at(app, OFFICE, "alex", secret).login().status_code == 302
    assert account(app, "alex").locked_until is None
