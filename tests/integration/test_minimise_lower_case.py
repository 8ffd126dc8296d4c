"""Names and schools a parent texts in lower case are taken out when they answer 'no' to keeping them.

Through the real SMS webhook (signed as Twilio signs), the enquiry read back from the database and decrypted.
A message added after the enquiry was sent goes through the same name finder, with no question asked.
"""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from intake.models import Enquiry
from tests.conftest import SmsActions

SUMMARY = "my daughter amy is 9 and mrs jones the senco at st marys wont do her ehcp hours"


def stored(app: Flask) -> tuple[str, list[str]]:
    """The one enquiry's summary and the parent's later messages on it, decrypted as the case page shows them."""
    keys = app.extensions["intake"].keys
    with app.extensions["intake"].sessions() as session:
        [enquiry] = session.scalars(select(Enquiry))
        return keys.decrypt(enquiry.summary), [keys.decrypt(note.body) for note in enquiry.notes]


def hand_off(sms: SmsActions, summary: str) -> str:
    """Ask for a caseworker, give the summary, say 'no' to keeping what was found; returns that question."""
    sms.send("HUMAN")
    sms.send("yes")
    sms.send("1")
    question = "\n".join(sms.send(summary))
    reply: list[str] = []
    for message in ("no", "2", "1", "no", "yes"):
        reply = sms.send(message)
    assert re.search(r"reference is [A-Z]{3}-\d{3}", "\n".join(reply)), reply
    return question


def test_no_takes_out_a_child_a_teacher_and_a_school_typed_in_lower_case(app: Flask, sms: SmsActions) -> None:
    question = hand_off(sms, SUMMARY)
    assert "a name and a school name" in question
    summary, _ = stored(app)
    assert summary == (
        "my daughter [name removed] is 9 and [name removed] the senco at [school name removed] "
        "wont do her ehcp hours"
    )
    for detail in ("amy", "jones", "marys"):
        assert detail not in summary


def test_a_later_message_in_lower_case_has_its_names_taken_out_too(app: Flask, sms: SmsActions) -> None:
    hand_off(sms, "he is being left out of trips and they wont talk to me about it")
    reply = "\n".join(sms.send("hes at oakfield and his teacher is miss patel, my son tom wont go in now"))
    assert "added this to your enquiry" in reply, reply
    _, notes = stored(app)
    assert notes == [
        "hes at [school name removed] and his teacher is [name removed], my son [name removed] wont go in now"
    ]


def test_everyday_words_after_the_same_cues_are_kept_and_not_queried(app: Flask, sms: SmsActions) -> None:
    summary = "my son is 9 and my daughter has autism, his teacher is lovely but my ex partner wont agree to the plan"
    sms.send("HUMAN")
    sms.send("yes")
    sms.send("1")
    assert "looks like" not in "\n".join(sms.send(summary))
    for message in ("2", "1", "no", "yes"):
        sms.send(message)
    assert stored(app)[0] == summary
