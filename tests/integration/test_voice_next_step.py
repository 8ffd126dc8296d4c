"""On the phone, the step after the safety words fits where the call is (flows/voice.yaml danger_next_*).

"Press 2 at the main menu" is right only at a menu, before a call back was asked for: in the call-back
questions 2 answers the question asked, and once a call back was asked for the caller should hear what
happens next, not be offered it again. Through real signed Twilio voice webhooks, nothing patched.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from intake.models import Enquiry
from tests.conftest import ALWAYS_OPEN, make_app
from tests.integration.test_voice import CallActions, count

RISK = "my partner hurts my son"
SAFETY = "If a child is in immediate danger, please hang up and call 9 9 9 now."
PRESS_2 = "press 2 at the main menu"
MAIN_MENU = "To ask a caseworker to call you back, press 2."
MAINLY_ABOUT = "What is it mainly about?"
CARRY_ON = "So they can reach you, carry on with these questions, and tell us a safe way to contact you."
AGAIN = "When you're ready, here is the question again."  # the form's question after the safety words
CONTACT_ME = "Would you like a caseworker to contact you?"
NO_NEED = "You have already asked for a caseworker, so you don't need to ask again."
WHAT_NEXT = "Our duty caseworker will contact you the way you chose, at a time you said is safe."


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    """An app whose office is open whenever the tests run."""
    return make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)


@pytest.fixture
def caller(client: FlaskClient) -> CallActions:
    """A parent phoning the line."""
    return CallActions(client)


def to_contact_question(caller: CallActions) -> str:
    """From the main menu into the call-back questions, up to "Would you like a caseworker to contact you?"."""
    caller.press("2")  # a call back
    caller.press("1")  # OK to keep a few details
    caller.press("1")  # about help at school
    caller.press("2")  # primary school
    return caller.press("1")  # has an EHC plan


def ask_for_a_call_back(caller: CallActions, contact: bool) -> str:
    """The whole call-back request from the main menu (after a concern, only the contact questions): a call to
    this number at the first safe time offered, or "I will contact you"; then send it."""
    said = caller.press("2")
    for _ in range(6):
        if CONTACT_ME in said:
            break
        said = caller.press("1")  # OK to keep details, the first subject, stage of education, EHC plan
    said = caller.press("1" if contact else "2")
    for _ in range(6):
        if "hear your reference again" in said:
            return said
        said = caller.press("1")  # call this number, weekday mornings, voicemail, our name; then send it
    raise AssertionError(said)


def test_in_the_call_back_questions_the_caller_is_told_to_carry_on_not_to_press_2(
    app: Flask, caller: CallActions
) -> None:
    caller.call()
    caller.press("2")
    caller.press("1")
    said = caller.say(RISK)  # at "What is it mainly about?"
    assert said.startswith(SAFETY) and count(app, Enquiry, Enquiry.priority == "urgent") == 1
    assert PRESS_2 not in said and "call back" not in said
    safety, _, question = said.partition(CARRY_ON)
    assert "Your reference is" in safety and question.strip().startswith(f"{AGAIN} {MAINLY_ABOUT}")
    assert "Which stage of education" in caller.press("2")  # here 2 answers the question, as the words imply


def test_once_the_way_of_contact_is_chosen_the_caller_is_told_to_finish_and_send(caller: CallActions) -> None:
    caller.call()
    to_contact_question(caller)
    caller.press("1")  # yes, contact me
    caller.press("1")  # call this number back
    said = caller.press("0")  # at "When is it safe for us to contact you?"
    assert PRESS_2 not in said and "tell us a safe way" not in said
    assert "So they can reach you the way you chose, carry on with these questions, then send your request." in said
    assert said.rstrip().endswith("For Any time we are open, press 4.")  # the same question again


def test_after_saying_they_will_contact_us_the_caller_hears_they_can_change_that(caller: CallActions) -> None:
    caller.call()
    to_contact_question(caller)
    caller.press("2")  # no, I will contact you
    said = caller.press("0")  # at the answers read back
    assert PRESS_2 not in said
    assert "You said you would contact us yourself. If you would rather our duty caseworker contacted you" in said
    assert "Press 3 to change something." in said
    assert "What do you want to change?" in caller.press("3")


@pytest.mark.parametrize("first", ["call back", "concern"], ids=["call back, then a concern", "concern, call back"])
def test_after_asking_for_a_call_back_it_is_not_offered_again(app: Flask, caller: CallActions, first: str) -> None:
    caller.call()
    if first == "concern":
        caller.say(RISK)  # the call back joins this concern: one case
    ask_for_a_call_back(caller, contact=True)
    said = caller.say("my dad hits my son")
    assert said.startswith(SAFETY) and count(app, Enquiry, Enquiry.priority == "urgent") == 1
    assert PRESS_2 not in said and "ask for a call back" not in said
    assert NO_NEED in said and WHAT_NEXT in said
    assert said.rstrip().endswith("Or you can hang up now.")  # then the choices about the request, as before
    caller.press("9")  # at the main menu too
    said = caller.press("0")
    assert NO_NEED in said and PRESS_2 not in said and MAIN_MENU in said


def test_after_saying_they_will_contact_us_the_caller_is_not_told_we_have_their_details(
    app: Flask, caller: CallActions
) -> None:
    caller.call()
    ask_for_a_call_back(caller, contact=False)
    said = caller.say("my dad hits my son")
    assert said.startswith(SAFETY) and count(app, Enquiry, Enquiry.priority == "urgent") == 1
    assert "contact details you gave us" not in said and PRESS_2 not in said
    assert "You said you would contact us yourself, so we will not contact you." in said
    assert "Please call us on 0 1 6 3 2, 9 6 0, 0 0 0, Monday to Sunday" in said  # the hours filled in


@pytest.mark.parametrize("keys", [("1",), ("1", "3"), ("1", "1", "1")], ids=["subjects", "topics", "after an answer"])
def test_in_the_information_menus_the_main_menu_follows_so_2_asks_for_a_call_back(
    caller: CallActions, keys: tuple[str, ...]
) -> None:
    caller.call()
    for key in keys:
        caller.press(key)
    said = caller.say(RISK)
    safety, _, after = said.partition("When you are ready, here are the choices again.")
    assert PRESS_2 in safety and MAIN_MENU in after and "Choose a" not in after
    assert CONTACT_ME in caller.press("2")  # a call back: how to reach them safely, added to the concern


def test_a_worrying_hint_on_an_urgent_case_in_a_topic_list_gets_no_topic_answer(caller: CallActions) -> None:
    caller.call()
    caller.say(RISK)
    caller.press("1")
    caller.press("3")
    said = caller.say("things at home arent great at the moment")
    assert said.startswith("Thank you for telling us. We have added this to your urgent concern")
    assert "To hear that again, press 1" not in said and "not one of the choices" not in said
    assert PRESS_2 in said and said.rstrip().endswith("To hear this again, with your reference, press star.")


def test_a_parent_in_crisis_with_a_child_at_risk_hears_the_next_step_once(caller: CallActions) -> None:
    caller.call()
    said = caller.say("i want to kill myself and my partner hits the kids")
    assert said.startswith("I'm so sorry") and SAFETY in said
    assert said.count("So they can reach you") == 1
    assert said.index(SAFETY) < said.index(PRESS_2) < said.index(MAIN_MENU)
