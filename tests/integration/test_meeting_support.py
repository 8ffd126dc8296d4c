"""Asking for someone to come to a meeting is a request for a caseworker, not a question about the meeting."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from intake.models import Enquiry
from tests.conftest import ALWAYS_OPEN, ChatActions, SmsActions, make_app

CONSENT = "To pass your question to a caseworker"  # the hand-off form's first question, as HUMAN asks it
TIMETABLE = "reviewed at least every 12 months"  # the annual review topic's answer
ASKING = [
    "can u come to the annual review with me",
    "can someone come to a meeting with me",
    "i need someone to support me at the tribunal",
    "Could you come with me to my sons annual review?",
    "hi can a caseworker come to the review meeting",
    "is there someone who can support me at the exclusion hearing",
]


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    """Always open: where an enquiry is in the queue never depends on the hour."""
    return make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)


@pytest.mark.parametrize("words", ASKING)
def test_asking_for_someone_at_a_meeting_offers_a_caseworker(sms: SmsActions, chat: ChatActions, words: str) -> None:
    texted = "\n".join(sms.send(words))
    assert CONSENT in texted and TIMETABLE not in texted and "Did you mean" not in texted
    typed = chat.texts(words)
    assert CONSENT in typed and TIMETABLE not in typed and "Did you mean" not in typed


@pytest.mark.parametrize(
    "words",
    ["what happens at the annual review meeting", "can i bring someone to the annual review",
     "can you go to tribunal without a lawyer", "how much notice should i get for the annual review"],
)
def test_questions_about_a_meeting_are_not_taken_for_a_request(chat: ChatActions, words: str) -> None:
    assert CONSENT not in chat.texts(words)


def test_the_form_files_the_meeting_it_was_asked_about(chat: ChatActions) -> None:
    chat.texts("can u come to the annual review with me")
    after_yes = chat.texts("yes")
    assert "What is it mainly about?" not in after_yes and "what would you like help with" in after_yes


def test_while_an_enquiry_waits_the_request_goes_to_its_caseworker(app: Flask, sms: SmsActions) -> None:
    reference = sms.hand_off()
    reply = "\n".join(sms.send("can u come to the annual review with me"))
    assert f"We have added this to your enquiry {reference}" in reply and TIMETABLE not in reply
    with app.extensions["intake"].sessions() as session:
        enquiry = session.scalars(select(Enquiry)).one()
        kept = [app.extensions["intake"].keys.decrypt(n.body) for n in enquiry.notes]
    assert kept == ["can u come to the annual review with me"]
