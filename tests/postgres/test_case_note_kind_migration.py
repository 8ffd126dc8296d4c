"""Migration 0011 on SQLite and PostgreSQL: every entry already on a case reads as a note after the upgrade (so
none is shown as sent to the parent), a text sent after it is kept as one, and downgrade keeps every entry."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.orm import Session

from intake.migrate import alembic_config, upgrade
from intake.models import CaseNote, utcnow


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database of either kind the service runs on, as 0010 left it, with a case holding two entries."""
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}" if request.param == "sqlite" else request.getfixturevalue(
        "postgres_url")
    command.upgrade(alembic_config(url), "0010")
    engine = create_engine(url)
    now = utcnow().replace(tzinfo=None) - timedelta(hours=1)
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO enquiry (reference, channel, topic, voicemail_ok, name_service_ok, priority, "
                 "priority_rank, status, created_at) "
                 "VALUES ('AAA-001', 'sms', 'general', false, false, 'normal', 1, 'claimed', :now)"),
            {"now": now})
        enquiry_id = connection.scalar(text("SELECT id FROM enquiry WHERE reference = 'AAA-001'"))
        for author in ("alex", "parent (message)"):  # bodies are opaque bytes to the migration
            connection.execute(
                text("INSERT INTO case_note (enquiry_id, author, body, created_at) VALUES (:e, :a, :b, :now)"),
                {"e": enquiry_id, "a": author, "b": b"ciphertext", "now": now})
    engine.dispose()
    return str(url)


def test_old_entries_are_notes_new_ones_may_be_sent_texts_and_downgrade_keeps_them(database_url: str) -> None:
    upgrade(database_url)
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:  # read and written as the app does
            notes = list(session.scalars(select(CaseNote).order_by(CaseNote.id)))
            assert [(n.author, n.kind) for n in notes] == [("alex", "note"), ("parent (message)", "note")]
            session.add(CaseNote(enquiry_id=notes[0].enquiry_id, author="alex", body=b"sealed", kind="sms",
                                 created_at=utcnow()))
            session.commit()
            assert [n.kind for n in session.scalars(select(CaseNote).order_by(CaseNote.id))] == ["note", "note", "sms"]
    finally:
        engine.dispose()

    command.downgrade(alembic_config(database_url), "0010")
    engine = create_engine(database_url)
    try:
        assert "kind" not in {c["name"] for c in inspect(engine).get_columns("case_note")}
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM case_note")) == 3
    finally:
        engine.dispose()
