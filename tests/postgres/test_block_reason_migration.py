"""Migration 0003 on SQLite and PostgreSQL: a block reason stored in clear under 0002 comes out encrypted."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.orm import Session

from intake import blocks
from intake.crypto import KeyRing
from intake.migrate import KeysNeeded, alembic_config, upgrade
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
def app_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> KeyRing:
    """The app's key ring, unlike the keys in this process's environment (which must not be used)."""
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("INTAKE_ENCRYPTION_KEYS", Fernet.generate_key().decode())
    return KeyRing([Fernet.generate_key().decode()])


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


def test_upgrade_encrypts_existing_reasons_with_the_keys_it_is_given(database_url: str, app_keys: KeyRing) -> None:
    at_0002_with_a_block(database_url)
    upgrade(database_url, app_keys)
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            block = session.get(Block, KEY)
            assert block is not None and REASON.encode() not in block.reason
            assert app_keys.decrypt(block.reason) == REASON
            [row] = blocks.active(session, app_keys, "manager")
            assert row.reason == REASON
        columns = {column["name"]: column for column in inspect(engine).get_columns("block")}
        assert columns["reason"]["nullable"] is False and "reason_new" not in columns
    finally:
        engine.dispose()
    if database_url.startswith("sqlite"):
        assert b"Zanzibar" not in stored_bytes(database_url)  # not left behind in freed pages either

    command.downgrade(alembic_config(database_url, app_keys), "0002")  # and back, with the same keys
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT reason FROM block")) == REASON
    finally:
        engine.dispose()


def test_upgrade_without_the_keys_stops_before_changing_anything(database_url: str, app_keys: KeyRing) -> None:
    at_0002_with_a_block(database_url)
    with pytest.raises(KeysNeeded, match=r"flask --app bot intake init-db") as stopped:
        upgrade(database_url)  # keys in the environment are not enough: only the caller's count
    assert "Zanzibar" not in str(stopped.value)
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


def test_the_migrations_import_nothing_from_the_app() -> None:
    """intake/ is framework-free: the migrations get their keys from the caller, never from bot/."""
    imported: set[tuple[str, str]] = set()  # (top-level package, file importing it)
    for path in Path(__file__).resolve().parents[2].joinpath("intake").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {(alias.name.split(".")[0], path.name) for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add((node.module.split(".")[0], path.name))
    assert not {found for found in imported if found[0] in {"bot", "flask"}}
