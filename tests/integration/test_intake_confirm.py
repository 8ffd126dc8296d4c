"""The confirm step through real conversations: NO is recorded in the ledger, CHANGE changes any part."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from bot.content import sms_segments
from intake.models import ConsentRecord, Conversation, Enquiry
from tests.conftest import AUTH_TOKEN, PUBLIC_BASE, ChatActions, SmsActions

Send = Callable[[str], str]
NUMBER = "07981555321"  # the "another number" a parent types; stored as +447981555321


def enquiries(app: Flask) -> list[Enquiry]:
    with app.extensions["intake"].sessions() as session:
        return list(session.scalars(select(Enquiry)))


def ledger(app: Flask) -> list[ConsentRecord]:
    with app.extensions["intake"].sessions() as session:
        return list(session.scalars(select(ConsentRecord).order_by(ConsentRecord.id)))


def stored_states(app: Flask) -> list[str]:
    """Every conversation's state, decrypted: what the service still holds about a conversation."""
    keys = app.extensions["intake"].keys
    with app.extensions["intake"].sessions() as session:
        return [keys.decrypt(row.state) for row in session.scalars(select(Conversation))]


@pytest.fixture(params=["sms", "web"])
def parent(request: pytest.FixtureRequest, client: FlaskClient) -> tuple[str, Send]:
    """(channel, send): a parent texting or in the web chat; send returns all reply text joined."""
    if request.param == "sms":
        sms = SmsActions(client)
        return "sms", lambda message: "\n".join(sms.send(message))
    return "web", ChatActions(client).open().texts


def run(send: Send, *messages: str) -> str:
    """Send messages in order; return the last reply."""
    reply = ""
    for message in messages:
        reply = send(message)
    return reply


# -- NO at the confirm step --------------------------------------------------------------------

def test_no_at_confirm_records_one_refusal_with_no_content(app: Flask, parent: tuple[str, Send]) -> None:
    channel, send = parent
    words = "The school keeps sending him home early"
    confirm = run(send, "HUMAN", "yes", "1", words, "2", "1", "no")
    assert "exactly what a caseworker will see" in confirm
    assert ledger(app) == []  # answers wait in the conversation until the parent decides
    assert "not sent anything" in send("NO")
    assert enquiries(app) == []
    [record] = ledger(app)
    assert (record.purpose, record.granted, record.wording_version, record.channel) == (
        "keep_details", False, "intake-1", channel)
    assert record.reference == "" and record.enquiry_id is None and record.at is not None
    assert all("sending him home" not in state for state in stored_states(app))


def test_no_to_keeping_and_no_at_confirm_read_the_same_in_the_ledger(app: Flask, sms: SmsActions) -> None:
    sms.send("HUMAN")
    sms.send("no")
    run(lambda m: "\n".join(sms.send(m)), "HUMAN", "yes", "1", "help with support", "2", "1", "no", "NO")
    assert [(r.purpose, r.granted, r.reference) for r in ledger(app)] == [("keep_details", False, "")] * 2


# -- CHANGE at the confirm step ----------------------------------------------------------------

def sms_form_with_callback(send: Send) -> str:
    """SMS: words, primary, EHC plan yes, text this number, mornings, say who we are (no voicemail question)."""
    return run(send, "HUMAN", "yes", "1", "He has no support at school", "2", "1", "yes", "1", "1", "yes")


def web_form_with_callback(send: Send) -> str:
    """Web chat: words, primary, no plan, phone call on another number, mornings, no voicemail, say who we are."""
    return run(send, "HUMAN", "yes", "1", "He has no support at school", "2", "2", "yes", "2", NUMBER, "1",
               "no", "yes")


def test_change_offers_only_the_parts_the_form_asked(parent: tuple[str, Send]) -> None:
    _, send = parent
    confirm = run(send, "HUMAN", "yes", "1", "some words about support", "2", "1", "no")
    assert "CHANGE to change something" in confirm
    menu = send("CHANGE")
    assert "What do you want to change" in menu
    assert "1 Your words" in menu and "2 If and how we contact you" in menu
    assert "3 School stage and EHC plan" in menu and "4 Nothing, show it again" in menu
    assert "Safe times" not in menu  # no callback, so safe times were never asked
    assert "numbers shown" in send("9")  # not a choice: asked again
    again = send("4")
    assert "exactly what a caseworker will see" in again and "some words about support" in again


def test_sms_change_contact_method_asks_for_its_number_then_confirms(app: Flask, sms: SmsActions) -> None:
    def send(message: str) -> str:
        return "\n".join(sms.send(message))

    confirm = sms_form_with_callback(send)
    assert "Contact: Text this number" in confirm and "Safe times: Weekday mornings" in confirm
    menu = send("CHANGE")
    assert "3 Safe times" in menu and sms_segments(menu) == 1  # every part offered, still one text
    assert "caseworker to contact you" in send("2")
    assert "How should we contact you" in send("yes")
    assert "type the phone number" in send("3")
    assert "When is it safe" in send(NUMBER)  # a new way of contact asks its safe times again
    run(send, "2", "yes")
    confirm = send("no")
    assert "Contact: Another phone number +447981555321" in confirm
    assert "Safe times: Weekday afternoons" in confirm and "Voicemail or message: Yes" in confirm
    assert "He has no support at school" in confirm and "Education: Primary school" in confirm
    assert "Your reference is" in send("YES")
    [enquiry] = enquiries(app)
    keys = app.extensions["intake"].keys
    assert keys.decrypt_json(enquiry.contact) == {"method": "phone_other", "detail": "+447981555321"}
    assert enquiry.safe_times == "afternoons" and enquiry.voicemail_ok is True and enquiry.name_service_ok is False
    assert keys.decrypt_json(enquiry.facts) == {"school_phase": "primary", "ehc_plan": "yes"}
    recorded = {(r.purpose, r.granted) for r in ledger(app)}
    assert recorded == {("keep_details", True), ("contact", True), ("voicemail", True), ("name_service", False)}
    assert len(ledger(app)) == 4  # the answers the parent changed are not recorded twice


def test_sms_change_safe_times_only(app: Flask, sms: SmsActions) -> None:
    def send(message: str) -> str:
        return "\n".join(sms.send(message))

    sms_form_with_callback(send)
    send("CHANGE")
    assert "When is it safe" in send("3")
    confirm = send("3")  # only during school hours; nothing else is asked again
    assert "exactly what a caseworker will see" in confirm
    assert "Safe times: Only during school hours" in confirm and "Contact: Text this number" in confirm
    send("YES")
    [enquiry] = enquiries(app)
    assert enquiry.safe_times == "school_hours" and enquiry.voicemail_ok is False and enquiry.name_service_ok
    contact = app.extensions["intake"].keys.decrypt_json(enquiry.contact)
    assert contact == {"method": "sms_this", "number": sms.number}


def test_web_change_to_reply_in_the_chat_drops_what_no_longer_applies(tmp_path) -> None:
    from tests.conftest import ALWAYS_OPEN, make_app

    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)  # a reply in the chat is offered only while we are open
    chat = ChatActions(app.test_client()).open()
    confirm = web_form_with_callback(chat.texts)
    assert "Contact: Phone call +447981555321" in confirm and "Safe times" in confirm
    chat.texts("CHANGE")
    chat.texts("2")
    chat.texts("yes")
    confirm = chat.texts("1")  # reply here in this chat: no number, safe times or voicemail to ask
    assert "exactly what a caseworker will see" in confirm and "Reply here in this chat" in confirm
    assert "Safe times" not in confirm and "Voicemail" not in confirm and "+447981555321" not in confirm
    menu = chat.texts("CHANGE")
    assert "Safe times" not in menu  # no longer asked, so no longer offered
    chat.texts("4")  # nothing: back to the confirm
    assert "Your reference is" in chat.texts("yes")
    [enquiry] = enquiries(app)
    contact = app.extensions["intake"].keys.decrypt_json(enquiry.contact)
    assert contact == {"method": "web_chat", "session_id": chat.session_id}
    assert enquiry.safe_times is None and enquiry.voicemail_ok is False and enquiry.name_service_ok is False
    assert {(r.purpose, r.granted) for r in ledger(app)} == {("keep_details", True), ("contact", True)}


def test_web_change_safe_times_and_school_answers(app: Flask, chat: ChatActions) -> None:
    web_form_with_callback(chat.texts)
    chat.texts("CHANGE")
    assert "When is it safe" in chat.texts("3")
    confirm = chat.texts("4")
    assert "Safe times: Any time we are open" in confirm and "Contact: Phone call +447981555321" in confirm
    chat.texts("CHANGE")
    assert "stage of education" in chat.texts("4")
    assert "EHC plan" in chat.texts("3")
    confirm = chat.texts("3")
    assert "Education: Secondary school" in confirm and "EHC plan: Being assessed now" in confirm
    chat.texts("yes")
    [enquiry] = enquiries(app)
    assert enquiry.safe_times == "any"
    facts = app.extensions["intake"].keys.decrypt_json(enquiry.facts)
    assert facts == {"school_phase": "secondary", "ehc_plan": "assessing"}


def test_change_to_no_contact_keeps_no_number(app: Flask, chat: ChatActions) -> None:
    web_form_with_callback(chat.texts)
    chat.texts("CHANGE")
    chat.texts("2")
    confirm = chat.texts("no")
    assert "Contact: No, I will contact you" in confirm and "+447981555321" not in confirm
    assert "quote it" in chat.texts("yes")
    [enquiry] = enquiries(app)
    assert enquiry.contact is None and enquiry.safe_times is None
    assert {(r.purpose, r.granted) for r in ledger(app)} == {("keep_details", True), ("contact", False)}


# -- the phone line: 3 changes something ---------------------------------------------------------

class Caller:
    """A parent on the phone line, each webhook signed as Twilio signs it, following each <Gather>."""

    def __init__(self, client: FlaskClient) -> None:
        self.client, self.sid, self.action = client, "CA" + uuid.uuid4().hex, "/twilio/voice"
        self.validator = RequestValidator(AUTH_TOKEN)

    def press(self, digits: str = "") -> str:
        """Ring (first time) or press keys; return everything said."""
        params = {"CallSid": self.sid, "AccountSid": "AC" + "1" * 32, "From": "+447700900123",
                  "To": "+441632960001", "CallStatus": "in-progress", **({"Digits": digits} if digits else {})}
        signature = self.validator.compute_signature(PUBLIC_BASE + self.action, params)
        response = self.client.post(self.action, data=params, headers={"X-Twilio-Signature": signature})
        assert response.status_code == 200, response.data
        root = ET.fromstring(response.data)
        gather = root.find("Gather")
        self.action = gather.get("action", "") if gather is not None else ""
        return " ".join(say.text or "" for say in root.iter("Say"))


def test_phone_confirm_offers_3_to_change_safe_times(tmp_path) -> None:
    from tests.conftest import ALWAYS_OPEN, make_app

    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)
    caller = Caller(app.test_client())
    caller.press()
    said = ""
    # call back, keep details, topic, primary, EHC plan, contact me, call this number, mornings, voicemail, name
    for key in ("2", "1", "1", "2", "1", "1", "1", "1", "1", "1"):
        said = caller.press(key)
    assert "A caseworker will see this" in said and "Press 3 to change something" in said
    menu = caller.press("3")
    assert "What do you want to change" in menu and "Your words" not in menu  # the phone asks no words
    assert "For Safe times, press 2." in menu
    assert "When is it safe" in caller.press("2")
    said = caller.press("2")
    assert "A caseworker will see this" in said and "Safe times: Weekday afternoons" in said
    assert "Your reference is" in caller.press("1")
    [enquiry] = enquiries(app)
    assert enquiry.safe_times == "afternoons" and enquiry.channel == "voice"
