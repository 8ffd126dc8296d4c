"""Append-only, HMAC-chained audit trail: who did what to which reference, never the content.

Each event's hash is an HMAC under a key derived from INTAKE_HASH_KEY, which the database never holds, so someone
who can only write to the database cannot rewrite events and rebuild the hashes after them unnoticed. Sessions
carry the key in `Session.info` (see `session_info`, used by intake.db.make_session_factory).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, text, update
from sqlalchemy.event import listens_for
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.util import find_tables

from intake.models import AuditEvent, utcnow

GENESIS = "0" * 64
_CHAIN_LOCK = text("SELECT pg_advisory_xact_lock(7100071)")
_HEAD = select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)  # the newest event's hash


# The migration after which the chain is keyed: `intake init-db`, taking a database across it, re-links the
# unkeyed chain once (see `rekey`). Once only, so a chain someone later rebuilds without the key stays broken.
KEYED_FROM_REVISION = "0016"
_PURPOSE = b"audit-chain-v1"  # its own key: the chain and the contact hashes (intake.crypto) never share one
_KEY_INFO = "intake_audit_key"  # Session.info key: the ChainKey, put there by the sessionmaker


class ChainKey:
    """The audit chain's HMAC key; never shown in a repr (sessionmakers print their `info`)."""

    __slots__ = ("_secret",)

    def __init__(self, hash_key: str) -> None:
        self._secret = hmac.new(hash_key.encode(), _PURPOSE, hashlib.sha256).digest()

    def digest(self, material: bytes) -> str:
        """HMAC-SHA256 of `material`, hex."""
        return hmac.new(self._secret, material, hashlib.sha256).hexdigest()

    def __repr__(self) -> str:
        return "ChainKey(...)"


class MissingChainKey(RuntimeError):
    """A session recorded or checked the trail without the chain key: refused, never hashed without it."""


def session_info(key: ChainKey) -> dict[str, Any]:
    """`info` for a sessionmaker whose sessions record and verify the trail with `key`."""
    return {_KEY_INFO: key}


def _key(session: Session) -> ChainKey:
    key = session.info.get(_KEY_INFO)
    if not isinstance(key, ChainKey):
        raise MissingChainKey("This session has no audit chain key: build its sessionmaker with "
                              "intake.db.make_session_factory(engine, ChainKey(hash_key)).")
    return key


def _material(prev_hash: str, at: datetime, actor: str, action: str, reference: str | None,
              detail: str | None) -> bytes:
    return "|".join([prev_hash, at.isoformat(), actor, action, reference or "", detail or ""]).encode()


def _digest(key: ChainKey, prev_hash: str, at: datetime, actor: str, action: str, reference: str | None,
            detail: str | None) -> str:
    return key.digest(_material(prev_hash, at, actor, action, reference, detail))


def _unkeyed_digest(prev_hash: str, at: datetime, actor: str, action: str, reference: str | None,
                    detail: str | None) -> str:
    """The hash before the chain was keyed (and of migrations 0010 and 0015): only `rekey` accepts it."""
    return hashlib.sha256(_material(prev_hash, at, actor, action, reference, detail)).hexdigest()


_PENDING = "intake_audit_pending"  # Session.info key: events recorded in this transaction, not yet chained


def record(session: Session, actor: str, action: str, reference: str | None = None, detail: str | None = None) -> None:
    """Append one event to the chain as the caller's transaction commits (call inside it, not in a savepoint).

    The event is linked when the transaction commits, after everything else in it is written: on PostgreSQL
    linking takes a lock that every writer of the trail waits for, so it is held for the last few statements
    only, rather than from the moment of recording to the end of a parent's turn. A transaction that rolls back
    records nothing. A session without the chain key fails here, at the caller, with MissingChainKey.
    """
    _key(session)
    pending: list[tuple[datetime, str, str, str | None, str | None]] = session.info.setdefault(_PENDING, [])
    pending.append((utcnow().replace(microsecond=0), actor, action, reference, detail))


@listens_for(Session, "before_commit")
def _link_pending(session: Session) -> None:
    """Chain this transaction's events onto the newest stored one, last thing before the commit."""
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    key = _key(session)
    session.flush()  # the rest of the transaction first, so the lock below is held only to the commit
    with session.no_autoflush:
        if session.get_bind().dialect.name == "postgresql":
            # Serialise writers so two transactions never link to the same previous event.
            session.execute(_CHAIN_LOCK)
        prev_hash = session.scalar(_HEAD) or GENESIS
    for at, actor, action, reference, detail in pending:
        digest = _digest(key, prev_hash, at, actor, action, reference, detail)
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
    Hashes are checked with the session's chain key: a chain rebuilt without it breaks at its first rebuilt event.
    """
    key = _key(session)
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
        if _digest(key, prev_hash, event.at, event.actor, event.action, event.reference, event.detail) != event.hash:
            return ChainReport(count, event.id, "event content was changed")
        prev_hash = event.hash
        last_id = event.id
    if expected_head and expected_head != prev_hash:
        return ChainReport(count, last_id + 1, "the chain ends earlier than expected (truncated)")
    return ChainReport(count, None, None)


def head(session: Session) -> str:
    """The hash of the newest event (keep it somewhere safe to detect truncation later)."""
    return session.scalar(_HEAD) or GENESIS


def rekey(session: Session) -> tuple[ChainReport, int]:
    """Re-link the whole chain with the keyed digest, in id order, if it holds as it was written; else touch nothing.

    For the upgrade to the keyed chain: each event must link to the one before and carry either the old unkeyed
    hash or the keyed one (the app may have written keyed events before the upgrade ran). A broken chain is
    reported, never re-linked, so a tampered trail is not made to verify. Returns the check and how many events
    changed; the caller commits. Anyone who rebuilt the whole chain without the key would pass this check: run it
    once, when upgrading (init-db does, on crossing KEYED_FROM_REVISION), not on a chain that was keyed already.
    """
    key = _key(session)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_CHAIN_LOCK)  # no writer links to an event while its hash is being replaced
    count = 0
    prev_hash = GENESIS
    for event in _events_in_order(session):
        count += 1
        fields = (event.at, event.actor, event.action, event.reference, event.detail)
        if event.prev_hash != prev_hash:
            return ChainReport(count, event.id, "link to the previous event is broken"), 0
        if event.hash not in (_unkeyed_digest(prev_hash, *fields), _digest(key, prev_hash, *fields)):
            return ChainReport(count, event.id, "event content was changed"), 0
        prev_hash = event.hash
    changed: list[dict[str, Any]] = []
    prev_hash = GENESIS
    for event in _events_in_order(session):
        digest = _digest(key, prev_hash, event.at, event.actor, event.action, event.reference, event.detail)
        if (event.prev_hash, event.hash) != (prev_hash, digest):
            changed.append({"id": event.id, "prev_hash": prev_hash, "hash": digest})
        prev_hash = digest
    for start in range(0, len(changed), _BATCH):
        session.execute(update(AuditEvent), changed[start:start + _BATCH])
    return ChainReport(count, None, None), len(changed)


_BATCH = 1000
_EVENT_ROW = select(AuditEvent.id, AuditEvent.at, AuditEvent.actor, AuditEvent.action, AuditEvent.reference,
                    AuditEvent.detail, AuditEvent.prev_hash, AuditEvent.hash).order_by(AuditEvent.id).limit(_BATCH)


def _events_in_order(session: Session) -> Iterator[Row[int, datetime, str, str, str | None, str | None, str, str]]:
    """Every event, oldest first, read a batch at a time: a years-long trail need not fit in memory."""
    last_id = 0
    while rows := session.execute(_EVENT_ROW.where(AuditEvent.id > last_id)).all():
        yield from rows
        last_id = rows[-1].id
