"""A child's own words of suicide or self-harm: child-protection wording, then help for the young person's crisis.

Through the real signed SMS webhook, the web chat and the phone line (tests/conftest.py), nothing patched.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from bot.content import sms_segments
from intake.models import AuditEvent, Enquiry
from tests.conftest import ChatActions, Inbox, SmsActions
from tests.integration.test_voice import CallActions

CHILD_SAID = [
    "my 15 year old says she wants to kill herself",
    "my son is self harming",
    "my daughter has been cutting herself",
    "he said he doesnt want to be alive anymore",
]
EMERGENCY = "If a child is in immediate danger, call 999 now."
YOUNG_PERSON = "If someone is thinking of suicide or self-harm"
CRISIS_HELP = ("999", "NHS 111, option 2", "0800 1111", "SHOUT to 85258")
OPT_OUT = ("STOP", "CANCEL", "END", "QUIT")
NOT_OURS = ("Papyrus", "0800 068", "HOPELINE")  # numbers this service has not checked are never given


@pytest.fixture
def app(alerting_app: Flask) -> Flask:
    """The app, always open, e-mailing its duty alerts to the stand-in server (tests/conftest.py)."""
    return alerting_app


def urgent(app: Flask) -> list[Enquiry]:
    with app.extensions["intake"].sessions() as session:
        return list(session.scalars(select(Enquiry).where(Enquiry.priority == "urgent")))


def audited(app: Flask, reference: str) -> list[str]:
    with app.extensions["intake"].sessions() as session:
        return list(session.scalars(select(AuditEvent.action).where(AuditEvent.reference == reference)
                                    .order_by(AuditEvent.id)))


def sms_safe(text: str) -> None:
    """A text that fits two segments, in plain GSM-7, with no word that would opt the parent out of texts."""
    assert sms_segments(text) <= 2 and all(ord(c) < 128 for c in text), text
    assert not any(word in text.upper().replace(".", " ").replace(",", " ").split() for word in OPT_OUT)


@pytest.mark.parametrize("message", CHILD_SAID)
def test_by_sms_a_child_at_risk_of_suicide_gets_child_protection_then_young_person_crisis_help(
    app: Flask, sms: SmsActions, duty: Inbox, message: str
) -> None:
    replies = sms.send(message)
    safety, young, *rest = replies
    assert safety.startswith(EMERGENCY) and "0808 800 5000" in safety and "Childline" in safety
    assert "Reply HUMAN to give a safe way to reach you" in safety  # the next step, as for any risk
    assert young.startswith(YOUNG_PERSON) and all(n in young for n in CRISIS_HELP), young
    sms_safe(young)
    assert not any(n in "\n".join(replies) for n in NOT_OURS)
    assert "Samaritans" not in young  # the adult line is for a parent in crisis themselves
    [concern] = urgent(app)
    assert concern.reference in safety and concern.reference not in young  # one reference, said once
    assert audited(app, concern.reference)[:2] == ["safeguarding_flag", "duty_alert_sent"]
    assert len(duty.messages) == 1
    assert all("Reply with a number" not in r for r in rest)  # no topic answer after it, only the privacy line


@pytest.mark.parametrize("message", CHILD_SAID)
def test_in_the_web_chat_the_young_person_help_follows_the_safety_reply(
    app: Flask, chat: ChatActions, message: str
) -> None:
    replies = [m["text"] for m in chat.say(message)]
    assert len(replies) == 2, replies
    assert replies[0].startswith(EMERGENCY) and replies[0].endswith("when we're open.")
    assert replies[1].startswith(YOUNG_PERSON) and all(n in replies[1] for n in CRISIS_HELP)
    assert len(urgent(app)) == 1


def test_a_risk_that_is_not_self_harm_gets_no_young_person_help(app: Flask, sms: SmsActions) -> None:
    replies = sms.send("my ex hits our son at weekends")
    assert not any(YOUNG_PERSON in r for r in replies)
    assert replies[0].startswith(EMERGENCY)


def test_a_parent_in_crisis_whose_child_self_harms_hears_all_three(app: Flask, chat: ChatActions) -> None:
    replies = [m["text"] for m in chat.say("I want to kill myself and my daughter is self harming")]
    assert "116 123" in replies[0] and replies[1].startswith(EMERGENCY) and replies[2].startswith(YOUNG_PERSON)
    [concern] = urgent(app)
    assert concern.reference in replies[0] and concern.reference in replies[1]


def test_more_self_harm_on_an_urgent_case_gets_the_help_again_and_joins_the_case(
    app: Flask, sms: SmsActions
) -> None:
    first = sms.send("my ex hits our son at weekends")
    replies = sms.send("and my daughter has been cutting herself")
    assert replies[0].startswith(EMERGENCY) and replies[1].startswith(YOUNG_PERSON)
    [concern] = urgent(app)
    assert concern.reference in first[0] and concern.reference in replies[0]


def test_on_the_phone_the_young_person_help_is_spoken_before_the_next_step(app: Flask, client: FlaskClient) -> None:
    caller = CallActions(client)
    caller.call()
    said = caller.say("he said he doesnt want to be alive anymore")
    assert said.startswith("If a child is in immediate danger, please hang up and call 9 9 9 now.")
    risk, _, rest = said.partition(YOUNG_PERSON)
    assert rest, said
    assert "N H S 1 1 1" in rest and "8 5 2 5 8" in rest and "85258" not in rest  # read digit by digit
    [concern] = urgent(app)
    assert ", ".join(concern.reference.replace("-", "")) in risk
    young, _, after = rest.partition("press 2 at the main menu")  # the next step comes after the help
    assert "text the word SHOUT" in young and after and "When you are ready, here are the choices again." in after
    assert not caller.hung_up


def test_on_an_enquiry_made_urgent_the_young_person_help_follows_its_wording(app: Flask, sms: SmsActions) -> None:
    reference = sms.hand_off()
    replies = sms.send("my son is self harming")
    assert f"passed your enquiry {reference} on as urgent" in replies[0]
    assert replies[1].startswith(YOUNG_PERSON) and reference not in replies[1]
    assert len(replies) == 2, replies  # no topic answer after them


def test_a_yes_to_the_question_that_tells_of_self_harm_gets_the_young_person_help(
    app: Flask, chat: ChatActions
) -> None:
    [question] = chat.say("the staff used restraint on him today")
    assert "danger" in question["text"]
    replies = [m["text"] for m in chat.say("yes and he has been cutting himself")]
    assert replies[0].startswith(EMERGENCY) and replies[1].startswith(YOUNG_PERSON), replies
    assert len(urgent(app)) == 1


def test_a_plain_yes_to_the_question_gets_the_safety_reply_alone(app: Flask, chat: ChatActions) -> None:
    chat.say("the staff used restraint on him today")
    replies = [m["text"] for m in chat.say("yes")]
    assert replies[0].startswith(EMERGENCY) and not any(YOUNG_PERSON in r for r in replies)
