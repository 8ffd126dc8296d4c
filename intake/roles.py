"""Staff roles: managers move staff between caseworker and manager; the admin role is given on the server.

Admins look after console access (accounts, who is on duty), not cases (policy 5.2), so they change a role
only when the service has no manager: after the last manager leaves, an admin can make someone a manager
again without a server login. While a manager exists, making one is a manager's call, so an admin cannot
promote someone to reach every case.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake import audit, handover
from intake.account_admin import Account
from intake.models import Caseworker
from intake.staff import CASE_ROLES, ROLES, StaffError, by_username

TEAM_ROLES = CASE_ROLES
CHANGED_BY = ("manager", "admin")  # who may change roles in the console (an admin only when there is no manager)


def team(session: Session, role: str) -> list[Account]:
    """Every active account, by username, for the staff roles page (managers and admins)."""
    _may_change_roles(role)
    return [
        Account(w.username, w.role, w.on_duty, w.active)
        for w in session.scalars(select(Caseworker).where(Caseworker.active).order_by(Caseworker.username))
    ]


def _may_change_roles(role: str) -> None:
    if role not in CHANGED_BY:
        raise StaffError("Only a manager or an admin can change staff roles.")


def role_change(session: Session, actor: str, role: str, username: str, new_role: str) -> Caseworker:
    """The account a manager (or, when the service has none, an admin) may give `new_role`, or StaffError
    saying kindly why not (nothing changes)."""
    _may_change_roles(role)
    worker = by_username(session, username)
    if worker is None:
        raise StaffError("There is no active account with that username.")
    if new_role not in TEAM_ROLES or worker.role not in TEAM_ROLES:
        raise StaffError("Here you can make someone a caseworker or a manager. The admin role can only be "
                         "given or taken away on the server, where accounts are created.")
    _check_change(session, worker, new_role, actor)
    if role == "admin" and (new_role != "manager" or _managers(session)):
        raise StaffError("The service has a manager, so staff roles are theirs to change: ask a manager. An admin "
                         "makes someone a manager here only when the service has none.")
    return worker


def _managers(session: Session) -> list[int]:
    """The active managers' ids, locked on PostgreSQL (two changes at once see each other's result)."""
    return list(session.scalars(
        select(Caseworker.id).where(Caseworker.role == "manager", Caseworker.active).with_for_update()
    ).all())


def _check_change(session: Session, worker: Caseworker, new_role: str, actor: str) -> None:
    if worker.role == new_role:
        article = "an" if new_role[0] in "aeiou" else "a"
        raise StaffError(f"{worker.username} is already {article} {new_role}, so nothing needs changing.")
    if worker.role != "manager":
        return
    # Locked on PostgreSQL, so two managers demoting each other at once cannot leave the service with none.
    if len(_managers(session)) <= 1:
        who = "You are the only manager, so you stay" if worker.username == actor else (
            f"{worker.username} is the only manager, so they stay")
        raise StaffError(f"{who} a manager for now: the service needs one to set office hours, see statistics "
                         "and look after staff roles. Make someone else a manager first, then change this role.")


def set_role(session: Session, actor: str, role: str, username: str, new_role: str) -> str:
    """A manager or admin makes an account a caseworker or a manager; audited; returns the old role.

    The session number is left alone: the console reads the role from the database on every request, so
    a new role applies at the account's next click without signing it out of work in progress.
    """
    worker = role_change(session, actor, role, username, new_role)
    return _change(session, actor, worker, new_role)


def set_role_on_server(session: Session, username: str, new_role: str) -> tuple[str, list[handover.Moved]]:
    """Any role, from the command line (where admin accounts are made); audited.

    Returns the old role, and the cases that went back to the queue: an admin opens no case, so a caseworker
    or manager made an admin hands back what they held (as a leaver does), or no one could release or close it.
    """
    if new_role not in ROLES:
        raise StaffError(f"role must be one of: {', '.join(ROLES)}")
    worker = by_username(session, username)
    if worker is None:
        raise StaffError("there is no active account with that username")
    _check_change(session, worker, new_role, "cli")
    old = _change(session, "cli", worker, new_role)
    moved = [] if new_role in CASE_ROLES else handover.return_caseload(session, "cli", username, "account made admin")
    return old, moved


def _change(session: Session, actor: str, worker: Caseworker, new_role: str) -> str:
    old = worker.role
    worker.role = new_role
    if new_role not in CASE_ROLES and worker.on_duty:
        # The duty worker may open urgent cases; an admin handles none, so a new admin leaves the rota.
        worker.on_duty = False
        audit.record(session, actor, "account_off_duty", None, worker.username)
    audit.record(session, actor, "account_role_changed", None, f"{worker.username}: {old} to {new_role}")
    return old
