"""A number answers a form question only where the question shows numbers (policy 2.1, 3.2: consent is explicit).

By SMS a consent question says "Reply YES or NO" and lists no numbers, so after a row of numbered menus a habitual
"1" is not taken as consent: the question is asked again. Web chat and phone show "1 Yes / 2 No", so there a number
is an answer. At the confirm step a typed number means the answer shown in that position.
"""

from __future__ import annotations

import pytest
from flask import Flask

from tests.conftest import ChatActions, SmsActions
from tests.integration.test_form_everyday_yes_no import consents, enquiries
from tests.integration.test_intake_flow import run
from tests.integration.test_voice import CallActions, walk_to_contact_question

# HUMAN, keep the details, topic, words, primary, EHC plan yes, contact me, text this number, mornings:
# the SMS form up to "When we contact you, may we say who we are?"
TO_NAME_SERVICE = ("HUMAN", "yes", "1", "The school will not put support in place", "2", "1", "yes", "1", "1")
# The web chat form up to its confirm step (no contact).
WEB_TO_CONFIRM = ("HUMAN", "yes", "1", "The school will not put support in place", "2", "1", "no")


@pytest.mark.parametrize("number", ["1", "2", "1.", "one"])
def test_a_bare_number_by_sms_is_not_an_answer_to_may_we_say_who_we_are(sms: SmsActions, number: str) -> None:
    assert "may we say who we are" in run(sms, *TO_NAME_SERVICE)
    again = run(sms, number)
    assert "YES or NO" in again and "may we say who we are" in again
    assert "exactly what a caseworker will see" not in again
    assert "Say who we are: No" in run(sms, "no")


def test_a_bare_1_by_sms_records_no_consent(app: Flask, sms: SmsActions) -> None:
    run(sms, *TO_NAME_SERVICE, "1")
    run(sms, "no", "yes")  # who we are: no; then send it
    [enquiry] = enquiries(app)
    assert enquiry.name_service_ok is False
    assert ("name_service", True) not in consents(app)


def test_a_bare_1_by_sms_is_not_consent_to_keep_the_details(app: Flask, sms: SmsActions) -> None:
    sms.send("HUMAN")
    again = run(sms, "1")
    assert "YES or NO" in again and "What is it mainly about?" not in again
    assert consents(app) == []
    assert "What is it mainly about?" in run(sms, "yes")


@pytest.mark.parametrize("answer", ["yes", "yeah", "ok", "fine", "k"])
def test_everyday_yes_words_by_sms_are_still_yes(sms: SmsActions, answer: str) -> None:
    run(sms, *TO_NAME_SERVICE)
    assert "Say who we are: Yes" in run(sms, answer)


def test_a_number_is_an_answer_in_the_web_chat_where_1_yes_2_no_are_shown(chat: ChatActions) -> None:
    chat.say("HUMAN")
    assert "What is it mainly about?" in chat.texts("1")


def test_a_bare_number_by_sms_at_the_confirm_step_throws_nothing_away(app: Flask, sms: SmsActions) -> None:
    confirm = run(sms, "HUMAN", "yes", "1", "The school will not put support in place", "2", "1", "no")
    assert "Reply YES to send it" in confirm and "\n2 " not in confirm  # no numbers shown by SMS
    again = run(sms, "2")
    assert "YES to send it" in again and "not sent anything" not in again
    assert "Your reference is" in run(sms, "yes")
    assert len(enquiries(app)) == 1


def test_typed_numbers_at_the_web_confirm_mean_the_buttons_in_that_order(app: Flask, chat: ChatActions) -> None:
    confirm = ""
    for message in WEB_TO_CONFIRM:
        confirm = chat.texts(message)
    buttons = [line.split()[0] for line in confirm.splitlines()[-3:]]
    assert buttons == ["YES", "CHANGE", "NO"]
    assert "What do you want to change?" in chat.texts("2")  # the second button: CHANGE, nothing thrown away
    assert "exactly what a caseworker will see" in chat.texts("4")  # nothing to change: the confirm again
    assert "not sent anything" in chat.texts("3")  # the third button: NO
    assert enquiries(app) == []


def test_typed_1_at_the_web_confirm_sends_it(app: Flask, chat: ChatActions) -> None:
    for message in WEB_TO_CONFIRM:
        chat.say(message)
    assert "Your reference is" in chat.texts("1")
    assert len(enquiries(app)) == 1


def test_the_phone_confirm_keys_do_what_they_are_read_out_to_do(app: Flask, caller: CallActions) -> None:
    said = walk_to_contact_question(caller)
    for _ in range(6):  # call this number, then yes to each question, up to the confirm step
        if "A caseworker will see this" in said:
            break
        said = caller.press("1")
    assert "Press 1 to send" in said and "Press 2 to send nothing" in said and "Press 3 to change" in said
    assert "What do you want to change?" in caller.press("3")
    caller.press("4")  # nothing: the confirm again
    assert "have not sent anything" in caller.press("2")
    assert enquiries(app) == []


@pytest.fixture
def caller(app: Flask) -> CallActions:
    return CallActions(app.test_client())
