"""A contact who discloses again with no conversation memory joins their concern from earlier today (policy 7.1).

FORGET, an expired conversation and a blocked number (whose turns keep no state) all lose the
conversation's memory of its concern; the case and its alerts are found from the database instead.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import update

from intake import concerns, queue
from intake.db import unit_of_work
from intake.models import Block, Conversation, Enquiry, utcnow
from tests.conftest import Inbox, SmsActions
from tests.integration.test_safeguarding_disclosures import (
    AGAIN,
    CUTTING,
    HITS,
    MORE,
    NOT_SAFE,
    RISK,
    SENT,
    actions,
    alerts,
    claim,
    enquiries,
    reference_in,
    triggers,
    urgent,
)

EMERGENCY = "If a child is in immediate danger"


@pytest.fixture
def app(alerting_app: Flask) -> Flask:
    """The app, always open, e-mailing its duty alerts to the stand-in server (tests/conftest.py)."""
    return alerting_app


def block(app: Flask, sms: SmsActions) -> None:
    """A manager blocked this number for a week (a prank, they thought)."""
    engine = app.extensions["intake"].engine
    with unit_of_work(app.extensions["intake"].sessions) as session:
        session.add(Block(contact_key=engine.contact_key(sms.number), until=utcnow() + timedelta(days=7),
                          reason=engine.keys.encrypt("prank texts"), created_by="morgan"))


def lose_memory(app: Flask, sms: SmsActions, how: str) -> None:
    """The conversation forgets its concern: the parent texts FORGET, or it expires."""
    if how == "forget":
        assert "safety concern" in "\n".join(sms.send("FORGET"))
        return
    with unit_of_work(app.extensions["intake"].sessions) as session:
        session.execute(update(Conversation).values(expires_at=utcnow() - timedelta(minutes=1)))


def test_a_blocked_contact_sending_three_risk_messages_gets_one_concern_and_one_alert(
    app: Flask, sms: SmsActions, duty: Inbox
) -> None:
    block(app, sms)
    replies = [sms.send(message) for message in (RISK, AGAIN, MORE)]
    reference = reference_in(replies[0])
    for reply in replies:  # the full emergency guidance every time, block or not
        assert reply[0].startswith(EMERGENCY) and "0808 800 5000" in reply[0] and reference_in(reply) == reference
    [concern] = enquiries(app)
    assert (concern.status, concern.priority) == ("queued", "urgent")
    assert triggers(app, concern) == [HITS, NOT_SAFE, CUTTING]
    assert actions(app, reference) == ["safeguarding_flag", SENT, "safeguarding_added", "safeguarding_added"]
    assert alerts(duty) == [urgent(reference)]


def test_a_blocked_contact_with_an_enquiry_escalates_it_once_and_alerts_once(
    app: Flask, sms: SmsActions, duty: Inbox
) -> None:
    reference = sms.hand_off()
    block(app, sms)
    for message in (RISK, AGAIN):
        assert f"passed your enquiry {reference}" in sms.send(message)[0]
    [enquiry] = enquiries(app)
    assert enquiry.priority == "urgent" and triggers(app, enquiry) == [HITS, NOT_SAFE]
    assert alerts(duty) == [f"CONFIDENTIAL: new enquiry {reference}", urgent(reference)]


@pytest.mark.parametrize("how", ["forget", "expired"])
def test_a_new_disclosure_after_the_conversation_forgot_joins_the_same_concern(
    app: Flask, sms: SmsActions, duty: Inbox, how: str
) -> None:
    reference = reference_in(sms.send(RISK))
    lose_memory(app, sms, how)
    replies = sms.send(AGAIN)
    assert replies[0].startswith(EMERGENCY) and reference_in(replies) == reference
    [concern] = enquiries(app)
    assert triggers(app, concern) == [HITS, NOT_SAFE]
    assert alerts(duty) == [urgent(reference)]  # still waiting, told minutes ago: no second alert
    sms.send(MORE)  # the conversation remembers the concern again
    [concern] = enquiries(app)
    assert triggers(app, concern) == [HITS, NOT_SAFE, CUTTING] and alerts(duty) == [urgent(reference)]


def test_a_claimed_concern_is_joined_and_the_duty_worker_told_again(
    app: Flask, sms: SmsActions, duty: Inbox
) -> None:
    reference = reference_in(sms.send(RISK))
    claim(app, reference)
    lose_memory(app, sms, "forget")
    assert reference_in(sms.send(AGAIN)) == reference
    [concern] = enquiries(app)
    assert (concern.status, concern.claimed_by) == ("claimed", "alice")
    assert alerts(duty) == [urgent(reference), urgent(reference)]  # Alice may be away from her desk


def test_a_blocked_contact_with_a_claimed_concern_alerts_once_not_per_message(
    app: Flask, sms: SmsActions, duty: Inbox
) -> None:
    reference = reference_in(sms.send(RISK))
    claim(app, reference)
    block(app, sms)
    for message in (AGAIN, MORE, "my partner hits my daughter", "we are scared to go home"):
        reply = sms.send(message)
        assert reply[0].startswith(EMERGENCY) and reference_in(reply) == reference
    [concern] = enquiries(app)
    assert (concern.status, concern.claimed_by, concern.priority) == ("claimed", "alice", "urgent")
    assert triggers(app, concern)[:3] == [HITS, NOT_SAFE, CUTTING] and len(triggers(app, concern)) >= 4
    # Told once more after Alice claimed it (she may be away from her desk), not once per message.
    assert alerts(duty) == [urgent(reference), urgent(reference)]
    assert actions(app, reference) == ["safeguarding_flag", SENT, "claim", "safeguarding_added", SENT,
                                       *["safeguarding_added"] * 3]


def test_a_concern_a_caseworker_closed_is_not_joined(app: Flask, sms: SmsActions, duty: Inbox) -> None:
    first = reference_in(sms.send(RISK))
    with unit_of_work(app.extensions["intake"].sessions) as session:
        queue.claim(session, "alice", first)
        queue.close(session, "alice", first, "referred on", 30)
    lose_memory(app, sms, "expired")
    second = reference_in(sms.send(AGAIN))
    assert second != first
    old, new = enquiries(app)
    assert (old.status, triggers(app, old)) == ("closed", [HITS])
    assert (new.status, new.priority, triggers(app, new)) == ("queued", "urgent", [NOT_SAFE])
    assert alerts(duty) == [urgent(first), urgent(second)]


def test_a_concern_from_more_than_a_day_ago_is_not_joined(app: Flask, sms: SmsActions, duty: Inbox) -> None:
    first = reference_in(sms.send(RISK))
    with unit_of_work(app.extensions["intake"].sessions) as session:
        session.execute(update(Enquiry).values(created_at=utcnow() - concerns.REUSE_WITHIN - timedelta(hours=1)))
    lose_memory(app, sms, "expired")
    second = reference_in(sms.send(AGAIN))
    assert second != first and len(enquiries(app)) == 2
    assert alerts(duty) == [urgent(first), urgent(second)]


def test_another_contacts_concern_is_never_joined(app: Flask, sms: SmsActions, duty: Inbox) -> None:
    first = reference_in(sms.send(RISK))
    second = reference_in(SmsActions(sms.client, "+447700900555").send(AGAIN))
    assert second != first and len(enquiries(app)) == 2


# -- when the duty worker is told again, with no conversation memory -------------------------------


def _disclose(app: Flask, reference: str, minutes_later: int) -> bool:
    """Another disclosure on the case, `minutes_later` after now, from a conversation with no memory."""
    with unit_of_work(app.extensions["intake"].sessions) as session:
        case = queue.by_reference(session, reference)
        assert case is not None
        return concerns.add_disclosure(session, app.extensions["intake"].keys, case, ("t",),
                                       now=utcnow() + timedelta(minutes=minutes_later))


def test_a_concern_still_waiting_is_told_again_after_half_an_hour(app: Flask, sms: SmsActions) -> None:
    reference = reference_in(sms.send(RISK))
    assert concerns.REALERT_AFTER == timedelta(minutes=30)
    assert _disclose(app, reference, 20) is False
    assert _disclose(app, reference, 31) is True  # nobody has picked it up: tell them again
    assert actions(app, reference) == ["safeguarding_flag", SENT, "safeguarding_added", "safeguarding_added"]
    assert _disclose(app, reference, 1) is False  # that reminder counts as the latest alert


def test_a_concern_claimed_and_released_since_the_alert_is_told_again(app: Flask, sms: SmsActions) -> None:
    reference = reference_in(sms.send(RISK))
    claim(app, reference, release=True)
    assert _disclose(app, reference, 1) is True
    assert _disclose(app, reference, 2) is False


def test_a_claimed_concern_is_told_again_after_half_an_hour_not_per_message(app: Flask, sms: SmsActions) -> None:
    reference = reference_in(sms.send(RISK))
    claim(app, reference)
    assert _disclose(app, reference, 1) is True  # claimed since the alert: told once more
    assert _disclose(app, reference, 2) is False
    assert _disclose(app, reference, 20) is False
    assert _disclose(app, reference, 32) is True  # half an hour on: told again


def test_an_alert_that_never_said_how_it_went_is_tried_again_half_an_hour_on(app: Flask, sms: SmsActions) -> None:
    reference = reference_in(sms.send(RISK))
    assert _disclose(app, reference, 31) is True  # decided on; its sending never reported back (worker stopped)
    assert _disclose_remembered(app, reference, 5) is False  # may still be going out
    assert _disclose_remembered(app, reference, 31) is True  # by now it would have said: tell them again


def _disclose_remembered(app: Flask, reference: str, minutes_later: int) -> bool:
    """Another disclosure, `minutes_later` after now, from the conversation that alerted while it was queued."""
    with unit_of_work(app.extensions["intake"].sessions) as session:
        case = queue.by_reference(session, reference)
        assert case is not None
        return concerns.add_disclosure(session, app.extensions["intake"].keys, case, ("t",), alerted="queued",
                                       now=utcnow() + timedelta(minutes=minutes_later))
