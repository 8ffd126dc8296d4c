"""The web chat API and page: anonymous sessions, bearer tokens, kind errors, no storage of identity."""

from __future__ import annotations

import pytest

from tests.conftest import ChatActions


def test_session_starts_with_greeting_and_privacy_line(client) -> None:
    response = client.post("/api/chat/sessions")
    assert response.status_code == 201
    data = response.get_json()
    assert set(data) == {"session_id", "token", "messages"}
    text = " ".join(m["text"] for m in data["messages"])
    assert "no need to give your name" in text
    assert "If someone could see your screen, choose Exit this page" in text  # policy 1.3: the parent decides
    assert response.headers.get("Set-Cookie") is None


def test_first_message_is_answered_directly(chat: ChatActions) -> None:
    messages = chat.say("how long does the council have to decide on an ehc assessment")
    assert messages[0]["from"] == "bot"
    assert "6 weeks" in messages[0]["text"]
    assert "name" not in messages[0]["text"].lower().split("more help")[0].split("council")[0]


def test_token_is_required(chat: ChatActions, client) -> None:
    url = f"/api/chat/sessions/{chat.session_id}/messages"
    assert client.post(url, json={"text": "hi"}).status_code == 401
    bad = client.post(url, json={"text": "hi"}, headers={"Authorization": "Bearer wrong"})
    assert bad.status_code == 401
    assert "reload" in bad.get_json()["error"]
    other = ChatActions(client).open()
    stolen = client.post(url, json={"text": "hi"}, headers=other.headers)
    assert stolen.status_code == 401


def test_a_chat_stays_open_while_used_and_ends_after_two_idle_hours(app, chat: ChatActions, client) -> None:
    from datetime import timedelta

    from sqlalchemy import select, update

    from intake.db import unit_of_work
    from intake.models import ChatSession, utcnow

    def expiry() -> object:
        with unit_of_work(app.extensions["intake"].sessions) as session:
            return session.scalar(select(ChatSession.expires_at).where(ChatSession.id == chat.session_id))

    before = expiry()
    chat.say("hello")
    assert expiry() > before  # each message keeps the chat alive
    with unit_of_work(app.extensions["intake"].sessions) as session:  # two idle hours later
        session.execute(update(ChatSession).where(ChatSession.id == chat.session_id)
                        .values(expires_at=utcnow() - timedelta(seconds=1)))
    late = client.post(f"/api/chat/sessions/{chat.session_id}/messages", json={"text": "hi"}, headers=chat.headers)
    assert late.status_code == 401 and "reload" in late.get_json()["error"]


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        (None, "could not be read"),
        ({"txt": "hi"}, "could not be read"),
        ({"text": 5}, "could not be read"),
        (["text"], "could not be read"),
        ({"text": "x" * 2001}, "too long"),
    ],
)
def test_bad_input_gets_a_kind_message(chat: ChatActions, payload, fragment: str) -> None:
    response = chat.post(payload)
    assert response.status_code == 400
    assert fragment in response.get_json()["error"]


def test_bad_input_loses_nothing_of_a_half_finished_menu(chat: ChatActions) -> None:
    chat.say("MENU")
    chat.post({"txt": "broken"})
    follow = chat.say("1")
    assert follow[0]["choices"], "the menu position survived the malformed request"


def test_retried_message_with_same_id_is_answered_once(chat: ChatActions) -> None:
    first = chat.post({"text": "what is a senco", "id": "abc123"}).get_json()
    again = chat.post({"text": "what is a senco", "id": "abc123"}).get_json()
    assert first["messages"] and not again["messages"]
    assert again["duplicate"] is True


def test_later_messages_start_empty(chat: ChatActions, client) -> None:
    response = client.get(f"/api/chat/sessions/{chat.session_id}/messages?after=0", headers=chat.headers)
    assert response.status_code == 200
    assert response.get_json() == {"messages": [], "last": 0}
    bad = client.get(f"/api/chat/sessions/{chat.session_id}/messages?after=x", headers=chat.headers)
    assert bad.status_code == 400


def test_chat_page_has_no_third_party_content(client) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "Exit this page" in page
    assert 'label for="message"' in page
    assert "http://" not in page and "https://" not in page
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    with client.get("/static/chat.js") as response:
        script = response.get_data(as_text=True)
    assert "localStorage" not in script and "document.cookie" not in script


def test_widget_script_is_served(client) -> None:
    with client.get("/widget.js") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/javascript"
        assert "iframe" in response.get_data(as_text=True)


def test_health(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


@pytest.mark.parametrize("word", ["cancel", "Stop", "QUIT."])
def test_cancel_typed_at_a_form_question_leaves_the_form_and_is_not_saved(app, chat: ChatActions,
                                                                          word: str) -> None:
    from sqlalchemy import select

    from intake.models import Enquiry

    for message in ("HUMAN", "yes", "1"):
        chat.say(message)
    left = chat.texts(word)
    assert "Nothing was sent to a caseworker" in left and "In a few words" not in left
    for message in ("HUMAN", "yes", "1", "Support at school has stopped", "3", "4", "no"):
        chat.say(message)
    summary = chat.texts("cancel")  # at the confirm step too: nothing is sent
    assert "Nothing was sent to a caseworker" in summary
    with app.extensions["intake"].sessions() as session:
        assert session.scalars(select(Enquiry)).all() == []
