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


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.id)
def test_first_text_gets_the_answer_with_the_privacy_line_in_at_most_three_texts(shared_app, topic) -> None:
    from bot.content import sms_segments
    from tests.conftest import SmsActions

    number = f"+4477009{sorted(CONTENT.topics).index(topic.id):05d}"  # a new parent for each topic
    replies = SmsActions(shared_app.test_client(), number).send(topic.examples[0])
    said = "\n".join(replies)
    assert said.count("no need to give your name") == 1 and "Reply PRIVACY" in said, replies
    assert sum(sms_segments(r) for r in replies) <= 3, [len(r) for r in replies]


def test_unsure_message_asks_instead_of_guessing(shared_app) -> None:
    chat = ChatActions(shared_app.test_client()).open()
    messages = chat.say("can i home educate")  # no topic on home education: ask, and offer a caseworker
    assert "Did you mean" in messages[0]["text"]
    assert 2 <= len(messages[0]["choices"]) <= 3
    assert "HUMAN" in " ".join(m["text"] for m in messages)


def test_out_of_scope_offers_the_menu(shared_app) -> None:
    chat = ChatActions(shared_app.test_client()).open()
    messages = chat.say("what's the weather like tomorrow")
    text = " ".join(m["text"] for m in messages).lower()
    assert "didn't understand" in text or "did you mean" in text  # never a confident answer
    assert "menu" in text or any(len(m["choices"]) > 3 for m in messages)  # MENU named, or the menu itself


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


TWO_QUESTIONS = "what is an ehcp and how long does the council have to decide"


def test_two_questions_by_sms_get_the_first_answer_and_the_second_on_reply_1(sms) -> None:
    plan, timescale = CONTENT.topics["ehc_plan_explained"], CONTENT.topics["ehc_assessment_timescale"]
    *answers, offer = sms.send(TWO_QUESTIONS)
    assert "education, health and care plan" in "\n".join(answers)
    assert "6 weeks" not in "\n".join(answers)
    assert offer.startswith("You asked another question too") and f"\n1 {timescale.title}" in offer
    assert plan.title not in offer
    assert "6 weeks" in sms.send("1")[0]  # the pending choice gives the second answer
    assert "Thanks. Ask me a question" in sms.send("1")[0]  # ...once: nothing is pending after it


def test_two_questions_in_web_chat_offer_the_second_as_a_button(shared_app) -> None:
    chat = ChatActions(shared_app.test_client()).open()
    messages = chat.say("what is a senco? can he get free transport?")
    assert messages[0]["text"].startswith(CONTENT.topics["senco"].answer)  # answered in the order asked
    assert messages[-1]["choices"] == [{"key": "1", "label": CONTENT.topics["school_transport"].title}]
    assert "2 miles" in chat.say("1")[0]["text"]


def test_a_new_question_instead_of_1_is_simply_answered(shared_app) -> None:
    chat = ChatActions(shared_app.test_client()).open()
    chat.say(TWO_QUESTIONS)
    assert chat.say("what is a senco")[0]["text"].startswith(CONTENT.topics["senco"].answer)


@pytest.mark.parametrize(
    "text",
    [
        "what is a senco and how do I appeal",  # "how do I appeal" alone is unsure (deadlines or tribunal?)
        "my son is autistic and has adhd can he get an ehcp",  # one question: a plain "and" does not split
        "what is a senco",
    ],
)
def test_no_second_offer_unless_both_questions_are_understood(shared_app, text: str) -> None:
    chat = ChatActions(shared_app.test_client()).open()
    assert "another question" not in " ".join(m["text"] for m in chat.say(text))
