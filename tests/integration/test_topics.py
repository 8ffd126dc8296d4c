"""Every topic is answered from the very first message, with no identity asked."""

from __future__ import annotations

import pytest

from bot.config import ROOT
from bot.content import load_content
from tests.conftest import ChatActions

CONTENT = load_content(ROOT / "flows")
TOPICS = sorted((t for t in CONTENT.topics.values() if t.id != "contact_caseworker"), key=lambda t: t.id)


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory):
    from tests.conftest import make_app

    return make_app(tmp_path_factory.mktemp("topics"))


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.id)
def test_first_message_gets_the_topic_answer(shared_app, topic) -> None:
    chat = ChatActions(shared_app.test_client()).open()
    messages = chat.say(topic.examples[0])
    services = shared_app.extensions["intake"]
    topic = services.content.topics[topic.id]
    answer = (topic.web_answer or topic.answer).replace("{office_hours}", services.hours.describe())
    assert messages[0]["text"].startswith(answer), f"{topic.id}: got {messages[0]['text'][:80]!r}"
    assert "name" not in " ".join(c["label"].lower() for m in messages for c in m["choices"])


def test_unsure_message_asks_instead_of_guessing(shared_app) -> None:
    chat = ChatActions(shared_app.test_client()).open()
    messages = chat.say("can i home educate")  # no topic on home education: ask, and offer a caseworker
    assert "not completely sure" in messages[0]["text"]
    assert 2 <= len(messages[0]["choices"]) <= 3
    assert "HUMAN" in " ".join(m["text"] for m in messages)


def test_out_of_scope_offers_the_menu(shared_app) -> None:
    chat = ChatActions(shared_app.test_client()).open()
    text = " ".join(m["text"] for m in chat.say("what's the weather like tomorrow"))
    assert "not" in text.lower() and ("menu" in text.lower() or "topic" in text.lower())


def test_asking_for_a_person_by_sms_gets_only_the_forms_first_question(sms) -> None:
    from bot.content import sms_segments

    replies = sms.send("hi can someone ring me")
    assert "Reply HUMAN to pass" not in " ".join(replies)
    assert "Is that OK?" in replies[-1]
    assert sum(sms_segments(r) for r in replies) <= 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("what is an ehcp", "education, health and care plan"),
        ("whats the number for childline", "0800 1111"),
        ("any news on my enquiry?", "reference"),
    ],
)
def test_questions_from_the_user_review_are_answered(shared_app, text, expected) -> None:
    chat = ChatActions(shared_app.test_client()).open()
    assert expected in chat.say(text)[0]["text"]
