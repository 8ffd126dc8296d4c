"""Child-protection worries a user-journey review found missed as a first text (policy 7.1), through the real SMS
webhook and web chat: a child shut away as punishment or held down by staff, asked for pictures by another child,
hurt by transport staff, left soiled, unfed or without medicine, forgotten on the bus; and a partner's threat to
strangle the parent. Before, each got a topic answer, topic suggestions or "Sorry, I didn't understand that".
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import ChatActions, SmsActions
from tests.integration.test_safeguarding_missed_phrases import NSPCC, urgent
from tests.integration.test_safety_young_person import EMERGENCY, sms_safe
from tests.integration.test_voice import CallActions

QUESTION = "is a child in danger, or being hurt, now or at other times?"
DOMESTIC_ABUSE = "0808 2000 247"  # the National Domestic Abuse Helpline (Refuge), free, day or night


@pytest.mark.parametrize(
    ("message", "category"),
    [
        # the review's own first texts
        ("the taxi driver pushed him", "physical harm"),
        ("he was put in a cupboard as punishment", "seclusion or held down"),
        ("older kid keeps asking my daughter for pics", "sexual abuse or exploitation"),
        ("he comes home soaked in wee every day, they never change him", "neglect"),
        ("they forgot him on the bus again he was there 2 hours", "neglect"),
        # the same worries as parents text them
        ("held down by 3 staff", "seclusion or held down"),
        ("put in isolation booth all day and not let out for the toilet", "seclusion or held down"),
        ("put in a cupboard for being naughty", "seclusion or held down"),
        ("hes been locked in the calm room for hours", "seclusion or held down"),
        ("older kid keeps askin my dd for pix", "sexual abuse or exploitation"),
        ("boy in his class keeps asking him for pictures", "sexual abuse or exploitation"),
        ("this lad keeps sending her pics and wants pics of her", "sexual abuse or exploitation"),
        ("bus driver pushed her", "physical harm"),
        ("left in a dirty nappy all day", "neglect"),
        ("school forgot to give him his insulin again", "neglect"),
        ("staff restrained him face down on the floor", "seclusion or held down"),
        ("school keep forgetting to give him his medication", "neglect"),
    ],
)
def test_by_sms_each_worry_gets_999_and_an_urgent_case_at_once(
    app: Flask, sms: SmsActions, message: str, category: str
) -> None:
    replies = "\n".join(sms.send(message))
    assert replies.startswith(EMERGENCY) and NSPCC in replies and "0800 1111" in replies, replies
    assert "didn't understand" not in replies and "Did you mean" not in replies and QUESTION not in replies
    [concern] = urgent(app)
    assert concern.reference in replies
    triggers = app.extensions["intake"].keys.decrypt_json(concern.safeguarding)
    assert any(t.startswith(category + ": ") for t in triggers), triggers


@pytest.mark.parametrize(
    "message",
    ["they forgot him on the bus", "they left him in a wet nappy", "he wasnt given his medication today"],
)
def test_a_one_off_lapse_in_a_child_s_care_gets_the_safety_question(
    app: Flask, sms: SmsActions, message: str
) -> None:
    """Once, it may be a slip to complain about; the question lets the parent say if it is more."""
    [question] = sms.send(message)
    assert QUESTION in question and "999" not in question
    assert not urgent(app)


@pytest.mark.parametrize(
    "message",
    ["can they put him in isolation", "how do I complain about the taxi", "the bus is always late",
     "school wont let him take pics on the trip", "he needs help with toileting at school is that in his plan",
     "can school give him his medicine", "he was put in isolation for a day for his uniform",
     "school wont let him go to the toilet in lessons can they do that", "the TA pushed him in his wheelchair",
     "his teacher pushes him to read more", "can school send me pics of his work",
     "my mum will strangle me", "dad will kill me if i fail", "my husband says the stress will kill me",
     "can staff hold him down if he kicks off"],
)
def test_everyday_send_questions_are_not_urgent(app: Flask, sms: SmsActions, message: str) -> None:
    replies = "\n".join(sms.send(message))
    assert "999" not in replies and NSPCC not in replies, replies
    assert not urgent(app)


@pytest.mark.parametrize(
    "message",
    ["my ex will strangle me", "my partner said he'll strangle me", "husband threatened to strangle me",
     "my boyfriend is going to choke me", "the kids dad said he will strangle me"],
)
def test_a_partner_s_threat_to_strangle_the_parent_is_urgent_with_domestic_abuse_help(
    app: Flask, sms: SmsActions, message: str
) -> None:
    """Strangling by a partner is the strongest warning of a killing to come, and the children live there too."""
    safety, help_, *_ = sms.send(message)
    assert safety.startswith(EMERGENCY) and QUESTION not in safety
    assert DOMESTIC_ABUSE in help_ and "999" in help_ and "free" in help_
    sms_safe(help_)
    [concern] = urgent(app)
    assert concern.reference in safety


def test_on_the_phone_a_partner_s_threat_is_urgent_and_the_helpline_is_read_out(
    app: Flask, client: FlaskClient
) -> None:
    caller = CallActions(client)
    caller.call()
    said = caller.say("my ex will strangle me")
    assert said.startswith("If a child is in immediate danger, please hang up and call 9 9 9 now.")
    assert "0 8 0 8, 2 0 0 0, 2 4 7" in said and DOMESTIC_ABUSE not in said  # read digit by digit
    assert len(urgent(app)) == 1


def test_in_the_web_chat_a_child_shut_in_a_cupboard_is_urgent_at_once(app: Flask, chat: ChatActions) -> None:
    replies = [m["text"] for m in chat.say("he was put in a cupboard as punishment")]
    assert replies[0].startswith(EMERGENCY) and NSPCC in replies[0], replies
    [concern] = urgent(app)
    assert concern.reference in replies[0]
