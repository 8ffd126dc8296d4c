"""Rights requests on PostgreSQL as on SQLite: migration 0012 (a case deleted by the retention purge leaves its
requests unlinked, downgrade drops them), and the console's list, its due dates and an erasure on PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from alembic import command
from flask import Flask
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.orm import Session

from intake.migrate import alembic_config, upgrade
from intake.models import RightsRequest, utcnow
from tests.conftest import make_app
from tests.integration.test_console import set_clock, svc
from tests.integration.test_console_rights import signed_in, sms_enquiry
from tests.integration.test_console_rights_requests import PAGE, log, page, row_of, stored


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database of either kind the service runs on, as 0011 left it, with one case."""
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}" if request.param == "sqlite" else request.getfixturevalue(
        "postgres_url")
    command.upgrade(alembic_config(url), "0011")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO enquiry (reference, channel, topic, voicemail_ok, name_service_ok, priority, "
                 "priority_rank, status, created_at) "
                 "VALUES ('AAA-001', 'sms', 'general', false, false, 'normal', 1, 'closed', :now)"),
            {"now": utcnow().replace(tzinfo=None) - timedelta(days=400)})
    engine.dispose()
    return str(url)


def test_a_request_outlives_its_purged_case_unlinked_and_downgrade_drops_the_table(database_url: str) -> None:
    upgrade(database_url)
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:  # written as the app does
            enquiry_id = session.scalar(text("SELECT id FROM enquiry WHERE reference = 'AAA-001'"))
            session.add(RightsRequest(enquiry_id=enquiry_id, kind="copy", arrived_by="letter",
                                      received_on=date(2028, 1, 31), due_on=date(2028, 2, 29), status="done",
                                      closed_on=date(2028, 2, 10), logged_by="morgan"))
            session.commit()
        with engine.begin() as connection:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")  # as intake.db turns it on for the app
            connection.execute(text("DELETE FROM enquiry WHERE reference = 'AAA-001'"))
        with Session(engine) as session:
            [kept] = session.scalars(select(RightsRequest))
            assert (kept.enquiry_id, kept.due_on, kept.status) == (None, date(2028, 2, 29), "done")
    finally:
        engine.dispose()

    command.downgrade(alembic_config(database_url), "0011")
    engine = create_engine(database_url)
    try:
        assert "rights_request" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_on_postgresql_the_list_orders_by_due_date_and_an_erasure_leaves_only_dates(
    tmp_path: Path, postgres_url: str
) -> None:
    app: Flask = make_app(tmp_path, DATABASE_URL=postgres_url)
    try:
        set_clock(app, "2028-03-10 09:00")
        recent, late = sms_enquiry(app), sms_enquiry(app)
        manager = signed_in(app, "morgan", "manager")
        assert log(manager, recent, "erasure").status_code == 302
        assert log(manager, late, received="31/01/2028").status_code == 302
        text_now = page(manager)
        assert text_now.index(late) < text_now.index(recent)
        assert "Tue 29 Feb 2028" in row_of(text_now, late) and "OVERDUE by 10 days" in row_of(text_now, late)
        assert "Mon 10 Apr 2028" in row_of(text_now, recent)
        erased = manager.post(f"/caseworker/case/{recent}/erase", confirm=recent, identity="in_person")
        assert erased.headers["Location"].endswith("/caseworker/queue")
        manager.client.get("/caseworker/queue")  # the erased message, shown once
        erased_row, late_row = stored(app)  # in the order they were logged
        assert (erased_row.enquiry_id, erased_row.arrived_by, erased_row.logged_by) == (None, None, None)
        assert (erased_row.status, erased_row.closed_on) == ("done", date(2028, 3, 10))
        assert late_row.enquiry_id is not None and late_row.status == "open"
        assert recent not in page(manager) and manager.client.get(PAGE).status_code == 200
    finally:
        svc(app).db.dispose()
