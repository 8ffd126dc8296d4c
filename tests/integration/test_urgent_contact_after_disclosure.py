"""After a safety disclosure, HUMAN asks only how to reach the parent safely, and adds it to the concern.

"Reply HUMAN to give a safe way to reach you": the contact questions, each behind its consent question, not
the general SEND form (what it is about, your words, stage of education, EHC plan). Through the signed SMS and
voice webhooks; what is kept is read back from the real database.
"""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intake import concerns
from intake.models import ConsentRecord, Enquiry
from tests.conftest import Inbox, SmsActions
from tests.integration.test_console_rights import claimed
from tests.integration.test_safeguarding_disclosures import alerts
from tests.integration.test_voice import CallActions

RISK = "my partner hit my daughter last night and she has a bruise on her face"
GENERAL_FORM = ("mainly about", "In a few words", "stage of education", "EHC plan", "keep a few details")
REFERENCE = re.compile(r"\b([A-Z]{3}-\d{3})\b")


def said(sms: SmsActions, message: str) -> str:
    return "\n".join(sms.send(message))


def no_general_questions(text: str) -> None:
    for words in GENERAL_FORM:
        assert words not in text, words


def the_case(app: Flask) -> tuple[Enquiry, list[tuple[str, bool]]]:
    """The one case, and its consents as (purpose, granted)."""
    with app.extensions["intake"].sessions() as session:
        case = session.scalars(select(Enquiry)).one()
        consents = [(c.purpose, c.granted) for c in session.scalars(select(ConsentRecord).order_by(ConsentRecord.id))]
        session.expunge(case)
    return case, consents


def test_by_sms_human_after_a_disclosure_asks_only_how_to_reach_you_safely(app: Flask, sms: SmsActions) -> None:
    [reference] = set(REFERENCE.findall(said(sms, RISK)))

    asked = said(sms, "HUMAN")
    assert f"So our duty caseworker can reach you safely about {reference}" in asked
    assert "Would you like a caseworker to contact you?" in asked  # the first question is its consent
    no_general_questions(asked)
    walk = [("yes", "How should we contact you?"), ("2", "When is it safe"), ("1", "voicemail"),
            ("no", "say who we are"), ("yes", "This is exactly what a caseworker will see")]
    for answer, question in walk:
        asked = said(sms, answer)
        assert question in asked, (answer, asked)
        no_general_questions(asked)
    assert f"About: what you told us, ref {reference}" in asked and "Contact: Call this number" in asked
    assert "None" not in asked

    done = said(sms, "YES")
    assert f"added this to your enquiry {reference}" in done and len(set(REFERENCE.findall(done))) == 1
    case, consents = the_case(app)
    keys = app.extensions["intake"].keys
    assert (case.reference, case.priority, case.topic) == (reference, "urgent", concerns.CONCERN_TOPIC)
    assert keys.decrypt_json(case.contact) == {"method": "call_this", "number": sms.number}
    assert case.safe_times == "mornings" and case.voicemail_ok is False and case.name_service_ok is True
    assert case.summary is None and keys.decrypt_json(case.facts) == {"topic": concerns.CONCERN_TOPIC}
    # What was asked, recorded as answered: nothing kept that no question covered.
    assert consents == [("contact", True), ("voicemail", False), ("name_service", True)]
    assert "already with us" in said(sms, "HUMAN")  # asking again starts nothing new


def test_saying_no_to_being_contacted_keeps_no_contact_details(app: Flask, sms: SmsActions) -> None:
    [reference] = set(REFERENCE.findall(said(sms, RISK)))
    said(sms, "HUMAN")
    confirm = said(sms, "no")
    assert "Contact: No, I will contact you" in confirm
    no_general_questions(confirm)
    done = said(sms, "yes")
    assert f"added this to your enquiry {reference}" in done and "01632 960000" in done
    case, consents = the_case(app)
    assert case.contact is None and consents == [("contact", False)]


def test_on_the_phone_a_call_back_after_a_disclosure_asks_only_how_to_call_back(
    app: Flask, client: FlaskClient
) -> None:
    caller = CallActions(client)
    caller.call()
    caller.say(RISK)
    heard = caller.press("2")  # a call back, from the main menu
    assert "a few questions about how to contact you" in heard
    assert "Would you like a caseworker to contact you?" in heard
    no_general_questions(heard)
    assert "How should we contact you?" in caller.press("1")
    for key in ("1", "1", "2", "2"):  # this number, weekday mornings, no voicemail, don't say who we are
        no_general_questions(caller.press(key))
    done = caller.press("1")  # send it
    assert "added this to your enquiry, reference" in done
    case, consents = the_case(app)
    assert case.priority == "urgent" and app.extensions["intake"].keys.decrypt_json(case.contact) == {
        "method": "call_this", "number": caller.number}
    assert consents == [("contact", True), ("voicemail", False), ("name_service", False)]


def test_the_review_journey_a_claimed_concern_whose_caseworker_went_home_still_reaches_the_duty_caseworker(
    alerting_app: Flask, duty: Inbox
) -> None:
    sms = SmsActions(alerting_app.test_client())
    [reference] = set(REFERENCE.findall(said(sms, RISK)))
    for answer in ("HUMAN", "yes", "1", "1", "yes", "YES"):  # texts to this number, mornings, say who we are
        done = said(sms, answer)
    assert f"added this to your enquiry {reference}" in done
    claimed(alerting_app, reference, "alice").logout()  # 5pm Friday
    before = alerts(duty).count(f"CONFIDENTIAL — URGENT: enquiry {reference}")

    reply = said(sms, "he is coming back tonight and i dont know what to do")
    assert f"added this to your enquiry {reference}, marked urgent for our duty caseworker" in reply
    assert alerts(duty).count(f"CONFIDENTIAL — URGENT: enquiry {reference}") == before + 1


def test_please_just_call_me_after_a_disclosure_is_a_yes_and_dont_call_me_is_not(app: Flask, sms: SmsActions) -> None:
    said(sms, RISK)
    said(sms, "HUMAN")
    asked = said(sms, "please just call me")
    assert "How should we contact you?" in asked and "Sorry" not in asked
    no_general_questions(asked)
    third = SmsActions(sms.client, "+447700900557")
    said(third, RISK)
    said(third, "HUMAN")
    assert "How should we contact you?" in said(third, "yes call me back")  # YES as a lead, not a YAML true

    other = SmsActions(sms.client, "+447700900556")
    said(other, RISK)
    said(other, "HUMAN")
    asked = said(other, "please dont call me")
    assert "How should we contact you?" not in asked and "Would you like a caseworker to contact you?" in asked


def test_a_concern_claimed_before_the_parent_gave_a_way_to_reach_them_still_takes_their_answers(
    app: Flask, sms: SmsActions
) -> None:
    [reference] = set(REFERENCE.findall(said(sms, RISK)))
    claimed(app, reference, "alice").logout()  # a caseworker takes the concern at once
    asked = said(sms, "HUMAN")
    assert "Would you like a caseworker to contact you?" in asked
    for answer, question in [("yes", "How should we contact you?"), ("2", "When is it safe"), ("1", "voicemail"),
                             ("no", "say who we are"), ("yes", "This is exactly what a caseworker will see")]:
        asked = said(sms, answer)
        assert question in asked and "added this to your enquiry" not in asked, (answer, asked)
    said(sms, "YES")
    case, _ = the_case(app)
    assert app.extensions["intake"].keys.decrypt_json(case.contact) == {"method": "call_this", "number": sms.number}
