"""A parent hurt, threatened or controlled by a partner or ex (policy 7.1: domestic abuse in the home is a child-
protection matter), through the real signed SMS webhook, the web chat and the phone line.

Before, "he threatened me with a knife", "he pushed me down the stairs" and "he controls all the money and wont let
me see my friends" got nothing; "my ex hits me", "im not safe at home" and "my ex is stalking me" got the 999 reply
with no word of the National Domestic Abuse Helpline after it; "he wont let me leave the house" got no question.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import ChatActions, SmsActions
from tests.integration.test_safeguarding_care_restraint_images import DOMESTIC_ABUSE, QUESTION
from tests.integration.test_safeguarding_missed_phrases import NSPCC, urgent
from tests.integration.test_safety_young_person import EMERGENCY, sms_safe
from tests.integration.test_voice import CallActions

PARTNER = "threat to the parent by a partner"


@pytest.mark.parametrize(
    "message",
    [
        # missed entirely, or only asked about
        "he threatened me with a knife",
        "he pushed me down the stairs",
        "he controls all the money and wont let me see my friends",
        "my ex keeps turning up at the house and the kids are scared",
        # urgent, but with no helpline for the parent
        "he said he'd kill me if i left",
        "my ex put his hands round my neck",
        "im scared of my husband",
        "my ex hits me",
        "my partner beats me",
        "my husband hit me last night",
        "im not safe at home",
        "my ex is stalking me",
        "my partner threatened to kill me",
        "my husband wont let me leave the house",
    ],
)
def test_by_sms_a_partner_s_violence_threats_or_control_are_urgent_with_the_domestic_abuse_helpline(
    app: Flask, sms: SmsActions, message: str
) -> None:
    safety, help_, *_ = sms.send(message)
    assert safety.startswith(EMERGENCY) and NSPCC in safety and QUESTION not in safety, safety
    assert DOMESTIC_ABUSE in help_ and "partner or ex" in help_, help_
    sms_safe(help_)
    [concern] = urgent(app)
    assert concern.reference in safety
    triggers = app.extensions["intake"].keys.decrypt_json(concern.safeguarding)
    assert any(t.startswith(PARTNER + ": ") for t in triggers), triggers


def test_he_wont_let_me_leave_the_house_asks_with_the_helpline_and_a_no_offers_a_caseworker(
    app: Flask, sms: SmsActions
) -> None:
    """"he" may be a partner holding the parent in, or a child who panics when they go: asked, with the helpline."""
    replies = sms.send("he wont let me leave the house")
    assert DOMESTIC_ABUSE in replies[0] and QUESTION in replies[-1], replies
    assert "999 now" not in "\n".join(replies) and not urgent(app)
    [offer] = sms.send("no")
    assert "HUMAN" in offer and "Did you mean" not in offer  # a caseworker, not a topic answer
    assert not urgent(app)


@pytest.mark.parametrize(
    "message",
    ["my ex wont agree to the ehcp", "my husband thinks the school is wrong",
     "my partner and i disagree about his school", "he threatened to complain to ofsted",
     "the school threatened to exclude him", "im scared the tribunal will say no",
     # before, urgent with the 999 reply: an ex's threat of the courts is a family-law worry
     "my ex threatened me with court", "my ex threatened to take me to court"],
)
def test_everyday_words_about_a_partner_or_a_threat_are_not_urgent(app: Flask, sms: SmsActions, message: str) -> None:
    replies = "\n".join(sms.send(message))
    assert "999" not in replies and DOMESTIC_ABUSE not in replies and QUESTION not in replies, replies
    assert not urgent(app)


@pytest.mark.parametrize(
    "message", ["the taxi driver hit my son", "his teacher grabbed him by the arm", "my mum strangled me last night"]
)
def test_a_child_hurt_by_someone_not_the_parent_s_partner_gets_no_domestic_abuse_helpline(
    app: Flask, sms: SmsActions, message: str
) -> None:
    replies = sms.send(message)
    assert replies[0].startswith(EMERGENCY) and DOMESTIC_ABUSE not in "\n".join(replies), replies
    assert len(urgent(app)) == 1


def test_in_the_web_chat_a_husband_s_violence_is_urgent_with_the_helpline(app: Flask, chat: ChatActions) -> None:
    replies = [m["text"] for m in chat.say("my husband hit me last night")]
    assert replies[0].startswith(EMERGENCY) and DOMESTIC_ABUSE in replies[1], replies
    [concern] = urgent(app)
    assert concern.reference in replies[0]


def test_on_the_phone_a_knife_threat_is_urgent_and_the_helpline_is_read_out(app: Flask, client: FlaskClient) -> None:
    caller = CallActions(client)
    caller.call()
    said = caller.say("he threatened me with a knife")
    assert said.startswith("If a child is in immediate danger, please hang up and call 9 9 9 now.")
    assert "0 8 0 8, 2 0 0 0, 2 4 7" in said
    assert len(urgent(app)) == 1


def test_on_the_phone_he_wont_let_me_leave_hears_the_helpline_then_the_question(
    app: Flask, client: FlaskClient
) -> None:
    caller = CallActions(client)
    caller.call()
    said = caller.say("he wont let me leave the house")
    helpline, question = said.find("0 8 0 8, 2 0 0 0, 2 4 7"), said.find("is a child in danger")
    assert 0 <= helpline < question, said
    assert not urgent(app)
