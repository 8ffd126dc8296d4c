"""Accounts as an admin manages them: the list, who is on duty out of hours, disabling and enabling.

An admin looks after access, not cases (policy 5.2): they put caseworkers and managers on duty, never an admin
(the duty worker may open and take over urgent cases) and never themselves, so no one grants themselves access.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake import audit, handover
from intake.models import Caseworker
from intake.staff import CASE_ROLES, StaffError


@dataclass(frozen=True)
class Account:
    """One account as the admin page lists it: no hashes, no secrets."""

    username: str
    role: str
    on_duty: bool
    active: bool


def _admin(role: str) -> None:
    if role != "admin":
        raise StaffError("Only an admin can manage accounts.")


def accounts(session: Session, role: str) -> list[Account]:
    """Every account, active or not, by username (no account is locked: sign-in throttles a client instead)."""
    _admin(role)
    return [Account(w.username, w.role, w.on_duty, w.active)
            for w in session.scalars(select(Caseworker).order_by(Caseworker.username))]


def _account(session: Session, username: str) -> Caseworker:
    worker = session.scalar(select(Caseworker).where(Caseworker.username == username))
    if worker is None:
        raise StaffError("No account has that username.")
    return worker


def set_on_duty(session: Session, admin: str, role: str, username: str, on_duty: bool) -> None:
    """Mark who may sign in out of hours (policy 8.3); audited. Only a caseworker or manager goes on duty, and
    never by their own hand: the duty worker may read urgent cases, so that access is always given by another."""
    _admin(role)
    if username == admin:
        raise StaffError("You cannot put yourself on or off duty: ask another admin.")
    worker = _account(session, username)
    if not worker.active:
        raise StaffError("That account is disabled.")
    if on_duty and worker.role not in CASE_ROLES:
        raise StaffError(f"{username} is an admin, and only a caseworker or a manager can be on duty: "
                         "the duty worker handles urgent cases.")
    worker.on_duty = on_duty
    audit.record(session, admin, "account_on_duty" if on_duty else "account_off_duty", None, username)


def last_manager(session: Session, username: str) -> bool:
    """True when this is the only active manager: once it is disabled no one can use the manager pages."""
    managers = session.scalars(select(Caseworker.username).where(Caseworker.role == "manager", Caseworker.active))
    return list(managers) == [username]


def set_active(session: Session, admin: str, role: str, username: str, active: bool) -> list[handover.Moved]:
    """Disable an account (its sessions end at their next request) or enable it again; audited.

    Disabling sends the account's open cases back to the queue, urgent first, each marked "previously with"
    them: no one else could release or close them, and a parent's messages would wait for someone who has
    left. Returns those cases, so the console can say so and alert the duty worker to the urgent ones.
    """
    _admin(role)
    if username == admin and not active:
        raise StaffError("You cannot disable your own account.")
    worker = _account(session, username)
    worker.active = active
    audit.record(session, admin, "account_enabled" if active else "account_disabled", None, username)
    if active:
        return []
    worker.on_duty = False
    # Its cookies end now and stay ended: enabling the account again must not revive them.
    worker.session_generation += 1
    return handover.return_caseload(session, admin, username)
