"""While an enquiry waits: "??" or an emoji alone is not kept for the caseworker (it gets where the enquiry is),
and in a web chat whose caseworker is to reply there, "is someone there?" is told they will reply here."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import ALWAYS_OPEN, ChatActions, SmsActions, make_app
from tests.integration.test_console_rights import claimed
from tests.integration.test_queued_case import case_page, chat_hand_off, notes

ADDED = "We have added this to your enquiry"
IN_CHAT = "A caseworker will reply to you here, in this chat, when they pick up your enquiry"


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)


@pytest.mark.parametrize("message", ["??", "...", "\U0001F622", "!!!"])
def test_a_message_with_no_words_is_not_added_and_gets_where_the_enquiry_is(
    app: Flask, sms: SmsActions, message: str
) -> None:
    reference = sms.hand_off()
    reply = "\n".join(sms.send(message))
    assert ADDED not in reply
    assert f"No news yet: your enquiry {reference} is still waiting for a caseworker" in reply
    assert notes(app) == []


def test_a_message_with_no_words_to_a_claimed_enquiry_is_not_passed_on(app: Flask, sms: SmsActions) -> None:
    reference = sms.hand_off()
    claimed(app, reference)
    reply = "\n".join(sms.send("??"))
    assert "passed this" not in reply
    assert reference in reply
    assert notes(app) == []


@pytest.mark.parametrize("message", ["is someone there?", "hello??", "anyone there?", "are you there"])
def test_is_someone_there_in_the_chat_is_told_the_caseworker_replies_here_and_kept(
    app: Flask, chat: ChatActions, message: str
) -> None:
    reference = chat_hand_off(chat)
    reply = chat.texts(message)
    assert f"{IN_CHAT} {reference}" in reply
    assert "number 1 in the queue" in reply
    assert "Reply with a number" not in reply  # not the greeting menu
    assert notes(app) == [message]
    assert message in case_page(app, reference)


def test_is_someone_there_once_a_caseworker_has_it_is_passed_to_them(app: Flask, chat: ChatActions) -> None:
    reference = chat_hand_off(chat)
    claimed(app, reference)
    reply = chat.texts("is someone there?")
    assert f"passed this to the caseworker who has your enquiry {reference}" in reply
    assert notes(app) == ["is someone there?"]
