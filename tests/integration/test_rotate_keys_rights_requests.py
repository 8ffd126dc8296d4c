"""`rotate-keys` re-encrypts the reasons a manager gave for extending or closing a parent's rights request, so
the Rights requests page still shows them once the old key is removed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken

from intake import access_requests
from intake.db import unit_of_work
from tests.conftest import make_app
from tests.integration.test_console_manage import add_enquiry

EXTENDED = "The parent's records span three schools and two councils"
REFUSED = "Manifestly unfounded: the same request a fourth time this month"
TODAY = date(2026, 11, 26)


def reasons_read_with(tmp_path: Path, database: str, keys: str, name: str) -> list[str]:
    """Start the app on the shared database with these keys (the first start logs the requests, the second
    rotates); the reasons the Rights requests page can read."""
    app = make_app(tmp_path / name, DATABASE_URL=database, INTAKE_ENCRYPTION_KEYS=keys)
    svc = app.extensions["intake"]
    try:
        if name == "first":
            for reason, ending, contact in ((EXTENDED, None, "a"), (REFUSED, access_requests.REFUSED, "b")):
                reference = add_enquiry(app, contact_key=contact * 64)
                with unit_of_work(svc.sessions) as session:
                    row = access_requests.log(session, "morgan", "manager", reference, kind=access_requests.COPY,
                                              received=TODAY, arrived_by="letter", today=TODAY)
                    if ending is None:
                        access_requests.extend(session, svc.keys, "morgan", "manager", row.id, reason, TODAY)
                    else:
                        access_requests.close(session, svc.keys, "morgan", "manager", row.id, ending, reason, TODAY)
        if name == "both":
            result = app.test_cli_runner().invoke(args=["intake", "rotate-keys"])
            assert result.exit_code == 0, result.output
        with unit_of_work(svc.sessions) as session:
            still_open, closed = access_requests.listing(session, svc.keys, "morgan", "manager", TODAY)
            return sorted(r.extension_reason for r in still_open) + sorted(r.close_reason for r in closed)
    finally:
        svc.db.dispose()


def test_rotate_keys_re_encrypts_rights_request_reasons(tmp_path: Path) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    database = f"sqlite:///{tmp_path / 'rotate.sqlite3'}"
    assert reasons_read_with(tmp_path, database, old, "first") == [EXTENDED, REFUSED]
    assert reasons_read_with(tmp_path, database, f"{new},{old}", "both") == [EXTENDED, REFUSED]
    assert reasons_read_with(tmp_path, database, new, "new") == [EXTENDED, REFUSED]  # the old key can go
    with pytest.raises(InvalidToken):
        reasons_read_with(tmp_path, database, old, "old")
