"""A message the safety check acted on part-way through the caseworker form is never an answer to the form.

Their words went to the duty caseworker with the concern (never on the phone, where nothing said is kept), so
the form takes nothing from them: it asks the question it was at again, after a few kind words, and the parent
carries on when ready. After a clear no to "is a child in danger?" the message is the parent's answer as ever.

Through the real signed SMS webhook, the web chat API and the signed phone webhooks (tests/conftest.py).
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intake.models import ConsentRecord, Enquiry
from tests.conftest import ChatActions, Inbox, SmsActions
from tests.integration.test_safety_young_person import EMERGENCY, YOUNG_PERSON
from tests.integration.test_voice import CallActions

RISK = "my ex hits our son at weekends"
RISK_AFTER_NO = "no, my ex hits our son"  # a leading no and a few words: once read as NO to the question asked
HINT_AFTER_NO = "no he hits her"  # asks "is a child in danger?"; replayed after yes, once read as NO
YOUNG = "im 15 and i want to die"
UNSURE = "the staff used restraint on him today and I want to complain"  # asks "is a child in danger?"
CARRY_ON = "When you're ready, we can carry on where we left off."
SUMMARY_Q = "In a few words, what would you like help with?"
PHASE_Q = "Which stage of education is your child at?"
CONTACT_Q = "Would you like a caseworker to contact you?"
KEEP_PII_Q = "Shall we keep it"
CONFIRM = "This is exactly what a caseworker will see"
WITH_POSTCODE = "we live at SW1A 1AA and the school has stopped his support"


@pytest.fixture
def app(alerting_app: Flask) -> Flask:
    """The app, always open, e-mailing its duty alerts to the stand-in server (tests/conftest.py)."""
    return alerting_app


def enquiries(app: Flask) -> list[Enquiry]:
    with app.extensions["intake"].sessions() as session:
        return list(session.scalars(select(Enquiry).order_by(Enquiry.id)))


def consents(app: Flask) -> list[tuple[str, bool]]:
    with app.extensions["intake"].sessions() as session:
        return [(r.purpose, r.granted) for r in session.scalars(select(ConsentRecord).order_by(ConsentRecord.id))]


def summary_of(app: Flask, enquiry: Enquiry) -> str:
    return app.extensions["intake"].keys.decrypt(enquiry.summary) if enquiry.summary else ""


def carried_on(replies: list[str], question: str) -> None:
    """The safety words first, then the question the form was at, once, after the kind words; nothing else."""
    assert replies[0].startswith(EMERGENCY), replies
    last = replies[-1]
    assert last.startswith(CARRY_ON) and question in last, replies
    assert "Sorry" not in "\n".join(replies), replies  # no telling-off after a disclosure
    assert sum(question in r for r in replies) == 1, replies


# -- by text -------------------------------------------------------------------------------------------------


def test_sms_risk_at_a_free_text_question_is_not_the_answer_and_the_form_completes(
    app: Flask, sms: SmsActions, duty: Inbox
) -> None:
    for message in ("HUMAN", "yes", "1"):
        sms.send(message)
    replies = sms.send(RISK)
    carried_on(replies, SUMMARY_Q)
    assert PHASE_Q not in "\n".join(replies)  # not taken as what they want help with
    [concern] = enquiries(app)
    assert concern.priority == "urgent"
    # The parent answers the question asked again, and the form goes on to the end as ever.
    assert PHASE_Q in "\n".join(sms.send("the school has stopped his support"))
    for message in ("2", "1", "no"):
        confirm = "\n".join(sms.send(message))
    assert CONFIRM in confirm and "Your words: the school has stopped his support" in confirm
    assert RISK not in confirm
    assert "reference" in "\n".join(sms.send("yes"))
    assert all(RISK not in summary_of(app, e) for e in enquiries(app))
    assert any(summary_of(app, e) == "the school has stopped his support" for e in enquiries(app))


def test_sms_risk_with_a_leading_no_at_a_consent_question_is_neither_yes_nor_no(app: Flask, sms: SmsActions) -> None:
    for message in ("HUMAN", "yes", "1"):
        sms.send(message)
    assert KEEP_PII_Q in "\n".join(sms.send(WITH_POSTCODE))  # "can we keep your postcode? yes/no"
    replies = sms.send(RISK_AFTER_NO)
    carried_on(replies, KEEP_PII_Q)  # not a no to keeping it (the postcode would have been taken out)
    assert PHASE_Q not in "\n".join(replies)
    assert PHASE_Q in "\n".join(sms.send("yes"))  # now the parent's answer, as ever
    for message in ("2", "1", "no"):
        confirm = "\n".join(sms.send(message))
    assert "SW1A 1AA" in confirm  # kept, as they said when asked again
    sms.send("yes")
    assert ("pii_keep", True) in consents(app) and ("pii_keep", False) not in consents(app)


def test_sms_risk_with_a_leading_no_at_the_first_consent_question_keeps_the_form(app: Flask, sms: SmsActions) -> None:
    sms.send("HUMAN")
    replies = sms.send(RISK_AFTER_NO)
    carried_on(replies, "Is that OK?")
    assert "we won't keep anything" not in "\n".join(replies)
    assert consents(app) == []
    assert "What is it mainly about?" in "\n".join(sms.send("yes"))


def test_sms_risk_with_a_leading_no_at_the_confirm_step_sends_nothing_and_deletes_nothing(
    app: Flask, sms: SmsActions
) -> None:
    for message in ("HUMAN", "yes", "1", "the school has stopped his support", "2", "1"):
        sms.send(message)
    assert CONFIRM in "\n".join(sms.send("no"))
    replies = sms.send(RISK_AFTER_NO)
    carried_on(replies, CONFIRM)
    assert "we have not sent anything" not in "\n".join(replies)  # once read as NO: the answers were deleted
    [concern] = enquiries(app)  # the concern alone: the form's enquiry is not sent yet
    sent = "\n".join(sms.send("yes"))  # the answers were all still there: sent, joined to the concern
    assert f"added this to your enquiry {concern.reference}" in sent
    [concern] = enquiries(app)
    assert summary_of(app, concern) == "the school has stopped his support"


def test_web_chat_risk_with_a_no_at_the_contact_question_is_not_a_no(app: Flask, chat: ChatActions) -> None:
    for message in ("HUMAN", "yes", "1", "the school has stopped his support", "2", "1"):
        chat.say(message)
    replies = [m["text"] for m in chat.say(RISK_AFTER_NO)]
    carried_on(replies, CONTACT_Q)
    assert CONFIRM not in "\n".join(replies)  # once: "Contact: No, I will contact you", and on to confirm
    assert "How should we contact you?" in chat.texts("yes")


def test_web_chat_risk_at_the_confirm_step_then_the_parent_sends_it(app: Flask, chat: ChatActions) -> None:
    for message in ("HUMAN", "yes", "1", "the school has stopped his support", "2", "1"):
        chat.say(message)
    assert CONFIRM in chat.texts("no")
    replies = [m["text"] for m in chat.say(RISK)]
    carried_on(replies, CONFIRM)
    [concern] = enquiries(app)
    assert f"added this to your enquiry {concern.reference}" in chat.texts("yes")  # sent, to the same case
    [concern] = enquiries(app)
    assert summary_of(app, concern) == "the school has stopped his support"


# -- a young person's own words ------------------------------------------------------------------------------


def test_a_young_writer_in_crisis_part_way_through_the_form_gets_the_same_question_again(
    app: Flask, sms: SmsActions
) -> None:
    for message in ("HUMAN", "yes", "1"):
        sms.send(message)
    replies = sms.send(YOUNG)
    assert any(YOUNG_PERSON in r for r in replies), replies  # the crisis help, as anywhere
    carried_on(replies, SUMMARY_Q)
    assert PHASE_Q not in "\n".join(replies)  # once the form's NEXT question, as if it answered this one
    assert PHASE_Q in "\n".join(sms.send("he has not been to school for a month"))


def test_a_young_writer_in_the_web_chat_at_a_choice_gets_no_telling_off(app: Flask, chat: ChatActions) -> None:
    for message in ("HUMAN", "yes", "1", "the school has stopped his support"):
        chat.say(message)
    messages = chat.say(YOUNG)
    texts = [m["text"] for m in messages]
    assert any(YOUNG_PERSON in t for t in texts), texts
    carried_on(texts, PHASE_Q)
    assert messages[-1]["choices"]  # the choices again, to carry on with a tap
    assert "Does your child have an EHC plan" in chat.texts("2")


# -- "is a child in danger?" in the form -----------------------------------------------------------------------


def test_a_yes_to_the_safety_question_in_the_form_asks_the_question_again(app: Flask, sms: SmsActions) -> None:
    for message in ("HUMAN", "yes", "1"):
        sms.send(message)
    assert "danger" in sms.send(UNSURE)[0]
    replies = sms.send("yes")
    carried_on(replies, SUMMARY_Q)
    assert PHASE_Q not in "\n".join(replies)  # their words went to the duty caseworker, not into the form
    assert PHASE_Q in "\n".join(sms.send("I want to complain about the school"))
    for message in ("2", "1", "no"):
        confirm = "\n".join(sms.send(message))
    assert "Your words: I want to complain about the school" in confirm and UNSURE not in confirm


def test_a_yes_to_the_safety_question_at_a_consent_question_is_not_the_no_that_prompted_it(
    app: Flask, sms: SmsActions
) -> None:
    for message in ("HUMAN", "yes", "1"):
        sms.send(message)
    sms.send(WITH_POSTCODE)  # "Shall we keep it with your enquiry?"
    assert "danger" in sms.send(HINT_AFTER_NO)[0]
    replies = sms.send("yes")
    carried_on(replies, KEEP_PII_Q)
    assert PHASE_Q not in "\n".join(replies)  # "no he hits her" is not a no to keeping the postcode
    assert PHASE_Q in "\n".join(sms.send("no"))  # the parent's own no, as ever
    for message in ("2", "1", "no"):
        confirm = "\n".join(sms.send(message))
    assert "SW1A 1AA" not in confirm and "the school has stopped his support" in confirm


def test_an_unclear_answer_taken_as_yes_in_the_form_asks_the_question_again(app: Flask, chat: ChatActions) -> None:
    for message in ("HUMAN", "yes", "1"):
        chat.say(message)
    chat.say(UNSURE)
    chat.say("what do you mean?")  # asked once more
    replies = [m["text"] for m in chat.say("hmm")]  # a second unclear answer counts as yes
    carried_on(replies, SUMMARY_Q)


def test_a_clear_no_to_the_safety_question_in_the_form_keeps_the_message_as_the_answer(
    app: Flask, sms: SmsActions
) -> None:
    for message in ("HUMAN", "yes", "1"):
        sms.send(message)
    sms.send(UNSURE)
    after = "\n".join(sms.send("no"))
    assert PHASE_Q in after and CARRY_ON not in after


# -- on the phone ----------------------------------------------------------------------------------------------


def test_on_the_phone_words_of_risk_with_a_no_at_a_consent_question_are_not_a_no(
    app: Flask, client: FlaskClient
) -> None:
    caller = CallActions(client)
    caller.call()
    caller.press("2")  # a call back
    said = caller.say("no, my partner hurts my son")  # at "can we keep a few details?"
    assert said.startswith("If a child is in immediate danger") and "won't keep anything" not in said
    assert "When you're ready" in said and "keep a few details" in said
    assert consents(app) == []
    assert "What is it mainly about?" in caller.press("1")


def test_on_the_phone_a_yes_to_the_safety_question_in_the_form_asks_the_question_again(
    app: Flask, client: FlaskClient
) -> None:
    caller = CallActions(client)
    caller.call()
    caller.press("2")
    caller.press("1")  # keep the details
    assert "danger" in caller.say(UNSURE)  # at "what is it mainly about?"
    said = caller.press("1")  # yes, a child is in danger
    assert "9 9 9" in said and "not one of the choices" not in said
    assert "When you're ready" in said and "What is it mainly about?" in said
    assert "Which stage of education" in caller.press("1")


def test_on_the_phone_words_of_risk_at_the_way_of_contact_are_not_the_way_out(app: Flask, client: FlaskClient) -> None:
    caller = CallActions(client)
    caller.call()
    for key in ("2", "1", "1", "2", "1"):  # a call back; keep the details; topic; primary; EHC plan
        caller.press(key)
    assert "How should we contact you" in caller.press("1")  # yes, contact me
    said = caller.say("no, my partner hurts my son")  # "no" there once meant 9: "I'll contact you myself"
    assert said.startswith("If a child is in immediate danger") and "not one of the choices" not in said
    assert "When you're ready" in said and "How should we contact you" in said and "press 9" in said
    assert "When is it safe" in caller.press("1")  # call this number back: the form goes on
