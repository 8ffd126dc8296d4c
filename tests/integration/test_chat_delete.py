"""'Delete this chat' (FORGET) in the web chat ends the chat: its old token reads nothing more, and the page is told.

A shared computer keeps a tab's sessionStorage (a restored tab, the Back button): the token that was in it must
not fetch the caseworker's replies again, and the page must know to clear itself (`ended` in the reply).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from intake import chat_sessions
from intake.db import unit_of_work
from tests.conftest import ALWAYS_OPEN, ChatActions, dispose, make_app
from tests.integration.test_webchat_contact import TO_CONTACT_METHOD

CASEWORKER = "Hello, this is Sam from the service. I have read about the EHC request."


@pytest.fixture
def app(tmp_path: Path) -> Any:
    """Open, so a reply in the chat is offered."""
    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)
    yield app
    dispose(app)


def sent_with_a_reply_waiting(app: Flask) -> ChatActions:
    """A parent who sent an enquiry from the chat, to be answered there, and a caseworker's reply to it."""
    chat = ChatActions(app.test_client()).open()
    for message in TO_CONTACT_METHOD:
        chat.say(message)
    assert "exactly what a caseworker will see" in chat.texts("1")
    assert "Your reference is" in chat.texts("yes")
    with unit_of_work(app.extensions["intake"].sessions) as session:
        chat_sessions.post_to_parent(session, app.extensions["intake"].keys, chat.session_id, CASEWORKER)
    return chat


def read_from_the_start(chat: ChatActions) -> Any:
    """What a restored tab asks for: every caseworker message, with the token it had kept."""
    return chat.client.get(f"/api/chat/sessions/{chat.session_id}/messages?after=0", headers=chat.headers)


def test_after_delete_the_old_token_reads_no_caseworker_reply(app: Flask) -> None:
    chat = sent_with_a_reply_waiting(app)
    before = read_from_the_start(chat)
    assert before.status_code == 200 and [m["text"] for m in before.get_json()["messages"]] == [CASEWORKER]

    deleted = chat.post({"text": "FORGET"})
    assert deleted.status_code == 200
    body = deleted.get_json()
    assert body["ended"] is True, "the page is told the chat has ended, so it clears itself"
    assert "withdrawn" in " ".join(m["text"] for m in body["messages"])

    after = read_from_the_start(chat)
    assert after.status_code == 401
    assert CASEWORKER not in after.get_data(as_text=True)
    assert "messages" not in after.get_json()
    assert chat.post({"text": "hello?"}).status_code == 401


def test_an_ordinary_message_does_not_end_the_chat(app: Flask) -> None:
    chat = ChatActions(app.test_client()).open()
    response = chat.post({"text": "how long does the council have to decide on an ehc assessment"})
    assert response.status_code == 200 and response.get_json()["ended"] is False
    assert read_from_the_start(chat).status_code == 200
