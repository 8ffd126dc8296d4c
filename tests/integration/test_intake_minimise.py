"""Over SMS, a teacher's and a school's name in the summary are pointed out, and go unless the parent keeps them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from intake.models import Enquiry
from tests.conftest import SmsActions

SUMMARY = (
    "my daughter Lily Smith at Oakfield Primary is being left out of school trips, her teacher Mrs Jones said "
    "its because of her wheelchair. call me on 07700 900456"
)


def stored_summary(app) -> str:
    with app.extensions["intake"].sessions() as session:
        [enquiry] = session.scalars(select(Enquiry))
        return app.extensions["intake"].keys.decrypt(enquiry.summary)


def hand_off_with(sms: SmsActions, summary: str, keep: str) -> str:
    """Ask for a caseworker, give the summary, answer the keep-it question; returns that question."""
    sms.send("HUMAN")
    sms.send("yes")
    sms.send("1")
    question = "\n".join(sms.send(summary))
    reply: list[str] = []
    for message in (keep, "2", "1", "no", "yes"):
        reply = sms.send(message)
    assert re.search(r"reference is [A-Z]{3}-\d{3}", "\n".join(reply)), reply
    return question


def test_no_takes_the_teacher_and_the_school_out(app, sms: SmsActions) -> None:
    question = hand_off_with(sms, SUMMARY, "no")
    assert "a name, a school name and a phone number" in question
    summary = stored_summary(app)
    for detail in ("Lily", "Smith", "Oakfield", "Jones", "900456"):
        assert detail not in summary
    assert summary == (
        "my daughter [name removed] at [school name removed] is being left out of school trips, her teacher "
        "[name removed] said its because of her wheelchair. call me on [phone number removed]"
    )


def test_yes_keeps_them(app, sms: SmsActions) -> None:
    hand_off_with(sms, SUMMARY, "yes")
    assert stored_summary(app) == SUMMARY


@pytest.mark.parametrize("summary", [
    "he is in year 7 at Castle Hill Academy and they won't do his EHCP hours",
    "mr patel at castle hill academy says he can't have a 1:1",
])
def test_school_names_are_caught_the_same_way_in_any_case(app, sms: SmsActions, summary: str) -> None:
    hand_off_with(sms, summary, "no")
    stored = stored_summary(app).lower()
    assert "castle hill" not in stored and "patel" not in stored
    assert "[school name removed]" in stored


def test_generic_school_words_stay_and_are_not_queried(app, sms: SmsActions) -> None:
    summary = "my son's mainstream primary school says he needs a special school or an SEN school"
    sms.send("HUMAN")
    sms.send("yes")
    sms.send("1")
    assert "looks like" not in "\n".join(sms.send(summary))
    for message in ("2", "1", "no", "yes"):
        sms.send(message)
    assert stored_summary(app) == summary
