"""Deleting Twilio's copies on PostgreSQL: a text owed twice at once (Twilio redelivering it to two workers) is one
deletion, and migration 0014 goes up and down there too."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect

from bot import twilio_cleanup
from intake.migrate import alembic_config
from tests.conftest import SmsActions, dispose
from tests.integration.test_console import svc
from tests.integration.test_twilio_copies import MESSAGES, owed, production_app, run_cleanup
from tests.twilio_standin import Twilio, serving

pytestmark = pytest.mark.postgres


@pytest.fixture
def twilio() -> Iterator[Twilio]:
    """Twilio's REST API, as a local stand-in holding messages."""
    with serving() as standin:
        yield standin


def test_a_text_delivered_twice_at_once_is_owed_and_deleted_once(tmp_path: Path, twilio: Twilio,
                                                                  postgres_url: str) -> None:
    app = production_app(tmp_path, twilio, DATABASE_URL=postgres_url)
    sid = twilio.receive()
    start = threading.Barrier(2)

    def deliver() -> None:
        start.wait()
        twilio_cleanup.owe(svc(app).settings, svc(app).sessions, sid)

    workers = [threading.Thread(target=deliver) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    SmsActions(app.test_client()).send("what is a senco", sid=sid)  # and the webhook itself
    assert owed(app) == [sid]
    assert run_cleanup(app).exit_code == 0
    assert twilio.deletes() == [f"{MESSAGES}/{sid}.json"] and owed(app) == []
    dispose(app)


def test_the_migration_goes_up_and_down(postgres_url: str) -> None:
    config = alembic_config(postgres_url)
    command.upgrade(config, "0014")
    engine = create_engine(postgres_url)
    assert {c["name"] for c in inspect(engine).get_columns("twilio_copy")} == {
        "sid", "kind", "due_at", "tries", "created_at"}
    command.downgrade(config, "0013")
    assert "twilio_copy" not in inspect(engine).get_table_names()
    engine.dispose()
