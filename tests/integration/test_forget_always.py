"""FORGET deletes whatever state the parent is in: after texting STOP, and while their number is blocked."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from bench.common import SMS_SCRIPT
from intake import blocks
from intake.db import unit_of_work
from intake.models import AuditEvent, Conversation, Enquiry, OptOut
from intake.references import find_reference
from tests.conftest import SmsActions


def hand_off(sms: SmsActions) -> str:
    """The whole SMS intake (contact by text on this number); returns the reference."""
    replies: list[str] = []
    for message, _ in SMS_SCRIPT:
        replies = sms.send(message)
    reference = find_reference("\n".join(replies))
    assert reference
    return reference


def enquiry(app: Flask, reference: str) -> Enquiry:
    with app.extensions["intake"].sessions() as session:
        found = session.scalar(select(Enquiry).where(Enquiry.reference == reference))
        assert found is not None
        session.expunge(found)
        return found


def count(app: Flask, model: type) -> int:
    with app.extensions["intake"].sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def withdrawn(app: Flask, reference: str) -> bool:
    with app.extensions["intake"].sessions() as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.reference == reference)).all()
    return "withdraw" in actions


def test_forget_after_stop_withdraws_the_enquiry_and_sends_nothing(app: Flask, sms: SmsActions) -> None:
    reference = hand_off(sms)
    assert enquiry(app, reference).contact is not None  # the number, kept for the text back
    assert sms.send("STOP") == []
    assert sms.send("FORGET") == []  # Twilio would refuse a reply to an opted-out number: none is sent
    gone = enquiry(app, reference)
    assert gone.status == "closed" and gone.contact is None and gone.summary is None
    assert withdrawn(app, reference)
    assert count(app, Conversation) == 0 and count(app, OptOut) == 1  # still opted out of texts


def test_a_blocked_parent_can_still_forget_and_stop(app: Flask, sms: SmsActions) -> None:
    reference = hand_off(sms)
    svc = app.extensions["intake"]
    with unit_of_work(svc.sessions) as session:
        blocks.block(session, svc.keys, "morgan", "manager", reference, 90, "repeated abusive messages")
    assert "withdrawn" in "\n".join(sms.send("FORGET")).lower()
    gone = enquiry(app, reference)
    assert gone.status == "closed" and gone.contact is None and gone.summary is None
    assert count(app, Conversation) == 0
    sms.send("STOP")
    assert count(app, OptOut) == 1  # the console can no longer offer to text this number
