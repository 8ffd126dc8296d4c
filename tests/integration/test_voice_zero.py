"""The key 0: announced at the main menu as "a child is in danger", it raises an urgent concern wherever a
single key is asked for; a lone 0 at the typed phone number is that number's first digit, and raises nothing.

Through real signed Twilio voice webhooks (tests/integration/test_voice.py), nothing patched.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from intake.models import Enquiry
from tests.conftest import ALWAYS_OPEN, make_app
from tests.integration.test_voice import CallActions, count, walk_to_contact_question

SAFETY = "If a child is in immediate danger, please hang up and call 9 9 9 now."
TYPE_IT = "Please type the phone number on your keypad, then press the hash key."
NOT_A_NUMBER = "Sorry, that doesn't look like a UK phone number."
IN_DANGER = "If a child is in danger, tell us in your own words, or hang up and call 9 9 9."


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    """An app whose office is open whenever the tests run."""
    return make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)


def urgent(app: Flask) -> int:
    """Urgent cases: each one a duty alert."""
    return count(app, Enquiry, Enquiry.priority == "urgent")


def at_the_typed_number(client: FlaskClient) -> CallActions:
    """A caller with a withheld number, asked to type the number we should call."""
    caller = CallActions(client, "anonymous")
    walk_to_contact_question(caller)
    assert TYPE_IT in caller.press("3")  # another number, typed on the keypad
    assert caller.action and "/entry" in caller.action  # many keys, until hash
    return caller


@pytest.mark.parametrize("zero", ["pressed", "said"])
def test_a_lone_0_at_the_typed_number_is_a_digit_not_a_child_in_danger(
    app: Flask, client: FlaskClient, zero: str
) -> None:
    caller = at_the_typed_number(client)
    said = caller.press("0") if zero == "pressed" else caller.say("zero")  # cut short by the time-out, or hash
    assert urgent(app) == 0 and SAFETY not in said  # no false urgent case, no duty alert
    assert said.startswith(NOT_A_NUMBER) and IN_DANGER in said and said.rstrip().endswith(TYPE_IT)
    assert "When is it safe" in caller.press("07981555321")  # the number, typed in full, goes on
    assert urgent(app) == 0


def test_at_the_typed_number_words_of_danger_still_raise_a_concern_and_0_does_at_the_next_question(
    app: Flask, client: FlaskClient
) -> None:
    caller = at_the_typed_number(client)
    assert IN_DANGER in caller.press("0") and urgent(app) == 0
    said = caller.say("my partner hurts my son")  # told: "tell us in your own words"
    assert said.startswith(SAFETY) and urgent(app) == 1
    assert said.rstrip().endswith(TYPE_IT)  # then the same question
    assert "When is it safe" in caller.press("07981555321")
    said = caller.press("0")  # a single key again: the danger key, as announced at the main menu
    assert said.startswith(SAFETY) and "When is it safe" in said
    assert urgent(app) == 1  # the same concern: one case per call
