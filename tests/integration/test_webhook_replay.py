"""A captured, signed Twilio request replayed later gets no second turn: Twilio's signature carries no time, so
the handled message ids are what refuses it, and they are kept as long as a case is (RETENTION_DAYS' default),
not a day. A replayed FORGET must not withdraw the enquiry the parent has made since."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from intake import queue, retention
from intake.db import unit_of_work
from intake.models import ProcessedMessage, utcnow
from tests.conftest import ALWAYS_OPEN, SmsActions, make_app, twiml_messages


def purge_as_of(app: Flask, later: timedelta) -> None:
    """The nightly purge, run `later` from now (its own clock)."""
    with unit_of_work(app.extensions["intake"].sessions) as session:
        retention.purge(session, now=utcnow() + later)


def status(app: Flask, reference: str) -> str:
    with unit_of_work(app.extensions["intake"].sessions) as session:
        enquiry = queue.by_reference(session, reference)
        assert enquiry is not None
        return enquiry.status


def test_a_forget_replayed_days_later_does_not_withdraw_the_enquiry_sent_since(tmp_path: Path) -> None:
    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)
    sms = SmsActions(app.test_client())
    captured = sms.params("FORGET")
    assert "deleted" in " ".join(twiml_messages(sms.post(captured).data)).lower()
    reference = sms.hand_off("Please help with support for Jamie")
    purge_as_of(app, timedelta(days=2))

    replayed = sms.post(captured)  # the same signed request, two days on
    assert replayed.status_code == 200 and twiml_messages(replayed.data) == []
    assert status(app, reference) == "queued"


def test_handled_message_ids_go_once_a_case_from_then_would_have_gone(tmp_path: Path) -> None:
    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)
    SmsActions(app.test_client()).send("what is a senco")
    purge_as_of(app, retention.WEBHOOK_IDS_KEPT - timedelta(days=1))
    with app.extensions["intake"].sessions() as session:
        assert session.scalar(select(func.count()).select_from(ProcessedMessage)) == 1
    purge_as_of(app, retention.WEBHOOK_IDS_KEPT + timedelta(days=1))
    with app.extensions["intake"].sessions() as session:
        assert session.scalar(select(func.count()).select_from(ProcessedMessage)) == 0


def handled_long_ago(app: Flask, days: int) -> None:
    """A webhook handled `days` ago, as its id was stored then."""
    with unit_of_work(app.extensions["intake"].sessions) as session:
        session.add(ProcessedMessage(message_id="sms:SM" + "0" * 32, created_at=utcnow() - timedelta(days=days)))


def ids_kept(app: Flask) -> int:
    with app.extensions["intake"].sessions() as session:
        return int(session.scalar(select(func.count()).select_from(ProcessedMessage)) or 0)


def test_a_service_keeping_cases_two_years_keeps_handled_ids_as_long(tmp_path: Path) -> None:
    # Cases (and what a replay could withdraw) live RETENTION_DAYS: the ids that refuse replays must too.
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    two_years = make_app(tmp_path / "a", RETENTION_DAYS="730")
    handled_long_ago(two_years, 400)
    assert two_years.test_cli_runner().invoke(args=["intake", "purge", "--no-progress"]).exit_code == 0
    assert ids_kept(two_years) == 1
    default = make_app(tmp_path / "b")
    handled_long_ago(default, 400)
    assert default.test_cli_runner().invoke(args=["intake", "purge", "--no-progress"]).exit_code == 0
    assert ids_kept(default) == 0
