"""A caseworker's caseload (policy 8.2): their live cases by reference, and whether the parent has written since;
and, for a manager, the cases held by someone who can no longer work on them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from intake import casework, queue
from intake.models import AuditEvent, CaseNote, Caseworker, Enquiry
from intake.staff import CASE_ROLES

PARENT_WROTE = "parent_message"  # the audit action intake/parent_messages.py records with each message


@dataclass(frozen=True)
class CaseloadRow:
    """One live case as the caseload shows it: no names, no numbers, no content."""

    reference: str
    topic: str
    urgent: bool
    claimed_at: datetime | None
    parent_wrote_at: datetime | None  # the parent's latest message on the case, if any
    new_message: bool  # it came after this caseworker last opened the case page


def rows(session: Session, caseworker: str) -> list[CaseloadRow]:
    """The caseload with each parent's latest message and whether it is new to this caseworker.

    A message is new until they open the case (every case page view is audited, so no extra state is kept).
    Three queries for the whole page, however many cases.
    """
    cases = casework.caseload(session, caseworker)
    if not cases:
        return []
    wrote: dict[int, datetime] = dict(session.execute(
        select(CaseNote.enquiry_id, func.max(CaseNote.created_at))
        .where(CaseNote.enquiry_id.in_([e.id for e in cases]), CaseNote.author == queue.PARENT_MESSAGE)
        .group_by(CaseNote.enquiry_id)
    ).all())
    # By audit event id, not time: events are stamped to the second, and a message and a look at the case
    # can fall in the same second. The chain is written one event at a time, so ids keep the order.
    marks = {reference: (wrote_id, seen_id) for reference, wrote_id, seen_id in session.execute(
        select(AuditEvent.reference,
               func.max(case((AuditEvent.action == PARENT_WROTE, AuditEvent.id))),
               func.max(case((and_(AuditEvent.action == "view", AuditEvent.actor == caseworker), AuditEvent.id))))
        .where(AuditEvent.reference.in_([e.reference for e in cases]),
               AuditEvent.action.in_((PARENT_WROTE, "view")))
        .group_by(AuditEvent.reference)
    )}
    result = []
    for enquiry in cases:
        last = wrote.get(enquiry.id)
        wrote_id, seen_id = marks.get(enquiry.reference, (None, None))
        new = last is not None and wrote_id is not None and (seen_id is None or wrote_id > seen_id)
        result.append(CaseloadRow(enquiry.reference, enquiry.topic, enquiry.priority == queue.URGENT,
                                  enquiry.claimed_at, last, new))
    return result


@dataclass(frozen=True)
class HeldRow:
    """A claimed case whose holder can no longer work on it, as a manager's queue page lists it: no content."""

    reference: str
    topic: str
    urgent: bool
    holder: str
    why: str  # a code the page puts in words: "disabled", "not_case_role" (now an admin) or "removed"
    claimed_at: datetime | None


def held_by_absent(session: Session) -> list[HeldRow]:
    """Claimed cases held by an account that is disabled, removed or no longer handles cases, urgent first.

    Disabling an account sends its cases back to the queue, but an account disabled before that did, or made
    an admin on the server, still holds its cases and nobody else sees them. A manager may release or take
    over any case, so the queue page lists these for them: no parent waits on someone who cannot answer.
    """
    able = select(Caseworker.username).where(Caseworker.active, Caseworker.role.in_(CASE_ROLES))
    found = session.execute(
        select(Enquiry, Caseworker.active)
        .outerjoin(Caseworker, Caseworker.username == Enquiry.claimed_by)
        .where(Enquiry.status == "claimed", Enquiry.claimed_by.not_in(able))
        .order_by(Enquiry.priority_rank, Enquiry.claimed_at, Enquiry.id)
    ).all()
    rows = []
    for enquiry, active in found:
        why = "removed" if active is None else ("disabled" if not active else "not_case_role")
        rows.append(HeldRow(enquiry.reference, enquiry.topic, enquiry.priority == queue.URGENT,
                            str(enquiry.claimed_by), why, enquiry.claimed_at))
    return rows
