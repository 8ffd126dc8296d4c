"""User-journey re-review 2: a young person in crisis, a hand at a child's neck, a child asked for pictures.

Through the real SMS webhook, each request signed as Twilio signs it (tests/conftest.py); nothing patched.
Before, "im 15 and i want to die" got the adult crisis text alone (Samaritans, no Childline, no help for a young
person), and the two disclosures got "Sorry, I didn't understand that" and the menu.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import ChatActions, Inbox, SmsActions
from tests.integration.test_safety_young_person import EMERGENCY, YOUNG_PERSON, audited, sms_safe, urgent
from tests.integration.test_voice import CallActions

CHILDLINE = "0800 1111"


@pytest.fixture
def app(alerting_app: Flask) -> Flask:
    """The app, always open, e-mailing its duty alerts to the stand-in server (tests/conftest.py)."""
    return alerting_app


@pytest.mark.parametrize("message", ["im 15 and i want to die", "im 14 i cut myself last night"])
def test_a_teenager_in_crisis_gets_childline_and_the_young_person_help_not_the_adult_text(
    app: Flask, sms: SmsActions, duty: Inbox, message: str
) -> None:
    replies = sms.send(message)
    safety, young, *_ = replies
    assert safety.startswith(EMERGENCY) and CHILDLINE in safety, safety
    assert young.startswith(YOUNG_PERSON) and CHILDLINE in young and "NHS 111, option 2" in young, young
    assert not any("Samaritans" in r or "didn't understand" in r for r in replies)  # not the parent's own crisis
    [concern] = urgent(app)
    assert concern.reference in safety
    assert audited(app, concern.reference)[:2] == ["safeguarding_flag", "duty_alert_sent"]
    assert len(duty.messages) == 1


@pytest.mark.parametrize(
    "message", ["he put his hands round my daughters neck", "my uncle sends me pictures and asks for mine"]
)
def test_a_hand_at_a_child_s_neck_or_a_child_asked_for_pictures_is_urgent_at_once(
    app: Flask, sms: SmsActions, duty: Inbox, message: str
) -> None:
    first = sms.send(message)[0]
    assert first.startswith(EMERGENCY) and CHILDLINE in first and "didn't understand" not in first
    [concern] = urgent(app)
    assert concern.reference in first
    assert len(duty.messages) == 1


def test_a_parent_s_own_crisis_still_gets_the_adult_help(app: Flask, sms: SmsActions) -> None:
    replies = "\n".join(sms.send("im 15 weeks pregnant and i want to die"))
    assert "Samaritans" in replies and "116 123" in replies
    assert len(urgent(app)) == 1


@pytest.mark.parametrize(
    "message", ["she put her arms round my neck and hugged me", "my uncle sends me pictures of his dog"]
)
def test_a_hug_or_a_photo_of_a_dog_gets_no_emergency_reply(app: Flask, sms: SmsActions, message: str) -> None:
    replies = "\n".join(sms.send(message))
    assert "999" not in replies and "is a child in danger" not in replies.lower()
    assert not urgent(app)


def test_on_the_phone_a_teenager_in_crisis_hears_childline_and_the_young_person_help(
    app: Flask, client: FlaskClient
) -> None:
    caller = CallActions(client)
    caller.call()
    said = caller.say("I'm fifteen and I want to die")
    assert said.startswith("If a child is in immediate danger, please hang up and call 9 9 9 now.")
    assert "0 8 0 0, 1 1 1 1" in said and YOUNG_PERSON in said and "Samaritans" not in said
    assert len(urgent(app)) == 1


@pytest.mark.parametrize("message", ["im 14 and i cant cope anymore", "im in year 8 and everything is too much"])
def test_a_teenager_s_milder_distress_gets_the_child_safety_question_not_the_adult_help(
    app: Flask, sms: SmsActions, duty: Inbox, message: str
) -> None:
    """Before, "im 14 and i cant cope anymore" got the parent's crisis help (Samaritans, no Childline), and "im in
    year 8 and everything is too much" got nothing. Now the question about a child; "yes" brings Childline."""
    asked = "\n".join(sms.send(message))
    assert "in danger" in asked.lower() and "Samaritans" not in asked and "116 123" not in asked, asked
    assert not urgent(app)
    replies = sms.send("yes")
    assert any(r.startswith(EMERGENCY) and CHILDLINE in r for r in replies), replies
    assert not any("Samaritans" in r for r in replies)
    assert len(urgent(app)) == 1 and len(duty.messages) == 1


def test_a_parent_s_own_distress_still_gets_the_adult_help_with_the_question(app: Flask, sms: SmsActions) -> None:
    replies = "\n".join(sms.send("my son is 14 and i cant cope anymore"))
    assert "Samaritans" in replies and "116 123" in replies and "is a child in danger" in replies.lower()
    assert "Childline" not in replies  # the parent is not told of a line for children


def _question(replies: list[str]) -> str:
    [question] = [r for r in replies if "YES or NO" in r]
    return question


@pytest.mark.parametrize("message", ["im 14 and i cant cope anymore", "im 13 and i hate myself"])
def test_a_teenager_asked_the_safety_question_hears_childline_whatever_they_answer(
    app: Flask, sms: SmsActions, message: str
) -> None:
    """Before, a 14-year-old heard of Childline only after answering yes: the question alone, to a child."""
    question = _question(sms.send(message))
    assert "in danger" in question and CHILDLINE in question and "free" in question, question
    assert "Samaritans" not in question
    sms_safe(question)
    assert not urgent(app)
    again = _question(sms.send("what"))  # an unclear answer: asked once more, Childline still there
    assert "in danger" in again and CHILDLINE in again, again
    sms_safe(again)
    assert not urgent(app)
    offer = "\n".join(sms.send("no"))
    assert "HUMAN" in offer and not urgent(app)  # a caseworker offered, no concern raised on a no


def test_in_the_web_chat_a_teenager_asked_the_safety_question_hears_childline(app: Flask, chat: ChatActions) -> None:
    asked = chat.texts("im 13 and i hate myself")
    assert "in danger" in asked and CHILDLINE in asked and "Samaritans" not in asked, asked


def test_on_the_phone_a_teenager_asked_the_safety_question_hears_childline_and_again_when_asked_again(
    app: Flask, client: FlaskClient
) -> None:
    caller = CallActions(client)
    caller.call()
    spoken_childline = "0 8 0 0, 1 1 1 1"
    asked = caller.say("I'm fourteen and I can't cope anymore")
    assert "in danger" in asked and spoken_childline in asked and "press 1" in asked, asked
    again = caller.say("what")
    assert "in danger" in again and spoken_childline in again, again
    assert not urgent(app)
