"""Migration 0010 on SQLite and PostgreSQL: open cases still held by accounts disabled before the leaver fix go
back to the queue (urgent first, "previously with" their holder, audited in the unbroken chain); nothing else moves."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from intake import audit, casework
from intake.migrate import alembic_config, upgrade
from intake.models import AuditEvent, Enquiry, utcnow
from tests.conftest import HASH_KEY

KEYED = audit.session_info(audit.ChainKey(HASH_KEY))  # sessions carry the chain key, as the app's do
ACCOUNTS = [("lee", False), ("kim", True)]  # (username, active): lee left before disabling returned cases
ROWS = [  # (reference, priority, status, claimed by), as 0009 left them
    ("AAA-001", "normal", "claimed", "lee"),  # stranded
    ("AAA-002", "urgent", "claimed", "lee"),  # stranded, and urgent: goes first
    ("AAA-003", "normal", "closed", "lee"),  # closed: stays closed
    ("AAA-004", "normal", "claimed", "kim"),  # kim still works here: stays hers
    ("AAA-005", "normal", "queued", None),  # already waiting
]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database of either kind the service runs on, as 0009 left it, holding ACCOUNTS, ROWS and an audit chain."""
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}" if request.param == "sqlite" else request.getfixturevalue(
        "postgres_url")
    command.upgrade(alembic_config(url), "0009")
    engine = create_engine(url)
    then = utcnow().replace(tzinfo=None) - timedelta(days=40)
    with engine.begin() as connection:
        for username, active in ACCOUNTS:
            connection.execute(
                text("INSERT INTO caseworker (username, password_hash, totp_secret, last_totp_step, role, on_duty, "
                     "failed_logins, active, created_at, session_generation) "
                     "VALUES (:username, 'x', :secret, 0, 'caseworker', false, 0, :active, :then, 1)"),
                {"username": username, "secret": b"x", "active": active, "then": then})
        for n, (reference, priority, status, holder) in enumerate(ROWS):
            connection.execute(
                text("INSERT INTO enquiry (reference, channel, topic, voicemail_ok, name_service_ok, priority, "
                     "priority_rank, status, created_at, claimed_by, claimed_at) VALUES (:reference, 'sms', "
                     "'general', false, false, :priority, :rank, :status, :created, :holder, :claimed)"),
                {"reference": reference, "priority": priority, "rank": 0 if priority == "urgent" else 1,
                 "status": status, "created": then + timedelta(minutes=n), "holder": holder,
                 "claimed": then + timedelta(hours=1) if holder else None})
    with Session(engine, info=KEYED) as session, session.begin():  # a real chain, as the app wrote it
        for reference, *_ in ROWS:
            audit.record(session, "bot", "enqueue", reference)
    engine.dispose()
    return str(url)


def test_upgrade_returns_a_leavers_cases_to_the_queue_and_audits_it(database_url: str) -> None:
    before = utcnow().replace(microsecond=0)
    upgrade(database_url)
    engine = create_engine(database_url)
    try:
        with Session(engine, info=KEYED) as session:  # read as the app reads them
            stored = {e.reference: (e.status, e.claimed_by, e.previous_caseworker)
                      for e in session.scalars(select(Enquiry))}
            assert stored == {
                "AAA-001": ("queued", None, "lee"), "AAA-002": ("queued", None, "lee"),
                "AAA-003": ("closed", "lee", None), "AAA-004": ("claimed", "kim", None),
                "AAA-005": ("queued", None, None),
            }
            rows = casework.queue_rows(session)  # the queue shows them, urgent on top, "previously with lee"
            assert [(r.reference, r.previously_with) for r in rows] == [
                ("AAA-002", "lee"), ("AAA-001", "lee"), ("AAA-005", "")]
            moved = session.scalars(select(Enquiry.moved_at).where(Enquiry.previous_caseworker == "lee")).all()
            assert all(moved_at is not None and before <= moved_at <= utcnow() for moved_at in moved)
            events = [(e.actor, e.reference, e.detail) for e in session.scalars(
                select(AuditEvent).where(AuditEvent.action == "returned_account_disabled").order_by(AuditEvent.id))]
            assert events == [("system", "AAA-002", "account disabled; was with lee"),
                              ("system", "AAA-001", "account disabled; was with lee")]
        with Session(engine, info=KEYED) as session, session.begin():  # init-db re-links it, crossing 0016
            assert audit.rekey(session)[0].ok
        with Session(engine, info=KEYED) as session:
            assert audit.verify(session).ok, audit.verify(session).problem  # the chain still holds
        with Session(engine, info=KEYED) as session, session.begin():  # and the app carries on writing to it
            audit.record(session, "cal", "claim", "AAA-002")
        with Session(engine, info=KEYED) as session:
            assert audit.verify(session).ok
    finally:
        engine.dispose()

    command.downgrade(alembic_config(database_url), "0009")  # a one-off: back down leaves the data alone
    upgrade(database_url)  # and up again finds nothing more to do
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            assert connection.scalar(text(
                "SELECT count(*) FROM audit_event WHERE action = 'returned_account_disabled'")) == 2
    finally:
        engine.dispose()
