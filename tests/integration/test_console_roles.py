"""Staff roles changed by a manager or an admin in the console: confirmed, audited, applied at the next click."""

from __future__ import annotations

import html
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from bot.cli import intake_cli
from intake.db import unit_of_work
from intake.models import Caseworker
from tests.integration.test_console import TOKEN, AuthActions, add_caseworker, audit_rows, svc
from tests.integration.test_console_manage import signed_in

MANAGER_PAGES = ("/caseworker/stats", "/caseworker/hours", "/caseworker/blocks", "/caseworker/staff")


def text(response: Any) -> str:
    """A page's text with HTML entities decoded."""
    return html.unescape(response.data.decode())


def role_of(app: Flask, username: str) -> str:
    with unit_of_work(svc(app).sessions) as session:
        return str(session.scalar(select(Caseworker.role).where(Caseworker.username == username)))


def change(actor: AuthActions, username: str, role: str) -> Any:
    """Go through the confirmation page and press its button, as a manager would."""
    page = actor.client.get(f"/caseworker/staff/{username}/role", query_string={"role": role})
    assert page.status_code == 200, text(page)
    return actor.post(f"/caseworker/staff/{username}/role", role=role, confirm="yes")


def test_a_promoted_caseworker_gets_the_manager_pages_at_once_without_signing_in_again(app: Flask) -> None:
    manager = signed_in(app, "morgan", "manager")
    alex = signed_in(app, "alex")
    assert all(alex.client.get(path).status_code == 403 for path in MANAGER_PAGES)

    listing = text(manager.client.get("/caseworker/staff"))
    assert "Staff roles</a>" in listing and "<td>alex</td><td>caseworker</td>" in listing
    confirm = text(manager.client.get("/caseworker/staff/alex/role", query_string={"role": "manager"}))
    assert "Make alex a <strong>manager</strong> instead of a caseworker?" in confirm
    assert "Yes, make alex a manager" in confirm
    assert role_of(app, "alex") == "caseworker" and audit_rows(app, "account_role_changed") == []  # not yet

    response = manager.post("/caseworker/staff/alex/role", role="manager", confirm="yes")
    assert response.status_code == 302 and response.headers["Location"].endswith("/caseworker/staff")
    assert "alex is now a manager. This applies from their next click" in text(manager.client.get("/caseworker/staff"))
    assert role_of(app, "alex") == "manager"

    assert all(alex.client.get(path).status_code == 200 for path in MANAGER_PAGES)  # the same session
    assert "Statistics</a>" in text(alex.client.get("/caseworker/queue"))
    [event] = audit_rows(app, "account_role_changed")
    assert (event.actor, event.reference, event.detail) == ("morgan", None, "alex: caseworker to manager")


def test_a_demoted_manager_loses_the_manager_pages_at_once_but_stays_signed_in(app: Flask) -> None:
    morgan = signed_in(app, "morgan", "manager")
    sam = signed_in(app, "sam", "manager")
    kept = sam.client.get_cookie("console_session", path="/").value  # a copy, saying "manager", as a tab holds
    confirm = text(morgan.client.get("/caseworker/staff/sam/role", query_string={"role": "caseworker"}))
    assert "sam will lose the manager pages" in confirm

    assert morgan.post("/caseworker/staff/sam/role", role="caseworker", confirm="yes").status_code == 302
    assert all(sam.client.get(path).status_code == 403 for path in MANAGER_PAGES)
    queue = sam.client.get("/caseworker/queue")
    assert queue.status_code == 200 and "Statistics</a>" not in text(queue) and "sam (caseworker)" in text(queue)
    old_tab = app.test_client()
    old_tab.set_cookie("console_session", kept, path="/")
    assert old_tab.get("/caseworker/stats").status_code == 403  # the role comes from the database, not the cookie


def test_the_last_manager_cannot_be_made_a_caseworker_and_is_told_why(app: Flask) -> None:
    morgan = signed_in(app, "morgan", "manager")
    signed_in(app, "alex")
    page = morgan.client.get("/caseworker/staff/morgan/role", query_string={"role": "caseworker"})
    assert page.status_code == 409
    said = text(page)
    assert "You are the only manager, so you stay a manager for now" in said
    assert "Make someone else a manager first" in said and "Nothing has been changed." in said
    assert 'name="confirm"' not in said  # nothing to press
    response = morgan.post("/caseworker/staff/morgan/role", role="caseworker", confirm="yes")
    assert response.status_code == 409 and "the only manager" in text(response)
    assert role_of(app, "morgan") == "manager" and audit_rows(app, "account_role_changed") == []
    assert morgan.client.get("/caseworker/stats").status_code == 200


def test_a_disabled_manager_does_not_count_as_the_other_manager(app: Flask) -> None:
    morgan = signed_in(app, "morgan", "manager")
    add_caseworker(app, "old_manager", "manager")
    with unit_of_work(svc(app).sessions) as session:
        session.scalars(select(Caseworker).where(Caseworker.username == "old_manager")).one().active = False
    assert "old_manager" not in text(morgan.client.get("/caseworker/staff"))
    response = morgan.post("/caseworker/staff/morgan/role", role="caseworker", confirm="yes")
    assert response.status_code == 409 and role_of(app, "morgan") == "manager"


def test_a_manager_can_step_down_when_another_manager_remains(app: Flask) -> None:
    morgan = signed_in(app, "morgan", "manager")
    signed_in(app, "sam", "manager")
    confirm = text(morgan.client.get("/caseworker/staff/morgan/role", query_string={"role": "caseworker"}))
    assert "Make yourself a <strong>caseworker</strong>" in confirm and "Yes, make me a caseworker" in confirm
    response = morgan.post("/caseworker/staff/morgan/role", role="caseworker", confirm="yes")
    assert response.status_code == 302 and response.headers["Location"].endswith("/caseworker/queue")
    queue = text(morgan.client.get("/caseworker/queue"))
    assert "You are now a caseworker." in queue and "Staff roles</a>" not in queue
    assert morgan.client.get("/caseworker/staff").status_code == 403
    [event] = audit_rows(app, "account_role_changed")
    assert (event.actor, event.detail) == ("morgan", "morgan: manager to caseworker")


def test_a_post_without_the_confirmation_only_asks(app: Flask) -> None:
    morgan = signed_in(app, "morgan", "manager")
    signed_in(app, "alex")
    response = morgan.post("/caseworker/staff/alex/role", role="manager")
    assert response.status_code == 200 and "Yes, make alex a manager" in text(response)
    assert role_of(app, "alex") == "caseworker"


def test_the_change_needs_its_csrf_token(app: Flask) -> None:
    morgan = signed_in(app, "morgan", "manager")
    signed_in(app, "alex")
    response = morgan.client.post("/caseworker/staff/alex/role", data={"role": "manager", "confirm": "yes"})
    assert response.status_code == 400 and role_of(app, "alex") == "caseworker"


@pytest.mark.parametrize(("username", "role"), [("alex", "admin"), ("ada", "caseworker"), ("alex", "boss")])
def test_the_admin_role_is_not_given_or_taken_in_the_console(app: Flask, username: str, role: str) -> None:
    morgan = signed_in(app, "morgan", "manager")
    signed_in(app, "alex")
    signed_in(app, "ada", "admin")
    listing = text(morgan.client.get("/caseworker/staff"))
    assert "The admin role is changed on the server." in listing and 'value="admin"' not in listing
    response = morgan.post(f"/caseworker/staff/{username}/role", role=role, confirm="yes")
    assert response.status_code == 409 and "The admin role can only be given or taken away on the server" in text(
        response)
    assert (role_of(app, "alex"), role_of(app, "ada")) == ("caseworker", "admin")


def test_an_unknown_or_unchanged_role_change_says_so(app: Flask) -> None:
    morgan = signed_in(app, "morgan", "manager")
    signed_in(app, "alex")
    response = morgan.post("/caseworker/staff/nobody/role", role="manager", confirm="yes")
    assert response.status_code == 409 and "There is no active account with that username." in text(response)
    response = morgan.post("/caseworker/staff/alex/role", role="caseworker", confirm="yes")
    assert response.status_code == 409 and "alex is already a caseworker" in text(response)
    assert audit_rows(app, "account_role_changed") == []


def test_caseworkers_cannot_change_roles(app: Flask) -> None:
    other = signed_in(app, "sam")
    signed_in(app, "alex")
    assert other.client.get("/caseworker/staff").status_code == 403
    assert other.client.get("/caseworker/staff/alex/role", query_string={"role": "manager"}).status_code == 403
    assert other.post("/caseworker/staff/alex/role", role="manager", confirm="yes").status_code == 403
    assert other.post("/caseworker/staff/sam/role", role="manager", confirm="yes").status_code == 403
    assert "Staff roles</a>" not in text(other.client.get("/caseworker/queue"))
    assert (role_of(app, "alex"), role_of(app, "sam")) == ("caseworker", "caseworker")


def test_an_admin_finds_staff_roles_in_the_menu_and_names_a_manager_only_when_there_is_none(app: Flask) -> None:
    ada = signed_in(app, "ada", "admin")
    signed_in(app, "alex")
    menu = text(ada.client.get("/caseworker/accounts"))  # an admin starts at Accounts: cases are not theirs
    assert "Staff roles</a>" in menu and "Accounts</a>" in menu
    assert "Statistics</a>" not in menu and "Office hours</a>" not in menu
    assert "Staff roles</a> page" in menu  # where to switch roles

    listing = text(ada.client.get("/caseworker/staff"))
    assert "<td>alex</td><td>caseworker</td>" in listing and "<td>ada (you)</td><td>admin</td>" in listing
    # With no manager, the admin may name one, so the service is never left without.
    response = change(ada, "alex", "manager")
    assert response.status_code == 302 and response.headers["Location"].endswith("/caseworker/staff")
    assert "alex is now a manager." in text(ada.client.get("/caseworker/staff"))
    assert role_of(app, "alex") == "manager"
    assert [e.detail for e in audit_rows(app, "account_role_changed")] == ["alex: caseworker to manager"]
    assert {e.actor for e in audit_rows(app, "account_role_changed")} == {"ada"}
    # Once there is a manager, choosing managers is the managers' business, not the admin's.
    signed_in(app, "sam")
    refused = ada.post("/caseworker/staff/sam/role", role="manager", confirm="yes")
    assert refused.status_code == 409 and role_of(app, "sam") == "caseworker"
    # Changing roles is part of looking after accounts; the manager pages stay the managers'.
    assert all(ada.client.get(path).status_code == 403 for path in MANAGER_PAGES if path != "/caseworker/staff")


def test_an_admin_cannot_change_their_own_admin_role_or_leave_the_service_without_a_manager(app: Flask) -> None:
    ada = signed_in(app, "ada", "admin")
    signed_in(app, "morgan", "manager")
    response = ada.post("/caseworker/staff/ada/role", role="manager", confirm="yes")
    assert response.status_code == 409 and "The admin role can only be given or taken away on the server" in text(
        response)
    page = ada.client.get("/caseworker/staff/morgan/role", query_string={"role": "caseworker"})
    assert page.status_code == 409 and "morgan is the only manager, so they stay a manager for now" in text(page)
    assert ada.post("/caseworker/staff/morgan/role", role="caseworker", confirm="yes").status_code == 409
    assert (role_of(app, "ada"), role_of(app, "morgan")) == ("admin", "manager")
    assert audit_rows(app, "account_role_changed") == []


def test_after_disabling_the_last_manager_an_admin_makes_a_new_one_in_the_console(app: Flask) -> None:
    ada = signed_in(app, "ada", "admin")
    signed_in(app, "morgan", "manager")
    alex = signed_in(app, "alex")
    warning = text(ada.post("/caseworker/accounts/morgan/active", active="no"))
    assert "make someone a manager yourself on the" in warning and "Staff roles</a> page" in warning
    assert ada.post("/caseworker/accounts/morgan/active", active="no", confirm="yes").status_code == 302
    assert "Make someone a manager on the Staff roles page" in text(ada.client.get("/caseworker/accounts"))

    assert change(ada, "alex", "manager").status_code == 302
    assert alex.client.get("/caseworker/hours").status_code == 200  # the service has a manager again


def test_set_role_on_the_command_line_gives_any_role_but_keeps_a_manager(app: Flask) -> None:
    add_caseworker(app, "morgan", "manager")
    add_caseworker(app, "ada")
    runner = app.test_cli_runner()
    result = runner.invoke(intake_cli, ["set-role", "ada", "admin"])
    assert result.exit_code == 0 and "ada is now admin (was caseworker)" in result.output
    result = runner.invoke(intake_cli, ["set-role", "morgan", "caseworker"])
    assert result.exit_code == 1 and "morgan is the only manager" in result.output
    assert (role_of(app, "ada"), role_of(app, "morgan")) == ("admin", "manager")
    [event] = audit_rows(app, "account_role_changed")
    assert (event.actor, event.detail) == ("cli", "ada: caseworker to admin")


@pytest.mark.parametrize("path", ["/caseworker/staff", "/caseworker/staff/alex/role?role=manager"])
def test_the_role_pages_are_not_stored_and_have_no_inline_code(app: Flask, path: str) -> None:
    morgan = signed_in(app, "morgan", "manager")
    signed_in(app, "alex")
    page = morgan.client.get(path)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert b"<script>" not in page.data and b"style=" not in page.data and b"<style" not in page.data
    assert len(TOKEN.findall(page.data)) == page.data.count(b'method="post"')  # CSRF token in every form
