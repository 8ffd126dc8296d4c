"""STOP deletes the conversation, not the safety concern it raised: after START, what the parent adds still goes
to that concern for the duty caseworker, as it did before STOP (policy 7.1, 8.1). By text only: the number is
theirs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, update

from intake import concerns
from intake.db import unit_of_work
from intake.models import Enquiry, utcnow
from tests.conftest import ALWAYS_OPEN, SmsActions, make_app
from tests.integration.test_safeguarding_disclosures import RISK, reference_in

LATER = "he is coming back tonight"
MARKED_URGENT = "marked urgent for our duty caseworker"


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)


def kept_on(app: Flask, reference: str) -> list[str]:
    """What the parent wrote, kept on the case, decrypted as the case page shows it."""
    with app.extensions["intake"].sessions() as session:
        enquiry = session.scalars(select(Enquiry).where(Enquiry.reference == reference)).one()
        return [app.extensions["intake"].keys.decrypt(n.body) for n in enquiry.notes]


def stop_and_start(sms: SmsActions) -> str:
    assert sms.send("STOP") == []
    return "\n".join(sms.send("START"))


def test_after_stop_and_start_what_the_parent_adds_goes_to_their_concern(app: Flask, sms: SmsActions) -> None:
    reference = reference_in(sms.send(RISK))
    back = stop_and_start(sms)
    assert reference in back and "duty caseworker" in back
    reply = "\n".join(sms.send(LATER))
    assert f"We have added this to your enquiry {reference}, {MARKED_URGENT}" in reply
    assert "didn't understand" not in reply and "Reply with a number" not in reply
    assert LATER in kept_on(app, reference)


def test_a_concern_from_more_than_a_day_ago_is_not_linked_again(app: Flask, sms: SmsActions) -> None:
    reference = reference_in(sms.send(RISK))
    with unit_of_work(app.extensions["intake"].sessions) as session:
        session.execute(update(Enquiry).values(created_at=utcnow() - concerns.REUSE_WITHIN - timedelta(hours=1)))
    back = stop_and_start(sms)
    assert reference not in back
    sms.send(LATER)
    assert LATER not in kept_on(app, reference)


def test_start_from_another_number_links_nobody_elses_concern(app: Flask, sms: SmsActions) -> None:
    reference = reference_in(sms.send(RISK))
    other = SmsActions(sms.client, number="+447700900777")
    assert other.send("STOP") == []
    back = "\n".join(other.send("START"))
    assert reference not in back
    reply = "\n".join(other.send(LATER))
    assert reference not in reply
    assert LATER not in kept_on(app, reference)
