""""Help me" gets what the service can help with and how to reach a person; off-topic asks get no SEND answer.

Through signed SMS webhooks and the web chat API, as parents send them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from bot.content import Content, sms_segments
from intake.models import Enquiry
from tests.conftest import ALWAYS_OPEN, ChatActions, SmsActions, make_app

ADDED = "We have added this to your enquiry"
HELP = "I can answer questions about SEND"  # flows/service.yaml messages.help
REACH = "For a caseworker, reply HUMAN or call 01632 960000"


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    """Always open, so a waiting enquiry's replies never depend on the hour."""
    return make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)


def content(app: Flask) -> Content:
    return app.extensions["intake"].content


def notes(app: Flask) -> list[str]:
    """What the parent sent that is kept on their one enquiry."""
    with app.extensions["intake"].sessions() as session:
        enquiry = session.scalars(select(Enquiry)).one()
        return [app.extensions["intake"].keys.decrypt(n.body) for n in enquiry.notes]


def enquiries(app: Flask) -> int:
    with app.extensions["intake"].sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Enquiry)) or 0)


def test_help_me_by_text_says_what_we_help_with_and_how_to_reach_a_person(app: Flask, sms: SmsActions) -> None:
    sms.send("hello")
    help_text, menu = sms.send("help me")
    assert help_text.startswith(HELP) and REACH in help_text  # how to reach a person, by text or phone
    assert menu.startswith(content(app).text("menu_intro")) and "\n2 EHC plans" in menu
    assert sms_segments(help_text) == 1 and sms_segments(menu) == 1  # two texts, each paid for once
    assert "\n1 " in "\n".join(sms.send("1"))  # the menu's number picks a category: no form was started
    assert enquiries(app) == 0
    # Help with something is a question, and gets its answer.
    answer = "\n".join(sms.send("can you help me, my son has been excluded from school"))
    assert HELP not in answer and "exclu" in answer.lower()


@pytest.mark.parametrize(
    "message",
    ["help me", "HELP", "Please help!", "can you help me?", "I need some help", "hi can anyone help",
     "help me i don't know what to do", "i need advice"],
)
def test_asking_for_help_in_the_chat_gets_the_help_and_the_menu_not_a_topic(
    app: Flask, chat: ChatActions, message: str
) -> None:
    reply = chat.say(message)
    assert reply[0]["text"].startswith(HELP) and REACH in reply[0]["text"]
    assert reply[1]["text"] == content(app).text("menu_intro") and len(reply[1]["choices"]) >= 5
    assert HELP not in chat.texts("MENU")  # MENU stays the menu on its own


def test_help_me_while_the_enquiry_waits_is_answered_not_added_to_it(app: Flask, sms: SmsActions) -> None:
    reference = sms.hand_off()
    reply = "\n".join(sms.send("help me please"))
    assert HELP in reply and ADDED not in reply
    assert notes(app) == []
    assert f"{ADDED} {reference}" in "\n".join(sms.send("the school rang again today"))


def test_asking_the_time_by_text_is_told_what_we_help_with_not_our_opening_hours(app: Flask, sms: SmsActions) -> None:
    sms.send("hello")
    for message in ("what time is it", "what's the time?", "do you know what time it is"):
        not_understood, menu = sms.send(message)
        assert not_understood == content(app).text("not_understood"), message
        assert menu.startswith(content(app).text("menu_intro"))
    # Asking when to ring us is still about our hours.
    assert "Our office is open" in "\n".join(sms.send("what time is it best to call you?"))


def test_asking_us_to_book_a_taxi_in_the_chat_gets_no_school_transport_answer(app: Flask, chat: ChatActions) -> None:
    transport = content(app).topics["school_transport"].answer
    for message in ("can you book me a taxi", "Can you call me a taxi please"):
        reply = chat.texts(message)
        assert reply.startswith(content(app).text("not_understood")), message
        assert transport[:40] not in reply and content(app).text("clarify") not in reply
    assert transport[:40] in chat.texts("how do i book a taxi to school for my son")


def test_asking_for_the_wifi_password_is_told_what_we_help_with(app: Flask, sms: SmsActions, chat: ChatActions) -> None:
    sms.send("hello")
    for message in ("what's the wifi password", "wifi code please", "can I have the wi-fi password?"):
        not_understood, menu = sms.send(message)
        assert not_understood == content(app).text("not_understood"), message
        assert menu.startswith(content(app).text("menu_intro"))
        assert chat.texts(message).startswith(content(app).text("not_understood")), message
