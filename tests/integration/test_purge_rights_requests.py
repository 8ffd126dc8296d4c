"""The retention purge treats a case's rights requests as an erasure does, and lets closed ones go in time.

A request logged on a case that the purge deletes keeps only its dates, kind and outcome (no link, no reasons,
no who); a request closed longer ago than cases are kept is deleted too. Real console, real purge command.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import update

from intake.db import unit_of_work
from intake.models import Enquiry, RightsRequest, utcnow
from tests.integration.test_console import set_clock, svc
from tests.integration.test_console_rights import signed_in, sms_enquiry
from tests.integration.test_console_rights_requests import PAGE, WHY, log, page, request_id, stored


def purge(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["intake", "purge", "--no-progress"])
    assert result.exit_code == 0, result.output
    return str(result.output)


def test_a_purged_case_leaves_its_requests_with_dates_kind_and_outcome_only(app: Flask) -> None:
    set_clock(app, "2027-02-20 09:00")
    reference = sms_enquiry(app)
    manager = signed_in(app, "morgan", "manager")
    log(manager, reference, received="31/01/2027")
    assert manager.post(f"{PAGE}/{request_id(page(manager), reference)}/extend", reason=WHY).status_code == 302
    with unit_of_work(svc(app).sessions) as session:  # closed long ago, and past its retention date
        session.execute(update(Enquiry).where(Enquiry.reference == reference).values(
            status="closed", closed_at=utcnow() - timedelta(days=400), retain_until=utcnow() - timedelta(days=1)))
    assert "closed cases: 1 deleted" in purge(app)
    [kept] = stored(app)
    assert kept.enquiry_id is None and kept.extension_reason is None and kept.close_reason is None
    assert kept.arrived_by is None and kept.logged_by is None
    assert (kept.kind, kept.extended_on is not None) == ("copy", True)


def test_a_request_closed_longer_ago_than_cases_are_kept_is_deleted(app: Flask) -> None:
    reference = sms_enquiry(app)
    manager = signed_in(app, "morgan", "manager")
    log(manager, reference)
    with unit_of_work(svc(app).sessions) as session:
        session.execute(update(RightsRequest).values(status="done", closed_on=(utcnow() - timedelta(days=366)).date()))
    assert "closed rights requests: 1 deleted" in purge(app)
    assert stored(app) == []
