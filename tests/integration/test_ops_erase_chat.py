"""Erasing a case ends the web chat it came from: nothing is left that ties the parent's chat to the case.

Unless the chat still has another case (a safety concern the duty worker may answer there): then what waited in
it goes and the chat stays. FORGET in the chat ends it too. Real requests throughout, nothing patched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from intake import chat_sessions, queue
from intake.db import unit_of_work
from intake.models import ChatOutbox, ChatSession, Conversation, Enquiry
from tests.conftest import ALWAYS_OPEN, ChatActions, dispose, make_app
from tests.integration.test_console_rights import signed_in
from tests.integration.test_safeguarding_disclosures import RISK, reference_in
from tests.integration.test_webchat_contact import TO_CONTACT_METHOD, send_by_email


@pytest.fixture
def app(tmp_path: Path) -> Any:
    """Open, so a reply in the chat is offered."""
    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)
    yield app
    dispose(app)


def handed_off(app: Flask, how: str) -> tuple[ChatActions, str]:
    """A parent in the web chat who sent an enquiry, to be answered in this chat ("chat") or by e-mail."""
    chat = ChatActions(app.test_client()).open()
    for message in TO_CONTACT_METHOD:
        chat.say(message)
    if how == "chat":
        assert "exactly what a caseworker will see" in chat.texts("1")  # 1: reply here in this chat
        done = chat.texts("yes")
    else:
        done = send_by_email(chat)
    return chat, reference_in([done])


def count(app: Flask, model: Any, *where: Any) -> int:
    with app.extensions["intake"].sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def caseworker_writes(app: Flask, chat: ChatActions, text: str = "Hello, this is Sam.") -> None:
    """A message from a caseworker waiting for the parent's chat page to fetch it."""
    with unit_of_work(app.extensions["intake"].sessions) as session:
        chat_sessions.post_to_parent(session, app.extensions["intake"].keys, chat.session_id, text)


def erase(app: Flask, reference: str) -> None:
    manager = signed_in(app, "morgan", "manager")
    response = manager.post(f"/caseworker/case/{reference}/erase", confirm=reference, identity="in_person")
    assert response.headers["Location"].endswith("/caseworker/queue")
    assert count(app, Enquiry, Enquiry.reference == reference) == 0


def chat_ended(app: Flask, chat: ChatActions) -> bool:
    """The chat's row and what waited for it are gone, and the parent's page is told the chat has ended."""
    gone = count(app, ChatSession, ChatSession.id == chat.session_id) == 0
    emptied = count(app, ChatOutbox, ChatOutbox.session_id == chat.session_id) == 0
    refused = chat.post({"text": "hello?"}).status_code == 401
    return gone and emptied and refused


@pytest.mark.parametrize("how", ["chat", "email"])  # the chat named in the contact details, or found by its key
def test_erasing_a_case_ends_the_web_chat_it_came_from(app: Flask, how: str) -> None:
    chat, reference = handed_off(app, how)
    other, _ = handed_off(app, how)  # another parent's chat, which must not be touched
    caseworker_writes(app, chat)
    caseworker_writes(app, other)
    erase(app, reference)
    assert chat_ended(app, chat)
    key = app.extensions["intake"].engine.contact_key(chat.session_id)
    assert count(app, Conversation, Conversation.contact_key == key) == 0
    assert count(app, ChatSession, ChatSession.id == other.session_id) == 1
    assert count(app, ChatOutbox, ChatOutbox.session_id == other.session_id) == 1
    assert "Hello, this is Sam." in other.client.get(
        f"/api/chat/sessions/{other.session_id}/messages?after=0", headers=other.headers).get_data(as_text=True)


def test_a_chat_opened_before_its_key_was_kept_is_found_by_the_contact_details(app: Flask) -> None:
    chat, reference = handed_off(app, "chat")
    with unit_of_work(app.extensions["intake"].sessions) as session:  # as migration 0006 left an open chat
        session.execute(update(ChatSession).where(ChatSession.id == chat.session_id).values(contact_key=None))
    erase(app, reference)
    assert chat_ended(app, chat)


def test_forget_in_the_chat_ends_it_too(app: Flask) -> None:
    chat, _ = handed_off(app, "chat")
    caseworker_writes(app, chat)
    assert "withdrawn" in chat.texts("FORGET").lower()
    assert count(app, ChatSession, ChatSession.id == chat.session_id) == 0
    assert count(app, ChatOutbox, ChatOutbox.session_id == chat.session_id) == 0


def test_a_chat_that_still_has_a_safety_concern_stays_when_an_earlier_case_from_it_is_erased(app: Flask) -> None:
    chat, reference = handed_off(app, "chat")
    with unit_of_work(app.extensions["intake"].sessions) as session:
        queue.claim(session, "alice", reference)
        queue.close(session, "alice", reference, "advice given", 30)
    caseworker_writes(app, chat, "About your EHC request: all done.")
    concern = reference_in(chat.texts(RISK).splitlines())  # the same chat, later: a new urgent case
    assert concern != reference
    erase(app, reference)
    assert count(app, ChatOutbox, ChatOutbox.session_id == chat.session_id) == 0  # may be about the erased case
    assert count(app, ChatSession, ChatSession.id == chat.session_id) == 1  # the duty worker may answer here
    assert chat.post({"text": "are you there?"}).status_code == 200
