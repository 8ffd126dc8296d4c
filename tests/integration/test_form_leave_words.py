"""Leaving the caseworker form in the parent's own words: "forget it", "actually never mind", "cancel".

As a NO at the confirm step: nothing is sent, the answers go, and the parent is told so; a safety concern's
contact questions end without touching the concern.
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from intake.models import ConsentRecord, Enquiry
from tests.conftest import ChatActions, SmsActions


def enquiries(app: Flask) -> list[Enquiry]:
    with app.extensions["intake"].sessions() as session:
        return list(session.scalars(select(Enquiry)))


def consents(app: Flask) -> list[tuple[str, bool]]:
    with app.extensions["intake"].sessions() as session:
        return [(r.purpose, r.granted) for r in session.scalars(select(ConsentRecord).order_by(ConsentRecord.id))]


@pytest.mark.parametrize("words", ["forget it", "actually never mind", "Never mind, thanks.", "nvm", "cancel that",
                                   "ok forget about it", "I've changed my mind"])
def test_leaving_words_by_text_leave_the_form(app: Flask, sms: SmsActions, words: str) -> None:
    for message in ("HUMAN", "yes", "5"):
        sms.send(message)
    [left] = sms.send(words)
    assert "Nothing was sent to a caseworker" in left and len(left) <= 160
    assert enquiries(app) == [] and consents(app) == [("keep_details", False)]
    # the form has gone: a number now is not an answer to "In a few words...?" nor to the school stage
    assert "In a few words" not in "\n".join(sms.send("what is a senco"))


def test_a_story_that_only_mentions_never_mind_is_still_the_answer(sms: SmsActions) -> None:
    for message in ("HUMAN", "yes", "5"):
        sms.send(message)
    assert "stage of education" in sms.send("never mind the school, he has been excluded twice")[0]


@pytest.mark.parametrize("word", ["cancel", "Quit.", "never mind"])
def test_cancel_in_the_web_chat_leaves_the_form_and_the_chat_goes_on(app: Flask, chat: ChatActions,
                                                                   word: str) -> None:
    for message in ("HUMAN", "yes", "1"):
        chat.say(message)
    response = chat.post({"text": word})
    assert response.status_code == 200 and not response.get_json()["ended"]
    assert "Nothing was sent to a caseworker" in response.get_json()["messages"][0]["text"]
    assert enquiries(app) == []
    assert chat.say("what is a senco")


def test_leaving_a_concerns_contact_questions_keeps_the_concern(app: Flask, sms: SmsActions) -> None:
    sms.send("my ex hits our son at weekends")
    [reference] = [e.reference for e in enquiries(app)]
    sms.send("HUMAN")
    [left] = sms.send("forget it")
    assert reference in left and "duty caseworker" in left and "999" in left
    [concern] = enquiries(app)
    assert concern.priority == "urgent" and concern.status == "queued"
