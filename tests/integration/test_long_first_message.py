"""A parent's long first message telling their story is never "didn't understand": what it clearly names is
answered and a caseworker is offered in the same reply (the HUMAN consent question), by text and web chat."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import ALWAYS_OPEN, ChatActions, SmsActions, make_app

STORY = (
    "Hi, I don't really know where to start. My son is 9 and has autism and ADHD. He has been excluded three "
    "times this term, twice for fixed periods and once sent home at lunch which they said was not an exclusion. "
    "The school applied for an EHC needs assessment in September but the council refused it and said he is "
    "making progress. He is not, he hides under tables and won't eat. I asked the SENCO for a meeting but nobody "
    "has got back to me. I feel like nobody listens. What can I do?"
)
NOT_UNDERSTOOD = "didn't understand"
CONSENT = "To pass your question to a caseworker we need to keep a few details"
REFUSED_ANSWER = "If the council refuses to assess"  # the answer to "the council refused the assessment"


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)


def test_a_long_story_by_text_is_answered_and_offered_a_caseworker(sms: SmsActions) -> None:
    assert len(STORY) > 450
    reply = "\n".join(sms.send(STORY))
    assert NOT_UNDERSTOOD not in reply
    assert REFUSED_ANSWER in reply
    assert CONSENT in reply and "Reply YES or NO" in reply
    # The offer is the caseworker form itself: YES goes on to its next question.
    after = "\n".join(sms.send("yes"))
    assert NOT_UNDERSTOOD not in after and CONSENT not in after and after


def test_a_long_story_in_the_web_chat_is_answered_and_offered_a_caseworker(chat: ChatActions) -> None:
    reply = chat.texts(STORY)
    assert NOT_UNDERSTOOD not in reply
    assert REFUSED_ANSWER in reply
    assert CONSENT in reply


def test_a_long_story_naming_no_topic_is_still_offered_a_caseworker(sms: SmsActions) -> None:
    story = (
        "my daughter has been so unhappy lately, she cries every morning before she goes in and says nobody "
        "likes her and she has no friends, the teacher says she is fine in class but she is not fine at home "
        "and i really don't know what to do anymore"
    )
    reply = "\n".join(sms.send(story))
    assert NOT_UNDERSTOOD not in reply
    assert CONSENT in reply


def test_a_short_message_the_bot_cannot_place_still_gets_what_it_can_help_with(sms: SmsActions) -> None:
    reply = "\n".join(sms.send("my boiler is broken"))
    assert CONSENT not in reply


def test_a_long_message_about_nothing_we_help_with_is_not_started_on_the_caseworker_form(sms: SmsActions) -> None:
    off_topic = (
        "my boiler has been broken for three weeks now and the landlord keeps saying the engineer will come on "
        "monday but nobody ever turns up and the flat is freezing, who do i complain to about the landlord and "
        "the engineer that never came"
    )
    reply = "\n".join(sms.send(off_topic))
    assert CONSENT not in reply
