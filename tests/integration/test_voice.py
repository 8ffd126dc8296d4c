"""The phone line: a scripted caller on signed Twilio Voice webhooks, keypad first, speech accepted."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from intake.models import ConsentRecord, Conversation, Enquiry
from tests.conftest import ALWAYS_OPEN, AUTH_TOKEN, PUBLIC_BASE, make_app
from tests.conftest import TWILIO_ACCOUNT as ACCOUNT

# What the voice line may use: verbs, where they may appear, and their attributes.
VERBS = {
    "Response": ({"Say", "Gather", "Hangup", "Redirect", "Pause"}, set()),
    "Gather": ({"Say", "Pause"}, {"action", "method", "input", "numDigits", "timeout", "actionOnEmptyResult",
                                  "language", "finishOnKey", "hints", "speechTimeout"}),
    "Say": (set(), {"language", "voice"}),
    "Pause": (set(), {"length"}),
    "Redirect": (set(), {"method"}),
    "Hangup": (set(), set()),
}
PRODUCED: list[str] = []  # every TwiML document any test received: checked for recording at the end


def check_twiml(body: bytes) -> ET.Element:
    """Parse, and check every verb, child and attribute against what the voice line may use."""
    text = body.decode()
    PRODUCED.append(text)
    root = ET.fromstring(text)
    assert root.tag == "Response"
    for element in root.iter():
        children, attributes = VERBS[element.tag]
        assert set(element.attrib) <= attributes, (element.tag, element.attrib)
        assert {child.tag for child in element} <= children, element.tag
        if element.tag == "Gather":
            assert element.get("action", "").startswith("/twilio/voice/")
            assert element.get("input") == "dtmf speech"
            assert element.get("actionOnEmptyResult") == "true" and element.get("language") == "en-GB"
            assert element.get("timeout")
        if element.tag == "Redirect":
            assert (element.text or "").startswith("/twilio/voice/")
        if element.tag == "Say":
            assert element.get("language") == "en-GB" and (element.text or "").strip()
    return root


class CallActions:
    """A parent on the phone, each webhook signed exactly as Twilio signs it; follows each <Gather>."""

    def __init__(self, client: FlaskClient, number: str = "+447700900123") -> None:
        self.client = client
        self.number = number
        self.sid = "CA" + uuid.uuid4().hex
        self.validator = RequestValidator(AUTH_TOKEN)
        self.action: str | None = None
        self.root: ET.Element | None = None

    def post(self, path: str, **fields: str) -> Any:
        """POST a signed voice webhook for PUBLIC_BASE_URL + path (query included)."""
        params = {"CallSid": self.sid, "AccountSid": ACCOUNT, "From": self.number, "To": "+441632960001",
                  "CallStatus": "in-progress", **fields}
        signature = self.validator.compute_signature(PUBLIC_BASE + path, params)
        return self.client.post(path, data=params, headers={"X-Twilio-Signature": signature})

    def _turn(self, path: str, **fields: str) -> str:
        response = self.post(path, **fields)
        assert response.status_code == 200, response.data
        assert response.mimetype == "text/xml"
        self.root = check_twiml(response.data)
        gather = self.root.find("Gather")
        self.action = gather.get("action") if gather is not None else None
        return self.heard

    @property
    def heard(self) -> str:
        """Everything said in the last TwiML, joined."""
        assert self.root is not None
        return " ".join((say.text or "") for say in self.root.iter("Say"))

    @property
    def hung_up(self) -> bool:
        """The last TwiML ended the call."""
        return self.root is not None and self.root.find("Hangup") is not None

    def call(self) -> str:
        """Ring the line."""
        return self._turn("/twilio/voice")

    def press(self, key: str) -> str:
        """Press a key in answer to the last <Gather>."""
        assert self.action, "the call has ended"
        return self._turn(self.action, Digits=key)

    def say(self, words: str) -> str:
        """Speak in answer to the last <Gather>."""
        assert self.action, "the call has ended"
        return self._turn(self.action, SpeechResult=words, Confidence="0.9")

    def wait(self) -> str:
        """Say and press nothing until the <Gather> times out."""
        assert self.action, "the call has ended"
        return self._turn(self.action)


def spoken_as(app: Flask, text: str) -> str:
    """Written words as the phone line says them (voice.yaml say_as)."""
    from bot import voice_menu

    return voice_menu.of(app.extensions["intake"].engine).keypad.label(text)


def count(app: Flask, model: Any, *where: Any) -> int:
    """Rows of a model in the app's database."""
    with app.extensions["intake"].sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    """An app whose office is open whenever the tests run."""
    return make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)


@pytest.fixture
def caller(client: FlaskClient) -> CallActions:
    """A parent phoning the line."""
    return CallActions(client)


def test_greeting_names_service_says_privacy_and_menu(caller: CallActions) -> None:
    said = caller.call()
    assert "Testshire SENDIASS" in said and "never record" in said
    assert "If it stops being safe to talk, you can hang up at any time" in said  # policy 1.3
    for key in ("press 1", "press 2", "press 3", "press 0", "press star"):
        assert key in said
    gather = caller.root.find("Gather")
    assert gather.get("numDigits") == "1" and gather.get("finishOnKey") == ""
    assert "not available" not in said


def test_information_by_topic_read_aloud_again_and_another(app: Flask, caller: CallActions) -> None:
    caller.call()
    assert "Choose a subject" in caller.press("1")
    assert "Choose a topic" in caller.press("2")
    content = app.extensions["intake"].content
    topic = content.topics[content.categories[1].topic_ids[0]]
    first = spoken_as(app, topic.spoken.split(".")[0])
    said = caller.press("1")
    assert first in said
    assert "To hear that again, press 1" in said and "press 3" not in said  # no texting configured
    assert "from the main menu" not in said  # one meaning per key: no "press 2 from the main menu" here
    assert "caseworker to call you back, press 4" in said
    assert first in caller.press("1")
    assert "Choose a subject" in caller.press("2")
    assert "press 1" in caller.press("9") and "confidential" in caller.heard


def test_back_and_repeat_keys(caller: CallActions) -> None:
    caller.call()
    assert "these choices again" in caller.press("*")
    caller.press("1")
    assert "Choose a subject" in caller.press("*")
    caller.press("3")
    assert "Choose a topic" in caller.press("*")
    assert "To ask a caseworker to call you back" in caller.press("9")


def test_confidentiality(caller: CallActions) -> None:
    caller.call()
    said = caller.press("3")
    assert "never tell" in said and "never record" in said and "press 1" in said
    assert "caseworkers and their manager" in said and "encrypted" in said and "a year after" in said
    assert "Information Commissioner" in said and "{" not in said


def test_key_zero_gives_safety_words_first_and_raises_urgent_concern(app: Flask, caller: CallActions) -> None:
    caller.call()
    said = caller.press("0")
    assert said.index("9 9 9") < said.index("press 1")
    assert "0 8 0 8, 8 0 0, 5 0 0 0" in said
    assert count(app, Enquiry, Enquiry.priority == "urgent") == 1
    assert not caller.hung_up


@pytest.mark.parametrize(("words", "expected"), [
    ("information", "Choose a subject"),
    ("One.", "Choose a subject"),
    ("press two", "keep a few details"),
    ("how do you keep things confidential", "never tell"),
    ("star", "these choices again"),
])
def test_speech_is_accepted_at_the_menu(caller: CallActions, words: str, expected: str) -> None:
    caller.call()
    assert expected in caller.say(words)


def test_speech_zero_and_words_of_danger_reach_the_safety_check(app: Flask, client: FlaskClient) -> None:
    first = CallActions(client, "+447700900201")
    first.call()
    assert "9 9 9" in first.say("zero")
    second = CallActions(client, "+447700900202")
    second.call()
    assert "9 9 9" in second.say("my dad hits my son and he is scared to go home")
    assert count(app, Enquiry, Enquiry.priority == "urgent") == 2


def test_unsure_words_get_one_direct_question_then_the_menu(app: Flask, caller: CallActions) -> None:
    caller.call()
    said = caller.say("the school restrained my son again today")
    assert "in danger" in said and "press 1 for yes" in said.lower()
    said = caller.press("2")
    assert "press star" in said and count(app, Enquiry) == 0
    assert "these choices again" in caller.press("*")


def test_speech_question_is_answered_from_the_menu(caller: CallActions) -> None:
    caller.call()
    said = caller.say("how do I ask the council for an EHC needs assessment")
    assert "To hear that again, press 1" in said


def test_asking_how_long_an_ehc_plan_takes_at_the_menu_is_answered(caller: CallActions) -> None:
    """User-journey review: this question was told "Sorry, that is not one of the choices"."""
    caller.call()
    said = caller.say("how long does an EHC plan take")
    assert "within twenty weeks of your request" in said and "To hear that again, press 1" in said
    assert "not one of the choices" not in said


def test_a_spoken_question_the_line_is_unsure_of_hears_the_topics_it_may_be(caller: CallActions) -> None:
    """Speech-to-text loses words: a question close to several topics hears them by number, not "not a choice"."""
    caller.call()
    said = caller.say("EHCP")
    assert "not sure which of these you mean" in said and "not one of the choices" not in said
    assert "For What an education, health and care plan is, press 1." in said and "main menu, press 9" in said
    said = caller.press("1")
    assert "E H C P stands for education, health and care plan" in said and "To hear that again, press 1" in said


def test_from_the_topics_offered_a_caller_can_go_back_to_the_main_menu(caller: CallActions) -> None:
    caller.call()
    caller.say("EHCP")
    said = caller.say("main menu")
    assert said.startswith("For general information") and "not one of the choices" not in said


@pytest.mark.parametrize(("keys", "bad", "listed"), [
    ((), "7", "press 3"), (("1",), "8", "press 7"), (("1", "1"), "8", "press 9"),
    (("1", "1", "1"), "5", "press 2"),
])
def test_invalid_key_says_the_choices(
    caller: CallActions, keys: tuple[str, ...], bad: str, listed: str
) -> None:
    caller.call()
    for key in keys:
        caller.press(key)
    said = caller.press(bad)
    assert said.startswith("Sorry, that is not one of the choices.")
    assert "press 1" in said and listed in said
    assert not caller.hung_up


def test_no_input_reprompts_once_then_says_goodbye_with_office_number(caller: CallActions) -> None:
    caller.call()
    said = caller.wait()
    assert said.startswith("Sorry, I didn't hear anything.") and "press 1" in said
    assert "quiet=1" in (caller.action or "")
    said = caller.wait()
    assert caller.hung_up and caller.action is None
    assert "0 1 6 3 2, 9 6 0, 0 0 0" in said and "9 9 9" in said


def test_a_key_after_one_silence_carries_on(caller: CallActions) -> None:
    caller.call()
    caller.wait()
    assert "Choose a subject" in caller.press("1")
    caller.wait()
    assert "Choose a subject" in caller.heard and not caller.hung_up


def test_callback_by_keypad_ends_in_queued_enquiry_with_consents(app: Flask, caller: CallActions) -> None:
    caller.call()
    said = caller.press("2")
    assert "keep a few details" in said
    for _ in range(12):
        said = caller.press("1")
        if "reference" in said.lower():
            break
    assert "Your reference is" in said
    with app.extensions["intake"].sessions() as session:
        enquiry = session.scalars(select(Enquiry)).one()
        assert enquiry.status == "queued" and enquiry.channel == "voice"
        purposes = {r.purpose for r in session.scalars(select(ConsentRecord)) if r.granted}
    assert "keep" in " ".join(purposes)
    spoken_reference = ", ".join(ch for ch in enquiry.reference if ch.isalnum())
    assert spoken_reference in said and "press star" in said
    assert spoken_reference in caller.press("*") and "press 9" in caller.heard
    assert "press 1" in caller.press("9") and "call you back" in caller.heard
    said = caller.press("2")  # asking again: told it is already waiting (spelt out, no texted keyword), then the menu
    assert spoken_reference in said and "already waiting" in said and "FORGET" not in said and "press 3" in said
    with app.extensions["intake"].sessions() as session:
        assert len(session.scalars(select(Enquiry)).all()) == 1


def test_declining_to_keep_details_returns_to_the_menu(app: Flask, caller: CallActions) -> None:
    caller.call()
    caller.press("2")
    said = caller.press("2")
    assert "To ask a caseworker to call you back, press 2" in said
    assert count(app, Enquiry) == 0


def test_free_entry_gathers_many_keys_until_hash(app: Flask) -> None:
    from bot.channels.voice import twiml
    from bot.replies import Reply, TurnResult

    with app.test_request_context("/twilio/voice/choice"):
        response = twiml(TurnResult([Reply("Type the number, then press hash.", expects="text")]), 4)
    gather = check_twiml(response.get_data()).find("Gather")
    assert gather.get("action") == "/twilio/voice/entry?turn=4"
    assert gather.get("numDigits") is None and gather.get("finishOnKey") == "#"


def test_retried_incoming_call_webhook_does_not_restart(caller: CallActions) -> None:
    caller.call()
    caller.press("1")
    retry = caller.post("/twilio/voice")
    assert "delay" in " ".join(s.text or "" for s in check_twiml(retry.data).iter("Say"))
    assert "Choose a topic" in caller.press("2")  # still in the subjects menu


def test_retried_webhook_is_answered_once(app: Flask, caller: CallActions) -> None:
    caller.call()
    action = caller.action
    assert "Choose a subject" in caller.press("1")
    retry = caller.post(action, Digits="1")
    root = check_twiml(retry.data)
    assert "delay" in " ".join(s.text or "" for s in root.iter("Say"))
    assert root.find("Gather") is not None


@pytest.mark.parametrize("signature", ["", "bad-signature"])
def test_unsigned_or_badly_signed_request_is_refused(app: Flask, client: FlaskClient, signature: str) -> None:
    params = {"CallSid": "CA" + "2" * 32, "From": "+447700900123"}
    for path in ("/twilio/voice", "/twilio/voice/choice?turn=1"):
        response = client.post(path, data=params | {"Digits": "1"}, headers={"X-Twilio-Signature": signature})
        assert response.status_code == 403
    assert count(app, Conversation) == 0


def test_signature_for_another_path_is_refused(caller: CallActions) -> None:
    params = {"CallSid": caller.sid, "From": caller.number}
    signature = caller.validator.compute_signature(PUBLIC_BASE + "/twilio/voice", params)
    response = caller.client.post("/twilio/voice/choice?turn=1", data=params,
                                  headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403


def test_withheld_number_works_but_is_never_offered_a_text(client: FlaskClient) -> None:
    caller = CallActions(client, "anonymous")
    caller.call()
    caller.press("1")
    caller.press("1")
    said = caller.press("1")
    assert "To hear that again" in said and "text" not in said


def test_out_of_hours_says_next_opening_and_still_offers_callback(tmp_path: Path) -> None:
    app = make_app(tmp_path, OFFICE_HOURS="Sun 00:00-00:01")
    caller = CallActions(app.test_client())
    said = caller.call()
    assert "not available right now" in said and "next available" in said and "Sunday" in said
    assert "press 2" in said and "press 0" in said
    said = caller.press("2")
    assert "call back from" in said and "keep a few details" in said
    assert "9 9 9" in caller.press("0")


# -- text it to me: against a local stand-in for Twilio's REST API ----------------------------------
def texting_app(tmp_path: Path, base: str) -> Flask:
    """An app that can send texts through the stand-in."""
    return make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN, TWILIO_ACCOUNT_SID=ACCOUNT,
                    TWILIO_SMS_FROM="+441632960001", TWILIO_API_BASE=base)


def test_text_it_to_me_only_after_keypad_consent_and_discreet(tmp_path: Path, twilio_api: Any) -> None:
    base, received = twilio_api
    app = texting_app(tmp_path, base)
    caller = CallActions(app.test_client())
    caller.call()
    caller.press("7")  # invalid at the menu: nothing sent
    caller.press("1")
    caller.press("7")  # About us
    said = caller.press("1")
    assert "text message, press 3" in said
    said = caller.press("3")
    assert "will not say who it is from" in said and not received
    assert "not one of the choices" in caller.press("5") and not received
    said = caller.press("1")
    assert "sending the text" in said and "press 1" in said
    assert len(received) == 1
    path, form = received[0]
    assert path == f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
    assert form["To"] == ["+447700900123"] and form["From"] == ["+441632960001"]
    assert "Testshire" not in form["Body"][0] and "SENDIASS" not in form["Body"][0]
    assert "information you asked for" in form["Body"][0]
    assert count(app, Conversation) == 1  # the number itself is never stored
    with app.extensions["intake"].sessions() as session:
        assert all("447700900123" not in row.contact_key for row in session.scalars(select(Conversation)))
    assert count(app, ConsentRecord, ConsentRecord.purpose == "text_answer", ConsentRecord.granted) == 1


def test_a_number_that_texted_stop_is_never_offered_a_text(tmp_path: Path, twilio_api: Any) -> None:
    from tests.conftest import SmsActions

    base, received = twilio_api
    app = texting_app(tmp_path, base)
    SmsActions(app.test_client(), "+447700900123").send("STOP")
    caller = CallActions(app.test_client(), "+447700900123")
    caller.call()
    caller.press("1")
    caller.press("7")
    said = caller.press("1")
    assert "text message, press 3" not in said
    caller.press("3")
    assert received == []


def test_declining_the_text_sends_nothing(tmp_path: Path, twilio_api: Any) -> None:
    base, received = twilio_api
    caller = CallActions(texting_app(tmp_path, base).test_client())
    caller.call()
    caller.press("1")
    caller.press("1")
    caller.press("1")
    caller.press("3")
    assert "will not send" in caller.press("2")
    assert received == []


# -- the terminal --------------------------------------------------------------------------------
def test_intake_chat_voice_walks_the_menu_by_typed_digits(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["intake", "chat", "--channel", "voice"], input="1\n2\n1\n9\n3\n0\n")
    assert result.exit_code == 0, result.output
    out = result.output
    for expected in ("[says] Hello, you have reached Testshire SENDIASS", "Choose a subject",
                     "Choose a topic", "To hear that again", "never tell", "9 9 9"):
        assert expected in out


# -- never record: over every TwiML the tests above produced --------------------------------------
def test_no_recording_or_transcription_in_any_twiml(client: FlaskClient) -> None:
    caller = CallActions(client)
    caller.call()
    for key in ("1", "1", "1", "2", "9", "3", "0", "2"):
        caller.press(key)
    caller.wait()
    caller.wait()
    assert len(PRODUCED) > 20
    for twiml in PRODUCED:
        lowered = twiml.lower()
        assert "<record" not in lowered and "recording" not in lowered and "transcri" not in lowered
        root = ET.fromstring(twiml)
        for element in root.iter():
            assert element.tag not in ("Record", "Start", "Stream", "Dial", "Conference")
            assert not any(name.lower().startswith(("record", "transcri")) for name in element.attrib)


def test_danger_during_the_callback_questions_comes_first_then_goes_on(app: Flask, caller: CallActions) -> None:
    caller.call()
    caller.press("2")
    caller.press("1")  # yes, keep the details
    said = caller.press("0")  # in the middle of the form
    assert said.startswith("If a child is in immediate danger") and "not one of the choices" not in said
    assert "What is it mainly about?" in said  # then the same question again
    assert count(app, Enquiry, Enquiry.priority == "urgent") == 1
    said = caller.say("my partner hurts my son")
    assert "9 9 9" in said
    assert count(app, Enquiry, Enquiry.priority == "urgent") == 1  # one concern per call
    for _ in range(12):
        said = caller.press("1")
        if "reference" in said.lower():
            break
    # The callback request joins the concern already raised on this call: one case, one reference.
    assert "added this to your enquiry, reference" in said
    assert count(app, Enquiry) == 1 and count(app, Enquiry, Enquiry.priority == "urgent") == 1


def test_saying_oh_is_not_taken_as_zero(app: Flask, caller: CallActions) -> None:
    caller.call()
    said = caller.say("Oh.")
    assert "9 9 9, now" not in said and "immediate danger" not in said
    assert count(app, Enquiry) == 0


def walk_to_contact_question(caller: CallActions) -> str:
    caller.call()
    caller.press("2")  # a call back
    caller.press("1")  # keep the details
    caller.press("1")  # topic
    caller.press("2")  # primary
    caller.press("1")  # EHC plan
    return caller.press("1")  # yes, contact me


def test_withheld_number_is_offered_a_typed_number_not_this_number(app: Flask, client: FlaskClient) -> None:
    caller = CallActions(client, "anonymous")
    said = walk_to_contact_question(caller)
    assert "this number" not in said.lower() and "typed on the keypad" in said
    assert "then press the hash key" in caller.press("3")
    assert "When is it safe" in caller.press("07981555321")


def test_withheld_number_cannot_choose_a_call_back_to_this_number(app: Flask, client: FlaskClient) -> None:
    caller = CallActions(client, "anonymous")
    walk_to_contact_question(caller)
    said = caller.press("1")  # "call this number back" is not offered: there is no number to call
    assert "not one of the choices" in said and "typed on the keypad" in said
    assert "then press the hash key" in caller.press("3")


def test_silence_and_star_in_the_callback_questions(app: Flask, caller: CallActions) -> None:
    caller.call()
    caller.press("2")
    caller.press("1")
    said = caller.wait()
    assert "didn't hear anything" in said and "What is it mainly about?" in said
    said = caller.press("*")
    assert "What is it mainly about?" in said and "not one of the choices" not in said


def test_spoken_confirm_says_what_will_be_passed_on(app: Flask, caller: CallActions) -> None:
    said = walk_to_contact_question(caller)
    for _ in range(6):
        if "A caseworker will see this" in said:
            break
        said = caller.press("1")
    assert "A caseworker will see this" in said and "Education: Primary school" in said


def test_after_an_answer_key_4_asks_for_a_caseworker(caller: CallActions) -> None:
    caller.call()
    caller.press("1")
    caller.press("2")
    caller.press("1")
    assert "keep a few details" in caller.press("4")


def test_phone_lists_say_labels_for_the_ear_and_skip_small_talk(app: Flask, caller: CallActions) -> None:
    caller.call()
    said = caller.press("1")
    assert "(SEN support)" not in said and "EHC" not in said and "education, health and care" in said
    assert "For Hello" not in caller.press("7") and "Thank you, press" not in caller.heard
    assert "What this service is, press 1" in caller.heard


def test_texted_answer_has_the_hours_filled_and_reads_as_sentences(tmp_path: Path, twilio_api: Any) -> None:
    base, received = twilio_api
    caller = CallActions(texting_app(tmp_path, base).test_client())
    caller.call()
    caller.press("1")
    caller.press("7")  # About us
    caller.press("1")  # What this service is
    caller.press("3")
    caller.press("1")
    assert "\nThis service gives" in received[0][1]["Body"][0]
    caller.press("2")  # another topic
    caller.press("7")
    said = caller.press("2")  # Opening hours
    assert "press 3" in said
    caller.press("3")
    caller.press("1")
    body = received[1][1]["Body"][0]
    assert "{office_hours}" not in body and "{" not in body and "open" in body


def test_withheld_number_can_leave_the_contact_question_with_9(app: Flask, client: FlaskClient) -> None:
    caller = CallActions(client, "anonymous")
    said = walk_to_contact_question(caller)
    assert "typed on the keypad, press 3" in said and "contact us yourself, press 9" in said
    assert "contact us yourself, press 9" in caller.press("1")  # not offered: the same question, way out included
    said = caller.press("9")  # as if they had said no to being contacted
    assert "won't contact you" in said and "Press 1 to send" in said
    assert "How should we contact you" not in said
    said = caller.press("1")
    assert "reference" in said.lower()
    with app.extensions["intake"].sessions() as session:
        enquiry = session.scalars(select(Enquiry)).one()
        assert enquiry is not None
        contact = {r.purpose: r.granted for r in session.scalars(select(ConsentRecord))}
    assert contact.get("contact") is False and contact.get("keep_details") is True


def test_a_too_short_typed_number_is_called_that_and_9_goes_back(app: Flask, client: FlaskClient) -> None:
    caller = CallActions(client, "anonymous")
    walk_to_contact_question(caller)
    caller.press("3")
    said = caller.press("07700900")
    assert "doesn't look like a UK phone number" in said and "not one of the choices" not in said
    assert "then press the hash key" in said
    said = caller.press("9")
    assert "How should we contact you" in said and "contact us yourself, press 9" in said
    assert "then press the hash key" in caller.press("3")
    assert "When is it safe" in caller.press("07981555321")


@pytest.mark.parametrize(("words", "sent"), [("yes", 1), ("no", 0)])
def test_saying_yes_or_no_to_the_text_is_understood(tmp_path: Path, twilio_api: Any, words: str, sent: int) -> None:
    base, received = twilio_api
    caller = CallActions(texting_app(tmp_path, base).test_client())
    caller.call()
    caller.press("1")
    caller.press("7")  # About us
    caller.press("1")
    assert "will not say who it is from" in caller.press("3")
    said = caller.say(words)  # a caller who answers in a word, not a key
    assert "not one of the choices" not in said
    assert len(received) == sent
