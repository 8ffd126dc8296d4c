"""An urgent case never waits on an absent caseworker (policy 7.1): who may take one over, and what moved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from intake import queue, staff
from intake.models import Enquiry

TAKE_OVER_ROLES = ("manager",)  # besides whoever is on duty


def on_duty(session: Session, staff_member: str) -> bool:
    """Whether this member of staff is the on-duty caseworker now (a manager sets it on the Staff page)."""
    worker = staff.by_username(session, staff_member)
    return bool(worker and worker.on_duty)


def may_take_over(session: Session, staff_member: str, role: str) -> bool:
    """A manager, or the on-duty caseworker (the one the duty alert reaches), may take over an urgent case.

    Being on duty gives case access only to someone whose role handles cases: an admin never reads them.
    """
    return role in TAKE_OVER_ROLES or (role in staff.CASE_ROLES and on_duty(session, staff_member))


def take_over(session: Session, staff_member: str, role: str, reference: str, holder: str) -> Enquiry:
    """Take an urgent case from `holder` into this member of staff's caseload, audited; refused for others."""
    if not may_take_over(session, staff_member, role):
        raise queue.QueueError("Only a manager or the on-duty caseworker can take over an urgent case.")
    try:
        return queue.take_over(session, staff_member, reference, holder)
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
