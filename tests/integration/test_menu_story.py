"""A story typed at a numbered menu is read as if typed freely, and the menu is left behind."""

from __future__ import annotations

from flask import Flask

from tests.conftest import ChatActions, SmsActions

SENT_HOME = "my son keeps getting sent home early and the school says they cant cope"
# A story no topic fits: the bot cannot answer it, but a caseworker can help.
STRUGGLING = "my son has been really struggling since his dad left and now he wont go in"


def test_a_story_at_the_topic_menu_is_answered(app: Flask, sms: SmsActions) -> None:
    sms.send("MENU")
    sms.send("2")  # EHC plans: the story is about something else
    reply = "\n".join(sms.send(SENT_HOME))
    assert "Sending a child home without a formal exclusion is unlawful" in reply
    assert app.extensions["intake"].content.text("menu_intro") not in reply


def test_a_story_no_topic_fits_offers_a_caseworker_not_the_menu_again(app: Flask, sms: SmsActions) -> None:
    content = app.extensions["intake"].content
    sms.send("MENU")
    sms.send("1")
    reply = "\n".join(sms.send(STRUGGLING))
    assert "reply HUMAN" in reply and "caseworker" in reply
    assert content.text("menu_intro") not in reply and "Reply with a number" not in reply
    # The menu is behind them: a number now picks nothing from it.
    assert sms.send("2") == [content.text("nothing_pending")]


def test_in_the_web_chat_too_a_story_at_the_menu_offers_a_caseworker(app: Flask, chat: ChatActions) -> None:
    chat.say("MENU")
    messages = chat.say(STRUGGLING)
    assert "reply HUMAN" in messages[-1]["text"]
    assert all(not m["choices"] for m in messages)  # no numbered list to pick from again
    assert "Is that OK?" in chat.texts("HUMAN")  # the caseworker offered is one reply away


def test_a_story_after_hello_or_did_you_mean_offers_a_caseworker(app: Flask, sms: SmsActions) -> None:
    content = app.extensions["intake"].content
    sms.send("hello")  # the greeting shows the menu
    assert sms.send(STRUGGLING) == [content.text("not_understood_at_menu")]
    assert content.text("clarify") in "\n".join(sms.send("can i home educate"))
    assert sms.send(STRUGGLING) == [content.text("not_understood_at_menu")]


def test_a_story_at_the_caseworker_forms_topic_question_is_kept_not_refused(chat: ChatActions) -> None:
    chat.texts("HUMAN")
    assert "What is it mainly about?" in chat.texts("yes")
    reply = chat.texts(SENT_HOME)
    assert "reply with one of the numbers" not in reply and "What is it mainly about?" not in reply
    assert "Which stage of education" in reply  # their words were what they want help with: the form goes on
    confirm = ""
    for answer in ("2", "2", "no"):  # primary, no EHC plan, no contact back
        confirm = chat.texts(answer)
    assert "This is exactly what a caseworker will see" in confirm
    assert SENT_HOME in confirm and "Being sent home from school" in confirm


def test_a_story_by_text_at_the_forms_topic_question_no_topic_fits(sms: SmsActions) -> None:
    sms.send("HUMAN")
    sms.send("yes")
    reply = "\n".join(sms.send(STRUGGLING))
    assert "reply with one of the numbers" not in reply
    assert reply.startswith("What is it mainly about?")  # asked once more, their words kept
    assert "what would you like help with" not in "\n".join(sms.send("1"))
