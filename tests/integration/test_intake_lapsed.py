"""A conversation that ran out of time part-way through the form: the parent is told, nothing is sent."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select, update

from intake.db import unit_of_work
from intake.models import Conversation, Enquiry, utcnow
from tests.conftest import SmsActions


def lapse(app: Flask) -> None:
    """The idle time (2 hours by default) passes with no reply."""
    with unit_of_work(app.extensions["intake"].sessions) as session:
        session.execute(update(Conversation).values(expires_at=utcnow() - timedelta(seconds=1)))


def enquiries(app: Flask) -> int:
    with unit_of_work(app.extensions["intake"].sessions) as session:
        return int(session.scalar(select(func.count()).select_from(Enquiry)) or 0)


def test_an_answer_after_the_form_lapsed_is_told_its_answers_were_deleted(app: Flask, sms: SmsActions) -> None:
    for message in ("HUMAN", "yes", "1", "Please help with support"):
        sms.send(message)
    lapse(app)
    reply = "\n".join(sms.send("2"))  # meant for "which stage of education?", asked 2 hours ago
    assert "deleted your unfinished answers after 2 hours" in reply and "nothing was sent" in reply
    assert "Reply HUMAN to start again" in reply
    assert enquiries(app) == 0


def test_yes_to_a_confirm_that_lapsed_sends_nothing_and_says_so(app: Flask, sms: SmsActions) -> None:
    for message in ("HUMAN", "yes", "1", "Please help with support", "2", "1", "no"):
        sms.send(message)
    lapse(app)
    reply = "\n".join(sms.send("YES"))
    assert "nothing was sent" in reply and "reference" not in reply.lower()
    assert enquiries(app) == 0
    assert "Is that OK?" in "\n".join(sms.send("HUMAN"))  # starting again works


def test_a_question_after_a_lapse_is_still_answered(app: Flask, sms: SmsActions) -> None:
    for message in ("HUMAN", "yes"):
        sms.send(message)
    lapse(app)
    reply = "\n".join(sms.send("what is a senco"))
    assert "deleted your unfinished answers" in reply and "SENCO" in reply


def test_an_idle_conversation_that_lapsed_says_nothing_about_it(app: Flask, sms: SmsActions) -> None:
    sms.send("what is a senco")
    lapse(app)
    assert "deleted" not in "\n".join(sms.send("2"))


def test_a_parent_whose_enquiry_was_sent_is_never_told_nothing_was_sent(app: Flask, sms: SmsActions) -> None:
    from bench.common import SMS_SCRIPT
    from intake.references import find_reference

    replies: list[str] = []
    for message, _ in SMS_SCRIPT:
        replies = sms.send(message)
    reference = find_reference("\n".join(replies))
    assert reference and enquiries(app) == 1
    lapse(app)  # the next day
    thanks = "\n".join(sms.send("thanks"))
    assert "nothing was sent" not in thanks and "deleted" not in thanks
    quoted = "\n".join(sms.send(reference))
    assert "nothing was sent" not in quoted and reference in quoted


def test_a_did_you_mean_list_left_open_lapses_without_talk_of_deleted_answers(app: Flask, sms: SmsActions) -> None:
    listed = "\n".join(sms.send("help"))
    assert "1" in listed
    lapse(app)
    assert "deleted" not in "\n".join(sms.send("1"))
