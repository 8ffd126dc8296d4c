"""The parent's own first message, when it already told their situation and made the bot offer a caseworker, is
offered as their words for the caseworker (shown, and kept only with a YES) instead of being asked for again;
"see above" at the words question means that message. Nothing of it is kept after a NO to keeping details."""

from __future__ import annotations

from flask import Flask

from tests.conftest import ChatActions, SmsActions
from tests.integration.test_intake_confirm import enquiries, stored_states

STORY = ("Hi, my son is 9 and he has autism and ADHD. He keeps getting sent home from school at lunchtime. "
         "Is that allowed? Can the school refuse to apply for an EHC needs assessment? And who can come with me "
         "to the meeting next week?")
ASK_AGAIN = "In a few words, what would you like help with?"


def to_the_words_question(chat: ChatActions) -> str:
    """The story, YES to keeping details (and a topic if the story named none): the words question."""
    assert "keep a few details" in chat.texts(STORY)
    asked = chat.texts("yes")
    if "What is it mainly about?" in asked:
        asked = chat.texts("1")
    return asked


def test_the_first_message_is_offered_as_the_parents_words_not_asked_for_again(app: Flask,
                                                                              chat: ChatActions) -> None:
    asked = to_the_words_question(chat)
    assert STORY in asked and ASK_AGAIN not in asked and "YES" in asked
    assert "stage of education" in chat.texts("yes")
    chat.texts("2")
    chat.texts("1")
    confirm = chat.texts("no")
    assert f"Your words: {STORY}" in confirm
    chat.texts("yes")
    [enquiry] = enquiries(app)
    assert app.extensions["intake"].keys.decrypt(enquiry.summary) == STORY


def test_see_above_means_the_first_message(chat: ChatActions) -> None:
    to_the_words_question(chat)
    assert "stage of education" in chat.texts("see above")
    for message in ("2", "1"):
        chat.texts(message)
    confirm = chat.texts("no")
    assert f"Your words: {STORY}" in confirm and "Your words: see above" not in confirm


def test_no_to_the_offer_asks_for_other_words(chat: ChatActions) -> None:
    to_the_words_question(chat)
    assert ASK_AGAIN in chat.texts("no")
    chat.texts("Sent home at lunch, is it allowed")
    for message in ("2", "1"):
        chat.texts(message)
    confirm = chat.texts("no")
    assert "Your words: Sent home at lunch, is it allowed" in confirm and STORY not in confirm


def test_no_to_keeping_details_keeps_nothing_of_the_first_message(app: Flask, chat: ChatActions) -> None:
    chat.texts(STORY)
    assert "won't keep anything" in chat.texts("no")
    assert not any("autism" in state for state in stored_states(app))


def test_see_above_with_no_earlier_message_is_not_taken_as_the_words(sms: SmsActions) -> None:
    for message in ("HUMAN", "yes", "1"):
        sms.send(message)
    again = "\n".join(sms.send("see above"))
    assert "stage of education" not in again and "again" in again.lower()
    for message in ("My son needs support at school", "2", "1"):
        sms.send(message)
    confirm = "\n".join(sms.send("no"))
    assert "Your words: My son needs support at school" in confirm
