"""Conversation state storage: encrypted slots keyed by a contact hash, deleted when idle."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from intake.crypto import KeyRing
from intake.models import Block, Conversation, OptOut, ProcessedMessage, utcnow


@dataclass
class State:
    """A conversation's position and slots, as the engine sees them."""

    channel: str
    contact_key: str
    data: dict[str, Any] = field(default_factory=dict)
    turns: int = 0
    row_id: int | None = None

    @property
    def step(self) -> str:
        """Where the conversation is (idle when nothing is pending)."""
        return str(self.data.get("step", "idle"))


def load(session: Session, keys: KeyRing, channel: str, contact_key: str, now: datetime | None = None) -> State:
    """The live state for this contact on this channel, or a fresh one (expired state is ignored)."""
    now = now or utcnow()
    row = session.scalar(
        select(Conversation).where(Conversation.channel == channel, Conversation.contact_key == contact_key)
    )
    if row is None or row.expires_at <= now:
        return State(channel, contact_key, row_id=row.id if row else None)
    return State(channel, contact_key, keys.decrypt_json(row.state), row.turns, row.id)


def save(session: Session, keys: KeyRing, state: State, idle: timedelta, now: datetime | None = None) -> None:
    """Store the state encrypted, pushing its expiry `idle` into the future."""
    now = now or utcnow()
    row = session.get(Conversation, state.row_id) if state.row_id else None
    if row is None:
        row = Conversation(channel=state.channel, contact_key=state.contact_key, created_at=now)
        session.add(row)
    row.state = keys.encrypt_json(state.data)
    row.turns = state.turns
    row.updated_at = now
    row.expires_at = now + idle
    session.flush()
    state.row_id = row.id


def forget(session: Session, channel: str, contact_key: str) -> int:
    """Delete this contact's conversation state on this channel at once; returns rows deleted."""
    result = session.execute(
        delete(Conversation).where(Conversation.channel == channel, Conversation.contact_key == contact_key)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def purge_expired(session: Session, now: datetime | None = None) -> int:
    """Delete conversation state whose idle time has run out; returns rows deleted."""
    result = session.execute(delete(Conversation).where(Conversation.expires_at <= (now or utcnow())))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def claim_delivery(session: Session, message_id: str) -> bool:
    """Mark a webhook delivery as handled; False when it was handled before (a retry).

    One INSERT ... ON CONFLICT DO NOTHING: concurrent deliveries of the same id cannot both win.
    """
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(ProcessedMessage).values(message_id=message_id, created_at=utcnow())
    statement = statement.on_conflict_do_nothing(index_elements=["message_id"])
    # RETURNING, not rowcount: an ORM session reports rowcount -1 for this INSERT on psycopg.
    return session.execute(statement.returning(ProcessedMessage.message_id)).first() is not None


def is_opted_out(session: Session, contact_key: str) -> bool:
    """True when this contact texted STOP and has not texted START since."""
    return session.get(OptOut, contact_key) is not None


def set_opt_out(session: Session, contact_key: str, opted_out: bool) -> None:
    """Record STOP (True) or START (False) for this contact."""
    row = session.get(OptOut, contact_key)
    if opted_out and row is None:
        session.add(OptOut(contact_key=contact_key))
    elif not opted_out and row is not None:
        session.delete(row)


def is_blocked(session: Session, contact_key: str, now: datetime | None = None) -> bool:
    """True while a manager's block on this contact is in force."""
    row = session.get(Block, contact_key)
    return row is not None and row.until > (now or utcnow())
