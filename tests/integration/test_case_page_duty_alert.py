"""An urgent case whose duty alert failed (or never said how it went) is shown as such on the queue and case page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, update

from intake import concerns
from intake.db import unit_of_work
from intake.models import AuditEvent, utcnow
from tests.integration.test_console import AuthActions, enquire, svc
from tests.integration.test_console_rights import claimed, signed_in

NOTICE = "Duty alert failed — phone the duty manager".encode()


def alert_outcome(app: Flask, reference: str, failure: str | None) -> None:
    """Record what became of the duty alert, as the notifier does after trying it."""
    with unit_of_work(svc(app).sessions) as session:
        concerns.record_alert(session, reference, failure)


def flagged_long_ago(app: Flask, reference: str) -> None:
    """The alert was decided on two hours ago and its outcome never recorded (the worker stopped)."""
    with unit_of_work(svc(app).sessions) as session:
        session.execute(update(AuditEvent).where(AuditEvent.reference == reference)
                        .values(at=utcnow() - timedelta(hours=2)))


def queue_page(auth: AuthActions) -> bytes:
    """The queue as a caseworker sees it."""
    response = auth.client.get("/caseworker/queue")
    assert response.status_code == 200
    return bytes(response.data)


@pytest.mark.parametrize(("outcome", "shown"), [
    ("failed", True), ("sent", False), ("never said, long ago", True), ("still going out", False),
])
def test_queue_and_case_page_show_a_failed_duty_alert(app: Flask, outcome: str, shown: bool) -> None:
    reference = enquire(app, urgent=True)
    if outcome == "failed":
        alert_outcome(app, reference, "SMTPConnectError")
    elif outcome == "sent":
        alert_outcome(app, reference, None)
    elif outcome == "never said, long ago":
        flagged_long_ago(app, reference)
    auth = signed_in(app)
    page = queue_page(auth)
    assert (NOTICE in page) is shown
    assert (reference.encode() in page.split(b'<table')[0]) is shown  # the banner names the reference
    rows = auth.client.get("/caseworker/queue.json").get_json()["rows"]
    assert [row["duty_alert_failed"] for row in rows] == [shown]
    auth.post(f"/caseworker/claim/{reference}")
    case = auth.client.get(f"/caseworker/case/{reference}").data
    assert (NOTICE in case) is shown


def test_a_sent_alert_after_a_failure_clears_the_notice(app: Flask) -> None:
    reference = enquire(app, urgent=True)
    alert_outcome(app, reference, "SMTPConnectError")
    alert_outcome(app, reference, None)  # retry-alerts got through
    auth = claimed(app, reference)
    assert NOTICE not in auth.client.get(f"/caseworker/case/{reference}").data


def test_a_normal_case_never_shows_the_notice(app: Flask) -> None:
    enquire(app)
    assert NOTICE not in queue_page(signed_in(app))


def test_the_queue_page_asks_about_alerts_in_one_query_however_many_urgent_rows(app: Flask) -> None:
    references = [enquire(app, urgent=True) for _ in range(6)]
    for reference in references[::2]:
        alert_outcome(app, reference, "SMTPConnectError")
    auth = signed_in(app)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "audit_event" in statement and statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    engine = svc(app).sessions.kw["bind"]
    event.listen(engine, "before_cursor_execute", count)
    try:
        page = queue_page(auth)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert page.count(b'class="alert-failed"') == 3
    assert len(statements) == 1, statements  # one for the page, not one per urgent row
