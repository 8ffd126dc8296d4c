"""Parents' rights requests (a copy of what is held, an erasure): when each arrived, when it is due, how it ended.

UK GDPR Art. 12(3): answer within one calendar month of receipt, extendable by two further months for a complex
request. Reasons are encrypted (they may quote the parent); erasing the case leaves only dates, kind and outcome.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake import audit, closed_days, queue, staff
from intake.casework import CaseworkError
from intake.crypto import KeyRing
from intake.models import Enquiry, RightsRequest

COPY, ERASURE = "copy", "erasure"
KINDS = {COPY: "A copy of what we hold (subject access)", ERASURE: "Erasure of their case"}
ARRIVED_BY = {"letter": "Letter", "email": "E-mail", "phone": "Phone call", "in_person": "In person",
              "text": "Text message", "web_chat": "Web chat"}
OPEN, DONE, REFUSED, WITHDRAWN = "open", "done", "refused", "withdrawn"
ENDINGS = (REFUSED, WITHDRAWN)  # closed by a manager with a reason; DONE comes from the copy or the erasure itself
ONE_MONTH, EXTENDED = 1, 3  # months from receipt: one, and the two further months of an extension
MAX_REASON = 500
RECENT_DAYS = 92  # closed requests listed under the open ones, for about three months


class RequestError(CaseworkError):
    """A request that cannot be logged, extended or closed as asked: said on the form, which keeps its answers."""


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later, or that month's last day when it has none (31 Jan -> 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_date(received: date, *, extended: bool = False) -> date:
    """The day a request received on `received` must be answered by: one calendar month, or three if extended."""
    return add_months(received, EXTENDED if extended else ONE_MONTH)


def parse_day(text: str, today: date) -> date:
    """A date from the form (the browser's 2026-11-25, or a typed 25/11/2026); never after today."""
    text = text.strip()
    try:
        if "/" in text:
            day, month, year = (int(part) for part in text.split("/"))
            found = date(year, month, day)
        else:
            found = date.fromisoformat(text)
    except ValueError:
        raise RequestError("Give the date the request arrived, day first (for example 25/11/2026).") from None
    if found > today:
        raise RequestError("The date a request arrived cannot be after today.")
    return found


@dataclass(frozen=True)
class Listed:
    """One request as the list shows it: no content, only the case's reference (none once it is erased)."""

    id: int
    reference: str | None
    kind: str
    arrived_by: str | None
    received_on: date
    due_on: date
    days_left: int
    extended_on: date | None
    extension_reason: str
    status: str
    closed_on: date | None
    close_reason: str

    @property
    def overdue(self) -> bool:
        """Still open after its due date."""
        return self.status == OPEN and self.days_left < 0

    @property
    def on_time(self) -> bool:
        """Closed on or before its due date."""
        return self.closed_on is not None and self.closed_on <= self.due_on


def _listed(keys: KeyRing, row: RightsRequest, reference: str | None, today: date) -> Listed:
    def reason(token: bytes | None) -> str:
        return keys.decrypt(token) if token else ""

    return Listed(row.id, reference, row.kind, row.arrived_by, row.received_on, row.due_on,
                  (row.due_on - today).days, row.extended_on, reason(row.extension_reason), row.status,
                  row.closed_on, reason(row.close_reason))


def _handles_cases(role: str) -> None:
    if role not in staff.CASE_ROLES:
        raise RequestError("Rights requests are for caseworkers and managers: an admin looks after accounts only.")


def _manager(role: str, doing: str) -> None:
    if role != "manager":
        raise RequestError(f"Only a manager can {doing} a request.")


def _reason(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise RequestError("Give the reason, in a few words.")
    if len(text) > MAX_REASON:
        raise RequestError(f"Give the reason in {MAX_REASON} characters or fewer.")
    return text


def log(session: Session, staff_member: str, role: str, reference: str, *, kind: str, received: date,
        arrived_by: str, today: date) -> RightsRequest:
    """Record that the parent of case `reference` asked for a copy or an erasure on `received`; audited."""
    _handles_cases(role)
    if kind not in KINDS:
        raise RequestError("Choose what the parent asked for: a copy, or erasure.")
    if arrived_by not in ARRIVED_BY:
        raise RequestError("Choose how the request arrived.")
    if received > today:
        raise RequestError("The date a request arrived cannot be after today.")
    enquiry = queue.by_reference(session, reference.strip().upper())
    if enquiry is None:
        raise RequestError("No case has that reference: check it with the parent's letter or message.")
    already = session.scalar(select(RightsRequest).where(
        RightsRequest.enquiry_id == enquiry.id, RightsRequest.kind == kind, RightsRequest.status == OPEN))
    if already is not None:
        raise RequestError(f"A request like this for {enquiry.reference} is already logged, due "
                           f"{already.due_on:%d/%m/%Y}: it is in the list below. If the day it arrived was "
                           "logged wrongly, a manager can correct the day it arrived in the list.")
    row = RightsRequest(enquiry_id=enquiry.id, kind=kind, arrived_by=arrived_by, received_on=received,
                        due_on=due_date(received), status=OPEN, logged_by=staff_member)
    session.add(row)
    session.flush()
    audit.record(session, staff_member, "rights_request_logged", enquiry.reference,
                 f"{kind}; received {received.isoformat()}; due {row.due_on.isoformat()}")
    return row


def listing(session: Session, keys: KeyRing, staff_member: str, role: str, today: date) -> tuple[
        list[Listed], list[Listed]]:
    """Open requests, soonest due first (so overdue ones lead), and those closed in about the last three months.

    A manager sees every request; a caseworker those on the cases they hold, whose copy is theirs to make.
    """
    _handles_cases(role)
    query = select(RightsRequest, Enquiry.reference).outerjoin(Enquiry, RightsRequest.enquiry_id == Enquiry.id)
    if role != "manager":
        query = query.where(Enquiry.status == "claimed", Enquiry.claimed_by == staff_member)
    still_open = session.execute(query.where(RightsRequest.status == OPEN)
                                 .order_by(RightsRequest.due_on, RightsRequest.id))
    closed = session.execute(query.where(RightsRequest.status != OPEN,
                                         RightsRequest.closed_on >= date.fromordinal(today.toordinal() - RECENT_DAYS))
                             .order_by(RightsRequest.closed_on.desc(), RightsRequest.id.desc()))
    return ([_listed(keys, row, ref, today) for row, ref in still_open],
            [_listed(keys, row, ref, today) for row, ref in closed])


def open_for(session: Session, keys: KeyRing, enquiry: Enquiry, kind: str, today: date) -> Listed | None:
    """The case's open request of this kind, if one is logged (the copy and erase pages say when it is due)."""
    row = session.scalar(select(RightsRequest).where(
        RightsRequest.enquiry_id == enquiry.id, RightsRequest.kind == kind, RightsRequest.status == OPEN))
    return _listed(keys, row, enquiry.reference, today) if row else None


def _open_request(session: Session, request_id: int) -> tuple[RightsRequest, str | None]:
    found = session.execute(
        select(RightsRequest, Enquiry.reference).outerjoin(Enquiry, RightsRequest.enquiry_id == Enquiry.id)
        .where(RightsRequest.id == request_id)).first()
    if found is None or found[0].status != OPEN:
        raise RequestError("That request is not open any more: the list shows where it is now.")
    return found[0], found[1]


def extend(session: Session, keys: KeyRing, staff_member: str, role: str, request_id: int, reason: str,
           today: date) -> date:
    """A manager gives a complex request two more months, once, saying why (encrypted); returns the new due date."""
    _manager(role, "extend")
    row, reference = _open_request(session, request_id)
    if row.extended_on is not None:
        raise RequestError("This request was extended already: the law allows one extension of two months.")
    if today > row.due_on:
        # Art. 12(3): the parent must be told of an extension within the first month; after it, only an answer.
        raise RequestError(f"It was due on {row.due_on:%a %d %b %Y}, so it can no longer be extended: an extension "
                           "must be made within the first month. Send the answer as soon as you can.")
    text = _reason(reason)
    row.extended_on = today
    row.extension_reason = keys.encrypt(text)
    row.due_on = due_date(row.received_on, extended=True)
    audit.record(session, staff_member, "rights_request_extended", reference,
                 f"{row.kind}; due {row.due_on.isoformat()}")
    return row.due_on


def correct_received(session: Session, staff_member: str, role: str, request_id: int, received: date,
                     today: date) -> date:
    """A manager corrects the day an open request arrived (logged wrongly: a letter opened late); its due date
    follows. Audited with the dates only; returns the new due date."""
    _manager(role, "correct the day it arrived for")
    row, reference = _open_request(session, request_id)
    if received > today:
        raise RequestError("The date a request arrived cannot be after today.")
    was = row.received_on
    if received == was:
        return row.due_on
    row.received_on = received
    row.due_on = due_date(received, extended=row.extended_on is not None)
    audit.record(session, staff_member, "rights_request_corrected", reference,
                 f"{row.kind}; received {received.isoformat()} (was {was.isoformat()}); due {row.due_on.isoformat()}")
    return row.due_on


def closure_around(day: date, closed: Iterable[date]) -> tuple[date, date] | None:
    """The run of closed days (bank holidays, a Christmas closure: intake/closed_days.py) that `day` falls in,
    first and last; None when the office is not closed that day."""
    for first, last in closed_days.runs(closed):
        if first <= day <= last:
            return first, last
    return None


def close(session: Session, keys: KeyRing, staff_member: str, role: str, request_id: int, outcome: str,
          reason: str, today: date) -> None:
    """A manager closes a request as refused or withdrawn, saying why (encrypted); audited without the reason."""
    _manager(role, "close")
    if outcome not in ENDINGS:
        raise RequestError("Choose whether the request was refused or withdrawn.")
    row, reference = _open_request(session, request_id)
    text = _reason(reason)
    row.status, row.closed_on, row.close_reason = outcome, today, keys.encrypt(text)
    audit.record(session, staff_member, "rights_request_closed", reference, f"{row.kind}; {outcome}")


def met(session: Session, staff_member: str, enquiry: Enquiry, kind: str, today: date) -> int:
    """The copy was made, or the case erased: its open request of that kind is done today; returns how many."""
    rows = list(session.scalars(select(RightsRequest).where(
        RightsRequest.enquiry_id == enquiry.id, RightsRequest.kind == kind, RightsRequest.status == OPEN)))
    for row in rows:
        row.status, row.closed_on = DONE, today
        audit.record(session, staff_member, "rights_request_closed", enquiry.reference, f"{kind}; {DONE}")
    return len(rows)


def forget_case(session: Session, enquiry: Enquiry) -> None:
    """Before an erasure: the case's requests keep only their dates, kind and outcome (no link, reasons, or who)."""
    for row in session.scalars(select(RightsRequest).where(RightsRequest.enquiry_id == enquiry.id)):
        row.enquiry_id = None
        row.arrived_by = row.logged_by = None
        row.extension_reason = row.close_reason = None


def local_today(moment: datetime, zone: str) -> date:
    """The service's calendar day at `moment` (a request that came in at 23:30 in London arrived that day)."""
    return moment.astimezone(ZoneInfo(zone)).date()
