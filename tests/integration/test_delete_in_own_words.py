"""Asking in everyday words to delete or withdraw is answered with what FORGET does, never stored or guessed at.

User-journey review: after sending an enquiry, "please delete everything i sent", "can you delete my details" and
"actually i changed my mind, i dont want anyone to call me" each got "We have added this to your enquiry", and
before one "delete what i said" got a "Did you mean" topic menu. Now the parent is told what FORGET will delete
and asked to reply FORGET to confirm: nothing is deleted on a guess, and what they sent still reaches the
caseworker meanwhile. Through the signed SMS webhook and the web chat API.
"""

from __future__ import annotations

import pytest
from flask import Flask

from bot.content import sms_segments
from tests.conftest import ChatActions, Inbox, SmsActions
from tests.integration.test_safeguarding_disclosures import reference_in
from tests.integration.test_urgent_case_messages import case

CONFIRM = "Nothing is deleted until you do."


@pytest.mark.parametrize("asked", ["please delete everything i sent", "can you delete my details",
                                   "actually i changed my mind, i dont want anyone to call me"])
def test_after_an_enquiry_a_request_to_delete_says_what_forget_will_do_and_deletes_nothing(
    app: Flask, sms: SmsActions, asked: str
) -> None:
    reference = sms.hand_off()
    replies = sms.send(asked)
    reply = "\n".join(replies)
    assert f"reply FORGET to withdraw enquiry {reference} and delete its details" in reply, replies
    assert CONFIRM in reply and "Thank you. We have added this" not in reply
    assert sum(sms_segments(r) for r in replies) <= 2, replies
    assert case(app, reference)[0] == "queued"  # nothing withdrawn on a guess
    assert case(app, reference)[3] == [asked]  # the caseworker still sees it, until FORGET


@pytest.mark.parametrize("asked", ["delete what i said", "can you delete my details"])
def test_before_any_enquiry_a_request_to_delete_says_what_forget_will_do(chat: ChatActions, asked: str) -> None:
    reply = chat.texts(asked)
    assert "reply FORGET to delete this conversation" in reply and CONFIRM in reply
    assert "Did you mean" not in reply


def test_after_a_disclosure_a_request_to_delete_says_the_safety_concern_is_still_checked(
    alerting_app: Flask, duty: Inbox
) -> None:
    sms = SmsActions(alerting_app.test_client())
    reference = reference_in(sms.send("my partner hit my son last night"))
    reply = "\n".join(sms.send("please delete everything i sent"))
    assert "reply FORGET" in reply and CONFIRM in reply
    assert f"a caseworker will still check the safety concern ({reference})" in reply
    status, priority, _, notes = case(alerting_app, reference)
    assert (status, priority) == ("queued", "urgent") and notes[-1] == "please delete everything i sent"
