"""Child protection first, on every channel and in every state (policy 7.1)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.content import sms_segments
from intake import queue
from intake.models import AuditEvent, Enquiry
from tests.conftest import ChatActions, SmsActions
from tests.integration.test_voice import CallActions

RISK = "my ex hits our son at weekends"


def concerns(app) -> list[Enquiry]:
    with app.extensions["intake"].sessions() as session:
        return list(session.scalars(select(Enquiry).where(Enquiry.priority == "urgent")))


def test_first_message_risk_gets_emergency_guidance_first(app, sms: SmsActions) -> None:
    replies = sms.send(RISK)
    first = replies[0]
    assert "999" in first and "0808 800 5000" in first and "0800 1111" in first and "01632 960999" in first
    assert "may have to share" in first
    [concern] = concerns(app)
    assert concern.reference in first
    assert concern.status == "queued" and concern.override_reason
    triggers = app.extensions["intake"].keys.decrypt_json(concern.safeguarding)
    assert triggers and any("hits" in t for t in triggers)


def test_risk_in_the_middle_of_the_consent_form(app, chat: ChatActions) -> None:
    chat.say("HUMAN")
    chat.say("yes")
    chat.say("1")
    replies = chat.say("she said she wants to kill herself")
    assert "999" in replies[0]["text"]
    assert concerns(app), "urgent enquiry created even before the form was finished or consented"
    # the form carries on kindly: her words are the concern's, not the summary, and the same question follows
    assert "what would you like help with?" in replies[-1]["text"]
    assert not any("stage of education" in m["text"] for m in replies)


def test_risk_before_consent_overrides_and_is_audited(app, sms: SmsActions) -> None:
    sms.send("HUMAN")
    sms.send("we are not safe at home")
    [concern] = concerns(app)
    with app.extensions["intake"].sessions() as session:
        events = list(session.scalars(select(AuditEvent).where(AuditEvent.reference == concern.reference)))
    assert [e.action for e in events] == ["safeguarding_flag", "duty_alert_failed"]  # no duty e-mail set up
    assert "7.1" in (events[0].detail or "")


def test_concern_goes_to_the_top_of_the_queue(app, sms: SmsActions) -> None:
    SmsActions(sms.client, "+447700900201").send("HUMAN")
    for message in ("yes", "1", "help with support please", "2", "1", "no", "yes"):
        SmsActions(sms.client, "+447700900201").send(message)
    sms.send("a man keeps asking my 12 yr old for photos")
    with app.extensions["intake"].sessions() as session:
        order = [e.priority for e in queue.queued(session)]
    assert order == ["urgent", "normal"]


def test_ordinary_send_language_does_not_fire(app, chat: ChatActions) -> None:
    for message in ("the council is killing me with delays", "he hurt his leg at football", "withdraw my request"):
        replies = chat.say(message)
        assert "999" not in replies[0]["text"]
    assert concerns(app) == []


def test_unsure_asks_one_direct_question_then_yes_raises(app, chat: ChatActions) -> None:
    replies = chat.say("the staff used restraint on him today")
    assert "danger" in replies[0]["text"] and len(replies) == 1
    assert concerns(app) == []
    yes = chat.say("yes")
    assert "999" in yes[0]["text"]
    assert len(concerns(app)) == 1


def test_unsure_then_no_carries_on(app, chat: ChatActions) -> None:
    chat.say("the staff used restraint on him today")
    replies = chat.say("no")
    assert "999" in replies[0]["text"]  # still tells them where to go if that changes
    assert concerns(app) == []
    assert "6 weeks" in chat.texts("how long does the council have to decide on an ehc assessment")


def test_one_concern_per_conversation_and_the_question_waits_until_asked_again(app, chat: ChatActions) -> None:
    replies = chat.say("my partner hits my daughter. also how long has the council got to decide on an ehc assessment")
    assert "999" in replies[0]["text"] and len(replies) == 1  # the safety reply stands alone (policy 7.1)
    assert "6 weeks" in chat.texts("how long does the council have to decide on an ehc assessment")
    chat.say("he hits her again today")
    assert len(concerns(app)) == 1


def test_duplicate_webhook_does_not_double_the_concern(app, sms: SmsActions) -> None:
    sid = "SM" + "b" * 32
    sms.send(RISK, sid=sid)
    assert sms.send(RISK, sid=sid) == []
    assert len(concerns(app)) == 1


def test_forget_keeps_the_concern(app, sms: SmsActions) -> None:
    sms.send(RISK)
    reply = sms.send("FORGET")
    assert "safety concern" in reply[0]
    assert len(concerns(app)) == 1


def test_blocked_contact_still_gets_safety_help_for_a_risk_message(app, sms: SmsActions) -> None:
    from datetime import timedelta

    from intake.db import unit_of_work
    from intake.models import Block, utcnow

    engine = app.extensions["intake"].engine
    with unit_of_work(app.extensions["intake"].sessions) as session:
        session.add(Block(contact_key=engine.contact_key(sms.number), until=utcnow() + timedelta(days=7),
                          reason=engine.keys.encrypt("prank texts"), created_by="morgan"))  # stored encrypted
    assert "can't take messages" in sms.send("what is a senco")[0]
    assert concerns(app) == []
    replies = sms.send(RISK)
    assert "999" in replies[0] and "0808 800 5000" in replies[0]
    assert len(concerns(app)) == 1  # policy 7.1 outranks the block


def test_urgent_concern_texts_the_duty_phone_with_the_reference_only(tmp_path, twilio_api) -> None:
    from tests.conftest import TWILIO_ACCOUNT, make_app

    base, received = twilio_api
    app = make_app(tmp_path, TWILIO_ACCOUNT_SID=TWILIO_ACCOUNT, TWILIO_SMS_FROM="+441632960001",
                   TWILIO_API_BASE=base, DUTY_SMS="+447700900777")
    sms = SmsActions(app.test_client())
    sms.send("what is a senco")
    assert received == []  # ordinary questions alert no one
    sms.send(RISK)
    [concern] = concerns(app)
    [(path, form)] = received
    assert path == f"/2010-04-01/Accounts/{TWILIO_ACCOUNT}/Messages.json"
    assert form["To"] == ["+447700900777"]
    body = form["Body"][0]
    assert concern.reference in body and body.startswith("CONFIDENTIAL")
    assert "hits" not in body and sms.number not in body and "7700900123" not in body


def test_unsure_mid_form_then_no_keeps_what_the_parent_said(app, sms: SmsActions) -> None:
    for message in ("HUMAN", "yes", "1"):
        sms.send(message)
    words = "the staff used restraint on him today and I want to complain"
    question = sms.send(words)
    assert "danger" in question[0]
    after = "\n".join(sms.send("no"))
    assert "stage of education" in after  # the form goes on with the words it was given
    for message in ("2", "1", "no"):
        confirm = "\n".join(sms.send(message))
    assert words in confirm


def test_unsure_question_is_asked_again_once_if_not_answered(app, chat: ChatActions) -> None:
    chat.say("the staff used restraint on him today")
    again = chat.say("what do you mean?")
    assert "danger" in again[0]["text"]
    assert "999" in chat.say("yes")[0]["text"]
    assert len(concerns(app)) == 1


def test_first_text_with_a_risk_puts_emergency_guidance_before_the_privacy_line(sms: SmsActions) -> None:
    replies = sms.send(RISK)
    assert replies[0].startswith("If a child is in immediate danger")
    assert any("no need to give your name" in r for r in replies[1:])


def test_a_disclosure_at_the_end_of_a_long_chat_message_is_caught(app, chat: ChatActions) -> None:
    padding = "We have had a long battle with the school about his support and the plan. " * 22
    replies = chat.say(padding[:1700] + " my ex hits our son at weekends")
    assert "999" in replies[0]["text"]
    assert len(concerns(app)) == 1


def test_no_telling_off_after_a_disclosure_in_answer_to_a_form_question(app, sms: SmsActions) -> None:
    for message in ("HUMAN", "yes", "1", "help with his support please"):
        sms.send(message)
    replies = "\n".join(sms.send("his dad hits him and I am scared"))
    assert "999" in replies and "Sorry, please reply" not in replies
    assert "stage of education" in replies  # the same question again, gently


def test_a_risk_message_is_never_rate_limited(tmp_path) -> None:
    from tests.conftest import make_app

    app = make_app(tmp_path, RATE_LIMIT_CONTACT="2/minute")
    sms = SmsActions(app.test_client())
    sms.send("what is a senco")
    sms.send("what is sen support")
    limited = sms.send("what is an ehcp")
    assert limited and "quickly" in limited[0]
    replies = sms.send(RISK)
    assert "999" in replies[0] and len(concerns(app)) == 1


def test_an_urgent_concern_nobody_can_be_told_about_is_logged_loudly(app, sms: SmsActions, caplog) -> None:
    import logging

    with caplog.at_level(logging.ERROR, logger="bot.alerts"):
        sms.send(RISK)
    [concern] = concerns(app)
    assert any(concern.reference in r.getMessage() and "DUTY_SMS" in r.getMessage() for r in caplog.records)
    assert all("hits" not in r.getMessage() for r in caplog.records)


# -- ongoing harm: "no" to "right now?" once meant "not this minute" and the concern was lost (review) ----------

ONGOING_HARM = [
    "my son keeps getting hurt at home",
    "she is being hurt by her stepdad",
    "my son is being hurt at home",
    "ds keeps gettin hurt at home",
    "hes bein hit at home",
    "my daughter keeps getting hit at her dads",
]


@pytest.mark.parametrize("message", ONGOING_HARM)
def test_a_child_being_hurt_at_home_is_an_urgent_concern_at_once_by_sms(app, sms: SmsActions, message: str) -> None:
    SmsActions(sms.client, "+447700900201").send("what is a senco")  # someone else's ordinary question
    replies = sms.send(message)
    [concern] = concerns(app)
    assert replies[0].startswith("If a child is in immediate danger, call 999 now.")
    assert f"ref {concern.reference}" in replies[0] and "0808 800 5000" in replies[0]
    assert not any("Reply YES or NO" in r or "exclu" in r.lower() for r in replies)  # no question, no topic answer
    with app.extensions["intake"].sessions() as session:
        assert queue.queued(session)[0].reference == concern.reference  # top of the queue
    sms.send("no")  # "not this minute" after the safety reply
    [still] = concerns(app)
    assert still.reference == concern.reference and still.status == "queued"  # a later "no" undoes nothing


def test_a_child_being_hurt_by_her_stepdad_is_an_urgent_concern_in_the_web_chat(app, chat: ChatActions) -> None:
    replies = chat.say("she is being hurt by her stepdad")
    [concern] = concerns(app)
    assert replies[0]["text"].startswith("If a child is in immediate danger") and len(replies) == 1
    assert concern.reference in replies[0]["text"]


def test_on_the_phone_a_child_being_hurt_at_home_is_an_urgent_concern(app, client) -> None:
    caller = CallActions(client)
    caller.call()
    said = caller.say("he is being hurt at home")
    [concern] = concerns(app)
    assert said.startswith("If a child is in immediate danger, please hang up and call 9 9 9 now.")
    assert ", ".join(concern.reference.replace("-", "")) in said and "yes or no" not in said.lower()


def test_the_question_asks_about_now_and_other_times(sms: SmsActions, client) -> None:
    [question] = sms.send("my son is being hit")
    assert "now or at other times" in question and "right now" not in question
    assert sms_segments(question) == 1
    caller = CallActions(client, "+447700900450")
    caller.call()
    assert "now or at other times" in caller.say("my son keeps getting hit")


@pytest.mark.parametrize("message", ["my son is being hit", "my son keeps getting hurt", "she is being hurt"])
def test_no_to_possible_harm_offers_a_caseworker_never_a_topic_answer(app, sms: SmsActions, message: str) -> None:
    [question] = sms.send(message)
    assert "is a child in danger" in question.lower()
    replies = sms.send("no")
    assert len(replies) == 1 and "HUMAN" in replies[0] and "caseworker" in replies[0]
    assert "carry on with your question" not in replies[0] and "999" in replies[0]
    assert concerns(app) == []
    # and the caseworker offer is real: HUMAN starts the consent-first hand-off
    assert "Is that OK?" in "\n".join(sms.send("HUMAN"))


def test_yes_to_possible_harm_raises_the_concern(app, sms: SmsActions) -> None:
    sms.send("my son keeps getting hit")
    replies = sms.send("yes")
    [concern] = concerns(app)
    assert replies[0].startswith("If a child is in immediate danger") and concern.reference in replies[0]


def test_a_school_that_cannot_cope_is_not_asked_about_danger(app, sms: SmsActions, client) -> None:
    replies = "\n".join(sms.send("the school cant cope with him"))
    assert "danger" not in replies.lower() and "YES or NO" not in replies
    assert "MENU" in replies  # read as an enquiry (an answer, "did you mean", or the topics), whatever the NLU says
    caller = CallActions(client, "+447700900451")
    caller.call()
    assert "is a child in danger, or being hurt" not in caller.say("the school say they cant cope with him")
    assert concerns(app) == []
    # the school's "cant cope" never hides the parent's own
    [question] = SmsActions(client, "+447700900452").send("the school cant cope with him and i cant cope anymore")
    assert "116 123" in question and "is a child in danger" in question.lower()
