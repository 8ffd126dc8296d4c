"""The answer to "is a child in danger?" in a parent's or a frightened child's own words (policy 7.1).

A yes in any everyday form is a yes; not knowing ("idk", "not sure", "sometimes") counts as a yes; only a clear
no is a no; and the question never ends in the topic menu with the worry dropped.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intake.models import Enquiry
from tests.conftest import ChatActions, Inbox, SmsActions
from tests.integration.test_voice import CallActions

TEEN = "mum please dont read this. i need help. hes hurting me"
WORRY = "the staff used restraint on him today"
HELPLINES = ("999", "0808 800 5000", "0800 1111")


def urgent(app: Flask) -> list[Enquiry]:
    with app.extensions["intake"].sessions() as session:
        return list(session.scalars(select(Enquiry).where(Enquiry.priority == "urgent")))


def triggers(app: Flask, case: Enquiry) -> list[str]:
    return list(app.extensions["intake"].keys.decrypt_json(case.safeguarding))


def asked(replies: list[str]) -> bool:
    return any("is a child in danger" in r for r in replies)


def test_idk_by_text_gives_the_helplines_raises_the_concern_and_alerts_the_duty_caseworker(
    alerting_app: Flask, duty: Inbox
) -> None:
    sms = SmsActions(alerting_app.test_client())
    assert asked(sms.send(TEEN))
    replies = sms.send("idk")
    assert all(number in replies[0] for number in HELPLINES)
    [case] = urgent(alerting_app)
    assert case.reference in replies[0]
    assert "parent not sure a child is safe" in triggers(alerting_app, case)
    assert len(duty.messages) == 1
    assert not any("Reply with a number" in r for r in replies)


@pytest.mark.parametrize("answer", ["not sure", "maybe", "sort of", "im scared", "sometimes", "i dont know",
                                    "yh", "ye", "yes he is", "yeah sometimes", "he is hurting me"])
def test_an_unsure_or_everyday_yes_is_a_yes(app: Flask, sms: SmsActions, answer: str) -> None:
    assert asked(sms.send(WORRY))
    replies = sms.send(answer)
    assert all(number in replies[0] for number in HELPLINES), replies
    assert len(urgent(app)) == 1


def test_a_second_unclear_answer_is_taken_as_a_yes_not_the_topic_menu(app: Flask, sms: SmsActions) -> None:
    sms.send("my stepdad comes into my room at night")
    assert asked(sms.send("what"))
    replies = sms.send("im 14")
    assert all(number in replies[0] for number in HELPLINES)
    assert not any("didn't understand" in r or "Reply with a number" in r for r in replies)
    [case] = urgent(app)
    assert "no clear answer to the safety question" in triggers(app, case)


@pytest.mark.parametrize("answer", ["no", "no he doesnt", "nope", "2"])
def test_a_clear_no_is_still_a_no(app: Flask, sms: SmsActions, answer: str) -> None:
    sms.send("school put him in seclusion all day")
    replies = sms.send(answer)
    assert not any("0808 800 5000" in r for r in replies) and not asked(replies)
    assert urgent(app) == []


def test_a_no_that_tells_of_harm_is_asked_again_not_taken_as_no(app: Flask, sms: SmsActions) -> None:
    sms.send(WORRY)
    assert asked(sms.send("no he hit her last week"))
    assert urgent(app) == []
    assert "0808 800 5000" in sms.send("no but he might")[0]
    assert len(urgent(app)) == 1


def test_not_sure_in_the_web_chat(app: Flask, chat: ChatActions) -> None:
    chat.say("the staff used restraint on him today")
    replies = chat.say("not sure")
    assert "999" in replies[0]["text"]
    assert len(urgent(app)) == 1


def test_i_dont_know_on_the_phone(app: Flask, client) -> None:
    caller = CallActions(client)
    caller.call()
    assert "in danger" in caller.say("he is hurting me")
    said = caller.say("I don't know")
    assert "9 9 9" in said and "0 8 0 8, 8 0 0, 5 0 0 0" in said
    assert "not one of the choices" not in said
    assert len(urgent(app)) == 1


def test_yeah_sometimes_on_the_phone_after_a_first_unsure_reply(app: Flask, client) -> None:
    caller = CallActions(client)
    caller.call()
    caller.say("they pin him to the floor at school")
    said = caller.say("yeah sometimes")
    assert "9 9 9" in said and "not one of the choices" not in said
    assert len(urgent(app)) == 1


def test_zero_at_the_question_on_the_phone_is_a_yes(app: Flask, client) -> None:
    caller = CallActions(client)
    caller.call()
    caller.say("they pin him to the floor at school")
    said = caller.press("0")
    assert "9 9 9" in said and said.count("N S P C C") == 1  # the helplines once, not once per way of saying yes
    assert len(urgent(app)) == 1


def test_star_on_the_phone_repeats_the_question(app: Flask, client) -> None:
    caller = CallActions(client)
    caller.call()
    caller.say("they pin him to the floor at school")
    assert "in danger" in caller.press("*")
    assert "in danger" in caller.press("*")  # a repeat is not an unclear answer
    assert urgent(app) == []
    caller.press("2")
    assert urgent(app) == []


def test_a_second_silence_at_the_question_on_the_phone_is_taken_as_a_yes(app: Flask, client) -> None:
    caller = CallActions(client)
    caller.call()
    caller.say("they pin him to the floor at school")
    assert "in danger" in caller.wait()  # a first silence: the caller may not have heard it
    assert urgent(app) == []
    assert "in danger" in caller.press("*")  # star repeats, and is no answer
    said = caller.wait()
    assert "9 9 9" in said and not caller.hung_up
    [case] = urgent(app)
    assert "no clear answer to the safety question" in triggers(app, case)


def test_silence_after_an_unclear_answer_on_the_phone_is_a_yes(app: Flask, client) -> None:
    caller = CallActions(client)
    caller.call()
    caller.say("they pin him to the floor at school")
    caller.wait()
    assert "in danger" in caller.say("what")
    assert urgent(app) == []
    assert "9 9 9" in caller.wait()
    assert len(urgent(app)) == 1


def test_one_silence_then_a_no_on_the_phone_raises_nothing(app: Flask, client) -> None:
    caller = CallActions(client)
    caller.call()
    caller.say("they pin him to the floor at school")
    assert "in danger" in caller.wait()
    said = caller.press("2")
    assert said.startswith("Thank you.") and "N S P C C" not in said
    assert urgent(app) == []


@pytest.mark.parametrize("answer", ["no only at weekends", "no just at weekends", "no not at the moment",
                                    "nah not right now", "no, not today", "no not anymore"])
def test_a_no_that_says_more_is_asked_again_and_a_second_unclear_answer_raises_the_concern(
    app: Flask, sms: SmsActions, answer: str
) -> None:
    assert asked(sms.send("things at home are really bad"))
    again = sms.send(answer)
    assert asked(again) and not urgent(app), again  # not dropped: the question once more
    replies = sms.send("i dont want to say")
    assert all(number in replies[0] for number in HELPLINES), replies
    assert len(urgent(app)) == 1


@pytest.mark.parametrize("answer", ["no", "nope", "no thanks", "no they are safe", "2"])
def test_a_plain_or_reassuring_no_is_a_no(app: Flask, sms: SmsActions, answer: str) -> None:
    assert asked(sms.send("things at home are really bad"))
    replies = sms.send(answer)
    assert not asked(replies) and not urgent(app), replies


def test_a_caller_silent_twice_at_the_safety_question_is_not_hung_up_on_and_the_concern_is_raised(
    app: Flask, client: FlaskClient
) -> None:
    caller = CallActions(client)
    caller.call()
    assert "is a child in danger" in caller.say("things at home are really bad")
    assert "is a child in danger" in caller.wait()  # the first silence: the question again
    said = caller.wait()  # the second: no goodbye; a child's safety first
    assert "9 9 9" in said and caller.action is not None, said
    assert len(urgent(app)) == 1


def says_not_sure_is_yes(text: str) -> bool:
    """The re-ask is honest that not knowing is taken as a yes."""
    return "not sure" in text.lower() and "as a yes" in text.lower()


def test_asked_again_by_text_the_question_says_not_sure_is_taken_as_a_yes(app: Flask, sms: SmsActions) -> None:
    """Before, the question came back word for word, and a second unclear answer raised a concern unannounced."""
    from bot.content import sms_segments

    sms.send(WORRY)
    [again] = sms.send("what")
    assert asked([again]) and says_not_sure_is_yes(again), again
    assert sms_segments(again) <= 2, len(again)
    assert urgent(app) == []
    sms.send("hmm")
    assert len(urgent(app)) == 1  # as it said


def test_asked_again_in_the_web_chat_the_question_says_not_sure_is_taken_as_a_yes(
    app: Flask, chat: ChatActions
) -> None:
    chat.say(WORRY)
    again = chat.texts("what")
    assert "is a child in danger" in again and says_not_sure_is_yes(again), again


def test_asked_again_on_the_phone_the_question_says_not_sure_is_taken_as_a_yes(app: Flask, client) -> None:
    caller = CallActions(client)
    caller.call()
    caller.say("they pin him to the floor at school")
    again = caller.say("what")
    assert "is a child in danger" in again and says_not_sure_is_yes(again) and "press 1" in again, again
    assert urgent(app) == []
