"""Child-protection words the user-journey review found missed, through the real SMS webhook and phone line.

Each got "Sorry, I didn't understand that", the greeting or topic suggestions (no helplines, no urgent case), or
only the safety question, where a "no" (not this minute) then led to topics. Requests are signed as Twilio signs
them (tests/conftest.py); nothing is patched.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intake.models import Enquiry
from tests.conftest import SmsActions
from tests.integration.test_voice import CallActions

NSPCC = "0808 800 5000"
YOUNG_PERSON = "If someone is thinking of suicide or self-harm"


def urgent(app: Flask) -> list[Enquiry]:
    with app.extensions["intake"].sessions() as session:
        return list(session.scalars(select(Enquiry).where(Enquiry.priority == "urgent")))


@pytest.mark.parametrize(
    ("message", "category"),
    [
        ("he tied a rope round his neck", "self-harm or suicide"),
        ("the kids are left alone all weekend", "neglect"),
        ("my ex kidnapped my son and won't bring him back", "child abduction"),
        ("my ex kidnapped the kids and won't say where they are", "child abduction"),
        ("someone took my daughter from school and we can't find her", "child abduction"),
        ("my mum strangled me last night", "physical harm"),
        ("he put his hands round her neck", "physical harm"),
        ("I'm scared of what he'll do to the kids", "domestic abuse or not safe at home"),
        ("my daughter is starving herself", "self-harm or suicide"),
        ("he strangled her", "physical harm"),
        ("a man from online has been messaging my 12 yr old asking for pics", "sexual abuse or exploitation"),
    ],
)
def test_by_sms_each_missed_phrase_gets_999_and_an_urgent_case_at_once(
    app: Flask, sms: SmsActions, message: str, category: str
) -> None:
    first = sms.send(message)[0]
    assert "999" in first and NSPCC in first and "0800 1111" in first
    assert "didn't understand" not in first and "is a child in danger" not in first.lower()
    [concern] = urgent(app)
    assert concern.reference in first
    triggers = app.extensions["intake"].keys.decrypt_json(concern.safeguarding)
    assert any(t.startswith(category + ": ") for t in triggers), triggers


def test_a_rope_round_a_child_s_neck_also_gets_the_young_person_s_crisis_help(app: Flask, sms: SmsActions) -> None:
    safety, young, *_ = sms.send("he tied a rope round his neck")
    assert "999" in safety and young.startswith(YOUNG_PERSON) and "NHS 111, option 2" in young


def test_online_grooming_is_urgent_and_a_no_cannot_turn_it_into_a_topic(app: Flask, sms: SmsActions) -> None:
    """Before, the question came first, and "no" then gave "Did you mean... Privacy"."""
    assert "999" in sms.send("a man from online has been messaging my 12 yr old asking for pics")[0]
    after = "\n".join(sms.send("no"))
    assert "Did you mean" not in after and "Privacy" not in after
    assert len(urgent(app)) == 1


def test_on_the_phone_fear_of_what_he_will_do_to_the_kids_is_urgent_not_the_greeting(
    app: Flask, client: FlaskClient
) -> None:
    caller = CallActions(client)
    caller.call()
    said = caller.say("I'm scared of what he'll do to the kids")
    assert "9 9 9" in said and "N S P C C" in said
    [concern] = urgent(app)
    assert ", ".join(concern.reference.replace("-", "")) in said  # the reference read out letter by letter


def test_a_parent_at_the_end_of_their_rope_gets_adult_help_with_the_question(app: Flask, sms: SmsActions) -> None:
    [question] = sms.send("my sons dad has him and im at the end of my rope, what can i do")
    assert "116 123" in question and "85258" in question and "YES or NO" in question
    [offer] = sms.send("no")
    assert "HUMAN" in offer and "Did you mean" not in offer  # a caseworker, not topics
    assert not urgent(app)


@pytest.mark.parametrize(
    "message",
    ["can I leave my 15 year old alone for an hour", "we did a rope course at school", "she is a fussy eater",
     "he is scared of the dentist"],
)
def test_near_misses_get_no_emergency_reply(app: Flask, sms: SmsActions, message: str) -> None:
    replies = "\n".join(sms.send(message))
    assert "999" not in replies and "is a child in danger" not in replies.lower()
    assert not urgent(app)


@pytest.mark.parametrize(
    "message",
    ["grandma kidnapped the kids for the day", "nan kidnapped them for a sleepover", "my mum will strangle me",
     "mum is going to strangle me when she sees my report", "dad will kill me if i fail"],
)
def test_a_joke_or_a_teenager_s_exaggeration_is_not_an_emergency(app: Flask, sms: SmsActions, message: str) -> None:
    """Before, "grandma kidnapped the kids for the day" and "my mum will strangle me" got the 999 reply, an urgent
    case and a duty alert. A threat said in jest may still be asked about, never made urgent."""
    replies = "\n".join(sms.send(message))
    assert "999" not in replies and NSPCC not in replies, replies
    assert not urgent(app)
