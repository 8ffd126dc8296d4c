"""No case waits on an absent caseworker: who may take one over, what moved, and a leaver's cases going back.

Policy 7.1: an urgent case never waits; the on-duty caseworker may take one over. A manager may take over any
claimed case, whoever holds it and whatever their state (away, disabled), so no case is ever stuck.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from intake import audit, queue, staff
from intake.models import Enquiry, utcnow

TAKE_OVER_ROLES = ("manager",)  # any claimed case; besides them the on-duty caseworker, urgent cases only


def on_duty(session: Session, staff_member: str) -> bool:
    """Whether this member of staff is the on-duty caseworker now (a manager sets it on the Staff page)."""
    worker = staff.by_username(session, staff_member)
    return bool(worker and worker.on_duty)


def may_take_over(session: Session, staff_member: str, role: str, urgent: bool = True) -> bool:
    """A manager may take over any case; the on-duty caseworker (the one the duty alert reaches) an urgent one.

    Being on duty gives case access only to someone whose role handles cases: an admin never reads them.
    """
    if role in TAKE_OVER_ROLES:
        return True
    return urgent and role in staff.CASE_ROLES and on_duty(session, staff_member)


def take_over(session: Session, staff_member: str, role: str, reference: str, holder: str) -> Enquiry:
    """Take a case from `holder` into this member of staff's caseload, audited; refused for others."""
    if not may_take_over(session, staff_member, role):
        raise queue.QueueError("Only a manager or the on-duty caseworker can take over an urgent case.")
    try:
        return queue.take_over(session, staff_member, reference, holder, any_priority=role in TAKE_OVER_ROLES)
    except queue.QueueError as exc:
        raise queue.QueueError(str(exc).capitalize() + ".") from exc


@dataclass(frozen=True)
class Moved:
    """A case moved out of a caseworker's caseload without them: where it is now, and since when."""

    reference: str
    topic: str
    urgent: bool
    now_with: str | None  # None: waiting in the queue
    moved_at: datetime | None


def moved_from(session: Session, caseworker: str) -> list[Moved]:
    """Open cases moved out of this caseworker's caseload (sent back to the queue, or taken over), by reference.

    Shown on their caseload until the case is closed or they claim it back, so a case is never lost silently.
    """
    rows = session.scalars(
        select(Enquiry)
        .where(Enquiry.previous_caseworker == caseworker, Enquiry.status != "closed",
               or_(Enquiry.claimed_by.is_(None), Enquiry.claimed_by != caseworker))
        .order_by(Enquiry.reference)
    )
    return [Moved(e.reference, e.topic, e.priority == queue.URGENT, e.claimed_by if e.status == "claimed" else None,
                  e.moved_at) for e in rows]


def return_caseload(session: Session, actor: str, holder: str, why: str = "account disabled") -> list[Moved]:
    """Every open case `holder` has goes back to the queue (their account was disabled, or made an admin's, which
    opens no cases), urgent first; audited.

    Like a case a new concern sends back (queue.return_urgent), each keeps its notes and history and is marked
    "previously with" them, so whoever claims it knows where it came from. The rows are locked on PostgreSQL,
    so a take-over at the same moment waits and then sees the case has changed hands.
    """
    query = (select(Enquiry).where(Enquiry.status == "claimed", Enquiry.claimed_by == holder)
             .order_by(Enquiry.priority_rank, Enquiry.created_at, Enquiry.id))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    now = utcnow()
    moved = []
    for enquiry in session.scalars(query).all():
        enquiry.status, enquiry.claimed_by, enquiry.claimed_at = "queued", None, None
        enquiry.previous_caseworker, enquiry.moved_at = holder, now
        action = "returned_account_disabled" if why == "account disabled" else "returned_account_role"
        audit.record(session, actor, action, enquiry.reference, f"{why}; was with {holder}")
        moved.append(Moved(enquiry.reference, enquiry.topic, enquiry.priority == queue.URGENT, None, now))
    return moved
