"""Conversation state storage: encrypted slots keyed by a contact hash, deleted when idle."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, delete, literal_column, select
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
    # The loaded row (the session's identity map holds rows weakly: keeping it spares save a SELECT) and
    # the JSON its ciphertext held (unchanged slots are not encrypted again).
    row: Conversation | None = field(default=None, repr=False, compare=False)
    stored_json: str | None = field(default=None, repr=False, compare=False)

    @property
    def step(self) -> str:
        """Where the conversation is (idle when nothing is pending)."""
        return str(self.data.get("step", "idle"))


@dataclass
class TurnContext:
    """What a turn needs to know about its contact, read in one query."""

    state: State
    blocked: bool
    opted_out: bool


# Statements built once: the compiled form is cached by SQLAlchemy, and no clause is rebuilt per turn.
_CONVERSATION = select(Conversation).where(
    Conversation.channel == bindparam("channel"), Conversation.contact_key == bindparam("contact_key")
)
# One row whatever exists: the conversation (if any), the block's end (if any) and the opt-out (if any).
_TURN_CONTEXT = (
    select(Conversation, Block.until, OptOut.contact_key)
    .select_from(select(literal_column("1").label("one")).subquery("one"))
    .outerjoin(
        Conversation,
        and_(Conversation.channel == bindparam("channel"), Conversation.contact_key == bindparam("contact_key")),
    )
    .outerjoin(Block, Block.contact_key == bindparam("contact_key"))
    .outerjoin(OptOut, OptOut.contact_key == bindparam("contact_key"))
)


def _state(keys: KeyRing, channel: str, contact_key: str, row: Conversation | None, now: datetime) -> State:
    if row is None:
        return State(channel, contact_key)
    if row.expires_at <= now:
        return State(channel, contact_key, row_id=row.id, row=row)
    plain = keys.decrypt(row.state)
    return State(channel, contact_key, json.loads(plain), row.turns, row.id, row, plain)


def load(session: Session, keys: KeyRing, channel: str, contact_key: str, now: datetime | None = None) -> State:
    """The live state for this contact on this channel, or a fresh one (expired state is ignored)."""
    row = session.scalar(_CONVERSATION, {"channel": channel, "contact_key": contact_key})
    return _state(keys, channel, contact_key, row, now or utcnow())


def load_for_turn(
    session: Session, keys: KeyRing, channel: str, contact_key: str, now: datetime | None = None
) -> TurnContext:
    """`load`, `is_blocked` and `is_opted_out` together, in one round trip."""
    now = now or utcnow()
    row, until, opted_out = session.execute(
        _TURN_CONTEXT, {"channel": channel, "contact_key": contact_key}
    ).one()
    blocked = until is not None and until > now
    return TurnContext(_state(keys, channel, contact_key, row, now), blocked, opted_out is not None)


def save(session: Session, keys: KeyRing, state: State, idle: timedelta, now: datetime | None = None) -> None:
    """Store the state encrypted, pushing its expiry `idle` into the future (written at commit)."""
    now = now or utcnow()
    row = state.row
    if row is None and state.row_id:
        row = session.get(Conversation, state.row_id)
    if row is None:
        row = Conversation(channel=state.channel, contact_key=state.contact_key, created_at=now)
        session.add(row)
    plain = json.dumps(state.data, separators=(",", ":"))  # as KeyRing.encrypt_json writes it
    if plain != state.stored_json or row.state is None:
        row.state = keys.encrypt(plain)
    row.turns = state.turns
    row.updated_at = now
    row.expires_at = now + idle
    state.row, state.row_id, state.stored_json = row, row.id, plain


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
    statement = _CLAIM_POSTGRESQL if session.get_bind().dialect.name == "postgresql" else _CLAIM_SQLITE
    # RETURNING, not rowcount: an ORM session reports rowcount -1 for this INSERT on psycopg. Executed on the
    # session's connection (same transaction): a plain INSERT, not the ORM's bulk-insert machinery.
    result = session.connection().execute(statement, {"message_id": message_id, "created_at": utcnow()})
    return result.first() is not None


# Built once (bound values), so each delivery reuses the cached compiled statement.
_CLAIM_POSTGRESQL = (
    postgresql_insert(ProcessedMessage)
    .values(message_id=bindparam("message_id"), created_at=bindparam("created_at"))
    .on_conflict_do_nothing(index_elements=["message_id"])
    .returning(ProcessedMessage.message_id)
)
_CLAIM_SQLITE = (
    sqlite_insert(ProcessedMessage)
    .values(message_id=bindparam("message_id"), created_at=bindparam("created_at"))
    .on_conflict_do_nothing(index_elements=["message_id"])
    .returning(ProcessedMessage.message_id)
)


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
