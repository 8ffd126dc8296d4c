"""One parent, one reference: a form completed after a safety concern joins that concern (policy 7.1, 8.1)."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from sqlalchemy import select, update

from intake import concerns, queue
from intake.db import unit_of_work
from intake.models import AuditEvent, ConsentRecord, Conversation, Enquiry, utcnow
from tests.conftest import ChatActions, SmsActions

RISK = "my ex hits our son at weekends"
WORDS = "The school won't put his support in place"
REFERENCE = re.compile(r"([A-Z]{3}-\d{3})")


def enquiries(app: Flask) -> list[Enquiry]:
    with app.extensions["intake"].sessions() as session:
        return list(session.scalars(select(Enquiry).order_by(Enquiry.id)))


def texts(sms: SmsActions, *messages: str) -> str:
    """Send messages in order; return the last reply joined."""
    reply: list[str] = []
    for message in messages:
        reply = sms.send(message)
    return "\n".join(reply)


def sms_form(sms: SmsActions) -> str:
    """HUMAN and the whole form with a callback by text (no open concern); returns the final reply."""
    return texts(sms, "HUMAN", "yes", "1", WORDS, "2", "1", "yes", "1", "1", "yes", "YES")


# After a safety disclosure HUMAN asks only how to reach the parent safely (no topic, words, stage of education
# or EHC plan): yes to contact, by text to this number, weekday mornings, yes to saying who we are, then send.
CONTACT_ANSWERS = ("HUMAN", "yes", "1", "1", "yes", "YES")
GENERAL_FORM = ("mainly about", "In a few words", "stage of education", "EHC plan", "keep a few details")


def sms_contact(sms: SmsActions) -> str:
    """After a disclosure: HUMAN and the contact questions, with a callback by text; returns the final reply."""
    for message in CONTACT_ANSWERS:
        reply = "\n".join(sms.send(message))
        for words in GENERAL_FORM:
            assert words not in reply, (message, reply)
    return reply


def close(app: Flask, reference: str) -> None:
    """A caseworker claims the case and closes it."""
    with unit_of_work(app.extensions["intake"].sessions) as session:
        queue.claim(session, "alice", reference)
        queue.close(session, "alice", reference, "advice given", 30)


def test_form_after_a_disclosure_joins_the_concern_under_its_reference(app: Flask, sms: SmsActions) -> None:
    risk = "\n".join(sms.send(RISK))
    reference = REFERENCE.search(risk).group(1)
    done = sms_contact(sms)
    assert reference in done and "added this to your enquiry" in done
    assert len(set(REFERENCE.findall(done))) == 1  # no second reference anywhere in the reply
    [enquiry] = enquiries(app)
    keys = app.extensions["intake"].keys
    assert enquiry.reference == reference and enquiry.status == "queued"
    assert enquiry.priority == "urgent" and enquiry.priority_rank == 0 and enquiry.topic == concerns.CONCERN_TOPIC
    assert enquiry.override_reason == concerns.SAFEGUARDING_OVERRIDE
    assert any("hits" in t for t in keys.decrypt_json(enquiry.safeguarding))
    # What it is about is the concern itself: no words, stage of education or EHC plan were asked or kept.
    assert enquiry.summary is None
    assert keys.decrypt_json(enquiry.facts) == {"topic": concerns.CONCERN_TOPIC}
    assert keys.decrypt_json(enquiry.contact) == {"method": "sms_this", "number": sms.number}
    assert enquiry.safe_times == "mornings" and enquiry.voicemail_ok is False and enquiry.name_service_ok is True
    with app.extensions["intake"].sessions() as session:
        consents = list(session.scalars(select(ConsentRecord)))
        actions = [e.action for e in session.scalars(select(AuditEvent).where(AuditEvent.reference == reference))]
    assert {(c.purpose, c.granted) for c in consents} == {
        ("contact", True), ("name_service", True)}  # only what was asked: a text asks no voicemail
    assert all(c.reference == reference and c.enquiry_id == enquiry.id and c.channel == "sms" for c in consents)
    assert actions == ["safeguarding_flag", concerns.ALERT_FAILED, "form_added"]  # no duty e-mail set up here
    assert "already with us" in texts(sms, "HUMAN")  # asking again starts no second enquiry
    assert len(enquiries(app)) == 1


def test_the_duty_phone_hears_of_the_concern_once(tmp_path, twilio_api) -> None:
    from tests.conftest import TWILIO_ACCOUNT, make_app

    base, received = twilio_api
    app = make_app(tmp_path, TWILIO_ACCOUNT_SID=TWILIO_ACCOUNT, TWILIO_SMS_FROM="+441632960001",
                   TWILIO_API_BASE=base, DUTY_SMS="+447700900777")
    sms = SmsActions(app.test_client())
    sms.send(RISK)
    assert "added this to your enquiry" in sms_contact(sms)
    [enquiry] = enquiries(app)
    assert enquiry.contact is not None  # the contact answers joined the concern, and raised no second alert
    assert [form["To"] for _, form in received] == [["+447700900777"]]
    assert enquiry.reference in received[0][1]["Body"][0]


def test_disclosure_in_the_middle_of_the_web_form_then_claimed_keeps_one_case(app: Flask, chat: ChatActions) -> None:
    chat.say("HUMAN")
    chat.say("yes")
    risk = chat.say("she said she wants to kill herself")
    assert "999" in risk[0]["text"]
    [concern] = enquiries(app)
    with unit_of_work(app.extensions["intake"].sessions) as session:
        queue.claim(session, "alice", concern.reference)  # the duty caseworker picks it up at once
    # The form the parent had started goes on (what it is about, their words...) and joins the claimed concern.
    for message, question in (("1", "In a few words"), ("Support at school has stopped", "stage of education"),
                              ("3", "EHC plan"), ("4", "Would you like a caseworker to contact you?"),
                              ("no", "This is exactly what a caseworker will see")):
        reply = chat.texts(message)
        assert question in reply, (message, reply)
    done = chat.texts("yes")
    assert concern.reference in done and "call us on 01632 960000" in done.lower()
    [enquiry] = enquiries(app)
    assert enquiry.status == "claimed" and enquiry.claimed_by == "alice" and enquiry.priority == "urgent"
    assert app.extensions["intake"].keys.decrypt(enquiry.summary) == "Support at school has stopped"
    assert enquiry.contact is None
    # The case is with a caseworker: later messages reach them on it, not a new enquiry, and as the case is
    # urgent, the duty caseworker too.
    later = chat.texts("he was sent home again")
    assert f"added this to your enquiry {concern.reference}, marked urgent for our duty caseworker" in later
    with app.extensions["intake"].sessions() as session:
        assert [n.author for n in session.scalars(select(Enquiry)).one().notes] == [
            "parent (safety disclosure)", "parent (message)"]


def test_after_the_concern_is_closed_a_new_conversation_gets_a_new_reference(app: Flask, sms: SmsActions) -> None:
    sms.send(RISK)
    first = REFERENCE.findall(sms_contact(sms))[0]
    close(app, first)
    with unit_of_work(app.extensions["intake"].sessions) as session:  # days later: the chat state has gone
        session.execute(update(Conversation).values(expires_at=utcnow() - timedelta(minutes=1)))
    done = sms_form(sms)
    [second] = REFERENCE.findall(done)
    assert second != first and "Your reference is" in done
    old, new = enquiries(app)
    assert (old.reference, old.status, old.priority) == (first, "closed", "urgent")
    assert (new.reference, new.status, new.priority) == (second, "queued", "normal")


def test_a_closed_concern_is_never_reused_in_the_same_conversation(app: Flask, sms: SmsActions) -> None:
    first = REFERENCE.findall("\n".join(sms.send(RISK)))[-1]
    close(app, first)
    done = sms_form(sms)
    assert first not in done and "Your reference is" in done
    [form_reference] = REFERENCE.findall(done)
    again = "\n".join(sms.send(RISK))
    # The new disclosure escalates the parent's own open enquiry, not the closed concern.
    [concern] = [e for e in enquiries(app) if e.status == "queued" and e.priority == "urgent"]
    assert concern.reference == form_reference != first and first not in again
    assert f"passed your enquiry {form_reference}" in again
    assert len(enquiries(app)) == 2


def test_another_parents_form_is_never_added_to_a_concern(app: Flask, sms: SmsActions) -> None:
    sms.send(RISK)
    other = SmsActions(sms.client, "+447700900555")
    done = sms_form(other)
    concern, enquiry = enquiries(app)
    assert concern.reference not in done and enquiry.reference in done
    assert concern.summary is None and enquiry.priority == "normal"


def test_forget_after_the_form_joined_the_concern_deletes_the_answers_not_the_concern(
    app: Flask, sms: SmsActions
) -> None:
    sms.send(RISK)
    reference = REFERENCE.findall(sms_contact(sms))[0]
    assert enquiries(app)[0].contact is not None  # the contact answers had joined the concern
    reply = texts(sms, "FORGET")
    assert reference in reply and "safety concern" in reply
    [enquiry] = enquiries(app)
    assert enquiry.status == "queued" and enquiry.priority == "urgent" and enquiry.override_reason
    assert enquiry.safeguarding is not None and enquiry.contact_key is not None
    assert enquiry.summary is None and enquiry.facts is None and enquiry.contact is None
    assert enquiry.safe_times is None and not enquiry.name_service_ok
    with app.extensions["intake"].sessions() as session:
        latest = session.scalars(select(ConsentRecord).order_by(ConsentRecord.id.desc())).first()
    assert (latest.purpose, latest.granted, latest.reference) == ("keep_details", False, reference)


def test_no_at_confirm_leaves_the_concern_as_it_was(app: Flask, sms: SmsActions) -> None:
    sms.send(RISK)
    assert "not sent anything" in texts(sms, *CONTACT_ANSWERS[:-1], "NO")  # the contact answers, then send nothing
    [concern] = enquiries(app)
    assert concern.summary is None and concern.facts is None and concern.priority == "urgent"
    assert concern.contact is None and concern.safe_times is None and not concern.name_service_ok
    with app.extensions["intake"].sessions() as session:
        [record] = session.scalars(select(ConsentRecord))
    assert (record.purpose, record.granted, record.reference) == ("keep_details", False, "")
