"""An urgent (child-protection) case that goes back to the queue because its caseworker left (their account
disabled, or made an admin's) is the duty caseworker's: they get the duty alert, as for a new urgent case, once.
That includes the urgent cases migration 0010 sent back before disabling alerted anyone (migration 0015)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from intake import audit, casework
from intake.models import AuditEvent
from tests.conftest import Inbox, dispose, make_app
from tests.integration.test_console import enquire, svc
from tests.integration.test_console_rights import claimed, signed_in
from tests.integration.test_safeguarding_alerts import mail_env
from tests.integration.test_safeguarding_disclosures import alerts, urgent
from tests.postgres.test_disabled_holder_migration import database_url  # noqa: F401  (a fixture: lee's cases at 0009)


@pytest.fixture
def app(alerting_app: Flask) -> Flask:
    """The app, always open, e-mailing its duty alerts to the stand-in SMTP server (tests/conftest.py)."""
    return alerting_app


def sent_again(app: Flask) -> tuple[str, ...]:
    """What the next `retry-alerts` run (cron) sends: it must not tell the duty worker a second time."""
    duty, _ = svc(app).alerts.retry()
    return duty.owed


def test_an_urgent_case_back_from_a_disabled_account_alerts_the_duty_caseworker_once(
    app: Flask, duty: Inbox,
) -> None:
    ordinary, risky = enquire(app), enquire(app, urgent=True)
    leaver = claimed(app, risky, "lee")
    leaver.post(f"/caseworker/claim/{ordinary}")
    told_at_first = len(duty.messages)  # the urgent case's own alert, when it came in
    admin = signed_in(app, "ash", "admin")
    done = admin.post("/caseworker/accounts/lee/active", active="no")
    assert done.status_code == 302
    assert alerts(duty)[told_at_first:] == [urgent(risky)]  # the urgent one, once; nothing for the ordinary one
    assert sent_again(app) == () and alerts(duty)[told_at_first:] == [urgent(risky)]


def test_an_urgent_case_back_from_an_account_made_admin_alerts_the_duty_caseworker_once(
    app: Flask, duty: Inbox,
) -> None:
    risky = enquire(app, urgent=True)
    claimed(app, risky, "lee")
    told_at_first = len(duty.messages)
    result = app.test_cli_runner().invoke(args=["intake", "set-role", "lee", "admin"])  # on the server
    assert result.exit_code == 0, result.output
    assert alerts(duty)[told_at_first:] == [urgent(risky)]
    assert sent_again(app) == () and alerts(duty)[told_at_first:] == [urgent(risky)]


# ---- cases migration 0010 returned, before disabling alerted anyone ----

@pytest.fixture
def upgraded_app(database_url: str, tmp_path: Path, smtp: tuple[Inbox, int]) -> Iterator[Flask]:  # noqa: F811
    """A service that ran 0009 with lee's account disabled before the leaver fix (AAA-002 urgent and AAA-001
    with lee), upgraded now (0010 returns them), e-mailing its duty alerts to the stand-in SMTP server."""
    app = make_app(tmp_path, DATABASE_URL=database_url, **mail_env(smtp[1]))  # migrates to the newest revision
    # The release step's init-db re-links the chain with the keyed digest as it crosses 0016; make_app's plain
    # upgrade does not, so the step a database upgraded that way takes.
    rekeyed = app.test_cli_runner().invoke(args=["intake", "rekey-audit"])
    assert rekeyed.exit_code == 0, rekeyed.output
    yield app
    dispose(app)


def test_an_urgent_case_migration_0010_returned_silently_is_alerted_once(upgraded_app: Flask, duty: Inbox) -> None:
    app = upgraded_app
    with svc(app).sessions() as session:
        rows = {row.reference: row for row in casework.queue_rows(session)}
        assert rows["AAA-002"].previously_with == "lee"
        assert rows["AAA-002"].duty_alert_failed  # the queue says so until the duty worker is told
        assert not rows["AAA-001"].duty_alert_failed and not rows["AAA-005"].duty_alert_failed  # not urgent
        assert audit.verify(session).ok, audit.verify(session).problem  # the chain still holds
    assert duty.messages == []
    assert sent_again(app) == ("AAA-002",)  # retry-alerts (cron) tells the duty worker
    assert alerts(duty) == [urgent("AAA-002")]
    assert sent_again(app) == () and alerts(duty) == [urgent("AAA-002")]  # once
    with svc(app).sessions() as session:
        assert not {r.reference: r for r in casework.queue_rows(session)}["AAA-002"].duty_alert_failed
        assert session.scalar(select(AuditEvent.actor).where(AuditEvent.reference == "AAA-002",
                                                              AuditEvent.action == "duty_alert_sent")
                              .order_by(AuditEvent.id.desc()).limit(1)) == "bot"
