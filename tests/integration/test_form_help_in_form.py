"""In the caseworker form, "help", "?", "what", "i dont understand" ask about the question: it is explained briefly
(why we ask, how to leave) and asked again. The form is never paused for the topic menu, where the parent's next
"2" would open a topic list and their answers would be deleted unsent two hours later."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.conftest import ChatActions, SmsActions
from tests.integration.test_form_everyday_yes_no import consents, enquiries
from tests.integration.test_intake_flow import run

SUMMARY_QUESTION = "In a few words, what would you like help with?"
TO_SUMMARY = ("HUMAN", "yes", "1")  # keep the details, topic 1: the summary question next
WORDS = "The school will not put support in place"


@pytest.mark.parametrize("asked", ["help", "HELP!", "?", "what", "i dont understand", "What do you mean?"])
def test_help_at_the_summary_question_explains_it_and_asks_again(app: Flask, sms: SmsActions, asked: str) -> None:
    run(sms, *TO_SUMMARY)
    reply = run(sms, asked)
    assert "paused" not in reply and "Reply with a number" not in reply
    assert "FORGET" in reply and reply.rstrip().splitlines()[-1].startswith(SUMMARY_QUESTION[:20])
    assert SUMMARY_QUESTION in reply
    assert "stage of education" in run(sms, WORDS)  # the next reply is still the answer
    assert f"Your words: {WORDS}" in run(sms, "2", "1", "no")


def test_a_question_mark_at_a_numbered_question_keeps_the_parents_next_number(app: Flask, sms: SmsActions) -> None:
    run(sms, *TO_SUMMARY, WORDS)
    reply = run(sms, "?")
    assert "stage of education" in reply and "2 Primary" in reply and "rather not say" in reply.lower()
    assert "paused" not in reply
    assert "EHC plan" in run(sms, "2")  # Primary, not a topic list
    confirm = run(sms, "1", "no")
    assert "Education: Primary school" in confirm
    assert "Your reference is" in run(sms, "yes")
    assert len(enquiries(app)) == 1


@pytest.mark.parametrize("asked", ["what", "help", "i dont understand"])
def test_help_at_a_consent_question_explains_it_and_records_nothing(app: Flask, sms: SmsActions, asked: str) -> None:
    sms.send("HUMAN")
    reply = run(sms, asked)
    assert "keep these details" in reply and "YES" in reply and "paused" not in reply
    assert consents(app) == []
    assert "What is it mainly about?" in run(sms, "yes")


def test_help_in_the_web_chat_form_explains_and_keeps_the_buttons(chat: ChatActions) -> None:
    for message in (*TO_SUMMARY, WORDS):
        chat.say(message)
    replies = chat.say("help")
    assert "paused" not in " ".join(r["text"] for r in replies)
    assert "stage of education" in replies[-1]["text"] and replies[-1]["choices"][1]["label"] == "Primary school"
    assert "EHC plan" in chat.texts("2")


def test_menu_still_pauses_the_form(chat: ChatActions) -> None:
    for message in TO_SUMMARY:
        chat.say(message)
    assert "paused" in chat.texts("MENU")
