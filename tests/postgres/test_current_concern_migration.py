"""Migration 0004 on SQLite and PostgreSQL: each contact's newest open concern becomes its current one."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from intake.migrate import alembic_config, upgrade
from intake.models import utcnow

ROWS = [  # (reference, contact key, topic, status): as 0003 left them, oldest first
    ("AAA-001", "ann", "safeguarding", "queued"),  # Ann's older open concern (raised over a day before)
    ("AAA-002", "ann", "safeguarding", "claimed"),  # her newest open one: current
    ("AAA-003", "ann", "safeguarding", "closed"),  # closed: never current
    ("BBB-001", "bob", "general", "queued"),  # an ordinary enquiry: not a concern
    ("CCC-001", "cat", "safeguarding", "queued"),  # current
    ("DDD-001", None, "safeguarding", "queued"),  # no contact key: nothing to be current for
]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database of either kind the service runs on, as 0003 left it, holding ROWS."""
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}" if request.param == "sqlite" else request.getfixturevalue(
        "postgres_url")
    command.upgrade(alembic_config(url), "0003")
    engine = create_engine(url)
    now = utcnow().replace(tzinfo=None)
    with engine.begin() as connection:
        for reference, key, topic, status in ROWS:
            connection.execute(
                text("INSERT INTO enquiry (reference, channel, contact_key, topic, voicemail_ok, name_service_ok, "
                     "priority, priority_rank, status, created_at) "
                     "VALUES (:reference, 'sms', :key, :topic, false, false, 'urgent', 0, :status, :now)"),
                {"reference": reference, "key": key, "topic": topic, "status": status, "now": now})
    engine.dispose()
    return str(url)


def current(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.scalars(
                text("SELECT reference FROM enquiry WHERE current_concern ORDER BY reference")))
    finally:
        engine.dispose()


def test_upgrade_marks_each_contacts_newest_open_concern_and_allows_only_one(database_url: str) -> None:
    upgrade(database_url)
    assert current(database_url) == ["AAA-002", "CCC-001"]
    engine = create_engine(database_url)
    try:
        with pytest.raises(IntegrityError), engine.begin() as connection:  # a second current one for Ann
            connection.execute(text("UPDATE enquiry SET current_concern = true WHERE reference = 'AAA-001'"))
        with engine.begin() as connection:  # a closed one may stay marked: the index covers open cases only
            connection.execute(text("UPDATE enquiry SET current_concern = true WHERE reference = 'AAA-003'"))
    finally:
        engine.dispose()

    command.downgrade(alembic_config(database_url), "0003")  # and back
    engine = create_engine(database_url)
    try:
        assert "current_concern" not in {c["name"] for c in inspect(engine).get_columns("enquiry")}
        assert "uq_enquiry_current_concern" not in {i["name"] for i in inspect(engine).get_indexes("enquiry")}
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM enquiry")) == len(ROWS)
    finally:
        engine.dispose()
