"""Migration 0003 on SQLite and PostgreSQL: a block reason stored in clear under 0002 comes out encrypted."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.orm import Session

from bot.config import ConfigError
from intake import blocks
from intake.crypto import KeyRing
from intake.migrate import alembic_config, upgrade
from intake.models import Block, utcnow

KEY = "b" * 64
REASON = "Shouted about the Zanzibar marmalade"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database of either kind the service runs on."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def release_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> KeyRing:
    """The environment the release step runs in: the app's keys, and nothing from this machine's instance/."""
    key = Fernet.generate_key().decode()
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("INTAKE_ENCRYPTION_KEYS", key)
    return KeyRing([key])


def at_0002_with_a_block(url: str) -> None:
    """A database as 0002 left it, holding one block whose reason is in clear."""
    command.upgrade(alembic_config(url), "0002")
    engine = create_engine(url)
    until = (utcnow() + timedelta(days=7)).replace(tzinfo=None)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO block (contact_key, until, reason, created_by, created_at) "
                                "VALUES (:key, :until, :reason, 'morgan', :until)"),
                           {"key": KEY, "until": until, "reason": REASON})
    engine.dispose()


def stored_bytes(url: str) -> bytes:
    """Everything SQLite keeps on disk for this database (the file and its write-ahead log)."""
    path = Path(url.removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())


def test_upgrade_encrypts_existing_reasons_with_the_apps_keys(database_url: str, release_env: KeyRing) -> None:
    at_0002_with_a_block(database_url)
    upgrade(database_url)
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            block = session.get(Block, KEY)
            assert block is not None and REASON.encode() not in block.reason
            assert release_env.decrypt(block.reason) == REASON
            [row] = blocks.active(session, release_env, "manager")
            assert row.reason == REASON
        columns = {column["name"]: column for column in inspect(engine).get_columns("block")}
        assert columns["reason"]["nullable"] is False and "reason_new" not in columns
    finally:
        engine.dispose()
    if database_url.startswith("sqlite"):
        assert b"Zanzibar" not in stored_bytes(database_url)  # not left behind in freed pages either

    command.downgrade(alembic_config(database_url), "0002")  # and back, with the same keys
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT reason FROM block")) == REASON
    finally:
        engine.dispose()


def test_upgrade_without_the_keys_stops_before_changing_anything(database_url: str, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    at_0002_with_a_block(database_url)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("INTAKE_ENV", "production")
    monkeypatch.delenv("INTAKE_ENCRYPTION_KEYS", raising=False)
    with pytest.raises(ConfigError, match="INTAKE_ENCRYPTION_KEYS"):
        upgrade(database_url)
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT version_num FROM alembic_version")) == "0002"
            assert connection.scalar(text("SELECT reason FROM block")) == REASON
    finally:
        engine.dispose()


def test_an_empty_database_needs_no_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("INTAKE_ENV", "production")
    monkeypatch.delenv("INTAKE_ENCRYPTION_KEYS", raising=False)
    upgrade(f"sqlite:///{tmp_path / 'new.sqlite3'}")  # a fresh machine, or the tests' template database
    assert not (tmp_path / "instance").exists()
