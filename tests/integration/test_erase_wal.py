"""An erasure or a retention purge leaves nothing readable on disk (policy 4.7): not in the SQLite file, and not
in its write-ahead log (-wal), which keeps every page as it was written until a checkpoint empties it."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from cryptography.fernet import InvalidToken
from flask import Flask

from intake import queue
from intake.db import unit_of_work
from intake.models import utcnow
from tests.conftest import ALWAYS_OPEN, SmsActions, make_app
from tests.integration.test_console import AuthActions, add_caseworker, audit_rows, svc

SUMMARY = "Please help with support for Jamie"
LATER = "can i add something, he has been sent home early every day this week"
NOTE = "Spoke to mum: Jamie's exclusion letter is on its way"
WORDS = ("support for jamie", "sent home early every day", "exclusion letter")  # looked for in lower case
TOKEN = re.compile(rb"gAAAAA[A-Za-z0-9_\-=]{60,}")


def readable_on_disk(app: Flask) -> str:
    """Everything the database file and its -wal file give up to whoever holds the files and the app's key:
    every encrypted value found in them, decrypted, and the files' own text."""
    database = Path(svc(app).settings.database_url.removeprefix("sqlite:///"))
    found: list[str] = []
    for path in (database, database.with_name(database.name + "-wal")):
        if not path.exists():
            continue
        data = path.read_bytes()
        found.append(data.decode("latin-1"))
        for token in set(TOKEN.findall(data)):
            try:
                found.append(svc(app).keys.decrypt(token))
            except (InvalidToken, ValueError):
                pass  # a fragment cut short by a page boundary, or another key's
    return "\n".join(found).lower()


def case_with_a_note(tmp_path: Path) -> tuple[Flask, str, AuthActions]:
    """A parent's SMS enquiry with a later message, claimed by a manager who wrote a note on it."""
    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)
    sms = SmsActions(app.test_client())
    reference = sms.hand_off(SUMMARY)
    sms.send(LATER)
    manager = AuthActions(app.test_client(), app, "mona", add_caseworker(app, "mona", "manager"))
    assert manager.login().status_code == 302
    assert manager.post(f"/caseworker/claim/{reference}").status_code == 302
    assert manager.post(f"/caseworker/case/{reference}/note", note=NOTE).status_code == 302
    on_disk = readable_on_disk(app)
    assert all(word in on_disk for word in WORDS), [w for w in WORDS if w not in on_disk]
    return app, reference, manager


def test_an_erased_case_is_in_neither_the_database_file_nor_its_write_ahead_log(tmp_path: Path) -> None:
    app, reference, manager = case_with_a_note(tmp_path)
    erased = manager.post(f"/caseworker/case/{reference}/erase", confirm=reference, identity="in_person")
    assert erased.status_code == 302 and len(audit_rows(app, "erase")) == 1
    on_disk = readable_on_disk(app)
    assert [word for word in WORDS if word in on_disk] == []


def test_a_purged_case_is_in_neither_the_database_file_nor_its_write_ahead_log(tmp_path: Path) -> None:
    app, reference, manager = case_with_a_note(tmp_path)
    assert manager.post(f"/caseworker/case/{reference}/close", outcome="advice given").status_code == 302
    with unit_of_work(svc(app).sessions) as session:
        enquiry = queue.by_reference(session, reference)
        assert enquiry is not None and enquiry.status == "closed"
        enquiry.retain_until = utcnow() - timedelta(minutes=1)  # its retention period is over
    result = app.test_cli_runner().invoke(args=["intake", "purge", "--no-progress"])
    assert result.exit_code == 0, result.output
    on_disk = readable_on_disk(app)
    assert [word for word in WORDS if word in on_disk] == []
