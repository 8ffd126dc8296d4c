"""Keywords work the same on every text channel: PRIVACY, MENU/HELP, HUMAN, FORGET."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from intake.models import Conversation
from tests.conftest import ChatActions, SmsActions


def conversations(app) -> int:
    with app.extensions["intake"].sessions() as session:
        return session.scalar(select(func.count()).select_from(Conversation))


@pytest.mark.parametrize("word", ["PRIVACY", "privacy", "Privacy?"])
def test_privacy_explains_what_is_kept_and_who_sees_it(chat: ChatActions, word: str) -> None:
    text = chat.texts(word).lower()
    for point in ("name", "caseworkers", "school", "see what we hold", "risk"):
        assert point in text
    # Policy 6.2-6.4 and UK GDPR Art 13: who can see it, kept securely, for how long, and where to complain.
    assert "caseworkers and their manager" in text and "encrypted" in text
    assert "a year after your enquiry" in text  # RETENTION_DAYS 365, in words
    assert "ico.org.uk" in text and "{" not in text


def test_the_privacy_notice_by_text_is_three_texts_at_most(sms: SmsActions) -> None:
    # Every clause of it still there (the test above), in no more texts than a parent on a cheap phone reads at once.
    from bot.content import sms_segments

    notice = sms.send("PRIVACY")[0]
    assert "we keep only" in notice and sms_segments(notice) <= 3


@pytest.mark.parametrize("word", ["MENU", "help", "Menu"])
def test_menu_lists_topics_by_number_on_sms(sms: SmsActions, word: str) -> None:
    reply = "\n".join(sms.send(word))
    assert "\n1 " in reply and "\n2 " in reply
    picked = "\n".join(sms.send("1"))
    assert "\n1 " in picked  # a category opens its topics
    answer = "\n".join(sms.send("1"))
    assert "HUMAN" in answer


def test_menu_choices_are_buttons_in_web_chat(chat: ChatActions) -> None:
    messages = chat.say("MENU")
    choices = [c for m in messages for c in m["choices"]]
    assert len(choices) >= 5
    assert all(c["key"].isdigit() and c["label"] for c in choices)


def test_forget_deletes_state_at_once_and_says_so(app, sms: SmsActions) -> None:
    sms.send("what is a senco")
    assert conversations(app) == 1
    reply = sms.send("FORGET")
    assert "deleted" in reply[0].lower()
    assert conversations(app) == 0


def test_forget_in_web_chat_ends_the_session(app, chat: ChatActions) -> None:
    chat.say("what is a senco")
    assert "deleted" in chat.texts("forget").lower()
    assert conversations(app) == 0
    assert chat.post({"text": "hello"}).status_code == 401


@pytest.mark.parametrize("word", ["HUMAN", "caseworker", "speak to someone"])
def test_human_leads_into_the_hand_off(chat: ChatActions, word: str) -> None:
    text = chat.texts(word).lower()
    assert "caseworker" in text
