"""A choice button pressed on a question the chat has moved on from is refused, not taken as today's answer.

Each bot message with choices names the question it asks (`question`); the page sends it back with the choice.
Only the question the chat is at now is answered: an old "Yes" (key "1") pressed at "may we say who we are?"
must not answer it. Typed messages carry no question and are read as ever.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import ALWAYS_OPEN, ChatActions, make_app

# The web chat's caseworker form, up to "may we say who we are?" (open, so 4 is E-mail; as test_webchat_contact.py).
TO_SAY_WHO = ("yes", "2", "Need help with an EHC request", "3", "4", "yes", "4", "parent@example.org")


def question_of(messages: list[dict[str, Any]]) -> str:
    """The id of the (last) question with choices in these messages."""
    asked = [m for m in messages if m["choices"]]
    assert asked, f"no question with choices in {[m['text'] for m in messages]}"
    question = asked[-1]["question"]
    assert isinstance(question, str) and question
    return question


def choose(chat: ChatActions, key: str, question: str) -> Any:
    return chat.post({"text": key, "question": question})


def at_say_who_we_are(tmp_path: Path) -> tuple[ChatActions, str, str]:
    """A chat at "may we say who we are?": the chat, the consent question's id, and this question's id."""
    chat = ChatActions(make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN).test_client()).open()
    consent = question_of(chat.say("HUMAN"))
    for message in TO_SAY_WHO:
        messages = chat.say(message)
    assert "say who we are" in messages[-1]["text"]
    return chat, consent, question_of(messages)


def test_a_choice_from_an_earlier_question_is_refused_and_answers_nothing(tmp_path: Path) -> None:
    chat, consent, say_who = at_say_who_we_are(tmp_path)
    assert consent != say_who

    stale = choose(chat, "1", consent)  # the consent question's "Yes", pressed now
    assert stale.status_code == 409
    body = stale.get_json()
    assert body["stale"] is True and "earlier question" in body["error"]

    # The chat is still at the same question: the parent's own answer is the one taken.
    summary = " ".join(m["text"] for m in choose(chat, "2", say_who).get_json()["messages"])
    assert "Say who we are: No" in summary and "Say who we are: Yes" not in summary


def test_the_question_on_screen_stays_answerable_after_a_message_that_asks_nothing(tmp_path: Path) -> None:
    chat, _, say_who = at_say_who_we_are(tmp_path)
    privacy = chat.say("PRIVACY")  # read the privacy notice in the middle of the form: no new question
    assert not any(m["choices"] for m in privacy)
    reply = choose(chat, "1", say_who)
    assert reply.status_code == 200
    assert "Say who we are: Yes" in " ".join(m["text"] for m in reply.get_json()["messages"])


def test_only_messages_with_choices_name_a_question_and_typed_answers_need_none(chat: ChatActions) -> None:
    messages = chat.say("HUMAN") + chat.say("yes")
    assert all(("question" in m) == bool(m["choices"]) for m in messages)
    assert all(m["asks"] for m in messages if m["choices"]), "a message with choices asks something"
    words = chat.say("2")  # the topic, typed: "In a few words ..." asks for text, with no choices
    assert words[-1]["asks"] and not words[-1]["choices"]


def test_a_typed_message_tells_the_page_whether_the_question_on_screen_still_stands(tmp_path: Path) -> None:
    chat, _, say_who = at_say_who_we_are(tmp_path)
    privacy = chat.post({"text": "PRIVACY", "shown": say_who}).get_json()
    assert privacy["at"] == say_who, "reading the privacy notice leaves the question standing"
    summary = chat.post({"text": "yes", "shown": say_who}).get_json()
    confirm = question_of(summary["messages"])
    assert summary["at"] == confirm != say_who
    sent = chat.post({"text": "yes", "shown": confirm}).get_json()  # typed at the summary: the enquiry is sent
    assert "Your reference is" in " ".join(m["text"] for m in sent["messages"])
    assert not any(m["choices"] for m in sent["messages"]) and sent["at"] != confirm
    assert choose(chat, "YES", confirm).status_code == 409, "the summary's Send it cannot send it twice"


def test_a_question_id_that_is_not_one_of_ours_is_refused_as_stale_not_a_500(chat: ChatActions) -> None:
    # A hostile or garbled id (other scripts' letters, the wrong length) is no question this chat asked.
    chat.say("HUMAN")
    for question in ("é", "ab", "٣" * 32, "x" * 500):
        response = chat.post({"text": "1", "question": question})
        assert response.status_code == 409 and response.get_json()["stale"] is True, question
