"""The caseload says when a parent whose case a caseworker holds has written, and marks it new until opened."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intake import queue
from intake.models import CaseNote
from tests.conftest import ALWAYS_OPEN, SmsActions, make_app
from tests.integration.test_console import AuthActions, enquire, svc
from tests.integration.test_console_rights import claimed

NEW = "New message"


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    """Always open, so what the bot says to the parent never depends on the hour the test runs."""
    return make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)


@pytest.fixture
def sms(app: Flask) -> SmsActions:
    """A parent texting this app."""
    client: FlaskClient = app.test_client()
    return SmsActions(client)


def row(auth: AuthActions, reference: str) -> str:
    """The case's row on this caseworker's caseload, as HTML."""
    response = auth.client.get("/caseworker/caseload")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'data-reference="{reference}"' in page, page
    return page.split(f'data-reference="{reference}"')[1].split("</tr>")[0]


def last_parent_message(app: Flask, reference: str) -> str:
    """When the parent last wrote, as the console shows times (the service's zone, "26 Nov 17:05")."""
    with svc(app).sessions() as session:
        enquiry = queue.by_reference(session, reference)
        assert enquiry is not None
        at: datetime = session.scalars(select(CaseNote.created_at).where(
            CaseNote.enquiry_id == enquiry.id, CaseNote.author == queue.PARENT_MESSAGE).order_by(CaseNote.id)).all()[-1]
    return at.astimezone(ZoneInfo("Europe/London")).strftime("%d %b %H:%M")


def test_a_parent_message_after_the_claim_is_marked_new_on_the_caseload_until_the_case_is_opened(
    app: Flask, sms: SmsActions
) -> None:
    reference = sms.hand_off()
    alice = claimed(app, reference, "alice")
    assert NEW not in row(alice, reference) and "none" in row(alice, reference)

    assert "passed this to the caseworker" in "\n".join(sms.send("he was sent home again today"))
    shown = row(alice, reference)
    assert NEW in shown and last_parent_message(app, reference) in shown

    assert "he was sent home again today" in alice.client.get(f"/caseworker/case/{reference}").get_data(as_text=True)
    shown = row(alice, reference)
    assert NEW not in shown and last_parent_message(app, reference) in shown  # read: the time stays, not the marker

    sms.send("they have excluded him for a week now")
    assert NEW in row(alice, reference)


def test_only_cases_whose_parent_wrote_since_are_marked(app: Flask, sms: SmsActions) -> None:
    quiet = enquire(app)
    reference = sms.hand_off()
    alice = claimed(app, quiet, "alice")
    alice.post(f"/caseworker/claim/{reference}")
    sms.send("he was sent home again today")
    assert NEW in row(alice, reference) and NEW not in row(alice, quiet)
    page = alice.client.get("/caseworker/caseload").get_data(as_text=True)
    assert page.count(NEW) == 1
