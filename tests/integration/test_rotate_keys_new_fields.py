"""`rotate-keys` re-encrypts every encrypted value, so what staff see survives the old key's removal: the reasons a
manager gave for extending or closing a parent's rights request, and a caseworker's note kept from a refused save.
Any encrypted column a later change adds must be listed for rotation too."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from flask import Flask
from sqlalchemy import LargeBinary
from sqlalchemy.orm import Session

from intake import access_requests, note_drafts
from intake.crypto import KeyRing
from intake.db import unit_of_work
from intake.keys import ENCRYPTED
from intake.models import Base
from tests.conftest import make_app
from tests.integration.test_console_manage import add_enquiry

EXTENDED = "The parent's records span three schools and two councils"
REFUSED = "Manifestly unfounded: the same request a fourth time this month"
DRAFT = "Spoke to mum about the transport appeal; she will send the letter on Monday"
TODAY = date(2026, 11, 26)
Read = Callable[[Session, KeyRing], list[str]]


def read_across_rotation(tmp_path: Path, write: Callable[[Flask], None], read: Read) -> None:
    """Write under the old key; rotate with both; read with the new key alone, and never again with the old one."""
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    database = f"sqlite:///{tmp_path / 'rotate.sqlite3'}"

    def start(keys: str, name: str) -> list[str]:
        app = make_app(tmp_path / name, DATABASE_URL=database, INTAKE_ENCRYPTION_KEYS=keys)
        svc = app.extensions["intake"]
        try:
            if name == "first":
                write(app)
            if name == "both":
                result = app.test_cli_runner().invoke(args=["intake", "rotate-keys"])
                assert result.exit_code == 0, result.output
            with unit_of_work(svc.sessions) as session:
                return read(session, svc.keys)
        finally:
            svc.db.dispose()

    written = start(old, "first")
    assert written and start(f"{new},{old}", "both") == written
    assert start(new, "new") == written  # the old key can go: everything was re-encrypted
    with pytest.raises(InvalidToken):
        start(old, "old")


def test_rotate_keys_re_encrypts_rights_request_reasons(tmp_path: Path) -> None:
    def write(app: Flask) -> None:
        svc = app.extensions["intake"]
        for reason, ending, contact in ((EXTENDED, None, "a"), (REFUSED, access_requests.REFUSED, "b")):
            reference = add_enquiry(app, contact_key=contact * 64)
            with unit_of_work(svc.sessions) as session:
                row = access_requests.log(session, "morgan", "manager", reference, kind=access_requests.COPY,
                                          received=TODAY, arrived_by="letter", today=TODAY)
                if ending is None:
                    access_requests.extend(session, svc.keys, "morgan", "manager", row.id, reason, TODAY)
                else:
                    access_requests.close(session, svc.keys, "morgan", "manager", row.id, ending, reason, TODAY)

    def read(session: Session, keys: KeyRing) -> list[str]:
        still_open, closed = access_requests.listing(session, keys, "morgan", "manager", TODAY)
        return [r.extension_reason for r in still_open] + [r.close_reason for r in closed]

    read_across_rotation(tmp_path, write, read)


def test_rotate_keys_re_encrypts_a_note_kept_from_a_refused_save(tmp_path: Path) -> None:
    references: list[str] = []

    def write(app: Flask) -> None:
        references.append(add_enquiry(app))
        with unit_of_work(app.extensions["intake"].sessions) as session:
            assert note_drafts.keep(session, app.extensions["intake"].keys, "sam", references[0], DRAFT)

    def read(session: Session, keys: KeyRing) -> list[str]:
        waiting = note_drafts.waiting(session, keys, "sam", references[0])
        if not waiting:  # a draft under a key no longer in the ring is dropped quietly, as if never kept
            raise InvalidToken
        return [waiting]

    read_across_rotation(tmp_path, write, read)


def test_every_encrypted_column_is_rotated() -> None:
    encrypted = {f"{table.name}.{column.name}" for table in Base.metadata.tables.values()
                 for column in table.columns if isinstance(column.type, LargeBinary)}
    rotated = {f"{model.__tablename__}.{name}" for model, names in ENCRYPTED.items() for name in names}
    assert encrypted - rotated == set()
