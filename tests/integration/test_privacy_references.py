"""A quoted reference gives its status only to the phone or chat that made it (policy 2.1).

Anyone else who quotes a code, real or made up, gets the same words, so holding a reference never confirms
that a parent contacted the service or how their enquiry is going.
"""

from __future__ import annotations

import pytest
from flask import Flask

from intake import queue
from intake.db import unit_of_work
from tests.conftest import ChatActions, SmsActions

STRANGER = "+447700900777"
UNUSED = "ZZZ-999"  # never issued in these tests: each app starts on an empty database


def move_to(app: Flask, reference: str, status: str) -> None:
    """A caseworker takes the enquiry (claimed), and closes it too (closed)."""
    if status == "queued":
        return
    with unit_of_work(app.extensions["intake"].sessions) as session:
        queue.claim(session, "alice", reference)
        if status == "closed":
            queue.close(session, "alice", reference, "advice given", 30)


def first_reply_to(sms: SmsActions, number: str, text: str) -> str:
    """What a phone that has texted before sees (no first-message privacy line in the way)."""
    sms.send("hello", number=number)
    return "\n".join(sms.send(text, number=number))


@pytest.mark.parametrize("status", ["queued", "claimed", "closed"])
def test_another_phone_gets_the_same_reply_as_for_a_code_that_does_not_exist(app, sms: SmsActions,
                                                                             status: str) -> None:
    reference = sms.hand_off()
    move_to(app, reference, status)
    real = first_reply_to(sms, STRANGER, f"my reference is {reference}")
    made_up = "\n".join(sms.send(f"my reference is {UNUSED}", number=STRANGER))
    assert real == made_up
    assert "For your privacy" in real and "HUMAN" in real
    for giveaway in (reference, "queue", "has it", "closed", "found"):
        assert giveaway not in real


def test_a_new_web_chat_gets_the_same_reply_as_for_a_code_that_does_not_exist(sms: SmsActions,
                                                                              chat: ChatActions) -> None:
    reference = sms.hand_off()
    real = chat.texts(f"hi my reference is {reference.lower()}")
    made_up = chat.texts(f"hi my reference is {UNUSED.lower()}")
    assert real == made_up and "For your privacy" in real
    assert reference not in real and "queue" not in real


def test_the_phone_that_made_the_enquiry_still_gets_its_status(app, sms: SmsActions) -> None:
    reference = sms.hand_off()
    reply = "\n".join(sms.send(f"any news on {reference}?"))
    assert reference in reply and "number 1 in the queue" in reply
    assert "Please help with support" not in reply  # status only, never content
    typed = reference.replace("-", " ").lower()  # read off the screen and typed by hand
    assert "number 1 in the queue" in "\n".join(sms.send(typed))
    move_to(app, reference, "closed")
    assert "It has been closed" in "\n".join(sms.send(reference))


def test_the_chat_that_made_the_enquiry_still_gets_its_status(chat: ChatActions) -> None:
    for message in ("HUMAN", "yes", "1", "Please help with support", "2", "1", "no"):
        chat.say(message)
    done = chat.texts("yes")
    reference = done.split("reference is ", 1)[1][:7]
    assert "number 1 in the queue" in chat.texts(f"ref {reference}")


def test_a_bus_number_is_not_taken_for_a_reference(sms: SmsActions) -> None:
    # "THE 345" has a reference's shape; without the hyphen or the word "reference" it is just words.
    reply = first_reply_to(sms, STRANGER, "can my son get the 345 bus to school for free")
    assert "For your privacy" not in reply
