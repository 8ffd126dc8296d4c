"""The safety reply promises only what is true when it is written: the case is marked urgent (policy 7.1).

The duty alert goes after the reply and may fail, so no wording may say the duty caseworker was alerted or
told. Here the duty mail server is down throughout: the reply is the same, and still gives 999 and the next step.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from intake.models import Enquiry
from intake.safeguarding import load_rules
from tests.conftest import ChatActions, SmsActions, dispose, free_port, make_app
from tests.integration.test_safeguarding_alerts import FAILED, mail_env
from tests.integration.test_safeguarding_disclosures import RISK, actions, reference_in
from tests.integration.test_voice import CallActions

RULES = Path(__file__).resolve().parents[2] / "flows" / "safeguarding.yaml"
MARKED = "We have marked this as urgent for our duty caseworker"
# On the phone the next step is one the call itself offers at any hour, not the office number (closed at night).
NEXT_STEP_SPOKEN = "So they can reach you, press 2 at the main menu to ask for a call back, and tell us a safe way"
# Texted at any hour: the office number comes with "when we're open" (at night the office is closed).
NEXT_STEP_TEXTED = "Reply HUMAN to give a safe way to reach you, or call 01632 960000 when we're open."
# What the reply cannot know when it is written: whether the duty alert went.
UNTRUE = re.compile(r"\b(alerted|been told|been notified|has been contacted|already has)\b", re.IGNORECASE)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """The app, its duty e-mail going to a mail server that is down."""
    app = make_app(tmp_path, **mail_env(free_port()))
    yield app
    dispose(app)


@pytest.mark.parametrize("key", sorted(load_rules(RULES).responses))
def test_no_safety_wording_says_the_duty_caseworker_was_told(key: str) -> None:
    assert not UNTRUE.search(load_rules(RULES).responses[key])


def test_by_sms_with_the_alert_failing_the_reply_says_it_is_marked_urgent_with_999_and_the_next_step(
    app: Flask
) -> None:
    sms = SmsActions(app.test_client())
    reply = sms.send(RISK)[0]
    reference = reference_in([reply])
    assert actions(app, reference) == ["safeguarding_flag", FAILED]  # the alert did not go
    assert reply.startswith("If a child is in immediate danger, call 999 now.")
    assert f"{MARKED}, ref {reference}." in reply and not UNTRUE.search(reply)
    assert reply.endswith(NEXT_STEP_TEXTED), reply


def test_in_the_web_chat_a_parent_in_crisis_hears_it_is_marked_urgent(app: Flask) -> None:
    chat = ChatActions(app.test_client()).open()
    [reply] = chat.say("ive been thinking about ending my life")
    text = reply["text"]
    assert "call 999" in text and "116 123" in text
    assert f"{MARKED}, to check you and your family are OK" in text and not UNTRUE.search(text)
    assert text.endswith(NEXT_STEP_TEXTED), text


def test_on_the_phone_the_caller_hears_it_is_marked_urgent(app: Flask) -> None:
    caller = CallActions(app.test_client())
    caller.call()
    said = caller.say(RISK)
    assert said.startswith("If a child is in immediate danger, please hang up and call 9 9 9 now.")
    assert f"{MARKED}. Your reference is" in said and not UNTRUE.search(said)
    assert NEXT_STEP_SPOKEN in said


@pytest.mark.parametrize("words", [RISK, "ive been thinking about ending my life"])
def test_out_of_hours_the_caller_is_told_a_next_step_the_call_offers_not_the_closed_office(
    tmp_path: Path, words: str
) -> None:
    tomorrow = (datetime.now(ZoneInfo("Europe/London")) + timedelta(days=1)).strftime("%a")
    app = make_app(tmp_path, **(mail_env(free_port()) | {"OFFICE_HOURS": f"{tomorrow} 09:00-17:00"}))  # closed now
    caller = CallActions(app.test_client())
    caller.call()
    said = caller.say(words)
    assert "call us on" not in said and "0, 1, 6, 3, 2, 9, 6, 0, 0, 0, 0" not in said  # the office is closed
    assert NEXT_STEP_SPOKEN in said
    assert "To ask a caseworker to call you back, press 2." in said  # and the main menu follows at once
    said = caller.press("2")
    # Only how to reach them safely: the contact questions, each asking first, not the general form.
    assert "Caseworkers will call back from" in said and "a few questions about how to contact you" in said
    assert "Would you like a caseworker to contact you?" in said and "Press 1 if that's OK" not in said
    for _ in range(12):
        said = caller.press("1")  # yes, this number, the first safe time, voicemail and saying who we are, send
        assert not any(words in said for words in ("mainly about", "stage of education", "EHC plan")), said
        if "reference" in said.lower():
            break
    # the call back joins the urgent concern: one case, one reference
    assert "added this to your enquiry, reference" in said
    with app.extensions["intake"].sessions() as session:
        [case] = session.scalars(select(Enquiry)).all()
    assert case.priority == "urgent"
    dispose(app)
