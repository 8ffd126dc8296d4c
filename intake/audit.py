"""Append-only, hash-chained audit trail: who did what to which reference, never the content."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.event import listens_for
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.util import find_tables

from intake.models import AuditEvent, utcnow

GENESIS = "0" * 64
_CHAIN_LOCK = text("SELECT pg_advisory_xact_lock(7100071)")
_HEAD = select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)  # the newest event's hash


def _digest(prev_hash: str, at: datetime, actor: str, action: str, reference: str | None, detail: str | None) -> str:
    material = "|".join([prev_hash, at.isoformat(), actor, action, reference or "", detail or ""])
    return hashlib.sha256(material.encode()).hexdigest()


_PENDING = "intake_audit_pending"  # Session.info key: events recorded in this transaction, not yet chained


def record(session: Session, actor: str, action: str, reference: str | None = None, detail: str | None = None) -> None:
    """Append one event to the chain as the caller's transaction commits (call inside it, not in a savepoint).

    The event is linked when the transaction commits, after everything else in it is written: on PostgreSQL
    linking takes a lock that every writer of the trail waits for, so it is held for the last few statements
    only, rather than from the moment of recording to the end of a parent's turn. A transaction that rolls back
    records nothing.
    """
    pending: list[tuple[datetime, str, str, str | None, str | None]] = session.info.setdefault(_PENDING, [])
    pending.append((utcnow().replace(microsecond=0), actor, action, reference, detail))


@listens_for(Session, "before_commit")
def _link_pending(session: Session) -> None:
    """Chain this transaction's events onto the newest stored one, last thing before the commit."""
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.flush()  # the rest of the transaction first, so the lock below is held only to the commit
    with session.no_autoflush:
        if session.get_bind().dialect.name == "postgresql":
            # Serialise writers so two transactions never link to the same previous event.
            session.execute(_CHAIN_LOCK)
        prev_hash = session.scalar(_HEAD) or GENESIS
    for at, actor, action, reference, detail in pending:
        digest = _digest(prev_hash, at, actor, action, reference, detail)
        session.add(AuditEvent(at=at, actor=actor, action=action, reference=reference, detail=detail,
                               prev_hash=prev_hash, hash=digest))
        prev_hash = digest
    session.flush()


@listens_for(Session, "do_orm_execute")
def _link_before_reading(state: ORMExecuteState) -> None:
    """A query of the trail inside the transaction that recorded events sees them: they are linked first.

    (Whether the duty worker was told of a concern this turn, or what a subject-access copy lists, must not
    depend on when the chain is written.) Rare on a parent's turn, so the lock is still mostly taken late.
    """
    session = state.session
    statement = state.statement
    if _PENDING in session.info and isinstance(statement, ClauseElement) and state.is_select \
            and AuditEvent.__table__ in find_tables(statement):
        _link_pending(session)


@listens_for(Session, "after_transaction_end")
def _drop_pending(session: Session, transaction: SessionTransaction) -> None:
    """A transaction that ended without committing (rolled back, closed) leaves no event behind."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


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
