"""A second disclosure is treated as fresh: urgent again, its triggers added, the duty worker told (policy 7.1)."""

from __future__ import annotations

import email
import re
import shutil
from email import policy
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from intake import casework, concerns, queue
from intake.db import unit_of_work
from intake.models import AuditEvent, CaseNote, Enquiry
from intake.safeguarding import load_rules
from tests.conftest import ChatActions, Inbox, SmsActions
from tests.integration.test_voice import CallActions

RISK = "my ex hits our son at weekends"
AGAIN = "we are not safe at home"
MORE = "he has been cutting himself again"
HITS, NOT_SAFE, CUTTING = (
    "physical harm: 'ex hits our son'",
    "threat to the parent by a partner: 'we are not safe at home'",  # the parent's own: with the helpline
    "self-harm or suicide: 'been cutting'",
)
REFERENCE = re.compile(r"\b([A-Z]{3}-\d{3})\b")
SENT = concerns.ALERT_SENT  # audited once the duty e-mail went


@pytest.fixture
def app(alerting_app: Flask) -> Flask:
    """The app, always open, e-mailing its duty alerts to the stand-in server (tests/conftest.py)."""
    return alerting_app


def alerts(duty: Inbox) -> list[str]:
    """Subjects of the duty e-mails received, in order; each body is checked to hold no content."""
    subjects = []
    for _, _, raw in duty.messages:
        whole = raw.decode("utf-8", "replace").lower()
        for secret in ("hits", "not safe", "cutting", "7700900", "support"):
            assert secret not in whole, secret
        subjects.append(str(email.message_from_bytes(raw, policy=policy.default)["Subject"]))
    return subjects


def urgent(reference: str) -> str:
    """The subject of an urgent duty alert."""
    return f"CONFIDENTIAL — URGENT: enquiry {reference}"


def enquiries(app: Flask) -> list[Enquiry]:
    with app.extensions["intake"].sessions() as session:
        return list(session.scalars(select(Enquiry).order_by(Enquiry.id)))


def triggers(app: Flask, enquiry: Enquiry) -> list[str]:
    """The triggers on record (stored encrypted: the clear words are not in the column)."""
    assert enquiry.safeguarding is not None and b"not safe" not in enquiry.safeguarding
    return list(app.extensions["intake"].keys.decrypt_json(enquiry.safeguarding))


def actions(app: Flask, reference: str) -> list[str]:
    with app.extensions["intake"].sessions() as session:
        return list(session.scalars(select(AuditEvent.action).where(AuditEvent.reference == reference)
                                    .order_by(AuditEvent.id)))


def reference_in(replies: list[str]) -> str:
    [reference] = set(REFERENCE.findall("\n".join(replies)))  # one case, one reference
    return reference


def claim(app: Flask, reference: str, *, clear: bool = False, release: bool = False) -> None:
    """Alice claims the case, and may mark it not a safeguarding concern and put it back in the queue."""
    with unit_of_work(app.extensions["intake"].sessions) as session:
        queue.claim(session, "alice", reference)
        if clear:
            casework.clear_safeguarding(session, app.extensions["intake"].keys, "alice", "caseworker", reference,
                                        "spoke to the parent: a misunderstanding", confirmed=True)
        if release:
            queue.release(session, "alice", reference)


# -- a concern a caseworker cleared, or claimed ---------------------------------------------------


def test_a_disclosure_after_the_concern_was_cleared_is_urgent_again_and_alerts(
    app: Flask, sms: SmsActions, duty: Inbox
) -> None:
    other = SmsActions(sms.client, "+447700900555").hand_off()  # another parent, queued earlier
    first = sms.send(RISK)
    reference = reference_in(first)
    claim(app, reference, clear=True, release=True)
    with app.extensions["intake"].sessions() as session:
        assert [e.reference for e in queue.queued(session)] == [other, reference]  # cleared: behind the other
    replies = sms.send(AGAIN)
    assert replies[0].startswith("If a child is in immediate danger") and reference_in(replies) == reference
    concern = next(e for e in enquiries(app) if e.reference == reference)
    assert (concern.status, concern.priority, concern.priority_rank) == ("queued", "urgent", 0)
    assert concern.override_reason == concerns.SAFEGUARDING_OVERRIDE
    assert triggers(app, concern) == [HITS, concerns.RAISED_AGAIN, NOT_SAFE]
    with app.extensions["intake"].sessions() as session:
        assert [e.reference for e in queue.queued(session)] == [reference, other]  # top of the queue again
    assert actions(app, reference) == ["safeguarding_flag", SENT, "claim", "safeguarding_cleared", "release",
                                       "safeguarding_flag", SENT]
    assert alerts(duty) == [f"CONFIDENTIAL: new enquiry {other}", urgent(reference), urgent(reference)]
    assert len(enquiries(app)) == 2


@pytest.mark.parametrize("cleared", [False, True], ids=["urgent", "cleared"])
def test_a_disclosure_on_a_claimed_concern_alerts_and_a_cleared_one_goes_back_to_the_queue(
    app: Flask, chat: ChatActions, duty: Inbox, cleared: bool
) -> None:
    reference = reference_in([m["text"] for m in chat.say(RISK)])
    claim(app, reference, clear=cleared)
    replies = chat.say(AGAIN)
    assert "999" in replies[0]["text"] and reference in replies[0]["text"]
    [concern] = enquiries(app)
    # Still urgent, Alice keeps it (a manager or the duty caseworker can take it over); made urgent again
    # after she cleared it, it goes back to the top of the queue for the duty caseworker, who is alerted.
    where = ("queued", None, "urgent", "alice") if cleared else ("claimed", "alice", "urgent", None)
    assert (concern.status, concern.claimed_by, concern.priority, concern.previous_caseworker) == where
    assert triggers(app, concern) == [HITS, *([concerns.RAISED_AGAIN] if cleared else []), NOT_SAFE]
    # Alice may be away from her desk: the duty worker hears of the new disclosure too.
    assert alerts(duty) == [urgent(reference), urgent(reference)]
    chat.say(MORE)  # nothing has changed hands since that alert: added to the case, no third alert
    [concern] = enquiries(app)
    assert triggers(app, concern)[-1] == CUTTING and (concern.status, concern.claimed_by) == where[:2]
    assert alerts(duty) == [urgent(reference), urgent(reference)]


def test_repeated_risk_messages_while_urgent_add_triggers_and_alert_once(
    app: Flask, sms: SmsActions, duty: Inbox
) -> None:
    reference = reference_in(sms.send(RISK))
    for message in (AGAIN, MORE, RISK):
        replies = sms.send(message)
        assert replies[0].startswith("If a child is in immediate danger") and reference_in(replies) == reference
    [concern] = enquiries(app)
    assert concern.priority == "urgent" and concern.status == "queued"
    assert triggers(app, concern) == [HITS, NOT_SAFE, CUTTING]  # a trigger already on record is not repeated
    assert actions(app, reference) == ["safeguarding_flag", SENT, *["safeguarding_added"] * 3]
    assert alerts(duty) == [urgent(reference)]


def test_unsure_words_after_the_concern_was_cleared_ask_the_question_again(app: Flask, chat: ChatActions) -> None:
    reference = reference_in([m["text"] for m in chat.say(RISK)])
    assert QUESTION not in chat.say("the staff used restraint on him today")[0]["text"]  # urgent: no question
    claim(app, reference, clear=True)
    replies = chat.say("the staff used restraint on him today")
    assert "danger" in replies[0]["text"] and len(replies) == 1
    assert "999" in chat.say("yes")[0]["text"]
    [concern] = enquiries(app)
    assert concern.priority == "urgent" and concern.status == "queued" and concern.previous_caseworker == "alice"


# -- a vague hint on a case already urgent ---------------------------------------------------------

QUESTION = "is a child in danger or being hurt right now?"
RESTRAINT = "the staff used restraint on him today"
RESTRAINT_TRIGGER = "restraint or seclusion: 'restraint'"
SUGGESTIONS = "Reply with a number"  # how topic suggestions end


def test_a_hint_on_an_urgent_concern_joins_it_and_gets_the_safety_reply_not_topics(
    app: Flask, sms: SmsActions, duty: Inbox
) -> None:
    reference = reference_in(sms.send(RISK))
    replies = sms.send(RESTRAINT)
    assert len(replies) == 1, replies  # the safety reply stands alone: no question, no topic suggestions
    reply = replies[0]
    assert f"added this to your urgent concern for our duty caseworker, ref {reference}" in reply
    assert "call 999 now" in reply and "Reply HUMAN to give a safe way to reach you" in reply
    assert QUESTION not in reply.lower() and SUGGESTIONS not in reply and reference_in(replies) == reference
    [concern] = enquiries(app)
    assert triggers(app, concern) == [HITS, RESTRAINT_TRIGGER]
    assert b"restraint" not in (concern.safeguarding or b"")  # encrypted like every trigger
    assert actions(app, reference) == ["safeguarding_flag", SENT, "safeguarding_added"]
    assert alerts(duty) == [urgent(reference)]  # the duty worker has it already and nothing changed hands
    assert "Reply YES or NO" not in "\n".join(sms.send("what is a senco"))  # no question left pending


def test_a_parent_hint_on_a_claimed_concern_gets_crisis_help_and_tells_the_duty_worker(
    app: Flask, chat: ChatActions, duty: Inbox
) -> None:
    reference = reference_in([m["text"] for m in chat.say(RISK)])
    claim(app, reference)
    replies = chat.say("im not coping at all")
    assert len(replies) == 1 and "116 123" in replies[0]["text"] and reference in replies[0]["text"]
    assert "call 999 now" in replies[0]["text"] and not replies[0]["choices"]
    [concern] = enquiries(app)
    assert (concern.status, concern.claimed_by) == ("claimed", "alice")
    assert triggers(app, concern) == [HITS, "how the parent is: 'im not coping'"]
    assert alerts(duty) == [urgent(reference), urgent(reference)]  # claimed since the alert: Alice may be away


def test_a_hint_in_the_form_on_an_urgent_concern_gets_the_reply_and_the_form_goes_on(
    app: Flask, chat: ChatActions
) -> None:
    reference = reference_in([m["text"] for m in chat.say(RISK)])
    for message in ("HUMAN", "yes"):  # the contact questions after a disclosure: yes to being contacted
        chat.say(message)
    replies = chat.say(RESTRAINT)
    assert reference in replies[0]["text"] and "call 999 now" in replies[0]["text"]
    # The form goes on: the question it was at is asked again, and the next answer carries on from it.
    assert any("How should we contact you?" in m["text"] for m in replies[1:]), [m["text"] for m in replies]
    assert "phone number" in chat.texts("3")  # another phone number
    [concern] = enquiries(app)
    assert triggers(app, concern) == [HITS, RESTRAINT_TRIGGER]


# -- the form first, then a disclosure ------------------------------------------------------------


def test_form_first_then_a_disclosure_escalates_that_enquiry(app: Flask, sms: SmsActions, duty: Inbox) -> None:
    reference = sms.hand_off()
    replies = sms.send(RISK)
    assert replies[0].startswith("If a child is in immediate danger") and "0808 800 5000" in replies[0]
    assert f"We have passed your enquiry {reference} on as urgent for our duty caseworker." in replies[0]
    assert reference_in(replies) == reference
    [enquiry] = enquiries(app)
    assert (enquiry.status, enquiry.priority, enquiry.priority_rank) == ("queued", "urgent", 0)
    assert enquiry.topic != concerns.CONCERN_TOPIC and enquiry.override_reason == concerns.SAFEGUARDING_OVERRIDE
    assert triggers(app, enquiry) == [HITS]
    assert app.extensions["intake"].keys.decrypt(enquiry.summary) == "Please help with support"
    assert actions(app, reference) == ["enqueue", "safeguarding_flag", SENT]
    assert alerts(duty) == [f"CONFIDENTIAL: new enquiry {reference}", urgent(reference)]
    assert "already with us" in "\n".join(sms.send("HUMAN"))  # still one case
    sms.send(AGAIN)  # the same conversation, still urgent and queued: added, no second urgent alert
    [enquiry] = enquiries(app)
    assert triggers(app, enquiry) == [HITS, NOT_SAFE] and len(alerts(duty)) == 2


def test_form_first_claimed_then_a_disclosure_in_web_chat(app: Flask, chat: ChatActions, duty: Inbox) -> None:
    for message in ("HUMAN", "yes", "1", "Support at school has stopped", "3", "4", "no"):
        chat.say(message)
    reference = reference_in([m["text"] for m in chat.say("yes")])
    claim(app, reference)
    replies = chat.say(RISK)
    assert "999" in replies[0]["text"] and f"passed your enquiry {reference}" in replies[0]["text"]
    # Alice may be away: the enquiry goes back to the top of the queue, as the reply says, for the duty
    # caseworker the alert reaches ("previously with alice"); its triggers say why, as on any queued case.
    assert not any("passed this to the caseworker" in m["text"] for m in replies)
    [enquiry] = enquiries(app)
    assert (enquiry.status, enquiry.claimed_by, enquiry.priority) == ("queued", None, "urgent")
    assert enquiry.previous_caseworker == "alice"
    assert triggers(app, enquiry) == [HITS]
    with app.extensions["intake"].sessions() as session:
        # what the parent wrote goes with it, so the duty caseworker reads more than the detected phrase
        assert [n.author for n in session.scalars(select(CaseNote))] == ["parent (safety disclosure)"]
        assert [e.reference for e in queue.queued(session)] == [reference]
    assert alerts(duty) == [f"CONFIDENTIAL: new enquiry {reference}", urgent(reference)]


def test_forget_after_the_enquiry_was_escalated_keeps_the_concern(app: Flask, sms: SmsActions) -> None:
    reference = sms.hand_off()
    sms.send(RISK)
    reply = "\n".join(sms.send("FORGET"))
    assert reference in reply and "safety concern" in reply
    [enquiry] = enquiries(app)
    assert (enquiry.status, enquiry.priority) == ("queued", "urgent") and enquiry.contact_key is not None
    assert enquiry.summary is None and triggers(app, enquiry) == [HITS]


def test_a_caller_with_an_enquiry_who_presses_0_hears_it_passed_on_urgently(app: Flask, duty: Inbox) -> None:
    caller = CallActions(app.test_client())
    caller.call()
    caller.press("2")
    for _ in range(12):
        said = caller.press("1")
        if "reference" in said.lower():
            break
    [enquiry] = enquiries(app)
    said = caller.press("0")
    spoken = ", ".join(ch for ch in enquiry.reference if ch.isalnum())
    assert said.index("9 9 9") < said.index(f"passed your enquiry, reference {spoken}")
    [enquiry] = enquiries(app)
    assert enquiry.priority == "urgent" and triggers(app, enquiry) == ["caller pressed 0: a child in danger"]
    assert alerts(duty)[-1] == urgent(enquiry.reference)


# -- the wording ----------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["STOP", "cancel", "End", "quit"])
def test_sms_safety_wording_may_not_use_an_opt_out_word(tmp_path: Path, word: str) -> None:
    source = Path(__file__).resolve().parents[2] / "flows" / "safeguarding.yaml"
    rules = tmp_path / "safeguarding.yaml"
    shutil.copy(source, rules)
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("on as urgent for our duty caseworker.", f"as urgent. Reply {word} to opt out.", 1),
                     encoding="utf-8")
    with pytest.raises(ValueError, match="risk_enquiry uses an SMS opt-out word"):
        load_rules(rules)
