"""An admin looks after accounts, not cases (policy 5.2): no claim, case page or export, no duty flag of their
own or for another admin, and no promoting a manager while the service has one."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from intake.db import unit_of_work
from intake.models import AuditEvent, Caseworker, Enquiry
from tests.integration.test_console import AuthActions, enquire, svc
from tests.integration.test_console_rights import signed_in


def stored(app: Flask, reference: str) -> tuple[str, str | None]:
    with svc(app).sessions() as session:
        enquiry = session.scalar(select(Enquiry).where(Enquiry.reference == reference))
        assert enquiry is not None
        return enquiry.status, enquiry.claimed_by


def account(app: Flask, username: str) -> tuple[str, bool]:
    """(role, on duty) as stored."""
    with svc(app).sessions() as session:
        worker = session.scalar(select(Caseworker).where(Caseworker.username == username))
        assert worker is not None
        return worker.role, worker.on_duty


def actions(app: Flask, actor: str) -> list[str]:
    with svc(app).sessions() as session:
        return list(session.scalars(select(AuditEvent.action).where(AuditEvent.actor == actor)
                                    .order_by(AuditEvent.id)))


def said(auth: AuthActions, path: str, **data: str) -> str:
    """Post a console form and read the page it leads to (where its message is shown)."""
    response = auth.client.post(path, data={**data, "csrf_token": auth.token()}, follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_an_admin_cannot_claim_read_or_export_a_case(app: Flask) -> None:
    queued, urgent = enquire(app, summary="Worried about his EHC plan"), enquire(app, urgent=True)
    ada = signed_in(app, "ada", "admin")  # on duty, as an admin could once make themselves
    signed_in(app, "alex").post(f"/caseworker/claim/{urgent}")

    assert ada.post(f"/caseworker/claim/{queued}").status_code == 403
    assert stored(app, queued) == ("queued", None)

    for reference in (queued, urgent):
        page = ada.client.get(f"/caseworker/case/{reference}", follow_redirects=True).get_data(as_text=True)
        assert "Worried about his EHC plan" not in page and "an admin looks after accounts only" in page
        export = ada.post(f"/caseworker/case/{reference}/export", format="txt")
        assert export.status_code == 302 and "attachment" not in export.headers.get("Content-Disposition", "")
    assert ada.post(f"/caseworker/case/{urgent}/take-over", holder="alex").status_code == 302
    assert stored(app, urgent) == ("claimed", "alex")
    assert not {"claim", "view", "export", "take_over"} & set(actions(app, "ada"))

    landing = ada.login()  # they start at Accounts, with no queue or caseload in their menu
    assert landing.headers["Location"].endswith("/caseworker/accounts")
    menu = ada.client.get("/caseworker/accounts").get_data(as_text=True)
    assert "Accounts</a>" in menu and "My caseload</a>" not in menu and ">Queue</a>" not in menu
    assert ada.client.get("/caseworker/queue").status_code == 403
    assert ada.client.get("/caseworker/queue.json").status_code == 403


def test_nobody_sets_their_own_duty_and_only_case_roles_go_on_duty(app: Flask) -> None:
    ada = signed_in(app, "ada", "admin")
    signed_in(app, "bea", "admin")
    signed_in(app, "alex")
    signed_in(app, "morgan", "manager")
    for username in ("bea", "alex", "morgan"):
        ada.post(f"/caseworker/accounts/{username}/duty", on_duty="no")
    assert "You cannot put yourself on or off duty" in said(ada, "/caseworker/accounts/ada/duty", on_duty="no")
    assert account(app, "ada") == ("admin", True)  # not by their own hand, even off

    assert "only a caseworker or a manager can be on duty" in said(ada, "/caseworker/accounts/bea/duty", on_duty="yes")
    assert account(app, "bea") == ("admin", False)
    ada.post("/caseworker/accounts/alex/duty", on_duty="yes")
    ada.post("/caseworker/accounts/morgan/duty", on_duty="yes")
    assert account(app, "alex") == ("caseworker", True) and account(app, "morgan") == ("manager", True)
    listing = ada.client.get("/caseworker/accounts").get_data(as_text=True)
    assert "Put bea on duty" not in listing and "Put ada on duty" not in listing and "Take ada off duty" not in listing

    result = app.test_cli_runner().invoke(args=["intake", "set-duty", "bea", "on"])
    assert result.exit_code == 1 and "only a caseworker or a manager can be on duty" in result.output
    result = app.test_cli_runner().invoke(args=["intake", "set-role", "alex", "admin"])
    assert result.exit_code == 0 and account(app, "alex") == ("admin", False)  # a new admin leaves the rota


def test_an_admin_makes_a_manager_only_when_the_service_has_none(app: Flask) -> None:
    ada = signed_in(app, "ada", "admin")
    signed_in(app, "morgan", "manager")
    signed_in(app, "alex")
    page = ada.client.get("/caseworker/staff/alex/role", query_string={"role": "manager"})
    assert page.status_code == 409 and "staff roles are theirs to change: ask a manager" in page.get_data(as_text=True)
    assert ada.post("/caseworker/staff/alex/role", role="manager", confirm="yes").status_code == 409
    assert account(app, "alex")[0] == "caseworker"

    # The last manager leaves: then an admin gives the service a manager again (the existing rule).
    assert ada.post("/caseworker/accounts/morgan/active", active="no", confirm="yes").status_code == 302
    assert ada.post("/caseworker/staff/alex/role", role="manager", confirm="yes").status_code == 302
    assert account(app, "alex")[0] == "manager"
    assert ada.post("/caseworker/staff/alex/role", role="caseworker", confirm="yes").status_code == 409
    with unit_of_work(svc(app).sessions) as session:
        changes = list(session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "account_role_changed")))
    assert changes == ["alex: caseworker to manager"]
