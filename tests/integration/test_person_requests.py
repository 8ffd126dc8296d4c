"""Asking for a person in your own words starts the hand-off as HUMAN does; a bare YES to "did you mean" is helped."""

from __future__ import annotations

import pytest

from tests.conftest import ChatActions, SmsActions

CONSENT = "Is that OK?"  # the hand-off form's first question


@pytest.mark.parametrize(
    "words",
    [
        "i want to speak to a caseworker",
        "Speak to a caseworker.",
        "I would like to speak to a caseworker please",
        "i want a caseworker",
        "can i chat to a caseworker",
        "can a caseworker ring me back?",
        "can a caseworker call me",
    ],
)
def test_asking_for_a_person_by_sms_or_web_chat_starts_the_hand_off(
    sms: SmsActions, chat: ChatActions, words: str
) -> None:
    texted = "\n".join(sms.send(words))
    assert CONSENT in texted and "Did you mean" not in texted
    typed = chat.texts(words)
    assert CONSENT in typed and "Did you mean" not in typed


def test_asking_for_a_person_while_waiting_says_where_the_enquiry_is(sms: SmsActions) -> None:
    reference = sms.hand_off()
    reply = "\n".join(sms.send("i want to speak to a caseworker"))
    assert f"Your enquiry {reference} is already waiting for a caseworker" in reply


def test_a_bare_yes_to_did_you_mean_asks_for_the_number_and_keeps_the_choices(chat: ChatActions) -> None:
    offered = chat.say("can i home educate")
    assert "Did you mean" in offered[0]["text"]
    again = chat.say("yes")
    assert "Thanks. Ask me a question" not in again[0]["text"]
    assert "number" in again[0]["text"] and again[0]["choices"] == offered[0]["choices"]
    chosen = chat.say("1")  # the choices still stand
    assert chosen[0]["text"] != again[0]["text"] and "Thanks. Ask me a question" not in chosen[0]["text"]


def test_a_bare_yes_by_sms_to_did_you_mean_asks_for_the_number(sms: SmsActions) -> None:
    sms.send("can i home educate")
    reply = sms.send("yes")
    assert "Which one? Reply with a number:\n1 " in reply[0] and "Thanks. Ask me" not in reply[0]


def test_yes_to_the_one_other_question_offered_answers_it(sms: SmsActions) -> None:
    *_, offer = sms.send("what is an ehcp and how long does the council have to decide")
    assert offer.startswith("You asked another question too")
    assert "6 weeks" in sms.send("yes")[0]
