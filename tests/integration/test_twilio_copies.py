"""Twilio keeps no copy: each text a parent sends, and each text the service sends, is deleted from Twilio's log
(checked against a stand-in of Twilio's REST API that holds messages as Twilio does)."""

from __future__ import annotations

import logging
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from flask import Flask
from sqlalchemy import create_engine, inspect, text

from bot import twilio_cleanup
from intake import twilio_copies
from intake.db import unit_of_work
from intake.migrate import alembic_config, upgrade
from intake.models import TwilioCopy, utcnow
from tests.conftest import ALWAYS_OPEN, PUBLIC_BASE, TWILIO_ACCOUNT, SmsActions, make_app
from tests.integration.test_console import set_clock, svc
from tests.integration.test_console_rights import MORNING, claimed, sms_enquiry
from tests.twilio_standin import Twilio, serving

MESSAGES = f"/2010-04-01/Accounts/{TWILIO_ACCOUNT}/Messages"
DUTY_PHONE = "+447700900777"
RISK = "my partner hits my son and I am scared"


@pytest.fixture
def twilio() -> Iterator[Twilio]:
    """Twilio's REST API, as a local stand-in holding messages."""
    with serving() as standin:
        yield standin


def production_app(tmp_path: Path, twilio: Twilio, **overrides: str) -> Flask:
    """The service as it runs for real parents, its Twilio REST API the stand-in."""
    env = {"INTAKE_ENV": "production", "TWILIO_ACCOUNT_SID": TWILIO_ACCOUNT, "TWILIO_SMS_FROM": "+441632960001",
           "TWILIO_API_BASE": twilio.base, "DUTY_SMS": DUTY_PHONE, "OFFICE_HOURS": ALWAYS_OPEN}
    return make_app(tmp_path, **(env | overrides))


def run_cleanup(app: Flask) -> Any:
    """`flask --app bot intake delete-twilio-copies`, as the scheduler runs it."""
    return app.test_cli_runner().invoke(args=["intake", "delete-twilio-copies"])


def owed(app: Flask) -> list[str]:
    with unit_of_work(svc(app).sessions) as session:
        return list(session.scalars(text("SELECT sid FROM twilio_copy ORDER BY sid")))


def test_a_parents_text_is_deleted_from_twilio_once_answered(tmp_path: Path, twilio: Twilio) -> None:
    app = production_app(tmp_path, twilio)
    sms = SmsActions(app.test_client())
    sid = twilio.receive()
    other = twilio.receive()  # another parent's text the service has not seen: not ours to touch
    assert sms.send("what is a senco", sid=sid)
    assert twilio.deletes() == []  # nothing while the parent is being answered
    result = run_cleanup(app)
    assert result.exit_code == 0, result.output
    assert twilio.deletes() == [f"{MESSAGES}/{sid}.json"]
    assert sid not in twilio.held and other in twilio.held
    assert "Twilio copies deleted: 1" in result.output
    assert owed(app) == []
    again = run_cleanup(app)
    assert again.exit_code == 0 and twilio.deletes() == [f"{MESSAGES}/{sid}.json"]  # deleted once


def test_the_bots_replies_are_deleted_from_twilio_too(tmp_path: Path, twilio: Twilio) -> None:
    app = production_app(tmp_path, twilio)
    sms = SmsActions(app.test_client())
    response = sms.post(sms.params("HUMAN", sid=twilio.receive()))
    messages = ET.fromstring(response.data).findall("Message")
    assert messages and {m.get("statusCallback") for m in messages} == {PUBLIC_BASE + "/twilio/sms/status"}
    # Twilio sends the reply, and reports on it (signed) as it goes: sent, then delivered.
    reply = twilio.receive(status="sent")
    report = {"MessageSid": reply, "MessageStatus": "sent", "AccountSid": TWILIO_ACCOUNT, "From": "+441632960001",
              "To": sms.number, "SmsStatus": "sent"}
    assert sms.post(report, path="/twilio/sms/status").status_code == 204
    assert reply in owed(app)
    twilio.held[reply] = "delivered"
    assert sms.post(report | {"MessageStatus": "delivered"}, path="/twilio/sms/status").status_code == 204
    assert run_cleanup(app).exit_code == 0
    assert f"{MESSAGES}/{reply}.json" in twilio.deletes() and twilio.held == {}
    assert owed(app) == []


def test_an_unsigned_report_owes_nothing(tmp_path: Path, twilio: Twilio) -> None:
    app = production_app(tmp_path, twilio)
    sms = SmsActions(app.test_client())
    report = {"MessageSid": twilio.receive(status="delivered"), "MessageStatus": "delivered"}
    assert sms.post(report, path="/twilio/sms/status", signature="forged").status_code == 403
    assert owed(app) == []


def test_a_redelivered_text_is_deleted_once(tmp_path: Path, twilio: Twilio) -> None:
    app = production_app(tmp_path, twilio)
    sms = SmsActions(app.test_client())
    sid = twilio.receive()
    sms.send("what is a senco", sid=sid)
    sms.send("what is a senco", sid=sid)  # Twilio retried the webhook
    assert owed(app) == [sid]
    assert run_cleanup(app).exit_code == 0
    assert twilio.deletes() == [f"{MESSAGES}/{sid}.json"]


def test_the_queue_keeps_the_sid_and_nothing_of_the_text_or_number(tmp_path: Path, twilio: Twilio) -> None:
    app = production_app(tmp_path, twilio)
    number, words = "+447700900321", "my son Jayden at Oakfield school needs an EHC plan"
    sms = SmsActions(app.test_client(), number=number)
    sid = twilio.receive()
    sms.send(words, sid=sid)
    hashed = svc(app).engine.contact_key(number)
    with unit_of_work(svc(app).sessions) as session:
        rows = [dict(row._mapping) for row in session.execute(text("SELECT * FROM twilio_copy"))]
    assert [row["sid"] for row in rows] == [sid]
    assert set(rows[0]) == {"sid", "kind", "due_at", "tries", "created_at"}
    stored = " ".join(str(value) for row in rows for value in row.values())
    for kept in (number, number.lstrip("+"), "7700900321", hashed, "Jayden", "Oakfield", "EHC"):
        assert kept not in stored


def test_a_caseworkers_text_is_deleted_once_delivered(tmp_path: Path, twilio: Twilio) -> None:
    app = production_app(tmp_path, twilio)
    set_clock(app, MORNING)
    reference = sms_enquiry(app)
    auth = claimed(app, reference)
    response = auth.post(f"/caseworker/case/{reference}/text", text="Hello, this is Sam returning your message.")
    assert response.status_code == 302
    [(sid, _form)] = twilio.sent()
    assert owed(app) == [sid]
    # Still on its way to the phone: Twilio will not delete it yet, and it stays owed.
    first = run_cleanup(app)
    assert first.exit_code == 0, first.output
    assert "not finished at Twilio yet (tried again later): 1" in first.output
    assert twilio.deletes() == [f"{MESSAGES}/{sid}.json"] and sid in twilio.held
    assert owed(app) == [sid]
    # Within the minute Twilio asks for, it is not asked again.
    run_cleanup(app)
    assert len(twilio.deletes()) == 1
    # Still sending a minute later: asked, refused again.
    later = utcnow() + timedelta(minutes=2)
    run = twilio_cleanup.delete_owed(svc(app).settings, svc(app).sessions, now=later)
    assert (run.deleted, run.not_yet, run.owed) == (0, 1, 1)
    twilio.held[sid] = "delivered"
    run = twilio_cleanup.delete_owed(svc(app).settings, svc(app).sessions, now=later + timedelta(minutes=5))
    assert (run.deleted, run.not_yet, run.owed) == (1, 0, 0)
    assert twilio.deletes() == [f"{MESSAGES}/{sid}.json"] * 3
    assert sid not in twilio.held and owed(app) == []


def test_the_duty_text_is_deleted_too(tmp_path: Path, twilio: Twilio) -> None:
    app = production_app(tmp_path, twilio)
    sms = SmsActions(app.test_client())
    inbound = twilio.receive()
    sms.send(RISK, sid=inbound)
    [(duty_sid, form)] = twilio.sent()
    assert form["To"] == [DUTY_PHONE]
    assert sorted(owed(app)) == sorted([inbound, duty_sid])
    twilio.held[duty_sid] = "delivered"
    assert run_cleanup(app).exit_code == 0
    assert sorted(twilio.deletes()) == sorted([f"{MESSAGES}/{inbound}.json", f"{MESSAGES}/{duty_sid}.json"])
    assert twilio.held == {}


def test_a_text_twilio_no_longer_holds_counts_as_deleted(tmp_path: Path, twilio: Twilio) -> None:
    app = production_app(tmp_path, twilio)
    sms = SmsActions(app.test_client())
    sid = twilio.receive()
    sms.send("what is a senco", sid=sid)
    del twilio.held[sid]  # deleted by hand in Twilio's console, say
    result = run_cleanup(app)
    assert result.exit_code == 0, result.output
    assert "already gone: 1" in result.output
    assert owed(app) == []


def test_a_call_owed_is_deleted_from_twilios_call_log_once_it_has_ended(tmp_path: Path, twilio: Twilio) -> None:
    app = production_app(tmp_path, twilio)
    call = "CA" + uuid.uuid4().hex
    twilio.held[call] = "in-progress"
    twilio_cleanup.owe(svc(app).settings, svc(app).sessions, call, twilio_copies.CALL)
    calls = f"/2010-04-01/Accounts/{TWILIO_ACCOUNT}/Calls/{call}.json"
    assert run_cleanup(app).exit_code == 0
    assert twilio.deletes() == [calls] and owed(app) == [call]  # not while the caller is still on the line
    twilio.held[call] = "completed"
    twilio_cleanup.delete_owed(svc(app).settings, svc(app).sessions, now=utcnow() + timedelta(minutes=2))
    assert twilio.deletes() == [calls, calls] and twilio.held == {} and owed(app) == []


def test_the_backlog_from_before_the_upgrade_is_found_and_deleted(tmp_path: Path, twilio: Twilio) -> None:
    app = production_app(tmp_path, twilio)
    service = "+441632960001"
    older = [twilio.receive(), twilio.receive(status="delivered", sender=service, to="+447700900456")]
    elsewhere = twilio.receive(sender="+447700900999", to="+441632960555")  # another number on the account
    result = app.test_cli_runner().invoke(args=["intake", "delete-twilio-copies", "--backlog"])
    assert result.exit_code == 0, result.output
    assert "Texts found in Twilio's log: 2." in result.output
    assert sorted(twilio.deletes()) == sorted(f"{MESSAGES}/{sid}.json" for sid in older)
    assert list(twilio.held) == [elsewhere] and owed(app) == []


def test_twilio_refusing_is_reported_by_hash_and_tried_at_the_next_run(
    tmp_path: Path, twilio: Twilio, caplog: pytest.LogCaptureFixture
) -> None:
    app = production_app(tmp_path, twilio)
    sms = SmsActions(app.test_client())
    sids = [twilio.receive(), twilio.receive()]
    for sid in sids:
        sms.send("what is a senco", sid=sid)
    twilio.refusing = 401  # the auth token was changed at Twilio
    with caplog.at_level(logging.INFO):  # Twilio's client logs its URLs (SIDs) at INFO
        result = run_cleanup(app)
    assert result.exit_code == 1
    assert len(twilio.deletes()) == 1  # the run stops at the first refusal rather than wait on each
    assert sorted(owed(app)) == sorted(sids)
    logged = caplog.text
    assert "HTTP 401" in logged and "sid#" in logged
    assert not any(sid in logged for sid in sids) and "senco" not in logged and sms.number not in logged
    twilio.refusing = 0
    run = twilio_cleanup.delete_owed(svc(app).settings, svc(app).sessions, now=utcnow() + timedelta(hours=2))
    assert (run.deleted, run.owed) == (2, 0)


@pytest.mark.parametrize(("environment", "setting", "deletes"), [
    ("production", "", True),
    ("production", "off", False),
    ("development", "", False),
    ("development", "on", True),
])
def test_on_by_default_in_production_and_switched_by_twilio_delete_copies(
    tmp_path: Path, twilio: Twilio, environment: str, setting: str, deletes: bool
) -> None:
    app = production_app(tmp_path, twilio, INTAKE_ENV=environment, TWILIO_DELETE_COPIES=setting)
    sid = twilio.receive()
    sms = SmsActions(app.test_client())
    reply = sms.post(sms.params("what is a senco", sid=sid))
    assert (b"statusCallback" in reply.data) is deletes  # Twilio asked to report each reply's SID, or not
    assert owed(app) == ([sid] if deletes else [])
    result = run_cleanup(app)
    assert result.exit_code == 0
    assert twilio.deletes() == ([f"{MESSAGES}/{sid}.json"] if deletes else [])
    assert ("is off" in result.output) is not deletes


def test_a_wrong_setting_stops_the_start(tmp_path: Path, twilio: Twilio) -> None:
    from bot.config import ConfigError

    with pytest.raises(ConfigError, match="TWILIO_DELETE_COPIES must be on or off"):
        production_app(tmp_path, twilio, TWILIO_DELETE_COPIES="sometimes")


def test_the_migration_adds_and_drops_the_table(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    upgrade(url)
    engine = create_engine(url)
    columns = {column["name"] for column in inspect(engine).get_columns("twilio_copy")}
    assert columns == set(TwilioCopy.__table__.columns.keys())
    command.downgrade(alembic_config(url), "0013")
    assert "twilio_copy" not in inspect(engine).get_table_names()
    upgrade(url)
    assert "twilio_copy" in inspect(engine).get_table_names()
    engine.dispose()


def test_every_report_on_a_reply_is_kept_however_many_replies_go_out(tmp_path: Path, twilio: Twilio) -> None:
    # Twilio reports every reply "From" the service's own number: one sender for all parents' replies, which the
    # per-contact rate limit (30 a minute) must not count, or the SIDs past it are never deleted.
    app = production_app(tmp_path, twilio)
    sms = SmsActions(app.test_client())
    replies = [twilio.receive(status="delivered") for _ in range(40)]
    for reply in replies:
        report = {"MessageSid": reply, "MessageStatus": "delivered", "AccountSid": TWILIO_ACCOUNT,
                  "From": "+441632960001", "To": sms.number, "SmsStatus": "delivered"}
        assert sms.post(report, path="/twilio/sms/status").status_code == 204
    assert owed(app) == sorted(replies)


def test_a_call_is_deleted_from_twilio_once_it_has_ended(tmp_path: Path, twilio: Twilio) -> None:
    # The call log keeps the caller's number: the call's record goes too, once Twilio says the call is over.
    from tests.integration.test_voice import CallActions

    app = production_app(tmp_path, twilio)
    caller = CallActions(app.test_client())
    twilio.held[caller.sid] = "completed"  # the caller heard the menu and hung up
    assert "press 2" in caller.call()
    assert owed(app) == [caller.sid]
    assert run_cleanup(app).exit_code == 0
    assert twilio.deletes() == [f"/2010-04-01/Accounts/{TWILIO_ACCOUNT}/Calls/{caller.sid}.json"]
    assert owed(app) == []


def test_a_text_whose_turn_failed_keeps_twilios_copy(tmp_path: Path, twilio: Twilio) -> None:
    # The turn fails (here the conversations table is damaged: a botched restore) while the rest of the database
    # works. What the parent sent was never stored, so Twilio's copy is the only one: it must not be deleted.
    app = production_app(tmp_path, twilio)
    sms = SmsActions(app.test_client())
    with unit_of_work(svc(app).sessions) as session:
        session.execute(text("DROP TABLE conversation"))
    sid = twilio.receive()
    response = sms.post(sms.params("my partner hurts my son", sid=sid))
    assert response.status_code == 200 and "technical problem" in response.get_data(as_text=True)
    assert owed(app) == []
    assert run_cleanup(app).exit_code == 0 and twilio.deletes() == []
