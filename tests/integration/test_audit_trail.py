"""The audit trail links events as their transaction commits, yet a query inside that transaction sees them."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from intake import audit, concerns
from intake.db import unit_of_work
from intake.models import AuditEvent


def sessions(app: Flask):  # type: ignore[no-untyped-def]
    return app.extensions["intake"].sessions


def test_an_event_recorded_in_a_transaction_is_seen_by_a_query_later_in_it(app: Flask) -> None:
    with unit_of_work(sessions(app)) as session:
        audit.record(session, "bot", "safeguarding_flag", "ABC-234", "consent overridden: policy 7.1")
        # e.g. whether the duty worker was already told of this concern, asked in the same turn
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 1
        assert concerns.alerts_failed(session, ["ABC-234"]) == set()  # decided on, not yet tried
        audit.record(session, "alex", "claim", "ABC-234")
    with sessions(app)() as session:
        report = audit.verify(session)
        actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert report.ok and report.events == 2 and actions == ["safeguarding_flag", "claim"]


def test_a_transaction_that_fails_records_nothing(app: Flask) -> None:
    with pytest.raises(RuntimeError), unit_of_work(sessions(app)) as session:
        audit.record(session, "alex", "view", "ABC-234")
        raise RuntimeError("the request failed")
    with unit_of_work(sessions(app)) as session:
        audit.record(session, "alex", "claim", "ABC-235")
    with sessions(app)() as session:
        assert list(session.scalars(select(AuditEvent.reference))) == ["ABC-235"]
        assert audit.verify(session).ok
