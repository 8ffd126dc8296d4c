"""FORGET on an enquiry a caseworker has claimed and written on: nothing about the family is left behind."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from intake import queue
from intake.db import unit_of_work
from intake.models import AuditEvent, CaseNote
from tests.conftest import SmsActions
from tests.integration.test_console_rights import count, signed_in

# The parent asks for a text back, says weekday mornings are safe and that we may say the service's name.
SCRIPT = [
    ("HUMAN", "Is that OK?"),
    ("yes", "What is it mainly about?"),
    ("1", "what would you like help with"),
    ("I need help with my son's school", "stage of education"),
    ("2", "EHC plan"),
    ("1", "contact you?"),
    ("yes", "How should we contact you"),
    ("1", "safe for us to contact you"),
    ("1", "may we say who we are"),
    ("yes", "exactly what a caseworker will see"),
    ("YES", "Your reference is"),
]
NOTE = "Spoke to mum Jane Smith at 12 High Street, son Jamie"


def sms_enquiry(sms: SmsActions) -> str:
    """The parent's enquiry by text, handed to caseworkers; returns the reference."""
    reply: list[str] = []
    for message, expected in SCRIPT:
        reply = sms.send(message)
        assert expected in "\n".join(reply), (message, reply)
    return "\n".join(reply).split("reference is ")[1][:7]


def test_forget_deletes_a_caseworkers_notes_and_the_contact_preferences(app: Flask, sms: SmsActions) -> None:
    reference = sms_enquiry(sms)
    alice = signed_in(app, "alice")
    alice.post(f"/caseworker/claim/{reference}")
    alice.post(f"/caseworker/case/{reference}/note", note=NOTE)
    manager = signed_in(app, "morgan", "manager")
    assert NOTE.encode() in manager.client.get(f"/caseworker/case/{reference}").data
    with unit_of_work(app.extensions["intake"].sessions) as session:
        enquiry = queue.by_reference(session, reference)
        assert enquiry is not None and enquiry.safe_times and enquiry.name_service_ok

    reply = "\n".join(sms.send("FORGET"))
    assert f"withdrawn enquiry {reference}" in reply and "deleted its details" in reply

    assert count(app, CaseNote) == 0
    with unit_of_work(app.extensions["intake"].sessions) as session:
        enquiry = queue.by_reference(session, reference)
        assert enquiry is not None and enquiry.status == "closed"
        assert (enquiry.safe_times, enquiry.voicemail_ok, enquiry.name_service_ok) == (None, False, False)
        assert (enquiry.summary, enquiry.facts, enquiry.contact, enquiry.contact_key) == (None, None, None, None)
        details = " ".join(e.detail or "" for e in session.scalars(select(AuditEvent)))
    assert "Jane" not in details and "High Street" not in details
    page = manager.client.get(f"/caseworker/case/{reference}").data
    assert NOTE.encode() not in page and b"Jane Smith" not in page
    export = manager.post(f"/caseworker/case/{reference}/export", format="txt", identity="in_person")
    assert export.status_code == 200 and b"Jane Smith" not in export.data
    [safe_times] = [line for line in export.data.decode().splitlines() if "Safe times to contact" in line]
    assert safe_times.rstrip().endswith("-"), safe_times
