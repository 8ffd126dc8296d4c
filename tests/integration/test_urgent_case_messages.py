"""An urgent case never waits unseen on a caseworker who has gone home (policy 7.1).

A parent's new message on it, or a caseworker putting it back in the queue, goes to the duty caseworker by the
route a new concern takes (reference only), and the parent is told only what is true at that hour. Through
signed SMS webhooks, the console with signed-in caseworkers, and a real SMTP server as the duty inbox.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from intake import queue
from intake.models import Enquiry
from tests.conftest import Inbox, SmsActions, dispose, make_app
from tests.integration.test_console import AuthActions
from tests.integration.test_console_rights import claimed, signed_in
from tests.integration.test_safeguarding_alerts import mail_env
from tests.integration.test_safeguarding_disclosures import alerts

RISK = "he hit her again tonight and she has a black eye, im scared to go home"
COMING_BACK = "he is coming back tonight and i dont know what to do"  # no risk words: no safety reply
WORRIED = "please can someone get back to me today im really worried"
URGENT_SUBJECT = "CONFIDENTIAL — URGENT: enquiry {reference}"


def case(app: Flask, reference: str) -> tuple[str, str, str | None, list[str]]:
    """(status, priority, who has it, the notes as the caseworker reads them)."""
    intake = app.extensions["intake"]
    with intake.sessions() as session:
        enquiry = session.scalars(select(Enquiry).where(Enquiry.reference == reference)).one()
        notes = [intake.keys.decrypt(n.body) for n in enquiry.notes]
        return enquiry.status, enquiry.priority, enquiry.claimed_by, notes


def urgent_alerts(duty: Inbox, reference: str) -> int:
    """How many urgent duty e-mails for this case arrived (each checked to hold no message content)."""
    subjects = alerts(duty)
    for _, _, raw in duty.messages:
        for words in ("coming back", "tonight", "worried", "black eye"):
            assert words not in raw.decode("utf-8", "replace").lower(), words
    return subjects.count(URGENT_SUBJECT.format(reference=reference))


@pytest.fixture
def closed_app(tmp_path: Path, smtp: tuple[Inbox, int]) -> Iterator[Flask]:
    """The app with the office closed all today (open only tomorrow), e-mailing the duty inbox."""
    tomorrow = (datetime.now(ZoneInfo("Europe/London")) + timedelta(days=1)).strftime("%a")
    app = make_app(tmp_path, **(mail_env(smtp[1]) | {"OFFICE_HOURS": f"{tomorrow} 09:00-17:00"}))
    yield app
    dispose(app)


def urgent_case_alice_left(app: Flask) -> tuple[SmsActions, str, AuthActions]:
    """A parent's enquiry made urgent by a disclosure; alice claims it in the console and signs out (5pm Friday)."""
    sms = SmsActions(app.test_client())
    reference = sms.hand_off("School has stopped his support")
    assert "urgent" in "\n".join(sms.send(RISK))
    alice = claimed(app, reference, "alice")
    assert case(app, reference)[:3] == ("claimed", "urgent", "alice")
    alice.logout()
    return sms, reference, alice


def test_a_message_on_an_urgent_case_whose_caseworker_went_home_reaches_the_duty_caseworker(
    alerting_app: Flask, duty: Inbox
) -> None:
    sms, reference, _ = urgent_case_alice_left(alerting_app)
    before = urgent_alerts(duty, reference)

    reply = "\n".join(sms.send(COMING_BACK))
    assert f"added this to your enquiry {reference}, marked urgent for our duty caseworker" in reply
    assert "passed this to the caseworker" not in reply and "999" in reply
    # They said they would contact us: how, and when the office answers.
    assert "We have no way to reach you: to talk to us, call 01632 960000 (Monday to Sunday" in reply
    assert urgent_alerts(duty, reference) == before + 1  # reference only, as a new concern's alert
    assert case(alerting_app, reference)[3][-1] == COMING_BACK  # on the case, for whoever opens it

    # Asking for someone in their own words is kept for the duty caseworker too, not answered with a status;
    # the duty worker heard a moment ago, so no second e-mail for it.
    reply = "\n".join(sms.send(WORRIED))
    assert f"added this to your enquiry {reference}, marked urgent" in reply and "as you agreed" not in reply
    assert case(alerting_app, reference)[3][-1] == WORRIED
    assert urgent_alerts(duty, reference) == before + 1

    # Risk words on the claimed case: the safety reply, and the duty caseworker alerted again.
    reply = "\n".join(sms.send("he said he will hurt her when he gets back"))
    assert reply.startswith("If a child is in immediate danger, call 999 now.") and reference in reply
    assert urgent_alerts(duty, reference) == before + 2

    bob = signed_in(alerting_app, "bob")  # on duty: opens the case from the alert and can take it over
    page = bob.client.get(f"/caseworker/case/{reference}").get_data(as_text=True)
    assert COMING_BACK in page and f"Take over {reference} from alice" in page


def test_out_of_hours_the_parent_is_not_told_their_caseworker_has_it_now(closed_app: Flask, duty: Inbox) -> None:
    sms, reference, _ = urgent_case_alice_left(closed_app)
    before = urgent_alerts(duty, reference)
    reply = "\n".join(sms.send(COMING_BACK))
    assert f"added this to your enquiry {reference}, marked urgent for our duty caseworker" in reply
    assert "We are closed now, so it may not be read until 9am tomorrow." in reply
    assert "passed this to the caseworker" not in reply and "call 999 now" in reply
    assert urgent_alerts(duty, reference) == before + 1


def test_releasing_an_urgent_case_alerts_the_duty_caseworker_and_an_ordinary_one_does_not(
    alerting_app: Flask, duty: Inbox
) -> None:
    _, reference, alice = urgent_case_alice_left(alerting_app)
    alice.login()  # back at her desk, she puts it back in the queue after all
    before = urgent_alerts(duty, reference)
    released = alice.post(f"/caseworker/case/{reference}/release")
    assert released.status_code == 302
    assert case(alerting_app, reference)[:3] == ("queued", "urgent", None)
    assert urgent_alerts(duty, reference) == before + 1
    queue_page = alice.client.get("/caseworker/queue").get_data(as_text=True)
    assert "an alert went to the duty e-mail address" in queue_page

    other = SmsActions(alerting_app.test_client(), "+447700900555").hand_off()
    bob = claimed(alerting_app, other, "bob")
    mails = len(duty.messages)
    bob.post(f"/caseworker/case/{other}/release")
    assert case(alerting_app, other)[:2] == ("queued", queue.NORMAL) and len(duty.messages) == mails


def test_a_concern_with_no_way_to_reach_the_parent_keeps_what_they_add_and_alerts_once_claimed(
    alerting_app: Flask, duty: Inbox
) -> None:
    sms = SmsActions(alerting_app.test_client())
    [reference] = set(re.findall(r"\b[A-Z]{3}-\d{3}\b", "\n".join(sms.send(RISK))))  # no form, no contact given
    claimed(alerting_app, reference, "alice").logout()
    before = urgent_alerts(duty, reference)

    reply = "\n".join(sms.send(COMING_BACK))
    assert f"added this to your enquiry {reference}, marked urgent for our duty caseworker" in reply
    assert "reply HUMAN" in reply  # how to give a safe way to be reached
    assert case(alerting_app, reference)[3][-1] == COMING_BACK
    assert urgent_alerts(duty, reference) == before + 1

    asked = "\n".join(sms.send("HUMAN"))  # still the contact questions, though a caseworker has the case
    assert "Would you like a caseworker to contact you?" in asked and "mainly about" not in asked
