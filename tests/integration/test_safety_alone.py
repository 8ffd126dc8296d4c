"""A child at risk gets the safety reply on its own: never a topic answer after it, on any channel (policy 7.1).

Through the real signed SMS and voice webhooks and the web chat (tests/conftest.py), nothing patched.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import ChatActions, SmsActions
from tests.integration.test_voice import CallActions

TEACHER = "my son's teacher hit him"
BRUISES = "my daughter came home with bruises, I think someone at school is hurting her"
EMERGENCY = "If a child is in immediate danger, call 999 now."
NEXT_STEP = "Reply HUMAN to give a safe way to reach you, or call 01632 960000 when we're open."
# Words of the topic answers these messages used to get after the safety reply (flows/topics: the SENCO, and
# being sent home), written and spoken, and of the texted line that follows an answer.
TOPIC_WORDS = ("class teacher", "qualified teacher", "without a formal exclusion", "headteacher", "More help")
MAINLY_ABOUT = "What is it mainly about?"
# After the safety reply HUMAN asks only how to reach the parent safely, the first question its consent.
CONTACT_FIRST = "Would you like a caseworker to contact you?"
HOW = "How should we contact you?"


def privacy_line(app: Flask) -> str:
    """The line the first texts carry: no name is needed, and how to read the privacy notice."""
    return str(app.extensions["intake"].engine.content.text("privacy_line"))


def no_topic_answer(text: str) -> None:
    for words in TOPIC_WORDS:
        assert words not in text, words


def asks_how_to_reach_them(human: str, yes: str) -> None:
    """HUMAN, then yes: the contact questions, never the topic menu (no topic was taken from the risk message)."""
    assert CONTACT_FIRST in human and HOW in yes, (human, yes)
    for text in (human, yes):
        assert MAINLY_ABOUT not in text
        no_topic_answer(text)


@pytest.mark.parametrize("message", [TEACHER, BRUISES])
def test_by_sms_the_safety_reply_stands_alone_and_human_asks_how_to_reach_you(
    app: Flask, sms: SmsActions, message: str
) -> None:
    replies = sms.send(message)
    assert len(replies) == 2, replies
    safety, privacy = replies
    assert safety.startswith(EMERGENCY) and safety.endswith(NEXT_STEP)
    assert privacy == privacy_line(app)  # the first texts' privacy line, on a text of its own after the safety one
    no_topic_answer("\n".join(replies))
    asks_how_to_reach_them("\n".join(sms.send("HUMAN")), "\n".join(sms.send("yes")))


@pytest.mark.parametrize("message", [TEACHER, BRUISES])
def test_in_the_web_chat_the_safety_reply_stands_alone_and_human_asks_how_to_reach_you(
    chat: ChatActions, message: str
) -> None:
    replies = chat.say(message)
    assert len(replies) == 1, [m["text"] for m in replies]
    [safety] = replies
    assert safety["text"].startswith(EMERGENCY) and safety["text"].endswith(NEXT_STEP)
    assert safety["choices"] == []
    asks_how_to_reach_them(chat.texts("HUMAN"), chat.texts("yes"))


def test_a_risk_the_parent_confirms_gets_the_safety_reply_alone(app: Flask, chat: ChatActions) -> None:
    [question] = chat.say("the staff used restraint on him today")
    assert "danger" in question["text"]
    replies = chat.say("yes")
    assert [m["text"][: len(EMERGENCY)] for m in replies] == [EMERGENCY], [m["text"] for m in replies]
    no_topic_answer(replies[0]["text"])
    asks_how_to_reach_them(chat.texts("HUMAN"), chat.texts("yes"))


def test_after_a_hand_off_a_risk_message_gets_the_safety_reply_alone(app: Flask, sms: SmsActions) -> None:
    reference = sms.hand_off()
    replies = sms.send(TEACHER)
    assert len(replies) == 1, replies
    assert replies[0].startswith(EMERGENCY) and f"passed your enquiry {reference}" in replies[0]
    no_topic_answer(replies[0])


@pytest.mark.parametrize("keys", [(), ("1",), ("1", "1"), ("1", "1", "1")],
                         ids=["main menu", "subjects", "topics", "after an answer"])
def test_on_the_phone_the_safety_words_are_followed_by_the_choices_only(
    app: Flask, client: FlaskClient, keys: tuple[str, ...]
) -> None:
    caller = CallActions(client)
    caller.call()
    for key in keys:
        caller.press(key)
    said = caller.say(TEACHER)
    assert said.startswith("If a child is in immediate danger, please hang up and call 9 9 9 now.")
    safety, _, after = said.partition("When you are ready, here are the choices again.")
    assert "tell us a safe way to contact you" in safety and after.strip(), said
    no_topic_answer(said)
    assert not caller.hung_up


def test_on_the_phone_a_call_back_after_the_safety_words_asks_how_to_call_back(
    app: Flask, client: FlaskClient
) -> None:
    caller = CallActions(client)
    caller.call()
    caller.say(TEACHER)
    heard = caller.press("2")  # a call back
    assert "a few questions about how to contact you" in heard
    asks_how_to_reach_them(heard, caller.press("1"))  # yes to being contacted: how, not what it is about


def test_after_a_hand_off_a_worrying_hint_on_the_urgent_case_gets_the_safety_reply_alone(
    app: Flask, sms: SmsActions
) -> None:
    reference = sms.hand_off()
    sms.send(TEACHER)  # the enquiry is urgent now
    replies = sms.send("the staff used restraint on him today")
    assert len(replies) == 1, replies  # no "is a child in danger?" question, and no topic answer after it
    assert f"added this to your urgent concern for our duty caseworker, ref {reference}" in replies[0]
    no_topic_answer(replies[0])
