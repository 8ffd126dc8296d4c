"""The caseworker console through the test client: sign-in with TOTP, CSRF, queue, claim, case, reply."""

from __future__ import annotations

import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyotp
import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from bot.cli import intake_cli
from intake import concerns, console_sessions, queue, staff
from intake.db import unit_of_work
from intake.models import AuditEvent, Caseworker, utcnow
from intake.queue import ConsentAnswer
from tests.conftest import ALWAYS_OPEN, ChatActions, make_app

PASSWORD = "correct horse battery staple"
TOKEN = re.compile(rb'name="csrf_token" value="([^"]+)"')


def svc(app: Flask) -> Any:
    """The app's services."""
    return app.extensions["intake"]


def add_caseworker(app: Flask, username: str, role: str = "caseworker", on_duty: bool = True) -> str:
    """Create an account; returns its TOTP secret. On duty by default so tests pass at any hour."""
    with app.app_context(), unit_of_work(svc(app).sessions) as session:
        worker, secret = staff.create_caseworker(session, svc(app).keys, username, PASSWORD, role)
        worker.on_duty = on_duty
    return secret


TOTP_STEP = 30  # seconds; the server accepts the previous, the current and the next step
SAFETY_MARGIN = 10  # seconds a sign-in may take (argon2 on a loaded machine) before the server checks the code


def fresh_code(app: Flask, username: str, secret: str) -> str:
    """A code for a time step this account has not used yet and the server will still accept when it checks."""
    with unit_of_work(svc(app).sessions) as session:
        used = session.scalar(select(Caseworker.last_totp_step).where(Caseworker.username == username)) or 0
    while True:
        now = time.time()
        current = int(now) // TOTP_STEP
        # The previous step first, so several sign-ins in one window each get a step of their own.
        step = max(current - 1, used + 1)
        if step > current + 1:  # every step the server accepts is used: wait for the next window
            time.sleep(TOTP_STEP - now % TOTP_STEP + 0.05)
            continue
        if step == current - 1 and now % TOTP_STEP > TOTP_STEP - SAFETY_MARGIN:
            # The previous step stops being accepted at the next boundary, maybe before the server looks.
            step = current
        return pyotp.TOTP(secret).at(step * TOTP_STEP)


class AuthActions:
    """Sign in and out of the console as one member of staff."""

    def __init__(self, client: FlaskClient, app: Flask, username: str, secret: str) -> None:
        self.client, self.app, self.username, self.secret = client, app, username, secret

    def token(self, path: str = "/caseworker/login") -> str:
        """The CSRF token from a console page."""
        match = TOKEN.search(self.client.get(path).data)
        assert match, "no CSRF token on the page"
        return match.group(1).decode()

    def login(self, password: str = PASSWORD, code: str | None = None) -> Any:
        """Post the sign-in form with a real TOTP code."""
        code = code if code is not None else fresh_code(self.app, self.username, self.secret)
        data = {"username": self.username, "password": password, "code": code, "csrf_token": self.token()}
        return self.client.post("/caseworker/login", data=data)

    def post(self, path: str, **data: str) -> Any:
        """POST a console form with its CSRF token."""
        return self.client.post(path, data={**data, "csrf_token": self.token()})

    def logout(self) -> Any:
        """Sign out."""
        return self.post("/caseworker/logout")


@pytest.fixture
def auth(app: Flask, client: FlaskClient) -> AuthActions:
    """A caseworker, not yet signed in."""
    return AuthActions(client, app, "alex", add_caseworker(app, "alex"))


def enquire(app: Flask, *, urgent: bool = False, contact: dict[str, Any] | None = None,
            consent_contact: bool = True, summary: str = "Needs help with an EHC assessment",
            safe_times: str | None = "mornings") -> str:
    """Queue an enquiry directly; returns its reference."""
    now = utcnow()
    with unit_of_work(svc(app).sessions) as session:
        if urgent:
            # A contact of its own each time: a contact has one open concern at a time (a later one joins it).
            found = concerns.raise_concern(session, svc(app).keys, channel="web", contact_key=uuid.uuid4().hex * 2,
                                           triggers=("mentions a child being hurt",), retention_days=30)
            assert found is not None
            enquiry = found
        else:
            enquiry = queue.create_enquiry(
                session, svc(app).keys, channel="sms", contact_key="c" * 64, topic="ehc", summary=summary,
                facts={"phase": "primary"}, contact=contact or {"method": "sms", "number": "+447700900123"},
                safe_times=safe_times, voicemail_ok=False, name_service_ok=False,
                consents=[ConsentAnswer("contact", consent_contact, "contact-v1", now)], retention_days=30,
            )
        return enquiry.reference


def set_clock(app: Flask, moment: str) -> datetime:
    """Fix the console's clock (CONSOLE_CLOCK) at a UTC instant 'YYYY-MM-DD HH:MM'; returns it."""
    fixed = datetime.fromisoformat(moment).replace(tzinfo=UTC)
    app.config["CONSOLE_CLOCK"] = lambda: fixed
    return fixed


def set_created(app: Flask, reference: str, moment: datetime) -> None:
    """Say the enquiry arrived at `moment`."""
    with unit_of_work(svc(app).sessions) as session:
        enquiry = queue.by_reference(session, reference)
        assert enquiry is not None
        enquiry.created_at = moment


def audit_rows(app: Flask, action: str) -> list[AuditEvent]:
    """Audit events of one kind."""
    with unit_of_work(svc(app).sessions) as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# ---- sign-in ----

def test_sign_in_needs_password_and_code(auth: AuthActions) -> None:
    assert auth.client.get("/caseworker/queue").status_code == 302
    response = auth.login()
    assert response.status_code == 302 and response.headers["Location"].endswith("/caseworker/queue")
    assert auth.client.get("/caseworker/queue").status_code == 200


@pytest.mark.parametrize(("password", "code"), [
    ("wrong password here", None),
    (PASSWORD, "000000"),
    (PASSWORD, ""),
])
def test_bad_factor_refused_and_audited(
    app: Flask, auth: AuthActions, password: str, code: str | None
) -> None:
    response = auth.login(password=password, code=code)
    assert response.status_code == 401 and b"Sign-in failed" in response.data
    assert auth.client.get("/caseworker/queue").status_code == 302
    failed = audit_rows(app, "login_failed")
    assert [e.actor for e in failed] == ["alex"]
    assert PASSWORD not in (failed[0].detail or "") and password not in (failed[0].detail or "")


def test_a_code_works_once(auth: AuthActions) -> None:
    code = fresh_code(auth.app, auth.username, auth.secret)
    assert auth.login(code=code).status_code == 302
    auth.logout()
    assert auth.login(code=code).status_code == 401


def test_unknown_user_audited_without_what_was_typed(app: Flask, auth: AuthActions) -> None:
    auth.username = "my secret password"
    auth.login()
    assert [e.actor for e in audit_rows(app, "login_failed")] == [staff.UNKNOWN_ACTOR]


def test_throttled_after_repeated_failures(auth: AuthActions) -> None:
    for _ in range(staff.MAX_FAILURES):
        assert auth.login(password="not the password").status_code == 401
    # Even the right password and a good code are refused: signing in is paused from this address (never by
    # locking the account, which a stranger could use to keep the duty caseworker out).
    refused = auth.login()
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "signing in is paused here" in page and "Your account is not locked" in page
    assert auth.client.get("/caseworker/queue").status_code == 302
    with unit_of_work(svc(auth.app).sessions) as session:
        worker = session.scalar(select(Caseworker).where(Caseworker.username == auth.username))
        assert worker is not None and worker.locked_until is None


def test_post_without_csrf_token_is_refused(auth: AuthActions) -> None:
    code = fresh_code(auth.app, auth.username, auth.secret)
    data = {"username": auth.username, "password": PASSWORD, "code": code}
    assert auth.client.post("/caseworker/login", data=data).status_code == 400
    auth.login()
    reference = enquire(auth.app)
    assert auth.client.post(f"/caseworker/claim/{reference}").status_code == 400


def test_chat_api_needs_no_csrf_token(auth: AuthActions) -> None:
    assert ChatActions(auth.client).open().session_id


def test_cookie_is_strict_and_pages_not_stored(auth: AuthActions) -> None:
    response = auth.login()
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" in cookie
    page = auth.client.get("/caseworker/queue")
    assert page.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert b"<script>" not in page.data and b"style=" not in page.data


# ---- session ends ----

def age_session(client: FlaskClient, **changes: float) -> None:
    """Move the session's timestamps back in time, as if time had passed."""
    with client.session_transaction() as flask_session:
        record = flask_session["staff"]
        for name, seconds in changes.items():
            record[name] -= seconds
        flask_session["staff"] = record


@pytest.mark.parametrize("changes", [
    {"seen": 16 * 60},
    {"in": 13 * 3600},
])
def test_server_ends_idle_and_long_sessions(app: Flask, auth: AuthActions, changes: dict[str, float]) -> None:
    auth.login()
    age_session(auth.client, **changes)
    assert auth.client.get("/caseworker/queue").status_code == 302
    assert auth.client.get("/caseworker/queue").status_code == 302
    assert len(audit_rows(app, "session_ended")) == 1


def test_nightly_lock_ends_sessions(tmp_path: Path) -> None:
    lock = (datetime.now(ZoneInfo("Europe/London")) - timedelta(minutes=2)).strftime("%H:%M")
    app = make_app(tmp_path, CONSOLE_LOCK_TIME=lock)
    auth = AuthActions(app.test_client(), app, "sam", add_caseworker(app, "sam"))
    auth.login()
    assert auth.client.get("/caseworker/queue").status_code == 200
    age_session(auth.client, **{"in": 5 * 60})
    assert auth.client.get("/caseworker/queue").status_code == 302


def test_out_of_hours_only_on_duty_signs_in(tmp_path: Path) -> None:
    tomorrow = (datetime.now(ZoneInfo("Europe/London")) + timedelta(days=1)).strftime("%a")
    app = make_app(tmp_path, OFFICE_HOURS=f"{tomorrow} 09:00-17:00")
    off = AuthActions(app.test_client(), app, "off", add_caseworker(app, "off", on_duty=False))
    response = off.login()
    assert response.status_code == 401 and b"closed out of hours" in response.data
    duty = AuthActions(app.test_client(), app, "duty", add_caseworker(app, "duty", on_duty=True))
    assert duty.login().status_code == 302


def test_idle_lock_hides_content_until_password(auth: AuthActions) -> None:
    auth.login()
    assert auth.post("/caseworker/lock").get_json() == {"locked": True}
    assert auth.client.get("/caseworker/queue").headers["Location"].endswith("/caseworker/unlock")
    assert auth.client.get("/caseworker/queue.json").status_code == 423
    assert auth.post("/caseworker/unlock", password="wrong password!").status_code == 401
    assert auth.post("/caseworker/unlock", password=PASSWORD).status_code == 302
    assert auth.client.get("/caseworker/queue").status_code == 200


# ---- queue, claim, caseload ----

def test_queue_shows_no_names_or_numbers_and_urgent_first(auth: AuthActions) -> None:
    normal = enquire(auth.app, summary="My son Jamie at Oak School")
    urgent = enquire(auth.app, urgent=True)
    auth.login()
    page = auth.client.get("/caseworker/queue").data
    assert page.index(urgent.encode()) < page.index(normal.encode())
    assert b"URGENT" in page and b'class="urgent"' in page
    assert b"+447700900123" not in page and b"Jamie" not in page
    rows = auth.client.get("/caseworker/queue.json").get_json()["rows"]
    assert [r["reference"] for r in rows] == [urgent, normal]
    assert rows[0]["urgent"] and rows[1]["safe_times"].startswith("Weekday mornings (9am to 12 noon).")
    assert "7700900123" not in str(rows) and "Jamie" not in str(rows)


def test_second_claim_is_told_it_is_taken(app: Flask, auth: AuthActions) -> None:
    reference = enquire(app)
    other = AuthActions(app.test_client(), app, "blair", add_caseworker(app, "blair"))
    auth.login()
    other.login()
    assert auth.post(f"/caseworker/claim/{reference}").headers["Location"].endswith(f"/case/{reference}")
    response = other.post(f"/caseworker/claim/{reference}")
    assert response.headers["Location"].endswith("/caseworker/queue")
    assert b"already been taken" in other.client.get("/caseworker/queue").data
    assert other.client.get(f"/caseworker/case/{reference}").status_code == 302


def test_caseload_in_reference_order(app: Flask, auth: AuthActions) -> None:
    references = [enquire(app) for _ in range(4)]
    auth.login()
    for reference in references:
        auth.post(f"/caseworker/claim/{reference}")
    page = auth.client.get("/caseworker/caseload").data.decode()
    positions = [page.index(reference) for reference in sorted(references)]
    assert positions == sorted(positions)


EHC_TITLE = "EHC needs assessments and plans"  # the title parents were offered for the stored code "ehc"


def test_queue_and_caseload_name_the_topic_as_the_case_page_does(app: Flask, auth: AuthActions) -> None:
    waiting, mine = enquire(app), enquire(app)
    auth.login()
    queue_page = auth.client.get("/caseworker/queue").get_data(as_text=True)
    assert f"<td>{EHC_TITLE}</td>" in queue_page and "<td>ehc</td>" not in queue_page
    rows = auth.client.get("/caseworker/queue.json").get_json()["rows"]
    assert [(r["topic"], r["topic_title"]) for r in rows] == [("ehc", EHC_TITLE)] * 2  # console.js shows the title
    auth.post(f"/caseworker/claim/{mine}")
    caseload = auth.client.get("/caseworker/caseload").get_data(as_text=True)
    assert f"<td>{EHC_TITLE}</td>" in caseload and "<td>ehc</td>" not in caseload
    assert mine in caseload and waiting not in caseload
    assert f"Topic: {EHC_TITLE}" in auth.client.get(f"/caseworker/case/{mine}").get_data(as_text=True)


def test_a_topic_with_no_title_is_shown_as_stored(app: Flask, auth: AuthActions) -> None:
    reference = enquire(app)
    with unit_of_work(svc(app).sessions) as session:
        enquiry = queue.by_reference(session, reference)
        assert enquiry is not None
        enquiry.topic = "retired_topic"  # a topic since removed from flows/
    auth.login()
    auth.post(f"/caseworker/claim/{reference}")
    assert "<td>retired_topic</td>" in auth.client.get("/caseworker/caseload").get_data(as_text=True)


# ---- the case ----

def test_queue_shows_long_waits_in_hours_and_days(app: Flask, auth: AuthActions) -> None:
    now = set_clock(app, "2026-11-25 10:30")
    long_ago, today = enquire(app), enquire(app)
    set_created(app, long_ago, now - timedelta(minutes=2927))
    set_created(app, today, now - timedelta(minutes=125))
    auth.login()
    page = auth.client.get("/caseworker/queue").data
    assert b"2 days 0 h" in page and b"2 h 5 min" in page and b"2927 min" not in page


def test_case_page_shows_labels_not_codes(app: Flask, auth: AuthActions) -> None:
    reference = enquire(app, contact={"method": "sms_this", "number": "+447700900123"})
    auth.login()
    auth.post(f"/caseworker/claim/{reference}")
    page = auth.client.get(f"/caseworker/case/{reference}").data
    assert b"Text this number" in page and b"sms_this" not in page.split(b"<form")[0]
    assert b"Primary school" in page and b"Stage of education" in page


def test_case_view_is_audited_and_shows_warnings(app: Flask, auth: AuthActions) -> None:
    reference = enquire(app)
    auth.login()
    auth.post(f"/caseworker/claim/{reference}")
    page = auth.client.get(f"/caseworker/case/{reference}").data
    assert b"Needs help with an EHC assessment" in page and b"contact-v1" in page
    assert b"No consent to leave a voicemail" in page and b"Do not say the service" in page
    # Policy 1.3: every call or text starts by asking whether it is a good time to talk privately, and a
    # parent who did not agree to the service being named does not see its number either.
    text = page.decode()
    assert "good time to talk privately" in text and "withhold your number" in text
    views = audit_rows(app, "view")
    assert [(e.actor, e.reference, e.detail) for e in views] == [("alex", reference, None)]


def test_notes_are_encrypted_and_release_close_work(app: Flask, auth: AuthActions) -> None:
    reference = enquire(app)
    auth.login()
    auth.post(f"/caseworker/claim/{reference}")
    auth.post(f"/caseworker/case/{reference}/note", note="Called back, left no message")
    assert b"Called back, left no message" in auth.client.get(f"/caseworker/case/{reference}").data
    with unit_of_work(svc(app).sessions) as session:
        enquiry = queue.by_reference(session, reference)
        assert enquiry is not None and b"Called back" not in enquiry.notes[0].body
    auth.post(f"/caseworker/case/{reference}/release")
    assert reference in [r["reference"] for r in auth.client.get("/caseworker/queue.json").get_json()["rows"]]
    auth.post(f"/caseworker/claim/{reference}")
    auth.post(f"/caseworker/case/{reference}/close", outcome="advice given")
    with unit_of_work(svc(app).sessions) as session:
        enquiry = queue.by_reference(session, reference)
        assert enquiry is not None and (enquiry.status, enquiry.outcome) == ("closed", "advice given")


def priority(app: Flask, reference: str) -> str:
    """The case's priority now."""
    with unit_of_work(svc(app).sessions) as session:
        enquiry = queue.by_reference(session, reference)
        assert enquiry is not None
        return enquiry.priority


def raw_database(tmp_path: Path) -> bytes:
    """The SQLite database's bytes as they sit on disk, write-ahead log included."""
    path = tmp_path / "intake.sqlite3"
    return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())


REASON = "Parent describes a playground scrape, seen by the school nurse"


def test_not_a_safeguarding_concern_keeps_the_flag(app: Flask, auth: AuthActions, tmp_path: Path) -> None:
    reference = enquire(app, urgent=True)
    auth.login()
    auth.post(f"/caseworker/claim/{reference}")
    page = auth.client.get(f"/caseworker/case/{reference}").data
    assert b"mentions a child being hurt" in page and b'name="reason"' in page and b'name="confirm"' in page
    auth.post(f"/caseworker/case/{reference}/not-safeguarding", reason=REASON, confirm="yes")
    with unit_of_work(svc(app).sessions) as session:
        enquiry = queue.by_reference(session, reference)
        assert enquiry is not None and enquiry.priority == "normal" and enquiry.safeguarding
        [note] = enquiry.notes
        assert note.author == "alex" and REASON.encode() not in note.body
    page = auth.client.get(f"/caseworker/case/{reference}").data
    assert f"Marked not a safeguarding concern: {REASON}".encode() in page
    [event] = audit_rows(app, "safeguarding_cleared")
    assert (event.actor, event.reference) == ("alex", reference)
    assert "scrape" not in (event.detail or "") and "nurse" not in (event.detail or "")
    with unit_of_work(svc(app).sessions) as session:
        details = " ".join(e.detail or "" for e in session.scalars(select(AuditEvent)))
    assert "scrape" not in details
    assert b"playground scrape" not in raw_database(tmp_path)  # encrypted at rest


@pytest.mark.parametrize("form", [
    {"confirm": "yes"},  # no reason
    {"reason": "   ", "confirm": "yes"},  # a blank one
    {"reason": "x" * 301, "confirm": "yes"},  # too long
    {"reason": "Only a playground scrape"},  # not confirmed
    {"reason": "Only a playground scrape", "confirm": "no"},
])
def test_clearing_the_flag_needs_a_reason_and_a_confirmation(
    app: Flask, auth: AuthActions, form: dict[str, str]
) -> None:
    reference = enquire(app, urgent=True)
    auth.login()
    auth.post(f"/caseworker/claim/{reference}")
    auth.post(f"/caseworker/case/{reference}/not-safeguarding", **form)
    page = auth.client.get(f"/caseworker/case/{reference}").data
    assert b"Nothing was changed" in page and b"URGENT" in page
    assert priority(app, reference) == "urgent"
    assert audit_rows(app, "safeguarding_cleared") == []
    with unit_of_work(svc(app).sessions) as session:
        enquiry = queue.by_reference(session, reference)
        assert enquiry is not None and enquiry.notes == []


# ---- replying to the parent ----

@pytest.mark.parametrize(("consented", "reaches_parent"), [(True, True), (False, False)])
def test_chat_reply_needs_contact_consent(
    app: Flask, auth: AuthActions, consented: bool, reaches_parent: bool
) -> None:
    parent = ChatActions(app.test_client()).open()
    reference = enquire(app, contact={"method": "web_chat", "session_id": parent.session_id},
                        consent_contact=consented)
    auth.login()
    auth.post(f"/caseworker/claim/{reference}")
    auth.post(f"/caseworker/case/{reference}/reply", text="Hello, this is your caseworker.")
    page = auth.client.get(f"/caseworker/case/{reference}").data
    messages = parent.client.get(f"/api/chat/sessions/{parent.session_id}/messages?after=0",
                                 headers=parent.headers).get_json()["messages"]
    if reaches_parent:
        assert [m["text"] for m in messages] == ["Hello, this is your caseworker."]
        assert b"Reply sent" in page
    else:
        assert messages == []
        assert b"did not consent to be contacted" in page
    assert parent.session_id.encode() not in page


# ---- the command ----

def test_create_caseworker_command(tmp_path: Path) -> None:
    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)  # the new account is not on duty: sign in any time
    runner = CliRunner()
    with app.app_context():
        args = ["create-caseworker", "robin", "--role", "manager", "--password-stdin"]
        result = runner.invoke(intake_cli, args, input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "otpauth://totp/" in result.output and "robin" in result.output
    secret = re.search(r"secret: (\w+)", result.output)
    assert secret
    assert AuthActions(app.test_client(), app, "robin", secret.group(1)).login().status_code == 302


def test_session_timestamps_are_utc() -> None:
    now = datetime.now(UTC)
    assert console_sessions.session_ended(now, now, now, "19:00", "Europe/London") is None


def test_manager_may_read_but_not_change_anothers_case(app: Flask, auth: AuthActions) -> None:
    reference = enquire(app)
    auth.login()
    auth.post(f"/caseworker/claim/{reference}")
    manager = AuthActions(app.test_client(), app, "morgan", add_caseworker(app, "morgan", role="manager"))
    manager.login()
    page = manager.client.get(f"/caseworker/case/{reference}").data
    assert b"Needs help with an EHC assessment" in page and b"Add a note" not in page
    manager.post(f"/caseworker/case/{reference}/note", note="not mine to write")
    assert b"not in your caseload" in manager.client.get(f"/caseworker/case/{reference}").data
    other = AuthActions(app.test_client(), app, "casey", add_caseworker(app, "casey"))
    other.login()
    assert other.client.get(f"/caseworker/case/{reference}").status_code == 302


def shut_out(response: Any) -> bool:
    """Sent back to sign in (a page) or refused (JSON): either way, no content."""
    if response.status_code == 302:
        return str(response.headers["Location"]).endswith("/caseworker/login")
    return bool(response.status_code == 401)


def copied_cookie(client: FlaskClient) -> str:
    """The session cookie as a thief would copy it."""
    cookie = client.get_cookie("console_session", path="/")
    assert cookie is not None
    return cookie.value


def test_a_copied_cookie_stops_working_after_sign_out_and_after_the_screen_lock(app: Flask) -> None:
    secret = add_caseworker(app, "casey")
    first = AuthActions(app.test_client(), app, "casey", secret)
    first.login()
    stolen = copied_cookie(first.client)
    thief = app.test_client()
    thief.set_cookie("console_session", stolen, path="/")
    assert thief.get("/caseworker/queue").status_code == 200
    first.logout()
    assert shut_out(thief.get("/caseworker/queue"))

    first.login()
    before_lock = copied_cookie(first.client)
    first.post("/caseworker/lock")
    replay = app.test_client()
    replay.set_cookie("console_session", before_lock, path="/")
    assert shut_out(replay.get("/caseworker/queue"))


def test_a_role_change_applies_at_once(app: Flask) -> None:
    from sqlalchemy import update

    from intake.models import Caseworker

    secret = add_caseworker(app, "morgan", "manager")
    manager = AuthActions(app.test_client(), app, "morgan", secret)
    manager.login()
    assert manager.client.get("/caseworker/stats").status_code == 200
    with unit_of_work(svc(app).sessions) as session:
        session.execute(update(Caseworker).where(Caseworker.username == "morgan").values(role="caseworker"))
    assert manager.client.get("/caseworker/stats").status_code == 403


def test_case_page_shows_the_other_number_or_email_the_parent_gave(app: Flask, auth: AuthActions) -> None:
    reference = enquire(app, contact={"method": "phone_other", "detail": "+447981555321"})
    auth.login()
    auth.post(f"/caseworker/claim/{reference}")
    page = auth.client.get(f"/caseworker/case/{reference}").get_data(as_text=True)
    assert "+447981555321" in page


# ---- times in the service's zone, and the parent's safe time ----

@pytest.mark.parametrize(("received", "shown"), [
    ("2026-07-01 16:05", "01 Jul 2026 17:05"),  # British Summer Time: UTC+1
    ("2026-01-15 16:05", "15 Jan 2026 16:05"),  # winter: Greenwich Mean Time, the same as UTC
])
def test_case_page_shows_local_time(app: Flask, auth: AuthActions, received: str, shown: str) -> None:
    reference = enquire(app)
    set_created(app, reference, datetime.fromisoformat(received).replace(tzinfo=UTC))
    auth.login()
    auth.post(f"/caseworker/claim/{reference}")
    auth.post(f"/caseworker/case/{reference}/note", note="Called, no answer")
    page = auth.client.get(f"/caseworker/case/{reference}").get_data(as_text=True)
    assert f"Received {shown}" in page
    assert "UTC" not in page


def test_caseload_shows_local_time(app: Flask, auth: AuthActions) -> None:
    reference = enquire(app)
    auth.login()
    auth.post(f"/caseworker/claim/{reference}")
    with unit_of_work(svc(app).sessions) as session:
        enquiry = queue.by_reference(session, reference)
        assert enquiry is not None
        enquiry.claimed_at = datetime(2026, 7, 1, 16, 5, tzinfo=UTC)
    page = auth.client.get("/caseworker/caseload").get_data(as_text=True)
    assert "01 Jul 17:05" in page and "UTC" not in page


@pytest.mark.parametrize(("moment", "status"), [
    ("2026-11-25 10:30", "Safe to contact now"),  # a Wednesday morning (GMT)
    ("2026-11-27 17:05", "Not safe to contact now. Next safe time: Mon 30 Nov, 09:00."),  # Friday, 5pm
])
def test_queue_and_case_show_the_safe_time_label_and_whether_it_is_safe_now(
    app: Flask, auth: AuthActions, moment: str, status: str
) -> None:
    set_clock(app, moment)
    reference = enquire(app, safe_times="mornings", contact={"method": "sms_this", "number": "+447700900123"})
    auth.login()
    expected = f"Weekday mornings (9am to 12 noon). {status}"
    assert expected in auth.client.get("/caseworker/queue").get_data(as_text=True)
    [row] = auth.client.get("/caseworker/queue.json").get_json()["rows"]
    assert row["safe_times"] == expected and row["safe_now"] is (status == "Safe to contact now")
    auth.post(f"/caseworker/claim/{reference}")
    page = auth.client.get(f"/caseworker/case/{reference}").get_data(as_text=True)
    assert "Weekday mornings (9am to 12 noon)." in page and status in page
    assert ">mornings<" not in page  # the label, never the stored key


def test_queue_says_when_no_safe_time_was_given(app: Flask, auth: AuthActions) -> None:
    enquire(app, safe_times=None)
    auth.login()
    [row] = auth.client.get("/caseworker/queue.json").get_json()["rows"]
    assert (row["safe_times"], row["safe_now"]) == ("not given", None)


def test_web_chat_reply_is_not_held_to_safe_times(app: Flask, auth: AuthActions) -> None:
    set_clock(app, "2026-11-28 22:00")  # Saturday night: outside every window
    parent = ChatActions(app.test_client()).open()
    reference = enquire(app, contact={"method": "web_chat", "session_id": parent.session_id},
                        safe_times="mornings")
    auth.login()
    auth.post(f"/caseworker/claim/{reference}")
    auth.post(f"/caseworker/case/{reference}/reply", text="Hello, this is your caseworker.")
    messages = parent.client.get(f"/api/chat/sessions/{parent.session_id}/messages?after=0",
                                 headers=parent.headers).get_json()["messages"]
    assert [m["text"] for m in messages] == ["Hello, this is your caseworker."]
