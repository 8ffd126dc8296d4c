"""E-mailing the parent from the console (policy 4.2, 4.5): only a parent who chose e-mail and agreed to be
contacted; the subject is fixed, CONFIDENTIAL with the reference only; the body is marked confidential at the top;
what was sent is kept on the case (encrypted) and audited without its words; a failed send records nothing."""

from __future__ import annotations

import email
import logging
from email.message import Message
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.conftest import Inbox, dispose, free_port, make_app
from tests.integration.test_case_outgoing_record import case_text, stored_entries
from tests.integration.test_console import audit_rows, enquire, set_clock
from tests.integration.test_console_rights import MORNING, claimed, sms_enquiry

PARENT_EMAIL = "parent.home@example.net"
SERVICE_EMAIL = "help@testshire.example.org"
SUMMARY = "My son Tom Brown is 9 and his school says he cannot have an EHC assessment"
WORDS = "Thank you for waiting. I can ring you on Tuesday at 10am if that suits: reply to say."
EVENING = "2026-11-25 20:30"  # a Wednesday after the office closes: no safe time was asked of an e-mail parent


@pytest.fixture
def mailing(tmp_path: Path, smtp: tuple[Inbox, int]) -> Any:
    """The app sending through the local SMTP stand-in, From the service's address; what the stand-in received."""
    inbox, port = smtp
    app = make_app(tmp_path, SMTP_HOST="127.0.0.1", SMTP_PORT=str(port), MAIL_FROM=SERVICE_EMAIL)
    set_clock(app, MORNING)
    yield app, inbox
    dispose(app)


def email_enquiry(app: Flask, *, consent: bool = True) -> str:
    """An enquiry whose parent chose e-mail (as the web form stores it), naming their child in their words."""
    return enquire(app, contact={"method": "email", "detail": PARENT_EMAIL}, consent_contact=consent,
                   summary=SUMMARY, safe_times=None)


def received(inbox: Inbox) -> list[tuple[str, list[str], Message]]:
    """What the stand-in received: (envelope sender, recipients, the parsed message)."""
    return [(sender, to, email.message_from_bytes(raw, policy=default)) for sender, to, raw in inbox.messages]


def body_of(message: Message) -> str:
    """The message's plain-text body."""
    return message.get_content()  # type: ignore[attr-defined, no-any-return]


def test_the_parent_gets_one_confidential_email_kept_on_the_case(mailing: Any) -> None:
    app, inbox = mailing
    reference = email_enquiry(app)
    alex = claimed(app, reference)
    page = case_text(alex, reference)
    assert "E-mail the parent" in page and PARENT_EMAIL in page
    # The caseworker sees the fixed subject before sending: there is no subject box to type a name into.
    assert f"CONFIDENTIAL: your enquiry {reference}" in page

    response = alex.post(f"/caseworker/case/{reference}/email", text=WORDS)
    assert response.status_code == 302

    [(sender, to, message)] = received(inbox)
    assert to == [PARENT_EMAIL] and message["To"] == PARENT_EMAIL
    assert sender == SERVICE_EMAIL and message["From"] == SERVICE_EMAIL
    subject = str(message["Subject"])
    assert subject.startswith("CONFIDENTIAL") and reference in subject
    # Coded only (policy 4.5): no name, no child detail, not even the parent's address.
    for detail in ("Tom", "Brown", "son", "EHC", "parent.home"):
        assert detail not in subject
    body = body_of(message)
    assert body.lstrip().startswith("CONFIDENTIAL") and WORDS in body
    assert "Tom" not in body  # the parent's own words stay in the console

    # On the case, labelled as an e-mail, for the colleague who picks it up.
    page = case_text(alex, reference)
    assert "E-mail sent to the parent." in page
    assert WORDS in page and "Sent by e-mail by alex" in page
    # Encrypted at rest; audited as a reply by e-mail, never its words.
    [(author, stored)] = stored_entries(app)
    assert author == "alex" and b"Tuesday" not in stored
    [event] = audit_rows(app, "reply")
    assert (event.actor, event.detail) == ("alex", "email")


def test_no_safe_time_was_asked_so_an_email_may_go_after_hours(mailing: Any) -> None:
    # The safe-times question is asked only of a parent who chose a call or a text; an e-mail waits in the inbox.
    app, inbox = mailing
    set_clock(app, EVENING)
    reference = email_enquiry(app)
    alex = claimed(app, reference)
    assert alex.post(f"/caseworker/case/{reference}/email", text=WORDS).status_code == 302
    assert len(inbox.messages) == 1


def test_a_parent_who_chose_texts_gets_no_email_form_and_a_forged_post_is_refused(mailing: Any) -> None:
    app, inbox = mailing
    reference = sms_enquiry(app)
    alex = claimed(app, reference)
    assert "E-mail the parent" not in case_text(alex, reference)
    response = alex.post(f"/caseworker/case/{reference}/email", text=WORDS)
    assert response.status_code == 403
    assert "did not ask to be contacted by e-mail" in response.get_data(as_text=True)
    assert inbox.messages == [] and stored_entries(app) == [] and audit_rows(app, "reply") == []


def test_a_parent_who_refused_contact_gets_no_email(mailing: Any) -> None:
    app, inbox = mailing
    reference = email_enquiry(app, consent=False)
    alex = claimed(app, reference)
    page = case_text(alex, reference)
    assert "E-mail the parent" not in page and PARENT_EMAIL not in page
    response = alex.post(f"/caseworker/case/{reference}/email", text=WORDS)
    assert response.status_code == 403
    assert "did not consent to be contacted" in response.get_data(as_text=True)
    assert inbox.messages == [] and stored_entries(app) == []


def test_the_service_name_is_kept_out_unless_the_parent_agreed(mailing: Any) -> None:
    app, inbox = mailing
    reference = email_enquiry(app)  # name_service not agreed
    alex = claimed(app, reference)
    response = alex.post(f"/caseworker/case/{reference}/email", text="Hello from Testshire SENDIASS.")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "take the name out" in page and "Hello from Testshire SENDIASS." in page  # kept in the box
    assert inbox.messages == [] and stored_entries(app) == []


def test_an_email_that_did_not_go_is_not_recorded_and_the_caseworker_is_told(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # Nobody listens on this port: the mail server cannot be reached, so the parent got nothing.
    app = make_app(tmp_path, SMTP_HOST="127.0.0.1", SMTP_PORT=str(free_port()), MAIL_FROM=SERVICE_EMAIL)
    set_clock(app, MORNING)
    reference = email_enquiry(app)
    alex = claimed(app, reference)
    response = alex.post(f"/caseworker/case/{reference}/email", text=WORDS)
    assert response.status_code == 502
    page = response.get_data(as_text=True)
    assert "not sent" in page and "phone" in page
    assert WORDS in page  # still in the box, to try again
    assert stored_entries(app) == [] and audit_rows(app, "reply") == []
    [failed] = audit_rows(app, "reply_failed")
    assert failed.detail == "email"
    assert "Sent by e-mail" not in case_text(alex, reference)
    assert PARENT_EMAIL not in caplog.text and "Tuesday" not in caplog.text  # the failure is logged by type only
    dispose(app)


def test_email_not_set_up_says_so(app: Flask) -> None:
    set_clock(app, MORNING)
    reference = email_enquiry(app)
    alex = claimed(app, reference)
    response = alex.post(f"/caseworker/case/{reference}/email", text=WORDS)
    assert response.status_code == 503 and "E-mail is not set up" in response.get_data(as_text=True)
    assert stored_entries(app) == []


def test_the_subject_access_copy_says_we_emailed_the_parent(mailing: Any) -> None:
    app, _inbox = mailing
    reference = email_enquiry(app)
    alex = claimed(app, reference)
    alex.post(f"/caseworker/case/{reference}/email", text=WORDS)
    # No number on the record to check the requester against: they came in with proof of who they are.
    copy = alex.post(f"/caseworker/case/{reference}/export", format="txt", identity="in_person").get_data(as_text=True)
    assert WORDS in copy
    assert f"We e-mailed you: {WORDS}" in copy


def test_an_email_naming_the_service_in_other_words_is_refused_saying_what_looked_like_it(mailing: Any) -> None:
    app, inbox = mailing
    reference = email_enquiry(app)  # name_service not agreed
    words = "Sam, your caseworker at the Information Advice and Support Service. Call me on 01632 960123."
    response = claimed(app, reference).post(f"/caseworker/case/{reference}/email", text=words)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "looks like the service&#39;s name: &#34;Information Advice and Support Service&#34;" in page
    assert inbox.messages == [] and stored_entries(app) == []
