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
from intake.models import ConsentRecord, Enquiry, utcnow
from intake.references import new_reference

URGENT, NORMAL = "urgent", "normal"
RANK = {URGENT: 0, NORMAL: 1}
PARENT_MESSAGE = "parent (message)"  # CaseNote author for messages a parent sent after the claim
SAFEGUARDING_OVERRIDE = "Policy 7.1: possible risk to a child; recorded without consent"
CONCERN_TOPIC = "safeguarding"  # the topic of every concern the bot raises


class QueueError(Exception):
    """A queue operation that cannot happen (already claimed, not yours, unknown reference)."""


@dataclass(frozen=True)
class ConsentAnswer:
    """One consent question's answer, captured when the parent gave it."""

    purpose: str
    granted: bool
    wording_version: str
    at: datetime


def _unique_reference(session: Session) -> str:
    for _ in range(20):
        reference = new_reference()
        if session.scalar(select(Enquiry.id).where(Enquiry.reference == reference)) is None:
            return reference
    raise QueueError("could not find a free reference code")


def _enqueue(session: Session, priority: str, retention_days: int, **fields: Any) -> Enquiry:
    """Store a new queued enquiry under a fresh, unique reference."""
    now = utcnow()
    enquiry = Enquiry(priority=priority, priority_rank=RANK[priority], status="queued", created_at=now,
                      retain_until=now + timedelta(days=retention_days), **fields)
    # The unique index is the real guard; the lookup in _unique_reference only makes a clash rare.
    for _ in range(5):
        enquiry.reference = _unique_reference(session)
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
    enquiry = _enqueue(
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
    _record_consents(session, enquiry, consents, channel)
    audit.record(session, "bot", "enqueue", enquiry.reference)
    return enquiry


def _record_consents(session: Session, enquiry: Enquiry, consents: list[ConsentAnswer], channel: str) -> None:
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


def is_concern(enquiry: Enquiry) -> bool:
    """A safety concern (policy 7.1): one the bot raised, or a parent's enquiry a disclosure escalated.

    Either way FORGET deletes only what the parent gave, never the concern, and a quoted reference gets
    no status.
    """
    return enquiry.topic == CONCERN_TOPIC or enquiry.override_reason == SAFEGUARDING_OVERRIDE


def open_concern(session: Session, reference: str | None, contact_key: str) -> Enquiry | None:
    """This contact's own safety concern under `reference`, until a caseworker closes it."""
    if not reference:
        return None
    return session.scalar(
        select(Enquiry).where(
            Enquiry.reference == reference, Enquiry.contact_key == contact_key,
            Enquiry.topic == CONCERN_TOPIC, Enquiry.status != "closed",
        )
    )


def open_case(session: Session, reference: str | None, contact_key: str) -> Enquiry | None:
    """This contact's own open case under `reference` (a concern, or an enquiry a disclosure escalated)."""
    if not reference:
        return None
    return session.scalar(
        select(Enquiry).where(
            Enquiry.reference == reference, Enquiry.contact_key == contact_key, Enquiry.status != "closed",
        )
    )


def attach_form(
    session: Session,
    keys: KeyRing,
    concern: Enquiry,
    *,
    channel: str,
    topic: str,
    summary: str | None,
    facts: dict[str, Any],
    contact: dict[str, Any] | None,
    safe_times: str | None,
    voicemail_ok: bool,
    name_service_ok: bool,
    consents: list[ConsentAnswer],
) -> Enquiry:
    """A parent-confirmed form added to their own open safety concern: one case, one reference.

    The concern keeps its priority, place, status, override reason and triggers; the form's topic goes
    in with the facts, since the case's topic stays the concern's.
    """
    concern.summary = keys.encrypt(summary) if summary else None
    concern.facts = keys.encrypt_json({"topic": topic, **facts})
    concern.contact = keys.encrypt_json(contact) if contact else None
    concern.safe_times = safe_times
    concern.voicemail_ok, concern.name_service_ok = voicemail_ok, name_service_ok
    _record_consents(session, concern, consents, channel)
    audit.record(session, "bot", "form_added", concern.reference)
    return concern


def record_standalone(
    session: Session, purpose: str, wording_version: str, channel: str, granted: bool = False
) -> None:
    """A consent answer given where no enquiry exists (a NO to keeping details, a one-off text of an
    answer): recorded without a reference, since nothing else about the parent is kept."""
    session.add(ConsentRecord(reference="", purpose=purpose, granted=granted, wording_version=wording_version,
                              channel=channel, at=utcnow()))


def raise_concern(
    session: Session, keys: KeyRing, *, channel: str, contact_key: str, triggers: tuple[str, ...], retention_days: int
) -> Enquiry:
    """An urgent enquiry for a possible risk to a child, created whatever the consent state (policy 7.1)."""
    enquiry = _enqueue(
        session, URGENT, retention_days,
        channel=channel,
        contact_key=contact_key,
        topic=CONCERN_TOPIC,
        safeguarding=keys.encrypt_json(list(triggers)),
        override_reason=SAFEGUARDING_OVERRIDE,
    )
    audit.record(session, "bot", "safeguarding_flag", enquiry.reference, "consent overridden: policy 7.1")
    return enquiry


TRIGGERS_KEPT = 60  # risk messages skip rate limits, so what one case keeps must stay bounded
RAISED_AGAIN = "disclosed again after it was marked not a safeguarding concern"


def add_disclosure(session: Session, keys: KeyRing, enquiry: Enquiry, triggers: tuple[str, ...]) -> bool:
    """A fresh disclosure on a contact's open case: urgent (top of the queue), its triggers appended, audited.

    The case stays where it is (queued, or with the caseworker who claimed it); the override reason is the
    concern path's. Returns True when the case was not urgent before: cleared by a caseworker, or the
    parent's own ordinary enquiry. Then the duty worker must be told as for a new concern.
    """
    if session.get_bind().dialect.name == "postgresql":
        # Lock the row: two disclosures at once must not each append to the same old list and lose one.
        session.refresh(enquiry, with_for_update=True)
    raised = enquiry.priority != URGENT
    on_record: list[str] = keys.decrypt_json(enquiry.safeguarding) if enquiry.safeguarding else []
    # A cleared case came back: say so, since its old triggers alone would not explain why.
    added = ([RAISED_AGAIN] if raised and on_record else []) + [t for t in triggers if t not in on_record]
    merged = on_record + list(dict.fromkeys(added))
    if len(merged) > TRIGGERS_KEPT:  # keep the first disclosure and the latest ones
        merged = merged[: TRIGGERS_KEPT // 3] + merged[-(TRIGGERS_KEPT - TRIGGERS_KEPT // 3):]
    enquiry.safeguarding = keys.encrypt_json(merged)
    enquiry.priority, enquiry.priority_rank = URGENT, RANK[URGENT]
    enquiry.override_reason = SAFEGUARDING_OVERRIDE
    if raised:
        audit.record(session, "bot", "safeguarding_flag", enquiry.reference,
                     "new disclosure; consent overridden: policy 7.1")
    else:
        audit.record(session, "bot", "safeguarding_added", enquiry.reference, "new disclosure on an urgent case")
    return raised


def by_reference(session: Session, reference: str) -> Enquiry | None:
    """The enquiry with this reference code, if any."""
    return session.scalar(select(Enquiry).where(Enquiry.reference == reference))


QUEUE_PAGE = 50  # the console shows the front of the queue; its cost stays flat however long the queue is


def latest_for_contact(session: Session, contact_key: str) -> Enquiry | None:
    """The newest open enquiry this contact made (a safety concern is not theirs to act on)."""
    return session.scalar(
        select(Enquiry)
        .where(Enquiry.contact_key == contact_key, Enquiry.status != "closed", Enquiry.topic != CONCERN_TOPIC)
        .order_by(Enquiry.created_at.desc())
        .limit(1)
    )


def live_for_contact(session: Session, contact_key: str, reference: str | None = None) -> Enquiry | None:
    """This contact's own open enquiry: the one this conversation made (`reference`), else their newest.

    Never one found only because someone quoted its reference: it must carry this contact's key.
    """
    enquiry = by_reference(session, reference) if reference else latest_for_contact(session, contact_key)
    if enquiry is None or enquiry.status == "closed" or enquiry.contact_key != contact_key:
        return None
    return enquiry


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


def release(session: Session, caseworker: str, reference: str) -> Enquiry:
    """Put a claimed enquiry back in the queue, keeping its place by age."""
    enquiry = _owned(session, caseworker, reference)
    enquiry.status, enquiry.claimed_by, enquiry.claimed_at = "queued", None, None
    audit.record(session, caseworker, "release", reference)
    return enquiry


def close(session: Session, caseworker: str, reference: str, outcome: str, retention_days: int) -> Enquiry:
    """Close a case with an outcome; the retention clock starts now."""
    enquiry = _owned(session, caseworker, reference)
    now = utcnow()
    enquiry.status, enquiry.closed_at, enquiry.outcome = "closed", now, outcome[:64]
    enquiry.retain_until = now + timedelta(days=retention_days)
    audit.record(session, caseworker, "close", reference)
    return enquiry


def _owned(session: Session, caseworker: str, reference: str) -> Enquiry:
    enquiry = by_reference(session, reference)
    if enquiry is None:
        raise QueueError("no enquiry has that reference")
    if enquiry.status != "claimed" or enquiry.claimed_by != caseworker:
        raise QueueError("that enquiry is not in your caseload")
    return enquiry


def withdraw(session: Session, enquiry: Enquiry, *, channel: str, wording_version: str) -> None:
    """The parent withdrew consent: erase the personal details, record it, close the enquiry.

    A safety concern the form was added to stays open with its triggers (policy 7.1): only what the
    parent gave with their consent goes.
    """
    session.add(
        ConsentRecord(
            enquiry_id=enquiry.id, reference=enquiry.reference, purpose="keep_details", granted=False,
            wording_version=wording_version, channel=channel, at=utcnow(),
        )
    )
    enquiry.summary = enquiry.facts = enquiry.contact = None
    for note in [n for n in enquiry.notes if n.author == PARENT_MESSAGE]:
        session.delete(note)  # what the parent sent after the claim goes too
    if is_concern(enquiry):
        enquiry.safe_times, enquiry.voicemail_ok, enquiry.name_service_ok = None, False, False
        audit.record(session, "parent", "withdraw_form", enquiry.reference)
        return
    enquiry.contact_key = None
    enquiry.status, enquiry.closed_at, enquiry.outcome = "closed", utcnow(), "withdrawn by parent"
    audit.record(session, "parent", "withdraw", enquiry.reference)
