"""The duty rota as the team sees it: who is on duty now, a manager putting a colleague on or off duty, and the
warning when the office closes (or has closed) with nobody on duty.

The on-duty caseworker may sign in out of hours (policy 8.3) and take over urgent cases (policy 7.1). A Friday
5pm with nobody on duty leaves an urgent concern waiting for Monday, so the queue says so while someone can
still act. A manager sets the rota here; an admin still can on the Accounts page (intake/account_admin.py).
Nobody changes their own duty, by either way: that access is always given by another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake import audit
from intake.hours import OfficeHours
from intake.models import Caseworker
from intake.staff import CASE_ROLES, StaffError

SETS_DUTY = "manager"  # in the console's rota page; an admin uses Accounts
CLOSING_SOON = timedelta(hours=2)  # how long before closing the queue starts warning that nobody is on duty


@dataclass(frozen=True)
class Member:
    """One member of the team who can be on duty: a caseworker or manager whose account is active."""

    username: str
    role: str
    on_duty: bool


def team(session: Session) -> list[Member]:
    """Everyone who can be on duty, by username: names and roles only, for any caseworker to read."""
    workers = session.scalars(
        select(Caseworker).where(Caseworker.active, Caseworker.role.in_(CASE_ROLES)).order_by(Caseworker.username)
    )
    return [Member(w.username, w.role, w.on_duty) for w in workers]


def on_duty_now(session: Session) -> list[str]:
    """Who is on duty now (names only). An admin or a disabled account marked on duty is left out: neither can
    act on an urgent case."""
    return [member.username for member in team(session) if member.on_duty]


def set_duty(session: Session, manager: str, role: str, username: str, on_duty: bool) -> bool:
    """A manager puts a caseworker or another manager on duty, or takes them off; audited as an admin's change is.

    Returns False when nothing changed (they already were), so nothing is audited twice.
    """
    if role != SETS_DUTY:
        raise StaffError("Only a manager can change who is on duty here (an admin can, on the Accounts page).")
    if username == manager:
        raise StaffError("You cannot put yourself on or off duty: ask another manager or an admin.")
    worker = session.scalar(select(Caseworker).where(Caseworker.username == username))
    if worker is None:
        raise StaffError("No account has that username.")
    if not worker.active:
        raise StaffError(f"{username}'s account is disabled, so they cannot be on duty.")
    if on_duty and worker.role not in CASE_ROLES:
        raise StaffError(f"{username} is an admin, and only a caseworker or a manager can be on duty: "
                         "the duty worker handles urgent cases.")
    if worker.on_duty == on_duty:
        return False
    worker.on_duty = on_duty
    audit.record(session, manager, "account_on_duty" if on_duty else "account_off_duty", None, username)
    return True


@dataclass(frozen=True)
class NobodyOnDuty:
    """The office is closed, or closes soon, and nobody is on duty: urgent concerns would wait for it to reopen."""

    closed: bool  # closed now; otherwise it closes at `closes_at`
    closes_at: datetime | None
    reopens: str  # "9am on Monday 30 November", as parents are told it (OfficeHours.describe_next_opening)


def nobody_on_duty(
    session: Session, hours: OfficeHours, now: datetime, soon: timedelta = CLOSING_SOON
) -> NobodyOnDuty | None:
    """The warning the queue shows, or None while someone is on duty or the office is open for a while yet."""
    if on_duty_now(session):
        return None
    if hours.is_open(now):
        closes = hours.closes_after(now)
        if closes - now > soon:
            return None
        return NobodyOnDuty(False, closes, hours.describe_next_opening(closes))
    return NobodyOnDuty(True, None, hours.describe_next_opening(now))


def nobody_to_pick_up(session: Session, hours: OfficeHours, now: datetime, releaser: str) -> str | None:
    """When an urgent case put back in the queue now would wait for the office to reopen: it is closed and nobody
    but `releaser` is on duty (only the on-duty sign in out of hours). The reopening, as parents are told it
    ("9am on Monday 30 November"); None while the office is open or someone else is on duty."""
    if hours.is_open(now) or [name for name in on_duty_now(session) if name != releaser]:
        return None
    return hours.describe_next_opening(now)
