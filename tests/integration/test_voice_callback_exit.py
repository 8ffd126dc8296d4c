"""A way out of the phone call-back questions: 9, "main menu" or "go back" lead to the main menu, nothing sent.

Told once, in the first question; star repeats the question, as elsewhere on the line. Where 9 already means
something (contact us yourself; a digit of a typed number) it keeps that meaning.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intake.models import ConsentRecord, Enquiry
from tests.integration.test_voice import CallActions, walk_to_contact_question

MAIN_MENU = "To ask a caseworker to call you back, press 2"
WAY_BACK = "To go back to the main menu at any time, press 9"
NOT_SENT = "We have not sent your request for a call back"


def enquiries(app: Flask) -> list[Enquiry]:
    with app.extensions["intake"].sessions() as session:
        return list(session.scalars(select(Enquiry)))


def test_the_first_question_says_how_to_go_back_and_9_does(app: Flask, client: FlaskClient) -> None:
    caller = CallActions(client)
    caller.call()
    first = caller.press("2")
    assert first.count(WAY_BACK) == 1
    assert "Press 1 if that's OK" in caller.press("*")  # star repeats the question
    said = caller.press("1")  # keep the details
    assert WAY_BACK not in said  # said once only
    said = caller.press("9")  # at "What is it mainly about?"
    assert NOT_SENT in said and MAIN_MENU in said and "not one of the choices" not in said
    assert enquiries(app) == []
    with app.extensions["intake"].sessions() as session:
        assert [(r.purpose, r.granted) for r in session.scalars(select(ConsentRecord))] == [("keep_details", False)]
    again = caller.press("2")  # a fresh start, not "carry on where we were"
    assert "Press 1 if that's OK" in again and "carry on" not in again.lower()


@pytest.mark.parametrize("words", ["main menu", "go back", "Can I go back to the main menu?"])
def test_saying_main_menu_or_go_back_leaves_the_questions(app: Flask, client: FlaskClient, words: str) -> None:
    caller = CallActions(client)
    caller.call()
    caller.press("2")
    caller.press("1")
    caller.press("1")  # topic
    said = caller.say(words)  # at the stage of education
    assert NOT_SENT in said and MAIN_MENU in said
    assert enquiries(app) == []


def test_9_at_the_confirm_step_sends_nothing(app: Flask, client: FlaskClient) -> None:
    caller = CallActions(client)
    caller.call()
    for key in ("2", "1", "1", "2", "1"):  # call back, keep details, topic, primary, EHC plan
        caller.press(key)
    said = caller.press("2")  # no, I will contact you: the answers read back
    assert "Press 1 to send" in said
    assert NOT_SENT in caller.press("9")
    assert enquiries(app) == []


def test_9_at_the_way_of_contact_still_means_contact_us_yourself(client: FlaskClient) -> None:
    caller = CallActions(client, "anonymous")
    walk_to_contact_question(caller)
    said = caller.press("9")
    assert "won't contact you" in said and NOT_SENT not in said


def test_9_and_0_in_a_typed_number_are_digits_and_main_menu_said_there_leaves(app: Flask,
                                                                               client: FlaskClient) -> None:
    caller = CallActions(client, "anonymous")
    walk_to_contact_question(caller)
    caller.press("3")  # another number, typed on the keypad
    assert "When is it safe" in caller.press("07900900999")  # 9s and 0s in it: digits, not a way out
    caller = CallActions(client, "anonymous")
    walk_to_contact_question(caller)
    caller.press("3")
    said = caller.say("main menu")
    assert NOT_SENT in said and MAIN_MENU in said


def test_leaving_after_a_disclosure_keeps_the_concern_urgent(app: Flask, client: FlaskClient) -> None:
    caller = CallActions(client)
    caller.call()
    caller.say("my partner hits my son")
    caller.press("2")  # the contact questions for the concern
    said = caller.press("9")
    assert "still marked urgent for our duty caseworker" in said and MAIN_MENU in said
    [concern] = enquiries(app)
    assert concern.priority == "urgent" and concern.contact is None


@pytest.mark.parametrize("words", ["call me back on this number", "he won't go back to school"])
def test_back_inside_an_answer_does_not_leave(client: FlaskClient, words: str) -> None:
    caller = CallActions(client)
    caller.call()
    caller.press("2")
    caller.press("1")
    said = caller.say(words)  # at "What is it mainly about?"
    assert NOT_SENT not in said and "What is it mainly about?" in said
