"""The audit chain is keyed (HMAC under a key derived from INTAKE_HASH_KEY), on SQLite and PostgreSQL.

Someone who can write to the database but has no key can no longer edit an event and rebuild the hashes after it:
verify-audit reports the first rebuilt event. The upgrade from the unkeyed chain re-links an intact one once, as
`init-db` takes the database across the keyed revision, and refuses a broken one. Out of scope: an insider who
holds INTAKE_HASH_KEY can still rebuild a keyed chain; only a head hash kept outside the database (purge prints
it to the scheduler's log; verify-audit --expected-head) catches that.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from alembic import command
from click.testing import Result
from flask import Flask
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from intake import audit
from intake.db import unit_of_work
from intake.migrate import alembic_config
from intake.models import AuditEvent
from tests.conftest import HASH_KEY, dispose, make_app

EVENTS = [("alex", "claim", "ABC-234", None), ("alex", "view", "ABC-234", "opened"),
          ("sam", "note_added", "ABC-234", None), ("alex", "close", "ABC-234", "resolved"),
          ("bot", "enqueue", "ABC-235", None)]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def chain_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """An app on either database with EVENTS in its trail, each recorded in a unit of work as the app does."""
    overrides = {} if request.param == "sqlite" else {"DATABASE_URL": request.getfixturevalue("postgres_url")}
    app = make_app(tmp_path, **overrides)
    for actor, action, reference, detail in EVENTS:
        with unit_of_work(app.extensions["intake"].sessions) as session:
            audit.record(session, actor, action, reference, detail)
    yield app
    dispose(app)


def db(app: Flask) -> Engine:
    engine: Engine = app.extensions["intake"].db
    return engine


def cli(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=["intake", *args])


def plain_sha256(prev_hash: str, at: datetime, actor: str, action: str, reference: str | None,
                 detail: str | None) -> str:
    """How the chain was hashed before it was keyed, and all someone without the key can compute."""
    return hashlib.sha256("|".join([prev_hash, at.isoformat(), actor, action, reference or "", detail or ""])
                          .encode()).hexdigest()


def rebuild_without_key(engine: Engine, from_id: int) -> None:
    """Recompute every hash from event `from_id` on with plain SHA-256, relinking them, straight in the database."""
    with Session(engine) as session, session.begin():
        prev_hash = audit.GENESIS
        for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all():
            if event.id >= from_id:
                digest = plain_sha256(prev_hash, event.at, event.actor, event.action, event.reference, event.detail)
                session.execute(text("UPDATE audit_event SET prev_hash = :p, hash = :h WHERE id = :i"),
                                {"p": prev_hash, "h": digest, "i": event.id})
                prev_hash = digest
            else:
                prev_hash = event.hash


def ids(engine: Engine) -> list[int]:
    with Session(engine) as session:
        return list(session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))


def stored(engine: Engine) -> list[tuple[str, str, str | None, str | None, str, str]]:
    with Session(engine) as session:
        return [(e.actor, e.action, e.reference, e.detail, e.prev_hash, e.hash)
                for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def as_before_the_upgrade(app: Flask) -> None:
    """The database as a deployment from before the keyed chain left it: an unkeyed chain, schema at 0015."""
    rebuild_without_key(db(app), ids(db(app))[0])
    command.downgrade(alembic_config(app.extensions["intake"].settings.database_url), "0015")


def test_an_edit_rebuilt_without_the_key_is_reported_at_the_first_rebuilt_event(chain_app: Flask) -> None:
    assert cli(chain_app, "verify-audit").exit_code == 0
    third = ids(db(chain_app))[2]
    with db(chain_app).begin() as connection:
        connection.execute(text("UPDATE audit_event SET detail = 'nothing to see' WHERE id = :i"), {"i": third})
    rebuild_without_key(db(chain_app), third)

    result = cli(chain_app, "verify-audit")
    assert result.exit_code == 1, result.output
    assert f"BROKEN at event {third}: event content was changed" in result.output


def test_a_whole_chain_rebuilt_without_the_key_is_broken_from_its_first_event(chain_app: Flask) -> None:
    rebuild_without_key(db(chain_app), ids(db(chain_app))[0])
    result = cli(chain_app, "verify-audit")
    assert result.exit_code == 1 and f"BROKEN at event {ids(db(chain_app))[0]}" in result.output


def test_init_db_rekeys_an_intact_unkeyed_chain_once_and_never_again(chain_app: Flask) -> None:
    as_before_the_upgrade(chain_app)
    before = stored(db(chain_app))
    assert cli(chain_app, "verify-audit").exit_code == 1  # the old chain does not verify under the key

    result = cli(chain_app, "init-db")
    assert result.exit_code == 0, result.output
    assert "Audit chain keyed: 5 events re-linked" in result.output
    verified = cli(chain_app, "verify-audit")
    assert verified.exit_code == 0, verified.output
    assert "Audit chain OK: 6 events" in verified.output  # the re-linking is itself in the trail
    after = stored(db(chain_app))
    assert [row[:4] for row in after] == [row[:4] for row in before] + [
        ("system", "audit_chain_keyed", None, "5 events re-linked")]
    assert all(new[5] != old[5] for new, old in zip(after, before, strict=False))

    # Past the upgrade, a chain rewritten without the key is not converted again by the next release.
    rebuild_without_key(db(chain_app), ids(db(chain_app))[0])
    assert cli(chain_app, "init-db").exit_code == 0
    result = cli(chain_app, "verify-audit")
    assert result.exit_code == 1 and f"BROKEN at event {ids(db(chain_app))[0]}" in result.output


def test_the_upgrade_refuses_a_broken_unkeyed_chain_and_leaves_it_as_it_was(chain_app: Flask) -> None:
    as_before_the_upgrade(chain_app)
    third = ids(db(chain_app))[2]
    with db(chain_app).begin() as connection:  # edited before the upgrade, hashes not rebuilt
        connection.execute(text("UPDATE audit_event SET actor = 'mallory' WHERE id = :i"), {"i": third})
    before = stored(db(chain_app))

    for command_name in ("init-db", "rekey-audit"):
        result = cli(chain_app, command_name)
        assert result.exit_code == 1, result.output
        assert f"Audit chain BROKEN at event {third}: event content was changed" in result.output
        assert "not re-linked" in result.output
        assert stored(db(chain_app)) == before  # nothing laundered, nothing recorded


def test_rekey_audit_relinks_an_intact_unkeyed_chain(chain_app: Flask) -> None:
    rebuild_without_key(db(chain_app), ids(db(chain_app))[0])
    result = cli(chain_app, "rekey-audit")
    assert result.exit_code == 0, result.output
    assert "5 events re-linked" in result.output
    assert cli(chain_app, "verify-audit").exit_code == 0
    assert cli(chain_app, "rekey-audit").output.strip() == "Audit chain is keyed."  # nothing more to do


def test_purge_prints_the_head_that_verify_audit_reports(chain_app: Flask) -> None:
    verified = cli(chain_app, "verify-audit")
    head = verified.output.strip().rsplit("Head: ", 1)[1]
    result = cli(chain_app, "purge", "--no-progress")
    assert result.exit_code == 0, result.output
    assert f"Audit chain head: {head}" in result.output
    assert cli(chain_app, "verify-audit", "--expected-head", head).exit_code == 0


def test_a_session_without_the_key_refuses_to_record_or_verify(chain_app: Flask) -> None:
    with pytest.raises(audit.MissingChainKey), Session(db(chain_app)) as session:
        audit.record(session, "alex", "view", "ABC-234")
    with pytest.raises(audit.MissingChainKey), Session(db(chain_app)) as session:
        audit.verify(session)
    assert len(ids(db(chain_app))) == len(EVENTS)
    # The key is in every session's info, yet not in the sessionmaker's repr (it prints its info).
    secret = hmac.new(HASH_KEY.encode(), b"audit-chain-v1", hashlib.sha256).digest()
    shown = repr(chain_app.extensions["intake"].sessions)
    assert "ChainKey(...)" in shown and secret.hex() not in shown and repr(secret) not in shown


def test_a_long_unkeyed_trail_is_rekeyed_whole(chain_app: Flask) -> None:
    with unit_of_work(chain_app.extensions["intake"].sessions) as session:  # more than one batch of the upgrade
        for n in range(2100):
            audit.record(session, f"cw{n % 7}", "view", "ABC-234")
    rebuild_without_key(db(chain_app), ids(db(chain_app))[0])
    result = cli(chain_app, "rekey-audit")
    assert result.exit_code == 0 and "2105 events re-linked" in result.output, result.output
    verified = cli(chain_app, "verify-audit")
    assert verified.exit_code == 0 and "2106 events" in verified.output, verified.output
