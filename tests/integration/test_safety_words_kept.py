"""What a parent wrote when disclosing a risk is kept on the urgent case for the duty caseworker (7.1, 8.1)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from intake.models import Enquiry
from tests.conftest import SmsActions

DISCLOSURE = "my partner hit my son last night and he has a bruise on his face, ring me on 07911 123456"


def kept(app: Flask) -> list[tuple[str, str]]:
    with app.extensions["intake"].sessions() as session:
        [case] = session.scalars(select(Enquiry)).all()
        assert case.priority == "urgent"
        return [(n.author, app.extensions["intake"].keys.decrypt(n.body)) for n in case.notes]


def test_the_duty_caseworker_reads_what_the_parent_wrote_not_only_the_phrase_detected(
        app: Flask, sms: SmsActions) -> None:
    assert "999" in "\n".join(sms.send(DISCLOSURE))
    [(author, words)] = kept(app)
    assert author == "parent (safety disclosure)"
    assert "last night" in words and "bruise on his face" in words
    assert "07911" not in words and "123456" not in words  # a number typed in passing is taken out


def test_forget_keeps_the_disclosure_with_the_concern(app: Flask, sms: SmsActions) -> None:
    sms.send(DISCLOSURE)
    sms.send("FORGET")
    assert [author for author, _ in kept(app)] == ["parent (safety disclosure)"]


def test_nothing_said_on_the_phone_is_kept(app: Flask, sms: SmsActions) -> None:
    sms.post({"CallSid": "CA" + "1" * 32, "From": sms.number}, path="/twilio/voice")
    sms.post({"CallSid": "CA" + "1" * 32, "From": sms.number, "SpeechResult": DISCLOSURE},
             path="/twilio/voice/menu")
    assert kept(app) == []


def test_a_number_inside_the_detected_phrase_is_not_kept(app: Flask, sms: SmsActions) -> None:
    sms.send("my partner 07911 222333 hit my son")
    sms.send("and my ex 07700 900456 hit my son again")  # added to the same case
    with app.extensions["intake"].sessions() as session:
        [case] = session.scalars(select(Enquiry)).all()
        triggers = app.extensions["intake"].keys.decrypt_json(case.safeguarding)
    assert triggers and not any(digit in "".join(triggers) for digit in "0123456789"), triggers
