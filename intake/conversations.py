"""Conversation state storage: encrypted slots keyed by a contact hash, deleted when idle."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, literal_column, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from intake.crypto import KeyRing
from intake.db import checkpoint_after_commit
from intake.models import Block, Conversation, Enquiry, OptOut, ProcessedMessage, utcnow


@dataclass
class State:
    """A conversation's position and slots, as the engine sees them."""

    channel: str
    contact_key: str
    data: dict[str, Any] = field(default_factory=dict)
    turns: int = 0
    # The JSON and ciphertext as stored: unchanged slots are written back without being encrypted again.
    stored_json: str | None = field(default=None, repr=False, compare=False)
    stored_cipher: bytes | None = field(default=None, repr=False, compare=False)
    # The conversation ran out of time part-way through something (e.g. the intake form) and was reset:
    # the parent's next message may be an answer to a question that no longer stands, so tell them.
    lapsed: bool = False

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
    # A caseworker holds one of this contact's enquiries: only then need a turn look its enquiry up.
    claimed: bool = False


# Statements built once: the compiled form is cached by SQLAlchemy, and no clause is rebuilt per turn.
# Plain columns, not ORM objects: a turn reads and writes its one row without the unit of work's upkeep,
# executed on the session's connection (same transaction) so the ORM's execution layer is skipped too.
_COLUMNS = (Conversation.state, Conversation.turns, Conversation.expires_at)
_CONVERSATION = select(*_COLUMNS).where(
    Conversation.channel == bindparam("channel"), Conversation.contact_key == bindparam("contact_key")
)
# One row whatever exists: the conversation (if any), the block's end (if any), the opt-out (if any) and
# whether a caseworker has claimed any of this contact's enquiries (an index probe on enquiry.contact_key).
_CLAIMED = (
    select(Enquiry.id)
    .where(Enquiry.contact_key == bindparam("contact_key"), Enquiry.status == "claimed")
    .exists()
    .label("claimed")
)
_TURN_CONTEXT = (
    select(*_COLUMNS, Block.until, OptOut.contact_key, _CLAIMED)
    .select_from(select(literal_column("1").label("one")).subquery("one"))
    .outerjoin(
        Conversation,
        and_(Conversation.channel == bindparam("channel"), Conversation.contact_key == bindparam("contact_key")),
    )
    .outerjoin(Block, Block.contact_key == bindparam("contact_key"))
    .outerjoin(OptOut, OptOut.contact_key == bindparam("contact_key"))
)




def begin_turn(
    session: Session, keys: KeyRing, channel: str, contact_key: str, delivery: str | None,
    now: datetime | None = None,
) -> TurnContext | None:
    """Claim the webhook delivery (None: handled before, a retry) and read the turn's context.

    On PostgreSQL both are one statement, so a turn starts with one round trip to the database, not two.
    """
    now = now or utcnow()
    if delivery is None:
        return load_for_turn(session, keys, channel, contact_key, now)
    if session.get_bind().dialect.name != "postgresql":
        if not claim_delivery(session, delivery):
            return None
        return load_for_turn(session, keys, channel, contact_key, now)
    cipher, turns, expires_at, until, opted_out, claimed, fresh = session.connection().execute(
        _CLAIM_AND_CONTEXT,
        {"channel": channel, "contact_key": contact_key, "message_id": delivery, "created_at": now},
    ).one()
    if not fresh:
        return None
    state = _state(keys, channel, contact_key, cipher, turns, expires_at, now)
    return TurnContext(state, until is not None and until > now, opted_out is not None, bool(claimed))


def _state(keys: KeyRing, channel: str, contact_key: str, cipher: bytes | None, turns: int | None,
           expires_at: datetime | None, now: datetime) -> State:
    if cipher is None or expires_at is None:
        return State(channel, contact_key)  # none yet
    plain = keys.decrypt(cipher)
    if expires_at <= now:
        # Run out: start afresh (save overwrites it), remembering whether intake answers were lost with it.
        # Only a form holds answers: a sent enquiry, an open menu or "did you mean" list lost nothing.
        return State(channel, contact_key, lapsed=bool(json.loads(plain).get("form")))
    return State(channel, contact_key, json.loads(plain), turns or 0, plain, cipher)


def load(session: Session, keys: KeyRing, channel: str, contact_key: str, now: datetime | None = None) -> State:
    """The live state for this contact on this channel, or a fresh one (expired state is ignored)."""
    row = session.execute(_CONVERSATION, {"channel": channel, "contact_key": contact_key}).first()
    cipher, turns, expires_at = row if row is not None else (None, None, None)
    return _state(keys, channel, contact_key, cipher, turns, expires_at, now or utcnow())


def load_for_turn(
    session: Session, keys: KeyRing, channel: str, contact_key: str, now: datetime | None = None
) -> TurnContext:
    """`load`, `is_blocked`, `is_opted_out` and "is any enquiry claimed" together, in one round trip."""
    now = now or utcnow()
    cipher, turns, expires_at, until, opted_out, claimed = session.connection().execute(
        _TURN_CONTEXT, {"channel": channel, "contact_key": contact_key}
    ).one()
    blocked = until is not None and until > now
    state = _state(keys, channel, contact_key, cipher, turns, expires_at, now)
    return TurnContext(state, blocked, opted_out is not None, bool(claimed))


def save(session: Session, keys: KeyRing, state: State, idle: timedelta, now: datetime | None = None) -> None:
    """Store the state encrypted, pushing its expiry `idle` into the future (one INSERT ... ON CONFLICT)."""
    now = now or utcnow()
    plain = json.dumps(state.data, separators=(",", ":"))  # as KeyRing.encrypt_json writes it
    cipher = state.stored_cipher if plain == state.stored_json and state.stored_cipher else keys.encrypt(plain)
    statement = _SAVE_POSTGRESQL if session.get_bind().dialect.name == "postgresql" else _SAVE_SQLITE
    session.connection().execute(statement, {
        "channel": state.channel, "contact_key": state.contact_key, "state": cipher, "turns": state.turns,
        "created_at": now, "updated_at": now, "expires_at": now + idle,
    })
    state.stored_json, state.stored_cipher = plain, cipher


def _upsert(insert: Any) -> Any:
    """The save statement for one dialect: a new row, or this contact's row on this channel updated."""
    statement = insert(Conversation).values(
        channel=bindparam("channel"), contact_key=bindparam("contact_key"), state=bindparam("state"),
        turns=bindparam("turns"), created_at=bindparam("created_at"), updated_at=bindparam("updated_at"),
        expires_at=bindparam("expires_at"),
    )
    # Two first messages at once from one contact both insert: the loser updates instead of failing.
    return statement.on_conflict_do_update(
        index_elements=["channel", "contact_key"],
        set_={name: statement.excluded[name] for name in ("state", "turns", "updated_at", "expires_at")},
    )


_SAVE_POSTGRESQL = _upsert(postgresql_insert)
_SAVE_SQLITE = _upsert(sqlite_insert)


def forget(session: Session, channel: str, contact_key: str) -> int:
    """Delete this contact's conversation state on this channel at once; returns rows deleted.

    At once on disk too: FORGET and STOP must not leave the form's answers in SQLite's write-ahead log.
    """
    result = session.execute(
        delete(Conversation).where(Conversation.channel == channel, Conversation.contact_key == contact_key)
    )
    if result.rowcount:  # type: ignore[attr-defined]
        checkpoint_after_commit(session)
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
# PostgreSQL: the claim as a data-modifying CTE beside the turn's context. The INSERT runs exactly once
# whatever the SELECT reads, and a concurrent retry of the same id waits on the unique index and then
# counts 0, as with the claim alone.
_DELIVERY = _CLAIM_POSTGRESQL.cte("delivery")
_CLAIM_AND_CONTEXT = _TURN_CONTEXT.add_columns(
    select(func.count()).select_from(_DELIVERY).scalar_subquery().label("fresh")
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
