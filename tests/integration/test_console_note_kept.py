"""A case note typed when the login ends (the nightly lock at 7pm on a Friday, the idle end, the screen lock) is
not lost when Save is pressed: the server keeps it, encrypted, for that caseworker and that case, and offers it
back when they next open the case; no cookie ever holds its words."""

from __future__ import annotations

import html
from typing import Any

from flask import Flask
from sqlalchemy import select

from intake import casework
from intake.db import unit_of_work
from intake.models import NoteDraft
from tests.integration.test_console import AuthActions, add_caseworker, age_session, enquire, set_clock, svc
from tests.integration.test_console_cookie import readable, session_cookie
from tests.integration.test_console_rights_identity import cookie_session

NOTE = ("Spoke to mum about Jamie's EHC assessment: school will not send the evidence until the SENCo is back, "
        "so I said I would chase the SENCo first thing Monday and ring her by Wednesday.")
KEPT = "was not saved, because you were signed out or the screen locked first"
OFFERED = "You were signed out before your note was saved. Here it is"
OUTCOME = casework.OUTCOMES[0]
FRIDAY_AFTERNOON, FRIDAY_NIGHT, MONDAY = "2026-11-27 16:50", "2026-11-27 19:05", "2026-11-30 09:30"


def page(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def holding_a_case(app: Flask) -> tuple[AuthActions, str]:
    """Alex, signed in on Friday afternoon (by the console's clock) with a case open."""
    set_clock(app, FRIDAY_AFTERNOON)
    reference = enquire(app)
    auth = AuthActions(app.test_client(), app, "alex", add_caseworker(app, "alex"))
    assert auth.login().status_code == 302
    assert auth.post(f"/caseworker/claim/{reference}").status_code == 302
    return auth, reference


def save(auth: AuthActions, reference: str, text: str = NOTE) -> Any:
    """Press Save on the case page's note form (its CSRF token taken while the page was open)."""
    return auth.post(f"/caseworker/case/{reference}/note", note=text)


def no_note_in_the_cookie(auth: AuthActions) -> None:
    assert "SENCo" not in readable(session_cookie(auth))
    assert "SENCo" not in repr(cookie_session(auth))


def kept_rows(app: Flask) -> list[NoteDraft]:
    with unit_of_work(svc(app).sessions) as session:
        return list(session.scalars(select(NoteDraft)))


def test_a_note_saved_after_the_nightly_lock_is_kept_and_offered_back_on_monday(app: Flask) -> None:
    auth, reference = holding_a_case(app)
    token = auth.token(f"/caseworker/case/{reference}")  # the case page, open as the lock falls
    set_clock(app, FRIDAY_NIGHT)
    refused = auth.client.post(f"/caseworker/case/{reference}/note", data={"note": NOTE, "csrf_token": token})
    assert refused.status_code == 302 and refused.headers["Location"].endswith("/caseworker/login")
    no_note_in_the_cookie(auth)
    said = page(auth.client.get("/caseworker/login"))
    assert f"Your note on {reference} {KEPT}" in said and "SENCo" not in said
    [row] = kept_rows(app)
    assert b"SENCo" not in row.body and row.username == "alex"  # encrypted, as notes are

    set_clock(app, MONDAY)
    signed_in = auth.login()
    assert signed_in.status_code == 302
    assert f"Your unsaved note on {reference} is kept for you" in page(auth.client.get("/caseworker/queue"))
    case = page(auth.client.get(f"/caseworker/case/{reference}"))
    assert OFFERED in case and f">{NOTE}</textarea>" in case
    no_note_in_the_cookie(auth)

    assert save(auth, reference).status_code == 302
    case = page(auth.client.get(f"/caseworker/case/{reference}"))
    assert "Note saved." in case and f"<p>{NOTE}</p>" in case  # on the case now, once
    assert OFFERED not in case and case.count(NOTE) == 1 and kept_rows(app) == []


def test_the_note_the_page_sends_once_its_keep_alive_finds_the_login_over_is_kept(app: Flask) -> None:
    auth, reference = holding_a_case(app)
    token = auth.token(f"/caseworker/case/{reference}")
    set_clock(app, FRIDAY_NIGHT)
    # console.js's keep-alive meets the end first; it then sends the unsaved note as the form would.
    alive = auth.client.post("/caseworker/alive", headers={"X-CSRFToken": token, "Accept": "application/json"})
    assert alive.status_code == 401 and alive.get_json()["ended"] is True
    sent = auth.client.post(f"/caseworker/case/{reference}/note", data={"note": NOTE, "csrf_token": token})
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/caseworker/login")
    no_note_in_the_cookie(auth)
    set_clock(app, MONDAY)
    auth.login()
    assert f">{NOTE}</textarea>" in page(auth.client.get(f"/caseworker/case/{reference}"))


def test_a_note_saved_at_the_locked_screen_is_kept_and_offered_after_the_password(app: Flask) -> None:
    auth, reference = holding_a_case(app)
    token = auth.token(f"/caseworker/case/{reference}")
    age_session(auth.client, seen=6 * 60)  # idle past the screen lock (5 minutes), not yet the end (15)
    refused = auth.client.post(f"/caseworker/case/{reference}/note", data={"note": NOTE, "csrf_token": token})
    assert refused.status_code == 302 and refused.headers["Location"].endswith("/caseworker/unlock")
    no_note_in_the_cookie(auth)
    assert f"Your note on {reference} {KEPT}" in page(auth.client.get("/caseworker/unlock"))
    assert auth.post("/caseworker/unlock", password="correct horse battery staple").status_code == 302
    assert f">{NOTE}</textarea>" in page(auth.client.get(f"/caseworker/case/{reference}"))


def test_a_cookie_from_before_a_sign_out_keeps_nothing(app: Flask) -> None:
    auth, reference = holding_a_case(app)
    token = auth.token(f"/caseworker/case/{reference}")
    copy = app.test_client()
    copy.set_cookie(app.config["SESSION_COOKIE_NAME"], session_cookie(auth))
    auth.logout()  # every copy of the cookie is void now
    set_clock(app, FRIDAY_NIGHT)
    refused = copy.post(f"/caseworker/case/{reference}/note", data={"note": NOTE, "csrf_token": token})
    assert refused.status_code == 302 and kept_rows(app) == []


def test_a_kept_note_can_be_deleted_and_is_gone_after_a_week(app: Flask) -> None:
    auth, reference = holding_a_case(app)
    token = auth.token(f"/caseworker/case/{reference}")
    set_clock(app, FRIDAY_NIGHT)
    auth.client.post(f"/caseworker/case/{reference}/note", data={"note": NOTE, "csrf_token": token})
    set_clock(app, MONDAY)
    auth.login()
    assert auth.post(f"/caseworker/case/{reference}/note/discard").status_code == 302
    case = page(auth.client.get(f"/caseworker/case/{reference}"))
    assert "The unsaved note is deleted." in case and NOTE not in case and kept_rows(app) == []

    token = auth.token(f"/caseworker/case/{reference}")
    set_clock(app, "2026-11-30 19:05")
    auth.client.post(f"/caseworker/case/{reference}/note", data={"note": NOTE, "csrf_token": token})
    assert len(kept_rows(app)) == 1
    set_clock(app, "2026-12-08 09:30")  # eight days on: not kept any longer
    auth.login()
    assert NOTE not in page(auth.client.get(f"/caseworker/case/{reference}")) and kept_rows(app) == []


def test_closing_the_case_deletes_a_note_kept_on_it(app: Flask) -> None:
    auth, reference = holding_a_case(app)
    token = auth.token(f"/caseworker/case/{reference}")
    set_clock(app, FRIDAY_NIGHT)
    auth.client.post(f"/caseworker/case/{reference}/note", data={"note": NOTE, "csrf_token": token})
    set_clock(app, MONDAY)
    auth.login()
    assert auth.post(f"/caseworker/case/{reference}/close", outcome=OUTCOME).status_code == 302
    assert kept_rows(app) == []  # nothing personal stays behind a closed case
