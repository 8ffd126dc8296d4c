"""After a caseworker claims the case: true words about contact, general answers, messages passed on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from intake import queue
from intake.db import unit_of_work
from intake.models import Enquiry
from tests.conftest import ALWAYS_OPEN, ChatActions, SmsActions, make_app

PROMISE = "will contact you as you agreed"


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    """Always open, so the web chat offers a caseworker's reply in the chat whatever the hour."""
    return make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)


def claim(app: Flask) -> None:
    with unit_of_work(app.extensions["intake"].sessions) as session:
        queue.claim(session, "alice")


def notes(app: Flask) -> list[str]:
    """The parent's messages on the case page, as the caseworker reads them."""
    with app.extensions["intake"].sessions() as session:
        enquiry = session.scalars(select(Enquiry)).one()
        return [app.extensions["intake"].keys.decrypt(n.body) for n in enquiry.notes]


def said(sms: SmsActions, message: str) -> str:
    return "\n".join(sms.send(message))


def test_no_contact_parent_is_never_promised_a_call_and_keeps_general_answers(app: Flask, sms: SmsActions) -> None:
    reference = sms.hand_off()  # "No, I will contact you"
    claim(app)
    for keyword in ("HUMAN", reference, reference.replace("-", "").lower()):
        status = said(sms, keyword)
        assert reference in status and "You said you would contact us" in status and PROMISE not in status
        assert "01632 960000" in status
    for keyword in ("MENU", "HELP"):
        assert "Reply with a number:" in said(sms, keyword)
    assert "Reply with a number:" in said(sms, "1")  # the menu's own number picks a category, not a message
    answer = said(sms, "what is a senco")
    assert "SENCO" in answer and "passed" not in answer
    assert notes(app) == []  # a general question is not put on the case
    passed = said(sms, "he was sent home again today")
    assert "passed this to the caseworker" in passed and "they won't contact you" in passed
    assert "01632 960000" in passed and PROMISE not in passed
    assert notes(app) == ["he was sent home again today"]


def test_parent_who_agreed_to_contact_hears_so_and_messages_reach_the_caseworker(app: Flask, chat: ChatActions) -> None:
    for message in ("HUMAN", "yes", "1", "Support at school has stopped", "3", "4", "yes", "1"):
        chat.say(message)
    reference = re.findall(r"[A-Z]{3}-\d{3}", chat.texts("yes"))[0]
    claim(app)
    assert PROMISE in chat.texts("HUMAN")
    assert PROMISE in chat.texts(f"my reference is {reference}")
    assert "SENCO" in chat.texts("What is a SENCO?")
    assert "passed this to the caseworker" in chat.texts("any news?")
    assert notes(app) == ["any news?"]


def test_names_and_numbers_texted_after_the_claim_are_taken_out_and_the_parent_told(
    app: Flask, sms: SmsActions
) -> None:
    reference = sms.hand_off()  # "No, I will contact you"
    claim(app)
    reply = said(sms, "my name is Jo Bloggs, call me on 07700900456, son is Tom at Oak Primary")
    assert "passed this to the caseworker" in reply and "took out" in reply
    assert "a phone number" in reply and "a name" in reply and "a school name" in reply
    # They asked for a call after saying they would contact us: told plainly how to reach us, not ignored.
    assert "they won't contact you. To change that, call 01632 960000 and quote it" in reply and reference in reply
    [note] = notes(app)
    for detail in ("Jo Bloggs", "07700900456", "Oak Primary"):  # as the form takes them out (intake/minimise.py)
        assert detail not in note
    assert "[phone number removed]" in note and "call me on" in note


def test_a_parent_who_agreed_to_contact_is_told_how_to_change_it_when_a_number_is_taken_out(
    app: Flask, chat: ChatActions
) -> None:
    for message in ("HUMAN", "yes", "1", "Support at school has stopped", "3", "4", "yes", "1", "yes"):
        chat.say(message)
    claim(app)
    reply = chat.texts("my new number is 07700 900456")
    assert "took out a phone number" in reply and "To change how we contact you, call 01632 960000" in reply
    assert notes(app) == ["my new number is [phone number removed]"]


def test_a_question_after_the_chat_expired_on_a_menu_is_answered_without_talk_of_deleted_answers(
    app: Flask, sms: SmsActions
) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from intake.models import Conversation, utcnow

    sms.hand_off()
    claim(app)
    said(sms, "MENU")
    with unit_of_work(app.extensions["intake"].sessions) as session:  # days later: the chat state has gone
        session.execute(update(Conversation).values(expires_at=utcnow() - timedelta(minutes=1)))
    answer = said(sms, "what is a senco")
    assert "SENCO" in answer and "unfinished" not in answer
    assert notes(app) == []


def test_asking_for_your_caseworker_in_your_own_words_says_where_the_enquiry_is(app: Flask, sms: SmsActions) -> None:
    sms.hand_off()
    claim(app)
    reply = said(sms, "can i add something, the school said no to ehcp assesment today")
    assert "passed this to the caseworker" in reply and "ribunal" not in reply
    assert notes(app) == ["can i add something, the school said no to ehcp assesment today"]
    reply = said(sms, "i want to speak to my caseworker")  # as HUMAN: where the enquiry is
    assert "A caseworker has your enquiry" in reply and "passed" not in reply
