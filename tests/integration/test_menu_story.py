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
