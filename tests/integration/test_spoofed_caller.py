"""A caller's number is easily faked: a call never finds, tells of or withdraws an enquiry by number alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intake.models import Enquiry
from tests.conftest import ALWAYS_OPEN, SmsActions, make_app
from tests.integration.test_voice import CallActions

PARENT = "+447700900123"


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)


def asked_for_a_call_back(caller: CallActions) -> CallActions:
    """A call that asks for a call back (2) and answers 1 to every question until it hears its reference."""
    caller.call()
    caller.press("2")
    for _ in range(12):
        if "reference" in caller.press("1").lower():
            return caller
    raise AssertionError("the call-back questions never ended with a reference")


def status(app: Flask, reference: str) -> str:
    with app.extensions["intake"].sessions() as session:
        return session.scalars(select(Enquiry.status).where(Enquiry.reference == reference)).one()


def test_a_call_from_a_parents_number_learns_nothing_of_their_texted_enquiry(app: Flask,
                                                                            client: FlaskClient) -> None:
    reference = SmsActions(client, PARENT).hand_off()
    spoofer = CallActions(client, PARENT)  # anyone can send this caller ID
    spoofer.call()
    said = spoofer.press("2")  # ask for a caseworker
    assert reference not in said and reference.replace("-", "") not in said.replace(", ", "")
    assert "already" not in said.lower() and "queue" not in said.lower()
    spoofer.call()
    spoofer.say("forget")  # the spoken FORGET
    assert status(app, reference) == "queued"  # not withdrawn by a call that only claimed the number


def test_an_earlier_calls_enquiry_is_not_read_out_to_the_next_call_from_that_number(
    app: Flask, client: FlaskClient
) -> None:
    first = asked_for_a_call_back(CallActions(client, PARENT))
    with app.extensions["intake"].sessions() as session:
        reference = session.scalars(select(Enquiry.reference)).one()
    assert "already" in first.press("9") + first.press("2")  # the same call may hear it again
    second = CallActions(client, PARENT)
    second.call()
    said = second.press("2")
    assert "already" not in said.lower() and reference.replace("-", "") not in said.replace(", ", "")
    assert status(app, reference) == "queued"


def test_a_call_from_a_number_that_texted_a_concern_is_not_told_of_it(app: Flask, client: FlaskClient) -> None:
    sms = SmsActions(client, PARENT)
    said = "\n".join(sms.send("my partner hit my daughter last night and she has bruises"))
    with app.extensions["intake"].sessions() as session:
        concern = session.scalars(select(Enquiry.reference)).one()
    assert concern in said  # the parent who texted is told their concern's reference
    spoofer = CallActions(client, PARENT)
    spoofer.call()
    heard = spoofer.press("2")  # ask for a call back, as a parent with no concern would
    assert concern.replace("-", "") not in heard.replace(", ", "") and "already" not in heard.lower()
    assert "urgent" not in heard.lower() and "concern" not in heard.lower()


def test_a_spoken_forget_says_what_it_deleted_and_how_to_withdraw_an_earlier_enquiry(
    app: Flask, client: FlaskClient
) -> None:
    reference = SmsActions(client, PARENT).hand_off()
    caller = CallActions(client, PARENT)
    caller.call()
    heard = caller.say("forget")
    assert "deleted what you told us on this call" in heard and "text FORGET from the phone you used" in heard
    assert status(app, reference) == "queued"


def test_asking_again_on_the_same_call_is_told_in_spoken_words_not_texted_keywords(
    app: Flask, client: FlaskClient
) -> None:
    caller = asked_for_a_call_back(CallActions(client, PARENT))
    again = caller.press("9") + caller.press("2")
    assert "already waiting" in again and "don't need to ask again" in again
    assert "Reply FORGET" not in again and "FORGET" not in again


def test_a_worry_said_on_a_call_is_not_answered_with_the_numbers_texted_enquiry(app: Flask,
                                                                                client: FlaskClient) -> None:
    reference = SmsActions(client, PARENT).hand_off()
    spoofer = CallActions(client, PARENT)
    spoofer.call()
    heard = spoofer.press("0")  # "if a child is in danger, press 0"
    assert "9 9 9" in heard  # the safety words, as for any caller
    spelt = heard.replace(", ", "")
    assert reference.replace("-", "") not in spelt and "your enquiry" not in heard.lower()
    with app.extensions["intake"].sessions() as session:
        texted = session.scalars(select(Enquiry).where(Enquiry.reference == reference)).one()
        assert texted.priority == "normal"  # not made urgent by a call that only claimed the number
