"""Console: texting the parent through a stand-in Twilio API, subject access, erasure, consent to share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import func, select

from intake import casework, outreach, queue
from intake.db import unit_of_work
from intake.models import AuditEvent, CaseNote, ConsentRecord, Enquiry, OptOut, utcnow
from intake.queue import ConsentAnswer
from tests.conftest import TWILIO_ACCOUNT as ACCOUNT
from tests.conftest import make_app
from tests.integration.test_console import (
    AuthActions,
    add_caseworker,
    audit_rows,
    enquire,
    set_clock,
    set_created,
    svc,
)

PARENT = "+447700900123"
OTHER = "+447700900456"
CHECKED = {"identity": "call_back"}  # "I called them back on the number on the record and they gave the reference"


def sms_enquiry(app: Flask, method: str = "sms_this", *, contact: bool = True, name_service: bool = False,
                safe_times: str | None = "mornings") -> str:
    """An enquiry whose parent asked for a text back (to this number or another), safe on weekday mornings."""
    details = {"method": method, "number": PARENT} if method == "sms_this" else {"method": method, "detail": OTHER}
    now = utcnow()
    with unit_of_work(svc(app).sessions) as session:
        enquiry = queue.create_enquiry(
            session, svc(app).keys, channel="sms", contact_key=svc(app).engine.contact_key(PARENT), topic="ehc",
            summary="Needs help with an EHC assessment", facts={"phase": "primary"}, contact=details,
            safe_times=safe_times, voicemail_ok=False, name_service_ok=name_service,
            consents=[ConsentAnswer("contact", contact, "contact-v1", now),
                      ConsentAnswer("name_service", name_service, "name-v1", now)],
            retention_days=30,
        )
        enquiry.created_at = now - timedelta(hours=1)  # received an hour ago: answers since then are valid
        return enquiry.reference


def signed_in(app: Flask, username: str = "alex", role: str = "caseworker") -> AuthActions:
    """A member of staff, signed in."""
    auth = AuthActions(app.test_client(), app, username, add_caseworker(app, username, role))
    assert auth.login().status_code == 302
    return auth


def claimed(app: Flask, reference: str, username: str = "alex") -> AuthActions:
    """A caseworker who has claimed this case."""
    auth = signed_in(app, username)
    auth.post(f"/caseworker/claim/{reference}")
    return auth


def first_contact(app: Flask, reference: str) -> datetime | None:
    """When the case's first contact was recorded."""
    with unit_of_work(svc(app).sessions) as session:
        enquiry = queue.by_reference(session, reference)
        assert enquiry is not None
        return enquiry.first_contact_at


# ---- texting the parent ----

MORNING = "2026-11-25 10:30"  # a Wednesday, inside "mornings" (GMT, so local time is UTC)


@pytest.fixture
def texting(tmp_path: Path, twilio_api: Any) -> tuple[Flask, list[Any]]:
    """An app whose Twilio client points at the stand-in, its clock in weekday-morning safe time; the requests
    the stand-in received."""
    base, received = twilio_api
    app = make_app(tmp_path, TWILIO_ACCOUNT_SID=ACCOUNT, TWILIO_SMS_FROM="+441632960001", TWILIO_API_BASE=base)
    set_clock(app, MORNING)
    return app, received


@pytest.mark.parametrize(("method", "to"), [("sms_this", PARENT), ("sms_other", OTHER)])
def test_text_reply_goes_through_twilio_discreetly_and_is_audited(
    texting: tuple[Flask, list[Any]], method: str, to: str
) -> None:
    app, received = texting
    reference = sms_enquiry(app, method)
    auth = claimed(app, reference)
    page = auth.client.get(f"/caseworker/case/{reference}").data
    assert b"Send the text" in page and b"do not say the service" in page
    response = auth.post(f"/caseworker/case/{reference}/text", text="Hello, this is Sam returning your message.")
    assert response.headers["Location"].endswith(f"/case/{reference}")
    assert b"Text sent to the parent" in auth.client.get(f"/caseworker/case/{reference}").data
    [(path, form)] = received
    assert path == f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
    assert form["To"] == [to] and form["From"] == ["+441632960001"]
    assert form["Body"] == ["Hello, this is Sam returning your message."]
    assert first_contact(app, reference) is not None
    [event] = audit_rows(app, "reply")
    assert (event.actor, event.reference, event.detail) == ("alex", reference, "sms")


@pytest.mark.parametrize(("setup", "text", "reason"), [
    ({"contact": False}, "Hello", b"did not consent to be contacted"),
    ({}, "Hello from Testshire SENDIASS", b"did not agree to the service&#39;s name"),
    ({}, "Hello from the SENDIASS team", b"did not agree to the service&#39;s name"),
    ({}, "", b"must be 1 to 1000 characters"),
])
def test_text_reply_refused_with_the_reason(
    texting: tuple[Flask, list[Any]], setup: dict[str, Any], text: str, reason: bytes
) -> None:
    app, received = texting
    reference = sms_enquiry(app, **setup)
    auth = claimed(app, reference)
    response = auth.post(f"/caseworker/case/{reference}/text", text=text)
    assert response.status_code == 409 and reason in response.data
    if setup.get("contact", True):  # the form is there to edit the text in, with the text still in it
        assert f">{text}</textarea>".encode() in response.data
    assert received == [] and audit_rows(app, "reply") == [] and first_contact(app, reference) is None


@pytest.mark.parametrize(("text", "reveals"), [
    ("Hello from Testshire SENDIASS", True),
    ("hello from testshire sendiass", True),
    ("The SENDIASS team here", True),
    ("Parent Partnership calling back", True),
    ("Please send us a time that suits", False),
    ("Hello, returning your message about the plan", False),
])
def test_discreet_check(text: str, reveals: bool) -> None:
    assert outreach.names_the_service(text, "Testshire SENDIASS") is reveals


def test_service_name_allowed_when_the_parent_agreed(texting: tuple[Flask, list[Any]]) -> None:
    app, received = texting
    reference = sms_enquiry(app, name_service=True)
    auth = claimed(app, reference)
    auth.post(f"/caseworker/case/{reference}/text", text="Testshire SENDIASS here, replying to you.")
    assert len(received) == 1


def test_no_text_after_the_parent_texted_stop(texting: tuple[Flask, list[Any]]) -> None:
    app, received = texting
    reference = sms_enquiry(app)
    with unit_of_work(svc(app).sessions) as session:
        session.add(OptOut(contact_key=svc(app).engine.contact_key(PARENT)))
    auth = claimed(app, reference)
    response = auth.post(f"/caseworker/case/{reference}/text", text="Hello")
    assert b"texted STOP" in response.data and received == []


def test_web_chat_case_cannot_be_texted(texting: tuple[Flask, list[Any]]) -> None:
    app, received = texting
    reference = enquire(app, contact={"method": "web_chat", "session_id": "x"})
    auth = claimed(app, reference)
    response = auth.post(f"/caseworker/case/{reference}/text", text="Hello")
    assert b"did not ask to be contacted by text" in response.data and received == []


def test_texting_not_set_up_says_so(app: Flask) -> None:
    set_clock(app, MORNING)
    reference = sms_enquiry(app)
    auth = claimed(app, reference)
    response = auth.post(f"/caseworker/case/{reference}/text", text="Hello")
    assert b"Texting is not set up" in response.data and b">Hello</textarea>" in response.data
    assert audit_rows(app, "reply") == []


def test_twilio_failure_reaches_no_one_and_is_audited(tmp_path: Path) -> None:
    app = make_app(tmp_path, TWILIO_ACCOUNT_SID=ACCOUNT, TWILIO_SMS_FROM="+441632960001",
                   TWILIO_API_BASE="http://127.0.0.1:9")  # nothing listens there
    set_clock(app, MORNING)
    reference = sms_enquiry(app)
    auth = claimed(app, reference)
    response = auth.post(f"/caseworker/case/{reference}/text", text="Hello")
    assert b"could not be sent" in response.data and b">Hello</textarea>" in response.data
    assert first_contact(app, reference) is None and len(audit_rows(app, "reply_failed")) == 1


# ---- subject access ----

@pytest.mark.parametrize(("fmt", "mimetype"), [("html", "text/html"), ("txt", "text/plain")])
def test_subject_access_export_is_headed_downloaded_not_stored_and_audited(
    app: Flask, fmt: str, mimetype: str
) -> None:
    reference = sms_enquiry(app)
    auth = claimed(app, reference)
    auth.post(f"/caseworker/case/{reference}/note", note="Spoke to the parent about the assessment")
    response = auth.post(f"/caseworker/case/{reference}/export", format=fmt, **CHECKED)
    assert response.status_code == 200 and response.mimetype == mimetype
    assert response.headers["Content-Disposition"] == f'attachment; filename="subject-access-{reference}.{fmt}"'
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    assert text.count("STRICTLY PRIVATE AND CONFIDENTIAL") >= 2
    if fmt == "txt":
        assert text.startswith("STRICTLY PRIVATE AND CONFIDENTIAL")
    for held in ("Needs help with an EHC assessment", "Primary school", PARENT, "May a caseworker contact you",
                 "Weekday mornings", "Spoke to the parent about the assessment", "A caseworker took on your enquiry",
                 "Text this number"):
        assert held in text
    assert "sms_this" not in text and ": primary" not in text  # plain labels, written for the parent
    [event] = audit_rows(app, "export")
    assert (event.actor, event.reference, event.detail) == (
        "alex", reference, "subject access; identity checked: call_back")


def test_export_only_for_the_case_holder_or_a_manager(app: Flask) -> None:
    reference = sms_enquiry(app)
    claimed(app, reference)
    other = signed_in(app, "casey")
    response = other.post(f"/caseworker/case/{reference}/export", format="txt", **CHECKED)
    assert response.status_code == 302 and audit_rows(app, "export") == []
    manager = signed_in(app, "morgan", "manager")
    assert manager.post(f"/caseworker/case/{reference}/export", format="txt", **CHECKED).status_code == 200


def test_a_child_protection_case_is_exported_by_a_manager_without_the_concern_or_the_notes(app: Flask) -> None:
    """Whoever asks for a copy may be the person the concern is about: the safeguarding lead decides what of
    the concern can be shared (DPA 2018 Sch 3 Part 5), so a copy leaves it out and only a manager makes one."""
    reference = enquire(app, urgent=True)
    alice = claimed(app, reference, "alice")
    alice.post(f"/caseworker/case/{reference}/note", note="Spoke to mum Jane Smith")
    bob = signed_in(app, "bob")  # on duty: may open the case to claim or take it over (policy 7.1), not export it
    assert b"Take over" in bob.client.get(f"/caseworker/case/{reference}").data
    for other in (bob, alice):  # the holder too: a manager prepares it
        refused = other.post(f"/caseworker/case/{reference}/export", format="txt", **CHECKED)
        assert refused.status_code == 302 and b"Jane Smith" not in refused.data
        assert "attachment" not in refused.headers.get("Content-Disposition", "")
    assert "prepared by a manager" in alice.client.get(f"/caseworker/case/{reference}").get_data(as_text=True)
    assert audit_rows(app, "export") == []
    manager = signed_in(app, "morgan", "manager")
    # No number on this record to call back: the manager saw the parent in person.
    copy = manager.post(f"/caseworker/case/{reference}/export", format="txt",
                        identity="in_person").get_data(as_text=True)
    assert "NOT INCLUDED IN THIS COPY" in copy and "safeguarding lead" in copy
    for held_back in ("Jane Smith", "a child being hurt", "safeguarding_flag", "urgent"):
        assert held_back not in copy, held_back
    assert reference in copy and "STRICTLY PRIVATE AND CONFIDENTIAL" in copy
    assert [e.actor for e in audit_rows(app, "export")] == ["morgan"]


# ---- erasure ----

def count(app: Flask, model: Any, *where: Any) -> int:
    """Rows of a model."""
    with unit_of_work(svc(app).sessions) as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_erasure_needs_a_manager_and_confirmation_and_keeps_no_content(app: Flask) -> None:
    reference = sms_enquiry(app)
    alex = claimed(app, reference)
    alex.post(f"/caseworker/case/{reference}/note", note="Private note")
    alex.post(f"/caseworker/case/{reference}/release")  # a case someone holds is not erased (see below)
    caseworker = signed_in(app, "casey")
    assert caseworker.post(f"/caseworker/case/{reference}/erase", confirm=reference, **CHECKED).status_code == 302
    assert count(app, Enquiry) == 1
    manager = signed_in(app, "morgan", "manager")
    page = manager.client.get(f"/caseworker/case/{reference}/erase")
    assert page.status_code == 200 and b"cannot be undone" in page.data
    manager.post(f"/caseworker/case/{reference}/erase", confirm="WRONG", **CHECKED)
    assert count(app, Enquiry) == 1
    response = manager.post(f"/caseworker/case/{reference}/erase", confirm=reference, **CHECKED)
    assert response.headers["Location"].endswith("/caseworker/queue")
    assert count(app, Enquiry) == count(app, CaseNote) == 0
    assert count(app, ConsentRecord, ConsentRecord.reference == reference) == 0
    [event] = audit_rows(app, "erase")
    assert (event.actor, event.reference, event.detail) == ("morgan", reference, "identity checked: call_back")
    with unit_of_work(svc(app).sessions) as session:
        details = " ".join(e.detail or "" for e in session.scalars(select(AuditEvent)))
    assert "Private note" not in details and "EHC" not in details and PARENT not in details


def test_child_protection_case_is_not_erased(app: Flask) -> None:
    reference = enquire(app, urgent=True)
    manager = signed_in(app, "morgan", "manager")
    manager.post(f"/caseworker/case/{reference}/erase", confirm=reference, **CHECKED)
    assert count(app, Enquiry) == 1 and audit_rows(app, "erase") == []


def test_a_case_another_member_of_staff_holds_is_not_erased(app: Flask) -> None:
    reference = sms_enquiry(app)
    alex = claimed(app, reference)
    manager = signed_in(app, "morgan", "manager")
    case_page = manager.client.get(f"/caseworker/case/{reference}").data
    assert b"Erase this case" not in case_page and b"release it back to the queue first" in case_page
    page = manager.client.get(f"/caseworker/case/{reference}/erase")
    # Said before the manager types anything, and with no form to erase.
    assert page.status_code == 409 and b"alex has this case: ask them to release it first" in page.data
    assert b'name="confirm"' not in page.data
    response = manager.post(f"/caseworker/case/{reference}/erase", confirm=reference, **CHECKED)
    assert response.status_code == 409 and b"alex has this case" in response.data
    assert count(app, Enquiry) == 1 and audit_rows(app, "erase") == []
    # alex's work carries on: the case is still theirs to write in.
    alex.post(f"/caseworker/case/{reference}/note", note="Half-typed note, saved")
    assert b"Half-typed note, saved" in alex.client.get(f"/caseworker/case/{reference}").data
    alex.post(f"/caseworker/case/{reference}/release")
    assert b'name="confirm"' in manager.client.get(f"/caseworker/case/{reference}/erase").data
    manager.post(f"/caseworker/case/{reference}/erase", confirm=reference, **CHECKED)
    assert count(app, Enquiry) == 0 and len(audit_rows(app, "erase")) == 1


def test_a_manager_may_erase_a_case_they_hold_themself(app: Flask) -> None:
    reference = sms_enquiry(app)
    manager = signed_in(app, "morgan", "manager")
    manager.post(f"/caseworker/claim/{reference}")
    assert b"Erase this case" in manager.client.get(f"/caseworker/case/{reference}").data
    page = manager.client.get(f"/caseworker/case/{reference}/erase")
    assert page.status_code == 200 and b'name="confirm"' in page.data
    response = manager.post(f"/caseworker/case/{reference}/erase", confirm=reference, **CHECKED)
    assert response.headers["Location"].endswith("/caseworker/queue")
    assert count(app, Enquiry) == 0 and len(audit_rows(app, "erase")) == 1


def local_now(minutes_ago: int = 5) -> str:
    """A datetime-local value, as the browser sends it."""
    moment = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return moment.astimezone(ZoneInfo("Europe/London")).strftime("%Y-%m-%dT%H:%M")


# ---- sharing with a third party ----

def record_answer(auth: AuthActions, reference: str, answer: str = "yes", **changes: str) -> Any:
    """Post the 'parent agreed on <channel> at <time> to share with <body>' form."""
    data = {"answer": answer, "channel": "phone", "at": local_now(), "body": "school",
            "wording_version": "share-1"} | changes
    return auth.post(f"/caseworker/case/{reference}/share-consent", **data)


def test_sharing_refused_without_consent_then_allowed_for_that_body_only(app: Flask) -> None:
    reference = sms_enquiry(app)
    auth = claimed(app, reference)
    response = auth.post(f"/caseworker/case/{reference}/share", body="school")
    assert response.status_code == 302
    assert b"has not agreed to share with the child&#39;s school" in auth.client.get(
        f"/caseworker/case/{reference}").data
    record_answer(auth, reference)
    page = auth.client.get(f"/caseworker/case/{reference}").data
    assert b"Parent agreed on phone at" in page and b"to share with the child&#39;s school" in page
    response = auth.post(f"/caseworker/case/{reference}/share", body="school")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("STRICTLY PRIVATE AND CONFIDENTIAL") and "Needs help with an EHC assessment" in text
    assert PARENT not in text  # contact details are not part of what is shared
    assert "Topic: EHC needs assessments and plans\n" in text  # the title, not the stored code "ehc"
    assert auth.post(f"/caseworker/case/{reference}/share", body="sen_team").status_code == 302
    assert [(e.reference, e.detail) for e in audit_rows(app, "share")] == [(reference, "school")]
    [consent] = audit_rows(app, "consent_recorded")
    assert consent.detail == "share_third_party:school yes"
    with unit_of_work(svc(app).sessions) as session:
        row = session.scalar(select(ConsentRecord).where(ConsentRecord.purpose == "share_third_party:school"))
        assert row is not None and (row.granted, row.wording_version, row.channel) == (True, "share-1", "phone")


def test_a_later_no_withdraws_sharing(app: Flask) -> None:
    reference = sms_enquiry(app)
    auth = claimed(app, reference)
    record_answer(auth, reference, at=local_now(10))
    record_answer(auth, reference, answer="no", at=local_now(2))
    assert auth.post(f"/caseworker/case/{reference}/share", body="school").status_code == 302
    assert audit_rows(app, "share") == []


@pytest.mark.parametrize(("changes", "message"), [
    ({"body": "the police"}, b"Choose who the parent agreed to share with"),
    ({"channel": "carrier pigeon"}, b"Choose how the parent gave their answer"),
    ({"at": "yesterday"}, b"Give the date and time"),
    ({"at": (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")}, b"cannot be in the future"),
    ({"wording_version": "share-0"}, b"The sharing question has changed"),
    ({"at": local_now(24 * 60)}, b"cannot be older than the enquiry"),
])
def test_bad_consent_forms_are_refused(app: Flask, changes: dict[str, str], message: bytes) -> None:
    reference = sms_enquiry(app)
    auth = claimed(app, reference)
    record_answer(auth, reference, **changes)
    assert message in auth.client.get(f"/caseworker/case/{reference}").data
    assert count(app, ConsentRecord, ConsentRecord.purpose.like("share_third_party%")) == 0


def test_only_the_case_holder_records_consent(app: Flask) -> None:
    reference = sms_enquiry(app)
    claimed(app, reference)
    manager = signed_in(app, "morgan", "manager")
    record_answer(manager, reference)
    assert count(app, ConsentRecord, ConsentRecord.purpose.like("share_third_party%")) == 0


# ---- the parent's safe time ----

@pytest.mark.parametrize(("safe_times", "moment"), [
    ("mornings", "2026-07-01 08:30"),  # 09:30 in British Summer Time
    ("mornings", "2026-11-25 09:00"),  # 09:00 in winter (GMT)
    ("afternoons", "2026-11-27 16:59"),  # Friday, a minute before the window ends
    ("school_hours", "2026-07-01 13:59"),  # 14:59 BST
    ("any", "2026-11-25 16:30"),  # office hours (Mon-Fri 09:00-17:00)
    (None, "2026-11-25 16:30"),  # not given: office hours only
])
def test_text_inside_the_safe_time_reaches_twilio(
    texting: tuple[Flask, list[Any]], safe_times: str | None, moment: str
) -> None:
    app, received = texting
    set_clock(app, moment)
    reference = sms_enquiry(app, safe_times=safe_times)
    auth = claimed(app, reference)
    response = auth.post(f"/caseworker/case/{reference}/text", text="Hello, returning your message.")
    assert response.status_code == 302
    [(_, form)] = received
    assert form["Body"] == ["Hello, returning your message."]
    assert len(audit_rows(app, "reply")) == 1


@pytest.mark.parametrize(("safe_times", "moment", "message"), [
    ("mornings", "2026-11-27 17:05",  # Friday, 5pm
     "Not sent: the parent said weekday mornings are safe. Next safe time: Mon 30 Nov, 09:00."),
    ("mornings", "2026-07-01 07:30",  # 08:30 in British Summer Time
     "Not sent: the parent said weekday mornings are safe. Next safe time: Wed 1 Jul, 09:00."),
    ("school_hours", "2026-07-01 14:00",  # 15:00 BST: school is out
     "Not sent: the parent said only school hours are safe. Next safe time: Thu 2 Jul, 09:30."),
    ("afternoons", "2026-11-28 13:00",  # Saturday
     "Not sent: the parent said weekday afternoons are safe. Next safe time: Mon 30 Nov, 12:00."),
    ("any", "2026-11-25 18:00",  # after the office closes
     "Not sent: the parent said any time the office is open is safe. Next safe time: Thu 26 Nov, 09:00."),
    (None, "2026-11-29 10:00",  # Sunday
     "Next safe time: Mon 30 Nov, 09:00."),
])
def test_text_outside_the_safe_time_is_not_sent_and_the_text_is_kept(
    texting: tuple[Flask, list[Any]], safe_times: str | None, moment: str, message: str
) -> None:
    app, received = texting
    set_clock(app, moment)
    reference = sms_enquiry(app, safe_times=safe_times)
    auth = claimed(app, reference)
    typed = "Hello, it's Sam. Can we talk about the plan on Monday?"
    response = auth.post(f"/caseworker/case/{reference}/text", text=typed)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert message in page.replace("&#39;", "'")
    assert ">Hello, it&#39;s Sam. Can we talk about the plan on Monday?</textarea>" in page
    assert received == [] and audit_rows(app, "reply") == [] and audit_rows(app, "reply_failed") == []
    assert first_contact(app, reference) is None


def test_any_follows_the_office_hours_a_manager_set(texting: tuple[Flask, list[Any]]) -> None:
    app, received = texting
    set_clock(app, "2026-11-27 16:45")  # Friday 16:45
    manager = signed_in(app, "morgan", "manager")
    manager.post("/caseworker/hours", hours="Mon-Thu 09:00-17:00; Fri 09:00-16:30", bank_holidays="")
    reference = sms_enquiry(app, safe_times="any")
    auth = claimed(app, reference)
    response = auth.post(f"/caseworker/case/{reference}/text", text="Hello")
    assert b"Next safe time: Mon 30 Nov, 09:00." in response.data and received == []


# ---- the time a parent answered, typed in local time ----

@pytest.mark.parametrize(("typed", "created", "stored"), [
    ("2026-07-01T17:05", "2026-06-30 09:00", "2026-07-01 16:05"),  # BST: an hour ahead of UTC
    ("2026-01-15T17:05", "2026-01-01 09:00", "2026-01-15 17:05"),  # GMT: the same as UTC
])
def test_the_time_a_parent_answered_is_read_as_local_time(app: Flask, typed: str, created: str, stored: str) -> None:
    reference = sms_enquiry(app)
    with unit_of_work(svc(app).sessions) as session:
        enquiry = queue.by_reference(session, reference)
        assert enquiry is not None
        enquiry.created_at = datetime.fromisoformat(created).replace(tzinfo=UTC)
    auth = claimed(app, reference)
    record_answer(auth, reference, at=typed)
    with unit_of_work(svc(app).sessions) as session:
        row = session.scalar(select(ConsentRecord).where(ConsentRecord.purpose == "share_third_party:school"))
        assert row is not None and row.at == datetime.fromisoformat(stored).replace(tzinfo=UTC)


# ---- times in the service's zone: the sharing answer and the subject-access export ----

def utc(moment: str) -> datetime:
    """A UTC instant from 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(moment).replace(tzinfo=UTC)


@pytest.mark.parametrize(("typed", "created", "shown"), [
    ("2026-07-01T17:05", "2026-06-30 09:00", "01 Jul 2026 17:05 BST"),  # British Summer Time: UTC+1
    ("2026-01-15T17:05", "2026-01-01 09:00", "15 Jan 2026 17:05 GMT"),  # winter: the same as UTC
])
def test_a_sharing_answer_is_shown_and_shared_in_local_time(app: Flask, typed: str, created: str, shown: str) -> None:
    reference = sms_enquiry(app)
    set_created(app, reference, utc(created))
    auth = claimed(app, reference)
    record_answer(auth, reference, at=typed)
    sentence = f"Parent agreed on phone at {shown} to share with the child's school or setting."
    page = auth.client.get(f"/caseworker/case/{reference}").get_data(as_text=True).replace("&#39;", "'")
    assert f"<li>{sentence} (wording share-1)</li>" in page  # the case's sharing answers
    assert "UTC" not in page
    shared = auth.post(f"/caseworker/case/{reference}/share", body="school").get_data(as_text=True)
    assert f"Shared with the parent's consent: {sentence}" in shared and "UTC" not in shared


@pytest.mark.parametrize(("fmt", "received", "safe_time"), [
    ("txt", "Received: 01 Jul 2026 17:05\n", "Safe times to contact: Weekday mornings (9am to 12 noon)\n"),
    ("html", "<dt>Received</dt><dd>01 Jul 2026 17:05</dd>",
     "<dt>Safe times to contact</dt><dd>Weekday mornings (9am to 12 noon)</dd>"),
])
def test_export_gives_local_times_and_the_safe_time_as_the_parent_was_offered_it(
    app: Flask, fmt: str, received: str, safe_time: str
) -> None:
    reference = sms_enquiry(app, safe_times="mornings")
    set_created(app, reference, utc("2026-07-01 16:05"))  # 17:05 British Summer Time
    auth = claimed(app, reference)
    text = auth.post(f"/caseworker/case/{reference}/export", format=fmt, **CHECKED).get_data(as_text=True)
    assert received in text and safe_time in text
    # Only the header's "Times are Europe/London time unless marked UTC."; no time is marked UTC.
    assert text.count("UTC") == 1 and "Times are Europe/London time unless marked UTC." in text


def test_export_keeps_a_safe_time_answer_no_longer_offered_as_it_was_given(app: Flask) -> None:
    reference = sms_enquiry(app, safe_times="evenings")  # a choice since taken out of flows/contact_times.yaml
    auth = claimed(app, reference)
    text = auth.post(f"/caseworker/case/{reference}/export", format="txt", **CHECKED).get_data(as_text=True)
    assert "Safe times to contact: evenings\n" in text


# ---- the safe time holds for any path that texts a parent ----

def contact_clock(app: Flask, moment: str) -> casework.ContactClock:
    """The safe-time windows and office hours the app was given, at a UTC instant."""
    return casework.ContactClock(svc(app).content.contact_times, svc(app).hours, utc(moment))


def prepare(app: Flask, reference: str, moment: str) -> outreach.OutboundText:
    """Ask outreach for a text to the parent at `moment`, as the console's caseworker alex."""
    with unit_of_work(svc(app).sessions) as session:
        return outreach.prepare_sms_reply(
            session, svc(app).keys, svc(app).settings.hash_key, "alex", "caseworker", reference,
            "Hello, returning your message.", svc(app).settings.service_name, contact_clock(app, moment),
            service_phones=[svc(app).settings.service_phone],
        )


def test_outreach_itself_refuses_a_text_outside_the_safe_time(texting: tuple[Flask, list[Any]]) -> None:
    app, received = texting
    reference = sms_enquiry(app, safe_times="mornings")
    claimed(app, reference)
    with pytest.raises(casework.CaseworkError) as refused:
        prepare(app, reference, "2026-11-27 17:05")  # Friday, 5pm
    assert str(refused.value) == (
        "Not sent: the parent said weekday mornings are safe. Next safe time: Mon 30 Nov, 09:00."
    )
    assert PARENT not in str(refused.value)
    assert prepare(app, reference, "2026-11-30 09:00").to == PARENT  # Monday morning: allowed
    assert received == [] and audit_rows(app, "reply") == [] and first_contact(app, reference) is None


@pytest.mark.parametrize(("text", "shown"), [
    ("Hello, this is Testshire Send Information Advice and Support about your enquiry.",
     b"Send Information Advice and Support"),
    ("Hi, Sam from S.E.N.D.I.A.S.S here about your enquiry.", b"S.E.N.D.I.A.S.S"),
    ("Hi, it's Sam about your enquiry. Call me on 01632 960000 any time.", b"01632 960000"),  # the office number
])
def test_a_text_naming_the_service_in_other_words_is_refused_saying_what_looked_like_it(
    texting: tuple[Flask, list[Any]], text: str, shown: bytes
) -> None:
    app, received = texting
    reference = sms_enquiry(app)  # the parent said No to "may we say who we are?"
    response = claimed(app, reference).post(f"/caseworker/case/{reference}/text", text=text)
    assert response.status_code == 409 and b"did not agree to the service&#39;s name" in response.data
    assert b"looks like the service&#39;s " in response.data and b": &#34;" + shown + b"&#34;" in response.data
    assert received == [] and audit_rows(app, "reply") == []


def test_a_text_with_everyday_words_that_are_in_the_services_name_goes(texting: tuple[Flask, list[Any]]) -> None:
    app, received = texting
    reference = sms_enquiry(app)
    response = claimed(app, reference).post(f"/caseworker/case/{reference}/text",
                                            text="I will send you the information about support at school.")
    assert response.status_code == 302 and len(received) == 1
