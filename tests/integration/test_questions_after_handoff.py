"""After a disclosure or a hand-off, a question the bot can answer is answered, and still reaches the caseworker.

User-journey review: after "my partner hit my son last night", "are you going to call social services on me?",
"who will see this" and "are you a real person" each got only "We have added this to your enquiry ..., marked
urgent"; so did a child's "are you a real person" and "i dont want you to tell anyone" in the web chat. Now each
gets an honest answer (a child-protection concern may have to be shared with children's services: never a
promise of secrecy, and Childline for a child), and is still kept on the case for the caseworker, with a short
line saying so. Through the signed SMS webhook and the web chat API; nothing patched.
"""

from __future__ import annotations

import pytest
from flask import Flask

from bot.content import sms_segments
from tests.conftest import ChatActions, Inbox, SmsActions
from tests.integration.test_claimed_case import claim
from tests.integration.test_safeguarding_disclosures import reference_in
from tests.integration.test_urgent_case_messages import case, closed_app  # noqa: F401 (a fixture)

SHARED = "we may have to share that with children's services"
NO_SECRET = "we can't promise to keep that secret"
CHILDLINE = "0800 1111"


def on_urgent_case(reference: str) -> str:
    return f"We have also added your message to {reference} for our duty caseworker."


def on_enquiry(reference: str) -> str:
    return f"We have also added your message to enquiry {reference} for the caseworker."


@pytest.mark.parametrize(("question", "answer"), [
    ("are you going to call social services on me?", SHARED),
    ("who will see this", SHARED),  # after a disclosure, the exception is the answer that matters
    ("are you a real person", "automatic helper"),
    ("what is a senco", "SENCO"),
])
def test_after_a_disclosure_a_parents_question_is_answered_and_kept_for_the_duty_caseworker(
    alerting_app: Flask, duty: Inbox, question: str, answer: str
) -> None:
    sms = SmsActions(alerting_app.test_client())
    reference = reference_in(sms.send("my partner hit my son last night"))
    replies = sms.send(question)
    reply = "\n".join(replies)
    assert answer in reply and on_urgent_case(reference) in reply, replies
    assert "Did you mean" not in reply and "Thank you. We have added this" not in reply
    assert sum(sms_segments(r) for r in replies) <= 3, replies
    status, priority, _, notes = case(alerting_app, reference)
    assert (status, priority) == ("queued", "urgent") and notes[-1] == question  # the duty caseworker sees it


def test_will_you_tell_social_services_is_answered_honestly_never_with_a_promise_of_secrecy(
    alerting_app: Flask, duty: Inbox
) -> None:
    sms = SmsActions(alerting_app.test_client())
    reference_in(sms.send("my partner hit my son last night"))
    reply = "\n".join(sms.send("are you going to call social services on me?"))
    assert SHARED in reply and NO_SECRET in reply
    assert "without your OK" in reply  # what is true otherwise: nobody is told they contacted us


def test_a_child_in_the_chat_who_asks_us_not_to_tell_is_told_the_truth_and_given_childline(
    alerting_app: Flask, duty: Inbox
) -> None:
    chat = ChatActions(alerting_app.test_client()).open()
    reference = reference_in([chat.texts("im 12 and my mum hits me")])
    person = chat.texts("are you a real person")
    assert "automatic helper" in person and "real people" in person and on_urgent_case(reference) in person
    secret = chat.texts("i dont want you to tell anyone")
    assert SHARED in secret and NO_SECRET in secret and CHILDLINE in secret and on_urgent_case(reference) in secret
    assert case(alerting_app, reference)[3][-2:] == ["are you a real person", "i dont want you to tell anyone"]


def test_a_waiting_enquiry_answers_who_sees_it_and_keeps_the_question_for_the_caseworker(
    app: Flask, sms: SmsActions
) -> None:
    reference = sms.hand_off()
    replies = sms.send("will you tell social services")
    reply = "\n".join(replies)
    assert SHARED in reply and on_enquiry(reference) in reply and "Did you mean" not in reply
    assert sum(sms_segments(r) for r in replies) <= 3, replies
    claim(app)
    reply = "\n".join(sms.send("who can see this"))
    assert "Only our caseworkers" in reply and on_enquiry(reference) in reply and "passed this" not in reply
    assert case(app, reference)[3] == ["will you tell social services", "who can see this"]


def test_before_any_enquiry_will_you_tell_social_services_gets_the_honest_answer_not_a_menu(sms: SmsActions) -> None:
    reply = "\n".join(sms.send("are you going to tell social services"))
    assert SHARED in reply and NO_SECRET in reply and "Did you mean" not in reply


def test_out_of_hours_the_line_says_when_the_duty_caseworker_may_read_it(
    closed_app: Flask, duty: Inbox  # noqa: F811 (the fixture imported above)
) -> None:
    sms = SmsActions(closed_app.test_client())
    reference = reference_in(sms.send("my partner hit my son last night"))
    replies = sms.send("are you going to call social services on me?")
    reply = "\n".join(replies)
    assert SHARED in reply and f"added your message to {reference} for our duty caseworker" in reply
    assert "we are closed: it may not be read until we open" in reply and len(replies) == 1
    assert sms_segments(replies[0]) <= 3, replies
    assert case(closed_app, reference)[3][-1] == "are you going to call social services on me?"
