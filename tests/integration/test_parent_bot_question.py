"""A parent asking whether they are talking to a person is told plainly, not started on the caseworker form."""

from __future__ import annotations

import pytest

from tests.conftest import ChatActions, SmsActions


@pytest.mark.parametrize("asked", ["r u a real person", "is this a bot", "am i talking to a robot",
                                   "Are you a real person?", "are you human", "is this automated"])
def test_asking_if_this_is_a_person_gets_a_plain_answer(sms: SmsActions, asked: str) -> None:
    reply = "\n".join(sms.send(asked))
    assert "automatic helper" in reply and "real people" in reply and "reply HUMAN" in reply
    assert "if a child may be at risk" in reply  # honest: a risk reaches the duty caseworker unasked
    assert "Is that OK?" not in reply  # not the caseworker form's consent question


def test_asking_for_a_real_person_still_starts_the_caseworker_form(sms: SmsActions) -> None:
    assert "Is that OK?" in "\n".join(sms.send("i want to speak to a real person"))


def test_the_chat_answers_the_same(chat: ChatActions) -> None:
    assert "automatic helper" in chat.texts("is this a bot")
