"""FORGET says truthfully what it deleted and what is kept (policy 6.1, 6.3, 7.1): a case a caseworker has closed
stays for its retention period, with the office number to ask for it to be erased (a manager checks who is
asking first, and a child-protection record is kept); an open safety concern from this phone stays, and the
parent is told so, also once the conversation that raised it has timed out."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import update

from intake import queue
from intake.db import unit_of_work
from intake.models import Conversation, utcnow
from tests.conftest import ALWAYS_OPEN, SmsActions, make_app
from tests.integration.test_console import AuthActions, add_caseworker
from tests.integration.test_safeguarding_disclosures import RISK, reference_in

SUMMARY = "Please help with support for Jamie"


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)


def test_forget_after_the_case_was_closed_says_it_is_kept_and_how_to_have_it_erased(app: Flask) -> None:
    sms = SmsActions(app.test_client())
    reference = sms.hand_off(SUMMARY)
    worker = AuthActions(app.test_client(), app, "sam", add_caseworker(app, "sam"))
    assert worker.login().status_code == 302
    assert worker.post(f"/caseworker/claim/{reference}").status_code == 302
    assert worker.post(f"/caseworker/case/{reference}/close", outcome="advice given").status_code == 302

    reply = "\n".join(sms.send("FORGET"))
    assert "kept for a year" in reply and "01632 960000" in reply, reply
    with unit_of_work(app.extensions["intake"].sessions) as session:
        enquiry = queue.by_reference(session, reference)
        assert enquiry is not None and enquiry.summary is not None  # what the reply says is kept, is


def test_forget_after_the_conversation_timed_out_still_says_the_safety_concern_is_kept(app: Flask) -> None:
    sms = SmsActions(app.test_client())
    reference = reference_in(sms.send(RISK))
    with unit_of_work(app.extensions["intake"].sessions) as session:  # two hours pass: the conversation lapses
        session.execute(update(Conversation).values(expires_at=utcnow() - timedelta(minutes=1)))

    reply = "\n".join(sms.send("FORGET"))
    assert "safety concern" in reply and reference in reply, reply


@pytest.mark.parametrize("asked", ["please delete everything i sent", "can you delete my details"])
def test_asking_to_delete_in_own_words_after_the_conversation_timed_out_says_the_same(app: Flask, asked: str) -> None:
    # "please delete..." answers what FORGET would do: it must not forget the kept concern FORGET names.
    sms = SmsActions(app.test_client())
    reference = reference_in(sms.send(RISK))
    with unit_of_work(app.extensions["intake"].sessions) as session:
        session.execute(update(Conversation).values(expires_at=utcnow() - timedelta(minutes=1)))

    reply = "\n".join(sms.send(asked))
    assert "FORGET" in reply and reference in reply, reply
