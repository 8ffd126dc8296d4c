"""The quick exit ends the web chat on the server, for the token the page held, and only for it.

The page leaves at once and cannot wait for an answer, so it sends a beacon: a POST whose body carries the token
(a beacon cannot set an Authorization header, and a token in the address would end up in logs and history).
After it the token the tab had kept reads nothing and cannot post as the parent: a restored tab, or anyone who
copied the token, finds the chat ended. An enquiry already sent is not withdrawn: leaving in a hurry is not
asking us to drop the case ('Delete this chat' does that).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from intake import chat_sessions
from intake.crypto import contact_key
from intake.db import unit_of_work
from intake.models import ChatOutbox, ChatSession, Conversation, Enquiry
from tests.conftest import ALWAYS_OPEN, ChatActions, dispose, make_app
from tests.integration.test_webchat_contact import TO_CONTACT_METHOD

CASEWORKER = "Hello, this is Sam from the service. I have read about the EHC request."


@pytest.fixture
def app(tmp_path: Path) -> Any:
    """Open, so a reply in the chat is offered."""
    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)
    yield app
    dispose(app)


def caseworker_replies(app: Flask, chat: ChatActions) -> None:
    with unit_of_work(app.extensions["intake"].sessions) as session:
        chat_sessions.post_to_parent(session, app.extensions["intake"].keys, chat.session_id, CASEWORKER)


def read_from_the_start(chat: ChatActions) -> Any:
    """What a restored tab asks for: every caseworker message, with the token it had kept."""
    return chat.client.get(f"/api/chat/sessions/{chat.session_id}/messages?after=0", headers=chat.headers)


def quick_exit(chat: ChatActions, session_id: str | None = None, **form: str) -> Any:
    """What the page's beacon sends on a quick exit: a form-encoded body, no headers of its own, no cookie."""
    return chat.client.post(f"/api/chat/sessions/{session_id or chat.session_id}/end", data=form)


def still_reads_the_reply(chat: ChatActions) -> bool:
    response = read_from_the_start(chat)
    return response.status_code == 200 and [m["text"] for m in response.get_json()["messages"]] == [CASEWORKER]


def count(app: Flask, statement: Any) -> int:
    with app.extensions["intake"].sessions() as session:
        return int(session.scalar(statement) or 0)


def test_after_a_quick_exit_the_old_token_reads_nothing_and_cannot_post(app: Flask) -> None:
    chat = ChatActions(app.test_client()).open()
    for message in TO_CONTACT_METHOD:
        chat.say(message)
    assert "exactly what a caseworker will see" in chat.texts("1")
    assert "Your reference is" in chat.texts("yes")
    caseworker_replies(app, chat)
    assert still_reads_the_reply(chat)

    left = quick_exit(chat, token=chat.token)
    assert left.status_code == 204
    assert "Set-Cookie" not in left.headers

    after = read_from_the_start(chat)
    assert after.status_code == 401 and CASEWORKER not in after.get_data(as_text=True)
    posted = chat.post({"text": "hello, it's me again"})
    assert posted.status_code == 401 and "ended" in posted.get_json()["error"]
    # Nothing of the chat is left to find: the chat, the reply that waited in it, where the conversation had got to.
    assert count(app, select(func.count()).select_from(ChatSession)) == 0
    assert count(app, select(func.count()).select_from(ChatOutbox)) == 0
    hash_key = app.extensions["intake"].settings.hash_key
    web = select(func.count()).select_from(Conversation).where(
        Conversation.channel == "web", Conversation.contact_key == contact_key(hash_key, chat.session_id))
    assert count(app, web) == 0
    # The enquiry the parent sent stays with the service: a hurried exit is not a withdrawal.
    assert count(app, select(func.count()).select_from(Enquiry)) == 1

    again = quick_exit(chat, token=chat.token)
    assert again.status_code == 401, "an ended chat cannot be ended twice: nothing is left to act on"


def test_a_quick_exit_mid_form_leaves_nothing_of_the_draft(app: Flask) -> None:
    chat = ChatActions(app.test_client()).open()
    for message in TO_CONTACT_METHOD[:4]:  # the parent's own words are in the draft by now
        chat.say(message)
    hash_key = app.extensions["intake"].settings.hash_key
    web = select(func.count()).select_from(Conversation).where(
        Conversation.channel == "web", Conversation.contact_key == contact_key(hash_key, chat.session_id))
    assert count(app, web) == 1
    assert quick_exit(chat, token=chat.token).status_code == 204
    assert count(app, web) == 0
    assert chat.post({"text": "4"}).status_code == 401


def test_no_one_can_end_a_chat_without_its_token(app: Flask) -> None:
    parent = ChatActions(app.test_client()).open()
    parent.say("how long does the council have to decide on an ehc assessment")
    caseworker_replies(app, parent)
    other = ChatActions(app.test_client()).open()

    refused = [
        quick_exit(parent),  # no token at all
        quick_exit(parent, token=""),
        quick_exit(parent, token=parent.token[:-2] + "xx"),  # nearly right
        quick_exit(parent, token=other.token),  # a real token, for another chat
        quick_exit(other, session_id=parent.session_id, token=other.token),
        # Never from the address: a token in a URL would be kept in logs and history.
        parent.client.post(f"/api/chat/sessions/{parent.session_id}/end?token={parent.token}"),
        # A page on another site may post a form here, but without the token it can do nothing.
        parent.client.post(f"/api/chat/sessions/{parent.session_id}/end", data={"token": "guess"},
                           headers={"Origin": "https://elsewhere.example"}),
    ]
    assert [r.status_code for r in refused] == [401] * len(refused)
    assert all("error" in r.get_json() for r in refused)
    assert still_reads_the_reply(parent), "the parent's chat is untouched"
    assert parent.post({"text": "MENU"}).status_code == 200 and read_from_the_start(other).status_code == 200

    # Only a POST ends a chat: a link followed or an image loaded on some page cannot.
    assert parent.client.get(f"/api/chat/sessions/{parent.session_id}/end?token={parent.token}").status_code == 405
    assert still_reads_the_reply(parent)
