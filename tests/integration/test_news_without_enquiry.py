"""Asking for news with no open enquiry from this phone or chat gets a plain, true answer, never a topic guessed
from "news" or the greeting menu: none is open (or the last one was closed) and how to reach a person."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import ALWAYS_OPEN, ChatActions, SmsActions, make_app
from tests.integration.test_console import set_clock
from tests.integration.test_console_rights import MORNING, claimed

NONE_OPEN = "We have no open enquiry from this number"
SIX_MONTHS = "6 months"  # the EHC re-request answer the NLU guessed from "news"
MENU = "Reply with a number"


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    """Always open: the hours the replies name never depend on the hour the test runs."""
    return make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)


def said(sms: SmsActions, message: str) -> str:
    return "\n".join(sms.send(message))


def closed_by_caseworker(app: Flask, reference: str) -> None:
    """A caseworker claims the enquiry from the queue and closes it, through the console."""
    set_clock(app, MORNING)
    auth = claimed(app, reference)
    assert auth.post(f"/caseworker/case/{reference}/close", outcome="advice given").status_code == 302


@pytest.mark.parametrize(
    "message",
    ["any news?", "any news on my enquiry", "hello? u said u would ring monday", "whens some1 gonna get back 2 me"],
)
def test_a_new_number_asking_for_news_is_told_none_is_open_and_how_to_reach_a_person(
    sms: SmsActions, message: str
) -> None:
    reply = said(sms, message)
    assert NONE_OPEN in reply
    assert "reply HUMAN" in reply and "01632 960000" in reply  # a caseworker, or the office
    assert SIX_MONTHS not in reply and MENU not in reply


def test_a_new_web_chat_asking_for_news_is_told_none_is_open_from_this_chat(chat: ChatActions) -> None:
    reply = chat.texts("any news?")
    assert "We have no open enquiry from this chat" in reply
    assert "HUMAN" in reply and "01632 960000" in reply
    assert SIX_MONTHS not in reply


@pytest.mark.parametrize("message", ["any news?", "hello? u said u would ring monday"])
def test_after_the_caseworker_closed_it_the_parent_hears_it_was_closed(
    app: Flask, sms: SmsActions, message: str
) -> None:
    reference = sms.hand_off()
    closed_by_caseworker(app, reference)
    reply = said(sms, message)
    assert f"Your enquiry {reference} from this number has been closed" in reply
    assert "reply HUMAN" in reply
    assert SIX_MONTHS not in reply and MENU not in reply and "still waiting" not in reply


def test_a_parent_still_waiting_who_says_u_said_u_would_ring_hears_where_it_is(sms: SmsActions) -> None:
    reference = sms.hand_off()
    reply = said(sms, "hello? u said u would ring monday")
    assert f"No news yet: your enquiry {reference} is still waiting for a caseworker" in reply


def test_a_closed_safety_concern_is_told_as_none_open_with_no_reference(app: Flask, sms: SmsActions) -> None:
    raised = said(sms, "my ex hit my son last night")
    reference = raised.split("ref ")[1][:7]
    closed_by_caseworker(app, reference)
    reply = said(sms, "any news?")
    assert NONE_OPEN in reply
    assert reference not in reply and "closed" not in reply
