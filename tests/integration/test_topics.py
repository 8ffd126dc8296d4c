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
    answer = services.content.topics[topic.id].answer.replace("{office_hours}", services.hours.describe())
    assert messages[0]["text"].startswith(answer), f"{topic.id}: got {messages[0]['text'][:80]!r}"
    assert "name" not in " ".join(c["label"].lower() for m in messages for c in m["choices"])


def test_unsure_message_asks_instead_of_guessing(shared_app) -> None:
    chat = ChatActions(shared_app.test_client()).open()
    messages = chat.say("ehcp")
    assert "not completely sure" in messages[0]["text"]
    assert 2 <= len(messages[0]["choices"]) <= 3


def test_out_of_scope_offers_the_menu(shared_app) -> None:
    chat = ChatActions(shared_app.test_client()).open()
    text = " ".join(m["text"] for m in chat.say("what's the weather like tomorrow"))
    assert "not" in text.lower() and ("menu" in text.lower() or "topic" in text.lower())
