"""Migration 0007 on SQLite and PostgreSQL: the new-enquiry e-mails owed under the old rule (read from the audit
trail) are owed after the upgrade, due at once, so none is lost; no other enquiry owes one."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.orm import Session

from intake import notify
from intake.migrate import alembic_config, upgrade
from intake.models import Enquiry, EnquiryNotice, utcnow

FAILED, SENT = "new_enquiry_notice_failed", "new_enquiry_notice_sent"
ROWS = [  # (reference, priority, status, the audit trail after "enqueue"), as 0006 left them
    ("AAA-001", "normal", "queued", [FAILED]),  # owed
    ("AAA-002", "normal", "queued", [FAILED, FAILED]),  # still failing: owed
    ("AAA-003", "normal", "queued", [FAILED, SENT]),  # a retry sent it
    ("AAA-004", "normal", "queued", [FAILED, "claim", "release"]),  # a caseworker has seen it
    ("AAA-005", "urgent", "queued", [FAILED, "safeguarding_flag"]),  # the duty alert took over
    ("AAA-006", "normal", "closed", [FAILED, "withdraw"]),  # withdrawn
    ("AAA-007", "normal", "queued", []),  # went first time (not audited)
]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database of either kind the service runs on, as 0006 left it, holding ROWS and their audit trail."""
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}" if request.param == "sqlite" else request.getfixturevalue(
        "postgres_url")
    command.upgrade(alembic_config(url), "0006")
    engine = create_engine(url)
    now = utcnow().replace(tzinfo=None) - timedelta(hours=1)
    with engine.begin() as connection:
        for reference, priority, status, trail in ROWS:
            connection.execute(
                text("INSERT INTO enquiry (reference, channel, topic, voicemail_ok, name_service_ok, priority, "
                     "priority_rank, status, created_at) "
                     "VALUES (:reference, 'sms', 'general', false, false, :priority, 1, :status, :now)"),
                {"reference": reference, "priority": priority, "status": status, "now": now})
            for action in ["enqueue", *trail]:  # the chain's hashes are not what this migration reads
                connection.execute(
                    text("INSERT INTO audit_event (at, actor, action, reference, prev_hash, hash) "
                         "VALUES (:now, 'bot', :action, :reference, '', '')"),
                    {"now": now, "action": action, "reference": reference})
    engine.dispose()
    return str(url)


def test_upgrade_carries_the_owed_e_mails_over_and_downgrade_drops_the_table(database_url: str) -> None:
    before = utcnow()
    upgrade(database_url)
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:  # read as the app reads them
            owed = session.execute(select(Enquiry.reference, EnquiryNotice.due_at)
                                   .join(EnquiryNotice, EnquiryNotice.enquiry_id == Enquiry.id)
                                   .order_by(Enquiry.reference)).all()
            assert notify.notices_owed(session) == ["AAA-001", "AAA-002"]  # due now: the next run sends them
        assert [reference for reference, _ in owed] == ["AAA-001", "AAA-002"]
        assert all(before - timedelta(seconds=1) <= due <= utcnow() for _, due in owed)
    finally:
        engine.dispose()

    command.downgrade(alembic_config(database_url), "0006")
    engine = create_engine(database_url)
    try:
        assert "enquiry_notice" not in inspect(engine).get_table_names()
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM enquiry")) == len(ROWS)
    finally:
        engine.dispose()
