"""Everyday yes/no replies in the caseworker form ("yh", "yes pls", "ok go on", "no thx", "no he doesnt").

Understood as the parent means them; a reply that is both, or unclear, is asked again in a few words (one
text, not the whole consent question), and a no is never read as a yes.
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from intake.models import ConsentRecord, Enquiry
from tests.conftest import ChatActions, SmsActions
from tests.integration.test_voice import CallActions

FULL_CONSENT = "We will not share them with your child's school"  # in the whole consent_keep question only
FULL_CONTACT = "If you say NO, you can contact us instead"


def enquiries(app: Flask) -> list[Enquiry]:
    with app.extensions["intake"].sessions() as session:
        return list(session.scalars(select(Enquiry)))


def consents(app: Flask) -> list[tuple[str, bool]]:
    with app.extensions["intake"].sessions() as session:
        return [(r.purpose, r.granted) for r in session.scalars(select(ConsentRecord).order_by(ConsentRecord.id))]


def to_contact_question(sms: SmsActions) -> None:
    for message in ("HUMAN", "yes", "5", "hes been excluded 3 times this term", "3", "2"):
        sms.send(message)


@pytest.mark.parametrize("answer", ["yh", "yeh", "yes pls", "ok go on", "Yeah, go ahead."])
def test_an_everyday_yes_to_keeping_details_goes_on(sms: SmsActions, answer: str) -> None:
    sms.send("HUMAN")
    replies = sms.send(answer)
    assert replies[0].startswith("What is it mainly about?")
    assert not any("Sorry" in r for r in replies)


@pytest.mark.parametrize("answer", ["no thx", "no he doesnt", "nah", "no thank you"])
def test_an_everyday_no_to_being_contacted_is_a_no(sms: SmsActions, answer: str) -> None:
    to_contact_question(sms)
    confirm = "\n".join(sms.send(answer))
    assert "This is exactly what a caseworker will see" in confirm
    assert "Contact: No, I will contact you" in confirm


def test_an_everyday_no_to_keeping_details_keeps_nothing(app: Flask, sms: SmsActions) -> None:
    sms.send("HUMAN")
    assert "we won't keep anything" in sms.send("no thx")[0]
    assert enquiries(app) == []
    assert consents(app) == [("keep_details", False)]


# ("what does that mean?" asks about the question: tests/integration/test_form_help_in_form.py)
@pytest.mark.parametrize("answer", ["maybe", "ok but dont call me", "no thats ok", "yes and no",
                                    "is that free?"])
def test_an_unclear_reply_gets_the_question_again_in_one_short_text(sms: SmsActions, answer: str) -> None:
    to_contact_question(sms)
    [again] = sms.send(answer)
    assert "YES or NO" in again and "Would you like a caseworker to contact you?" in again
    assert FULL_CONTACT not in again and len(again) <= 160
    assert "Contact: No, I will contact you" in "\n".join(sms.send("no"))


def test_an_unclear_reply_to_the_consent_question_is_not_consent(app: Flask, sms: SmsActions) -> None:
    sms.send("HUMAN")
    replies = sms.send("yes but not the school")  # (the first texts also say no name is needed)
    assert "keep these details" in replies[0] and len(replies[0]) <= 160
    assert FULL_CONSENT not in "\n".join(replies)
    assert consents(app) == []
    assert "we won't keep anything" in sms.send("no")[0]
    assert consents(app) == [("keep_details", False)]


def test_yes_pls_at_the_confirm_step_sends_it_and_no_thx_sends_nothing(app: Flask, client) -> None:
    first = SmsActions(client, "+447700900311")
    to_contact_question(first)
    first.send("no")
    assert "reference is" in first.send("yes pls")[0]
    second = SmsActions(client, "+447700900312")
    to_contact_question(second)
    second.send("no")
    assert "we have not sent anything" in second.send("no thx")[0]
    assert len(enquiries(app)) == 1


def test_the_web_chat_reads_yh_and_asks_again_shortly_with_buttons(chat: ChatActions) -> None:
    chat.say("HUMAN")
    [again] = chat.say("hmm not sure")
    assert "keep these details" in again["text"] and FULL_CONSENT not in again["text"]
    assert [c["label"] for c in again["choices"]] == ["Yes", "No"]
    assert "What is it mainly about?" in chat.texts("yh")


def test_yes_please_go_ahead_said_on_the_phone(client) -> None:
    caller = CallActions(client)
    caller.call()
    caller.press("2")
    said = caller.say("yes please go ahead")
    assert "What is it mainly about?" in said and "not one of the choices" not in said
