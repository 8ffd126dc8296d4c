"""Web chat sessions: a random id and a bearer token, stored only as a keyed hash; caseworker outbox."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.orm import Session

from intake import conversations
from intake.crypto import KeyRing, contact_key
from intake.db import checkpoint_after_commit
from intake.models import ChatOutbox, ChatSession, Enquiry, utcnow


def open_session(session: Session, hash_key: str, lifetime: timedelta) -> tuple[str, str]:
    """Create a chat session; returns (session_id, token). The token is never stored."""
    session_id = secrets.token_urlsafe(18)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(ChatSession(id=session_id, token_hash=contact_key(hash_key, token),
                            contact_key=contact_key(hash_key, session_id), created_at=now, expires_at=now + lifetime))
    return session_id, token


def check_token(
    session: Session, hash_key: str, session_id: str, token: str, lifetime: timedelta, now: datetime | None = None
) -> bool:
    """True when the token belongs to this live session; each use keeps the session alive.

    One UPDATE that matches only a live session with this token's keyed hash. Comparing the hashes in SQL
    leaks nothing through timing: without the key, a guesser cannot steer the bytes of the hash.
    """
    now = now or utcnow()
    result = session.connection().execute(
        _TOUCH,
        {"session_id": session_id, "hashed_token": contact_key(hash_key, token), "now": now, "until": now + lifetime},
    )
    return int(result.rowcount or 0) == 1


_TOUCH = (
    update(ChatSession)
    .where(
        ChatSession.id == bindparam("session_id"),
        ChatSession.token_hash == bindparam("hashed_token"),
        ChatSession.expires_at > bindparam("now"),
    )
    .values(expires_at=bindparam("until"))
)


def post_to_parent(session: Session, keys: KeyRing, session_id: str, text: str) -> int:
    """Queue a caseworker's message for the parent's open chat; returns its sequence number."""
    message = ChatOutbox(session_id=session_id, body=keys.encrypt(text))
    session.add(message)
    session.flush()
    return message.id


def messages_after(session: Session, keys: KeyRing, session_id: str, after: int) -> list[tuple[int, str]]:
    """Caseworker messages for this chat newer than `after`, oldest first."""
    rows = session.scalars(
        select(ChatOutbox)
        .where(ChatOutbox.session_id == session_id, ChatOutbox.id > after)
        .order_by(ChatOutbox.id)
        .limit(50)
    )
    return [(row.id, keys.decrypt(row.body)) for row in rows]


def end_session(session: Session, session_id: str) -> None:
    """Delete a chat session and anything waiting for it, leaving none of it in SQLite's write-ahead log."""
    session.execute(delete(ChatOutbox).where(ChatOutbox.session_id == session_id))
    session.execute(delete(ChatSession).where(ChatSession.id == session_id))
    checkpoint_after_commit(session)


def end_with_token(session: Session, hash_key: str, session_id: str, token: str) -> bool:
    """The quick exit: end this chat if `token` is its token; False (and nothing done) otherwise.

    Deletes the chat, the caseworker messages waiting for it and where its conversation had got to (a half-filled
    form), so neither a restored tab nor anyone who copied the token finds anything. An enquiry already sent
    stays: leaving in a hurry is not withdrawing it. A chat past its lifetime may be ended too (purge would
    delete it anyway), but only with its own token.
    """
    chat = session.scalar(
        select(ChatSession).where(ChatSession.id == session_id,
                                  ChatSession.token_hash == contact_key(hash_key, token))
    )
    if chat is None:
        return False
    # The web conversation is keyed as the engine keys it: the keyed hash of the chat's id.
    conversations.forget(session, "web", chat.contact_key or contact_key(hash_key, session_id))
    end_session(session, session_id)
    return True


def end_for_erased(session: Session, enquiry: Enquiry, session_id: str | None) -> None:
    """The web chat a case being erased came from: ended (the chat and what waits for it are deleted), so
    nothing ties the parent's chat to the case; found by the case's contact key, or by the chat its contact
    details name (`session_id`). Call before deleting the case.

    Unless another case from that chat is still held (a safety concern the duty worker may answer there): then
    only what waited for the chat goes, as it may be about the erased case, and the chat stays for that one.
    """
    ties = [ChatSession.id == session_id] if session_id else []
    if enquiry.contact_key:
        ties.append(ChatSession.contact_key == enquiry.contact_key)
    chats = list(session.scalars(select(ChatSession.id).where(or_(*ties)))) if ties else []
    if not chats:
        return
    shared = enquiry.contact_key is not None and session.scalar(
        select(Enquiry.id).where(Enquiry.contact_key == enquiry.contact_key, Enquiry.id != enquiry.id).limit(1)
    ) is not None
    for chat in chats:
        if shared:
            session.execute(delete(ChatOutbox).where(ChatOutbox.session_id == chat))
            checkpoint_after_commit(session)
        else:
            end_session(session, chat)


def purge_expired(session: Session, now: datetime | None = None) -> int:
    """Delete expired chat sessions and their outboxes; returns sessions deleted."""
    now = now or utcnow()
    expired = list(session.scalars(select(ChatSession.id).where(ChatSession.expires_at <= now)))
    for session_id in expired:
        end_session(session, session_id)
    return len(expired)
