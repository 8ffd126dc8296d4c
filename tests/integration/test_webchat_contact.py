"""A caseworker's reply "here in this chat" is offered only when it can reach the parent before the chat closes.

A chat closes SESSION_LIFETIME after the page last reached us, and a new chat is a stranger to the enquiry, so
a reply promised in the chat while the office is closed, or after a longer wait than the chat lasts, would
never arrive (policy 6.1). Office hours are set explicitly in each test; none depends on when it runs.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from bot.channels.webchat import SESSION_LIFETIME
from intake import queue, service_hours
from intake.db import unit_of_work
from intake.models import Enquiry
from tests.conftest import ALWAYS_OPEN, ChatActions, SmsActions, make_app

IN_CHAT = "Reply here in this chat"
# Up to the question "How should we contact you?" in the web chat: keep details, topic, words, school, plan, YES.
TO_CONTACT_METHOD = ("HUMAN", "yes", "2", "Need help with an EHC request", "3", "4", "yes")
LASTS = f"closes after {int(SESSION_LIFETIME.total_seconds() // 3600)} hours away from it"


def never_open() -> tuple[str, str]:
    """(OFFICE_HOURS, BANK_HOLIDAYS) under which the office is closed all through a test run, whenever it runs."""
    today = datetime.now(ZoneInfo("Europe/London")).date()
    monday = today + timedelta(days=-today.weekday() % 7)  # today if Monday, else the next one
    closed: list[date] = [monday, monday + timedelta(days=7)]
    return "Mon 00:00-00:01", ",".join(d.isoformat() for d in closed)


def enquiries(app: Flask) -> list[Enquiry]:
    with app.extensions["intake"].sessions() as session:
        return list(session.scalars(select(Enquiry)))


def ask_how_to_contact(app: Flask) -> tuple[ChatActions, dict[str, str]]:
    """A parent in the web chat at the contact question; the choices offered there, label by key."""
    chat = ChatActions(app.test_client()).open()
    for message in TO_CONTACT_METHOD:
        messages = chat.say(message)
    assert "How should we contact you?" in messages[-1]["text"]
    return chat, {c["key"]: c["label"] for c in messages[-1]["choices"]}


def send_by_email(chat: ChatActions) -> str:
    """Choose e-mail, give the address, let us say who we are, and send; the last reply."""
    assert "e-mail address" in chat.texts("4")
    assert "say who we are" in chat.texts("parent@example.org")
    assert "exactly what a caseworker will see" in chat.texts("yes")
    return chat.texts("yes")


def test_while_closed_the_chat_offers_no_reply_in_it_and_says_how_long_it_stays_open(tmp_path: Path) -> None:
    hours, holidays = never_open()
    app = make_app(tmp_path, OFFICE_HOURS=hours, BANK_HOLIDAYS=holidays)
    chat, offered = ask_how_to_contact(app)
    assert list(offered.values()) == ["Phone call", "Text message", "E-mail"]
    for answer in ("1", IN_CHAT, "web_chat"):  # not offered, so not taken either, however it is typed
        again = chat.texts(answer)
        assert "one of the numbers shown" in again and IN_CHAT not in again
    done = send_by_email(chat)
    assert "We are closed now" in done
    assert "This chat stays open while this page is open" in done and LASTS in done
    assert "call 01632 960000 and quote it" in done  # the way to check on it once this chat has closed
    [enquiry] = enquiries(app)
    assert app.extensions["intake"].keys.decrypt_json(enquiry.contact)["method"] == "email"


def test_while_open_the_reply_in_the_chat_says_how_long_the_chat_stays_open(tmp_path: Path) -> None:
    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)
    chat, offered = ask_how_to_contact(app)
    assert offered["1"].startswith(IN_CHAT) and "keep this page open" in offered["1"] and LASTS in offered["1"]
    assert "exactly what a caseworker will see" in chat.texts("1")
    done = chat.texts("yes")
    assert "Your reference is" in done and LASTS in done and "in this chat to check on it" in done
    [enquiry] = enquiries(app)
    contact = app.extensions["intake"].keys.decrypt_json(enquiry.contact)
    assert contact == {"method": "web_chat", "session_id": chat.session_id}


# A short wait is a minute: ALWAYS_OPEN never closes (open to midnight, and again from midnight), so it is offered
# at any time, 23:59 included; a wait longer than the chat lasts never is.
@pytest.mark.parametrize(("usual_wait", "offered"), [(timedelta(minutes=1), True), (timedelta(hours=3), False)])
def test_the_reply_in_the_chat_is_offered_only_when_the_usual_wait_is_shorter_than_the_chat_lasts(
    tmp_path: Path, usual_wait: timedelta, offered: bool
) -> None:
    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)
    SmsActions(app.test_client()).hand_off()  # an earlier enquiry, picked up after `usual_wait`
    with unit_of_work(app.extensions["intake"].sessions) as session:
        claimed = queue.claim(session, "alice")
        assert claimed.claimed_at is not None
        claimed.created_at = claimed.claimed_at - usual_wait
    _, choices = ask_how_to_contact(app)
    labels = list(choices.values())
    if offered:
        assert labels[0].startswith(IN_CHAT) and LASTS in labels[0]
    else:
        assert labels == ["Phone call", "Text message", "E-mail"]


def test_the_office_closing_before_the_parent_sends_it_asks_for_another_way(tmp_path: Path) -> None:
    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)
    chat, offered = ask_how_to_contact(app)
    assert offered["1"].startswith(IN_CHAT)
    assert "Contact: Reply here in this chat" in chat.texts("1")
    hours, holidays = never_open()
    svc = app.extensions["intake"]
    with unit_of_work(svc.sessions) as session:  # a manager changes the hours while the parent reads it through
        service_hours.save(session, "manager", hours, holidays, svc.hours, datetime.now(ZoneInfo("UTC")))
    reply = chat.say("yes")
    assert "could not reply in this chat before it closes" in reply[0]["text"]
    assert "How should we contact you?" in reply[-1]["text"]
    assert [c["label"] for c in reply[-1]["choices"]] == ["Phone call", "Text message", "E-mail"]
    assert enquiries(app) == []  # nothing sent with a promise it could not keep
    assert "We are closed now" in send_by_email(chat)
    [enquiry] = enquiries(app)
    assert app.extensions["intake"].keys.decrypt_json(enquiry.contact)["method"] == "email"
