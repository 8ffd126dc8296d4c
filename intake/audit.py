"""Append-only, hash-chained audit trail: who did what to which reference, never the content."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from intake.models import AuditEvent, utcnow

GENESIS = "0" * 64
_CHAIN_LOCK = text("SELECT pg_advisory_xact_lock(7100071)")
_HEAD = select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)  # the newest event's hash


def _digest(prev_hash: str, at: datetime, actor: str, action: str, reference: str | None, detail: str | None) -> str:
    material = "|".join([prev_hash, at.isoformat(), actor, action, reference or "", detail or ""])
    return hashlib.sha256(material.encode()).hexdigest()


def record(session: Session, actor: str, action: str, reference: str | None = None, detail: str | None = None) -> None:
    """Append one event linked to the previous one (call inside the caller's transaction)."""
    # Every event is flushed as it is added, so the newest stored event is the head: reading it needs no
    # autoflush, and whatever else is pending (an enquiry's consent answers) goes in the one flush below.
    with session.no_autoflush:
        if session.get_bind().dialect.name == "postgresql":
            # Serialise writers so two transactions never link to the same previous event.
            session.execute(_CHAIN_LOCK)
        prev_hash = session.scalar(_HEAD) or GENESIS
    at = utcnow().replace(microsecond=0)
    session.add(
        AuditEvent(
            at=at,
            actor=actor,
            action=action,
            reference=reference,
            detail=detail,
            prev_hash=prev_hash,
            hash=_digest(prev_hash, at, actor, action, reference, detail),
        )
    )
    session.flush()


@dataclass(frozen=True)
class ChainReport:
    """The result of checking the chain: how many events, and the first broken link if any."""

    events: int
    broken_at: int | None
    problem: str | None

    @property
    def ok(self) -> bool:
        """True when every link holds."""
        return self.broken_at is None


def verify(session: Session, expected_head: str | None = None) -> ChainReport:
    """Walk the chain from the start; report the first event whose link or content does not hold.

    `expected_head` (the last hash seen earlier, e.g. printed by a previous run) also catches truncation.
    """
    prev_hash = GENESIS
    count = 0
    last_id = 0
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        count += 1
        if event.prev_hash != prev_hash:
            # An id gap alone is not tampering (PostgreSQL sequences skip ids of rolled-back events);
            # a removed event shows up as the next one's broken link.
            gap = event.id != last_id + 1
            problem = f"event(s) before id {event.id} are missing" if gap else "link to the previous event is broken"
            return ChainReport(count, event.id, problem)
        if _digest(prev_hash, event.at, event.actor, event.action, event.reference, event.detail) != event.hash:
            return ChainReport(count, event.id, "event content was changed")
        prev_hash = event.hash
        last_id = event.id
    if expected_head and expected_head != prev_hash:
        return ChainReport(count, last_id + 1, "the chain ends earlier than expected (truncated)")
    return ChainReport(count, None, None)


def head(session: Session) -> str:
    """The hash of the newest event (keep it somewhere safe to detect truncation later)."""
    return session.scalar(_HEAD) or GENESIS
