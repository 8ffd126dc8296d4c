"""Console: who is asking is checked before a subject-access copy or an erasure, and the session cookie carries
no consent answer nor a fact about an erased case's contact (it is encrypted too: test_console_cookie.py)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import select

from intake.db import unit_of_work
from intake.models import AuditEvent, Enquiry
from tests.integration.test_console import AuthActions, audit_rows, enquire, svc
from tests.integration.test_console_rights import (
    PARENT,
    claimed,
    count,
    local_now,
    record_answer,
    signed_in,
    sms_enquiry,
)

HOW = "Video call; she read out the reference from her text"


def export(auth: AuthActions, reference: str, **form: str) -> Any:
    """Post the subject-access form."""
    return auth.post(f"/caseworker/case/{reference}/export", **form)


def audit_details(app: Flask) -> str:
    """Every audit event's detail, as one text."""
    with unit_of_work(svc(app).sessions) as session:
        return " ".join(e.detail or "" for e in session.scalars(select(AuditEvent)))


def cookie_session(auth: AuthActions) -> dict[str, Any]:
    """What the console keeps in its session cookie (decrypted with the app's own key)."""
    cookie = auth.client.get_cookie(auth.app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    interface = auth.app.session_interface
    assert isinstance(interface, SecureCookieSessionInterface)
    serializer = interface.get_signing_serializer(auth.app)
    assert serializer is not None
    return dict(serializer.loads(cookie.value))


def flashed(auth: AuthActions) -> str:
    """The messages waiting in the cookie for the next page."""
    return " ".join(message for _, message in cookie_session(auth).get("_flashes", []))


# ---- the subject-access copy ----

def test_the_download_button_asks_how_the_person_asking_was_checked_before_any_copy(app: Flask) -> None:
    reference = sms_enquiry(app)
    auth = claimed(app, reference)
    asked = export(auth, reference, format="txt")  # the case page's form: format only
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "attachment" not in asked.headers.get("Content-Disposition", "")
    assert asked.headers["Cache-Control"] == "no-store" and "style=" not in page and "<script>" not in page
    assert "How did you check that the person asking is the parent this record is about?" in page
    assert "In person, with photo ID." in page and '<option value="txt" selected>' in page
    assert "Needs help with an EHC assessment" not in page and PARENT not in page
    assert audit_rows(app, "export") == []


@pytest.mark.parametrize(("form", "said", "kept"), [
    ({"identity": ""}, "Say how you checked that the person asking is the parent", '<option value="txt" selected>'),
    ({"identity": "they said so"}, "Say how you checked that the person asking is the parent", ""),
    ({"identity": "other", "identity_how": "  "}, "say how you checked, in a few words",
     'value="other" required checked'),
    ({"identity": "other", "identity_how": "x" * 201}, "200 characters or fewer", 'value="' + "x" * 201 + '"'),
])
def test_a_copy_without_a_check_is_refused_kindly_with_the_form_kept(
    app: Flask, form: dict[str, str], said: str, kept: str
) -> None:
    reference = sms_enquiry(app)
    auth = claimed(app, reference)
    refused = export(auth, reference, format="txt", **form)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "attachment" not in refused.headers.get("Content-Disposition", "")
    assert 'role="alert"' in page and said in page and kept in page
    assert "Needs help with an EHC assessment" not in page
    assert audit_rows(app, "export") == []


@pytest.mark.parametrize(("form", "header"), [
    ({"identity": "text"}, "you texted us from the number we hold and gave your reference."),
    ({"identity": "call_back"}, "we called you back on the number we hold and you gave your reference."),
    ({"identity": "in_person"}, "in person, with photo ID."),
    ({"identity": "other", "identity_how": HOW}, HOW),
])
@pytest.mark.parametrize("fmt", ["txt", "html"])
def test_the_copy_says_how_the_person_asking_was_checked_and_the_audit_its_kind_only(
    app: Flask, form: dict[str, str], header: str, fmt: str
) -> None:
    reference = sms_enquiry(app)
    auth = claimed(app, reference)
    response = export(auth, reference, format=fmt, **form)
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    top = text[:text.index("Needs help with an EHC assessment")]  # the header, before the record itself
    assert "we checked that you are the person it is about" in top and header in " ".join(top.split())
    [event] = audit_rows(app, "export")
    assert event.detail == f"subject access; identity checked: {form['identity']}"
    assert "Video call" not in audit_details(app)  # the staff's own words are not kept


def test_a_child_protection_copy_is_still_a_managers_even_with_a_check(app: Flask) -> None:
    reference = enquire(app, urgent=True)
    alice = claimed(app, reference, "alice")
    refused = export(alice, reference, format="txt", identity="in_person")
    assert refused.status_code == 302 and audit_rows(app, "export") == []
    manager = signed_in(app, "morgan", "manager")
    asked = export(manager, reference, format="txt").get_data(as_text=True)
    assert "leaves out the concern" in asked and "a child being hurt" not in asked
    copy = export(manager, reference, format="txt", identity="in_person").get_data(as_text=True)
    assert "NOT INCLUDED IN THIS COPY" in copy and "in person, with photo ID." in copy
    assert "a child being hurt" not in copy


# ---- erasure ----

def test_erasure_asks_how_the_person_asking_was_checked_and_keeps_what_was_typed(app: Flask) -> None:
    reference = sms_enquiry(app)
    manager = signed_in(app, "morgan", "manager")
    page = manager.client.get(f"/caseworker/case/{reference}/erase").get_data(as_text=True)
    assert "How did you check that the person asking is the parent this record is about?" in page
    refused = manager.post(f"/caseworker/case/{reference}/erase", confirm=reference)
    said = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Say how you checked" in said and "Nothing has been erased" in said
    assert f'name="confirm" value="{reference}"' in said  # the typed reference is kept
    assert count(app, Enquiry) == 1 and audit_rows(app, "erase") == []
    wrong = manager.post(f"/caseworker/case/{reference}/erase", confirm="WRONG", identity="other", identity_how=HOW)
    said = wrong.get_data(as_text=True)
    assert wrong.status_code == 400 and "Type the case reference to confirm" in said
    assert 'value="other" required checked' in said and HOW in said
    assert count(app, Enquiry) == 1
    erased = manager.post(f"/caseworker/case/{reference}/erase", confirm=reference, identity="other",
                          identity_how=HOW)
    assert erased.headers["Location"].endswith("/caseworker/queue") and count(app, Enquiry) == 0
    [event] = audit_rows(app, "erase")
    assert event.detail == "identity checked: other" and "Video call" not in audit_details(app)


# ---- what the signed (readable) session cookie carries ----

def test_recording_a_sharing_answer_leaves_the_answer_out_of_the_cookie(app: Flask) -> None:
    reference = sms_enquiry(app)
    auth = claimed(app, reference)
    record_answer(auth, reference, at=local_now())
    message = flashed(auth)
    assert "answer about sharing is recorded" in message
    for detail in ("agreed", "school", "phone", "share-1", reference):
        assert detail not in message, detail
    page = auth.client.get(f"/caseworker/case/{reference}").get_data(as_text=True).replace("&#39;", "'")
    assert "answer about sharing is recorded" in page  # said once, on the next page
    assert "Parent agreed on phone at" in page and "to share with the child's school" in page  # from the server


def test_the_erased_message_is_the_same_whether_or_not_the_contact_was_blocked(app: Flask) -> None:
    manager = signed_in(app, "morgan", "manager")
    said = []
    for block in (False, True):
        reference = sms_enquiry(app)
        if block:
            manager.post(f"/caseworker/case/{reference}/block", days="30", reason="Abusive calls")
        manager.post(f"/caseworker/case/{reference}/erase", confirm=reference, identity="in_person")
        said.append(flashed(manager).replace(reference, "REF"))
        assert "Abusive" not in flashed(manager)
        assert "has been erased" in manager.client.get("/caseworker/queue").get_data(as_text=True)
    assert said[0] == said[1] and "any block on its contact" in said[0]
    assert [e.detail for e in audit_rows(app, "erase")] == [
        "identity checked: in_person", "identity checked: in_person; block kept, reason deleted"]


@pytest.mark.parametrize("kind", ["text", "call_back"])
def test_a_check_against_the_number_on_the_record_needs_a_number_on_the_record(app: Flask, kind: str) -> None:
    reference = enquire(app, contact={"method": "web_chat", "session_id": "x"})  # no number held
    auth = claimed(app, reference)
    refused = export(auth, reference, format="txt", identity=kind)
    assert refused.status_code == 400 and "holds no phone number to check against" in refused.get_data(as_text=True)
    assert audit_rows(app, "export") == []
    assert export(auth, reference, format="txt", identity="in_person").status_code == 200
    auth.post(f"/caseworker/case/{reference}/release")
    manager = signed_in(app, "morgan", "manager")
    refused = manager.post(f"/caseworker/case/{reference}/erase", confirm=reference, identity=kind)
    assert refused.status_code == 400 and "holds no phone number" in refused.get_data(as_text=True)
    assert count(app, Enquiry) == 1 and audit_rows(app, "erase") == []
