"""A parent in crisis themselves, vague hints of trouble at home, and the next step after a disclosure.

Through the real signed SMS webhook and web chat (tests/conftest.py), nothing patched.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.content import sms_segments
from intake.models import Enquiry
from tests.conftest import ChatActions, SmsActions

ADULT_HELP = ("999", "116 123", "NHS 111", "85258")
OPT_OUT = ("STOP", "CANCEL", "END", "QUIT")


def urgent(app) -> list[Enquiry]:
    with app.extensions["intake"].sessions() as session:
        return list(session.scalars(select(Enquiry).where(Enquiry.priority == "urgent")))


def _sms_safe(text: str) -> None:
    assert sms_segments(text) <= 3 and all(ord(c) < 128 for c in text)
    assert not any(word in text.upper().replace(".", " ").replace(",", " ").split() for word in OPT_OUT)


def test_parent_in_crisis_gets_adult_help_first_and_a_duty_caseworker(app, sms: SmsActions) -> None:
    replies = sms.send("I cant cope anymore I just want it all to end")
    first = replies[0]
    assert all(n in first for n in ADULT_HELP) and "Samaritans" in first
    assert "Childline" not in first and "is a child in danger" not in first.lower()
    assert "HUMAN" in first  # a caseworker offered, and the way to be reached
    _sms_safe(first)
    [concern] = urgent(app)
    assert concern.reference in first
    triggers = app.extensions["intake"].keys.decrypt_json(concern.safeguarding)
    assert any(t.startswith("parent in crisis") for t in triggers)
    text = "\n".join(replies).lower()
    assert "opening" not in text and "hours" not in text  # never a topic answer


def test_i_mean_me_gets_adult_help_not_childline(app, sms: SmsActions) -> None:
    replies = sms.send("i mean me, i dont want to be here anymore")
    assert "116 123" in replies[0] and "Childline" not in replies[0]
    assert urgent(app)


def test_crisis_on_web_chat(app, chat: ChatActions) -> None:
    replies = chat.say("ive been thinking about ending my life")
    assert all(n in replies[0]["text"] for n in ADULT_HELP)
    assert urgent(app)


def test_parent_in_crisis_and_a_child_at_risk_gets_both(app, sms: SmsActions) -> None:
    replies = sms.send("I want to kill myself and my partner hits the kids")
    assert "116 123" in replies[0] and "0808 800 5000" in replies[1]
    [concern] = urgent(app)
    assert concern.reference in replies[0] and concern.reference in replies[1]


def test_parent_distress_gets_help_and_the_question_then_a_caseworker_not_topics(app, sms: SmsActions) -> None:
    [question] = sms.send("i dont know how much longer i can do this")
    assert "116 123" in question and "YES or NO" in question
    _sms_safe(question)
    replies = sms.send("no")
    assert len(replies) == 1 and "HUMAN" in replies[0] and "carry on with your question" not in replies[0]
    _sms_safe(replies[0])
    assert not urgent(app)


def test_things_at_home_asks_then_offers_a_caseworker(app, sms: SmsActions) -> None:
    [question] = sms.send("things at home arent great at the moment")
    assert "is a child in danger" in question.lower()
    [offer] = sms.send("no")
    assert "HUMAN" in offer


def test_vague_contact_worries_ask_the_question(app, sms: SmsActions) -> None:
    for number, text in (
        ("+447700900301", "my ex has the kids this weekend and my son always comes back really quiet and wont say why"),
        ("+447700900302", "hes started saying he doesnt want to go to his dads"),
    ):
        [question] = SmsActions(sms.client, number).send(text)
        assert "is a child in danger" in question.lower()
        [offer] = SmsActions(sms.client, number).send("no")
        assert "HUMAN" in offer


def test_yes_after_a_vague_hint_raises_the_concern(app, sms: SmsActions) -> None:
    sms.send("hes started saying he doesnt want to go to his dads")
    replies = sms.send("yes")
    assert "0808 800 5000" in replies[0]
    assert urgent(app)


def test_every_risk_message_ends_with_the_next_step(app, sms: SmsActions) -> None:
    replies = sms.send("my ex hits our son at weekends")
    first = replies[0]
    assert "HUMAN" in first and "01632" in first
    assert first.rstrip().endswith(".") and "reach you" in first
    _sms_safe(first)
    # and the reference is still there, under the alert
    [concern] = urgent(app)
    assert concern.reference in first


def test_crisis_on_the_phone_is_spoken_adult_help_and_an_urgent_case(app, client) -> None:
    from tests.integration.test_voice import CallActions

    caller = CallActions(client)
    caller.call()
    said = caller.say("I just want it all to end, I can't cope any more")
    assert said.startswith("I'm so sorry") and "Samaritans" in said and "1 1 6, 1 2 3" in said
    assert "9 9 9" in said and "Childline" not in said
    [concern] = urgent(app)
    assert ", ".join(concern.reference.replace("-", "")) in said  # the reference read out letter by letter


@pytest.mark.parametrize("words", ["things at home arent great and i want help with his plan",
                                   "he keeps getting hit at school and i want to complain"])
def test_in_the_form_no_to_a_worry_keeps_the_parents_words_and_the_form_goes_on(sms: SmsActions, words: str) -> None:
    for message in ("HUMAN", "yes", "1"):
        sms.send(message)
    [question] = sms.send(words)
    assert "is a child in danger" in question.lower()
    after = "\n".join(sms.send("no"))
    assert "stage of education" in after and "Reply HUMAN" not in after  # already asking for a caseworker
    for message in ("2", "1", "no"):
        confirm = "\n".join(sms.send(message))
    assert words in confirm


def test_on_the_phone_no_to_a_worry_says_how_to_ask_for_a_call_back(app, client) -> None:
    from tests.integration.test_voice import CallActions

    caller = CallActions(client)
    caller.call()
    assert "now or at other times" in caller.say("things at home arent great at the moment")
    said = caller.press("2")
    assert "press 2 at the main menu" in said and "Reply HUMAN" not in said and "9 9 9" in said
    assert "To pass your question to a caseworker" in caller.press("2")  # 2 at the main menu: a call back
    assert not urgent(app)
