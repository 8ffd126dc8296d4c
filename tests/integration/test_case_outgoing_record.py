"""What a caseworker sends the parent (a text, a web chat reply) is kept on the case, so a colleague picking it up
sees what was asked or promised: shown in the case's timeline with who sent it and when, encrypted at rest,
in the parent's subject-access copy, gone with an erasure or the retention purge, and never in a log."""

from __future__ import annotations

import html
import logging
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from intake import queue
from intake.db import unit_of_work
from intake.models import AuditEvent, CaseNote, utcnow
from tests.conftest import TWILIO_ACCOUNT, ChatActions, make_app
from tests.integration.test_console import audit_rows, enquire, set_clock, svc
from tests.integration.test_console_rights import CHECKED, MORNING, PARENT, claimed, signed_in, sms_enquiry

SENT = "Hi, it's Sam about your enquiry. I will ring the school on Monday and text you after."
CHAT = "Thanks for waiting. Could you tell me which year group your son is in?"
SENT_LINE = re.compile(r"Sent by text by alex, (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d \w{3} \d{4} \d\d:\d\d")


@pytest.fixture
def texting(tmp_path: Path, twilio_api: Any) -> tuple[Flask, list[Any]]:
    """An app texting through the stand-in Twilio API, in weekday-morning safe time; what the stand-in received."""
    base, received = twilio_api
    app = make_app(tmp_path, TWILIO_ACCOUNT_SID=TWILIO_ACCOUNT, TWILIO_SMS_FROM="+441632960001",
                   TWILIO_API_BASE=base)
    set_clock(app, MORNING)
    return app, received


def case_text(auth: Any, reference: str) -> str:
    """The case page as this member of staff sees it, as plain text (tags and extra spaces taken out)."""
    response = auth.client.get(f"/caseworker/case/{reference}")
    assert response.status_code == 200
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def stored_entries(app: Flask) -> list[tuple[str, bytes]]:
    """Every entry kept on any case, as stored: (author, encrypted body)."""
    with unit_of_work(svc(app).sessions) as session:
        return [(n.author, n.body) for n in session.scalars(select(CaseNote).order_by(CaseNote.id))]


def text_the_parent(texting: tuple[Flask, list[Any]]) -> tuple[Flask, str, Any]:
    """alex claims a case whose parent asked for a text, and texts them SENT."""
    app, received = texting
    reference = sms_enquiry(app)
    alex = claimed(app, reference)
    response = alex.post(f"/caseworker/case/{reference}/text", text=SENT)
    assert response.status_code == 302 and len(received) == 1
    return app, reference, alex


def test_a_text_sent_is_on_the_case_for_the_colleague_who_picks_it_up(
    texting: tuple[Flask, list[Any]], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    app, reference, alex = text_the_parent(texting)
    alex.post(f"/caseworker/case/{reference}/note", note="Parent prefers mornings")
    page = case_text(alex, reference)
    assert SENT in page and SENT_LINE.search(page)
    # In the order it happened: the text before the note written after it.
    assert page.index(SENT) < page.index("Parent prefers mornings")
    alex.post(f"/caseworker/case/{reference}/release")
    # Monday: a colleague claims it from the queue and sees what was promised, and by whom.
    sam = claimed(app, reference, "casey")
    page = case_text(sam, reference)
    assert SENT in page and SENT_LINE.search(page)
    # Encrypted at rest, like the notes beside it; the audit says a reply went, never its words.
    [(author, body), _note] = stored_entries(app)
    assert author == "alex" and b"Monday" not in body and b"Sam" not in body
    [event] = audit_rows(app, "reply")
    assert (event.actor, event.detail) == ("alex", "sms")
    with unit_of_work(svc(app).sessions) as session:
        trail = " ".join(e.detail or "" for e in session.scalars(select(AuditEvent)))
    assert "Monday" not in trail
    # Never logged, whatever the level.
    assert "Monday" not in caplog.text and "Sam about" not in caplog.text


def test_a_text_that_did_not_go_is_not_on_the_case(tmp_path: Path) -> None:
    # A Twilio API nobody answers: the parent got nothing, so the case must not say they were sent it.
    app = make_app(tmp_path, TWILIO_ACCOUNT_SID="AC" + "0" * 32, TWILIO_SMS_FROM="+441632960001",
                   TWILIO_API_BASE="http://127.0.0.1:9")
    set_clock(app, MORNING)
    reference = sms_enquiry(app)
    alex = claimed(app, reference)
    response = alex.post(f"/caseworker/case/{reference}/text", text=SENT)
    assert response.status_code == 502
    assert stored_entries(app) == []
    assert "Sent by text" not in case_text(alex, reference)


def test_a_chat_reply_is_on_the_case_with_who_sent_it(app: Flask) -> None:
    parent = ChatActions(app.test_client()).open()
    reference = enquire(app, contact={"method": "web_chat", "session_id": parent.session_id})
    alex = claimed(app, reference)
    alex.post(f"/caseworker/case/{reference}/reply", text=CHAT)
    page = case_text(alex, reference)
    assert CHAT in page
    assert re.search(r"Sent in the web chat by alex, \w{3} \d\d \w{3} \d{4} \d\d:\d\d", page)
    [(author, body)] = stored_entries(app)
    assert author == "alex" and b"year group" not in body
    manager = signed_in(app, "morgan", "manager")  # a manager reading the case sees it too
    assert CHAT in case_text(manager, reference)


def test_what_was_sent_is_in_the_subject_access_copy(texting: tuple[Flask, list[Any]]) -> None:
    _app, reference, alex = text_the_parent(texting)
    copy = alex.post(f"/caseworker/case/{reference}/export", format="txt", **CHECKED).get_data(as_text=True)
    assert SENT in copy and PARENT in copy
    # The parent can tell what we sent them from a caseworker's own note, and no staff name is given.
    assert re.search(r", We texted you: " + re.escape(SENT), copy), copy
    assert "alex" not in copy.split("NOTES AND MESSAGES ON YOUR CASE")[1].split("WHAT HAS BEEN DONE")[0]


def test_erasure_takes_what_was_sent_with_the_case(texting: tuple[Flask, list[Any]]) -> None:
    app, reference, alex = text_the_parent(texting)
    alex.post(f"/caseworker/case/{reference}/release")
    assert len(stored_entries(app)) == 1  # kept until the erasure
    manager = signed_in(app, "morgan", "manager")
    response = manager.post(f"/caseworker/case/{reference}/erase", confirm=reference, **CHECKED)
    assert response.status_code == 302 and len(audit_rows(app, "erase")) == 1
    assert stored_entries(app) == []


def test_the_retention_purge_takes_what_was_sent_with_the_case(texting: tuple[Flask, list[Any]]) -> None:
    app, reference, alex = text_the_parent(texting)
    alex.post(f"/caseworker/case/{reference}/close", outcome="advice given")
    assert len(stored_entries(app)) == 1  # kept while the case is kept
    with unit_of_work(svc(app).sessions) as session:
        enquiry = queue.by_reference(session, reference)
        assert enquiry is not None and enquiry.status == "closed"
        enquiry.retain_until = utcnow() - timedelta(minutes=1)  # its retention period is over
    result = app.test_cli_runner().invoke(args=["intake", "purge", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert stored_entries(app) == []
    with unit_of_work(svc(app).sessions) as session:
        assert session.scalar(select(func.count()).select_from(CaseNote)) == 0
