"""The confidential queue: enquiries go queued -> claimed -> closed, urgent first, claimed atomically."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from intake import audit
from intake.crypto import KeyRing
from intake.models import AuditEvent, ConsentRecord, Enquiry, utcnow
from intake.references import new_reference

URGENT, NORMAL = "urgent", "normal"
RANK = {URGENT: 0, NORMAL: 1}
PARENT_MESSAGE = "parent (message)"  # CaseNote author for messages a parent sent after the claim


class QueueError(Exception):
    """A queue operation that cannot happen (already claimed, not yours, unknown reference)."""


@dataclass(frozen=True)
class ConsentAnswer:
    """One consent question's answer, captured when the parent gave it."""

    purpose: str
    granted: bool
    wording_version: str
    at: datetime


def enqueue(session: Session, priority: str, retention_days: int, **fields: Any) -> Enquiry:
    """Store a new queued enquiry (a parent's, or a safety concern) under a fresh, unique reference."""
    now = utcnow()
    enquiry = Enquiry(priority=priority, priority_rank=RANK[priority], status="queued", created_at=now,
                      retain_until=now + timedelta(days=retention_days), **fields)
    # The unique index guards against a live clash: it rolls back to the savepoint and tries another code.
    # A code is also never reused after its case was deleted (retention, erasure): the audit trail keeps
    # what was done under it, and a second family's subject-access export would show the first's history.
    for _ in range(5):
        enquiry.reference = new_reference()
        with session.no_autoflush:
            if session.scalar(select(AuditEvent.id).where(AuditEvent.reference == enquiry.reference).limit(1)):
                continue
        try:
            with session.begin_nested():  # a clash rolls back to here and the pending row is dropped
                session.add(enquiry)
            return enquiry
        except IntegrityError:
            continue
    raise QueueError("could not store the enquiry with a unique reference")


def create_enquiry(
    session: Session,
    keys: KeyRing,
    *,
    channel: str,
    contact_key: str | None,
    topic: str,
    summary: str | None,
    facts: dict[str, Any],
    contact: dict[str, Any] | None,
    safe_times: str | None,
    voicemail_ok: bool,
    name_service_ok: bool,
    consents: list[ConsentAnswer],
    retention_days: int,
) -> Enquiry:
    """Queue a parent-confirmed enquiry with its consent answers; personal fields encrypted."""
    enquiry = enqueue(
        session, NORMAL, retention_days,
        channel=channel,
        contact_key=contact_key,
        topic=topic,
        summary=keys.encrypt(summary) if summary else None,
        facts=keys.encrypt_json(facts),
        contact=keys.encrypt_json(contact) if contact else None,
        safe_times=safe_times,
        voicemail_ok=voicemail_ok,
        name_service_ok=name_service_ok,
    )
    record_consents(session, enquiry, consents, channel)
    audit.record(session, "bot", "enqueue", enquiry.reference)
    return enquiry


def record_consents(session: Session, enquiry: Enquiry, consents: list[ConsentAnswer], channel: str) -> None:
    """Add the parent's consent answers to the ledger under this enquiry (a new one, or a concern's)."""
    for answer in consents:
        session.add(
            ConsentRecord(
                enquiry_id=enquiry.id,
                reference=enquiry.reference,
                purpose=answer.purpose,
                granted=answer.granted,
                wording_version=answer.wording_version,
                channel=channel,
                at=answer.at,
            )
        )


def record_standalone(
    session: Session, purpose: str, wording_version: str, channel: str, granted: bool = False
) -> None:
    """A consent answer given where no enquiry exists (a NO to keeping details, a one-off text of an
    answer): recorded without a reference, since nothing else about the parent is kept."""
    session.add(ConsentRecord(reference="", purpose=purpose, granted=granted, wording_version=wording_version,
                              channel=channel, at=utcnow()))


def by_reference(session: Session, reference: str) -> Enquiry | None:
    """The enquiry with this reference code, if any."""
    return session.scalar(select(Enquiry).where(Enquiry.reference == reference))


QUEUE_PAGE = 50  # the console shows the front of the queue; its cost stays flat however long the queue is


def queued(session: Session, limit: int = QUEUE_PAGE) -> list[Enquiry]:
    """The front of the queue in order: urgent first, then oldest."""
    return list(
        session.scalars(
            select(Enquiry)
            .where(Enquiry.status == "queued")
            .order_by(Enquiry.priority_rank, Enquiry.created_at, Enquiry.id)
            .limit(limit)
        )
    )


def position(session: Session, enquiry: Enquiry, cap: int = 100) -> int:
    """1-based place in the queue (0 once claimed or closed), counted up to `cap` so it stays cheap."""
    if enquiry.status != "queued":
        return 0
    ahead = (
        select(Enquiry.id)
        .where(
            Enquiry.status == "queued",
            tuple_(Enquiry.priority_rank, Enquiry.created_at, Enquiry.id)
            < tuple_(enquiry.priority_rank, enquiry.created_at, enquiry.id),
        )
        .limit(cap)
        .subquery()
    )
    return int(session.scalar(select(func.count()).select_from(ahead)) or 0) + 1


def typical_wait(session: Session, now: datetime | None = None, sample: int = 20) -> timedelta | None:
    """The median time from queueing to claim over the most recent claims (None with no history)."""
    rows = session.execute(
        select(Enquiry.created_at, Enquiry.claimed_at)
        .where(Enquiry.claimed_at.is_not(None))
        .order_by(Enquiry.claimed_at.desc())
        .limit(sample)
    ).all()
    waits = sorted(claimed - created for created, claimed in rows if claimed and created)
    return waits[len(waits) // 2] if waits else None


def claim(session: Session, caseworker: str, reference: str | None = None) -> Enquiry:
    """Give a queued enquiry (the next one, or a named one) to exactly one caseworker.

    PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED, so concurrent claimers take different rows.
    SQLite: a guarded UPDATE ... WHERE status='queued' that must change exactly one row.
    """
    now = utcnow()
    query = select(Enquiry.id).where(Enquiry.status == "queued")
    if reference:
        query = query.where(Enquiry.reference == reference)
    query = query.order_by(Enquiry.priority_rank, Enquiry.created_at, Enquiry.id).limit(1)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    enquiry_id = session.scalar(query)
    if enquiry_id is None:
        raise QueueError("that enquiry has already been taken" if reference else "the queue is empty")
    changed = session.execute(
        update(Enquiry)
        .where(Enquiry.id == enquiry_id, Enquiry.status == "queued")
        .values(status="claimed", claimed_by=caseworker, claimed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if changed != 1:
        raise QueueError("that enquiry has already been taken")
    enquiry = session.get(Enquiry, enquiry_id, populate_existing=True)
    assert enquiry is not None
    audit.record(session, caseworker, "claim", enquiry.reference)
    return enquiry


def release(session: Session, caseworker: str, reference: str, *, manager: bool = False) -> Enquiry:
    """Put a claimed enquiry back in the queue, keeping its place by age.

    A manager may release anyone's case (its holder away, or gone): it is then marked "previously with" them
    and the release is audited as from them, as a take-over is.
    """
    enquiry = _locked(session, reference) if manager else _owned(session, caseworker, reference)
    holder = enquiry.claimed_by
    if enquiry.status != "claimed" or holder is None:
        raise QueueError("that enquiry is not claimed by anyone")
    enquiry.status, enquiry.claimed_by, enquiry.claimed_at = "queued", None, None
    if holder != caseworker:
        enquiry.previous_caseworker, enquiry.moved_at = holder, utcnow()
    audit.record(session, caseworker, "release", reference, f"from {holder}" if holder != caseworker else None)
    return enquiry


def return_urgent(session: Session, enquiry: Enquiry) -> str | None:
    """A claimed case a new safety concern made urgent goes back to the queue, on top, for the duty caseworker.

    Policy 7.1: the caseworker who has it may be away (signed out on a Friday), and the duty caseworker who
    is alerted must be able to claim it. Its notes, consents and history stay; the caseworker who had it is
    remembered, so the queue says "previously with them" and their caseload says where it went. The caller
    holds the row (locked on PostgreSQL). Returns who had it, or None when it was not claimed.
    """
    holder = enquiry.claimed_by if enquiry.status == "claimed" else None
    if holder is None:
        return None
    enquiry.status, enquiry.claimed_by, enquiry.claimed_at = "queued", None, None
    enquiry.previous_caseworker, enquiry.moved_at = holder, utcnow()
    audit.record(session, "bot", "returned_urgent", enquiry.reference, f"new safety concern; was with {holder}")
    return holder


def take_over(session: Session, staff_member: str, reference: str, holder: str, *, any_priority: bool = False
              ) -> Enquiry:
    """Take an urgent case (any case, with `any_priority`: a manager) over from the caseworker who has it
    (`holder`, as the page showed it), audited.

    Who may is the console's rule (casework.take_over); this keeps it to one taker: the row is locked on
    PostgreSQL and the holder checked again, so two people pressing at once cannot both take it, and a
    case that changed hands since the page was drawn is refused rather than taken from someone else.
    """
    enquiry = _locked(session, reference)
    if enquiry.status != "claimed" or enquiry.claimed_by != holder:
        raise QueueError("that enquiry has changed hands since you opened it")
    if enquiry.priority != URGENT and not any_priority:
        raise QueueError("only an urgent case can be taken over; ask its caseworker or a manager to release it")
    if holder == staff_member:
        raise QueueError("that enquiry is already in your caseload")
    enquiry.claimed_by, enquiry.claimed_at = staff_member, utcnow()
    enquiry.previous_caseworker, enquiry.moved_at = holder, enquiry.claimed_at
    audit.record(session, staff_member, "take_over", reference, f"from {holder}")
    return enquiry


def close(session: Session, caseworker: str, reference: str, outcome: str, retention_days: int) -> Enquiry:
    """Close a case with an outcome; the retention clock starts now."""
    enquiry = _owned(session, caseworker, reference)
    now = utcnow()
    enquiry.status, enquiry.closed_at, enquiry.outcome = "closed", now, outcome[:64]
    enquiry.retain_until = now + timedelta(days=retention_days)
    audit.record(session, caseworker, "close", reference)
    return enquiry


def _locked(session: Session, reference: str) -> Enquiry:
    """The enquiry, its row locked on PostgreSQL until commit (SQLite's BEGIN IMMEDIATE already serialises)."""
    query = select(Enquiry).where(Enquiry.reference == reference)
    if session.get_bind().dialect.name == "postgresql":
        # Waits for a disclosure sending the case back to the queue, or another take-over, then sees its result.
        query = query.with_for_update().execution_options(populate_existing=True)
    enquiry = session.scalar(query)
    if enquiry is None:
        raise QueueError("no enquiry has that reference")
    return enquiry


def _owned(session: Session, caseworker: str, reference: str) -> Enquiry:
    # Locked, so a release or close at the moment a new concern sends the case back (or a manager takes it
    # over) waits for it and is refused, instead of closing an urgent case nobody has read.
    enquiry = _locked(session, reference)
    if enquiry.status != "claimed" or enquiry.claimed_by != caseworker:
        raise QueueError("that enquiry is not in your caseload")
    return enquiry
