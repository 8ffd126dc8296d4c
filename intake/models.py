"""The stored records: conversations, enquiries (the agreed confidential form), consents, audit, staff."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint, false, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import Date, DateTime, TypeDecorator


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (a callable, so each row gets its own)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Datetimes stored naive-UTC everywhere (SQLite keeps no zone) and read back aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware UTC time")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


CURRENT_OPEN_CONCERN = "current_concern AND status <> 'closed'"  # where the one-per-contact index applies


class Base(DeclarativeBase):
    """Declarative base for every intake table."""


class Conversation(Base):
    """One parent's conversation on one channel; slots encrypted, no transcript."""

    __tablename__ = "conversation"
    __table_args__ = (UniqueConstraint("channel", "contact_key", name="uq_conversation_contact"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
    contact_key: Mapped[str] = mapped_column(String(64))
    state: Mapped[bytes] = mapped_column(LargeBinary)
    turns: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class ProcessedMessage(Base):
    """Webhook deliveries already handled (MessageSid, or CallSid + step): a retry is answered once."""

    __tablename__ = "processed_message"

    message_id: Mapped[str] = mapped_column(String(96), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class OptOut(Base):
    """Contacts who texted STOP: nothing is sent to them until they text START."""

    __tablename__ = "opt_out"

    contact_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Block(Base):
    """A contact key a manager blocked for a while (abuse, pranks); the reason is staff-only (encrypted)."""

    __tablename__ = "block"

    contact_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    # Encrypted: a manager's reason may quote what the contact said, or describe them.
    reason: Mapped[bytes] = mapped_column(LargeBinary)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChatSession(Base):
    """A web chat session: the browser holds the token; we keep only its keyed hash."""

    __tablename__ = "chat_session"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    # The keyed hash of the id, as the chat's conversation and enquiries know it: erasing a case finds its chat by
    # it (intake/rights.py). Nothing new: the id is beside it. Empty on chats opened before migration 0006.
    contact_key: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class ChatOutbox(Base):
    """Messages from a caseworker waiting for the parent's open chat page (encrypted)."""

    __tablename__ = "chat_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("chat_session.id", ondelete="CASCADE"), index=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Enquiry(Base):
    """The agreed confidential form: what the parent confirmed, nothing more."""

    __tablename__ = "enquiry"
    __table_args__ = (
        Index("ix_enquiry_queue", "status", "priority_rank", "created_at", "id"),
        # One current open concern per contact (migration 0004): two first disclosures at the same moment
        # (a text during a call) cannot make two cases; the second turn joins the first (intake/concerns.py).
        Index("uq_enquiry_current_concern", "contact_key", unique=True,
              sqlite_where=text(CURRENT_OPEN_CONCERN), postgresql_where=text(CURRENT_OPEN_CONCERN)),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    channel: Mapped[str] = mapped_column(String(8))
    contact_key: Mapped[str | None] = mapped_column(String(64), index=True)
    topic: Mapped[str] = mapped_column(String(64))
    summary: Mapped[bytes | None] = mapped_column(LargeBinary)
    facts: Mapped[bytes | None] = mapped_column(LargeBinary)
    contact: Mapped[bytes | None] = mapped_column(LargeBinary)
    safe_times: Mapped[str | None] = mapped_column(String(64))
    voicemail_ok: Mapped[bool] = mapped_column(Boolean, default=False)
    name_service_ok: Mapped[bool] = mapped_column(Boolean, default=False)
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    # 0 = urgent, 1 = normal: one index serves "urgent first, then oldest"
    priority_rank: Mapped[int] = mapped_column(Integer, default=1)
    safeguarding: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The contact's newest open concern the bot raised: the one a disclosure with no conversation memory joins.
    current_concern: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Not encrypted, unlike the fields around it: only intake/concerns.py writes it, always the fixed line
    # concerns.SAFEGUARDING_OVERRIDE, so it holds no staff or parent text and says no more than topic and
    # priority already do. Free text here would need encrypting (a migration converting rows, keys.ENCRYPTED).
    override_reason: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(8), default="queued")
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)  # statistics by period
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who had the case when it was moved without them (a new safety concern sent it back to the queue, or a
    # manager or the on-duty caseworker took it over), and when: the queue and case page say "previously with
    # alice", and alice's caseload says where it went (migration 0005).
    previous_caseworker: Mapped[str | None] = mapped_column(String(64), index=True)
    moved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(64))
    retain_until: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    consents: Mapped[list[ConsentRecord]] = relationship(back_populates="enquiry", order_by="ConsentRecord.id")
    notes: Mapped[list[CaseNote]] = relationship(
        back_populates="enquiry", order_by="CaseNote.id", cascade="all, delete-orphan"
    )


class ConsentRecord(Base):
    """Append-only consent ledger: purpose, yes/no, exact wording version, channel, time."""

    __tablename__ = "consent_record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enquiry_id: Mapped[int | None] = mapped_column(ForeignKey("enquiry.id", ondelete="SET NULL"), index=True)
    reference: Mapped[str] = mapped_column(String(12), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    granted: Mapped[bool] = mapped_column(Boolean)
    wording_version: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enquiry: Mapped[Enquiry | None] = relationship(back_populates="consents")


class CaseNote(Base):
    """A caseworker's note on an enquiry, a parent's message, or a caseworker's text or chat reply (encrypted)."""

    __tablename__ = "case_note"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enquiry_id: Mapped[int] = mapped_column(ForeignKey("enquiry.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(64))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What the entry is (migration 0011): "note" (a caseworker's note, or a parent's message, told apart by its
    # author), or what a caseworker sent the parent, "sms", "chat" or "email", so whoever picks the case up sees
    # what was asked and promised. Its body is encrypted like any note's, and goes with the case (export, erasure,
    # purge).
    kind: Mapped[str] = mapped_column(String(8), default="note", server_default="note")

    enquiry: Mapped[Enquiry] = relationship(back_populates="notes")


class NoteDraft(Base):
    """A refused note's text (encrypted), for the caseworker who typed it, on one case (migration 0013)."""

    __tablename__ = "note_draft"
    __table_args__ = (UniqueConstraint("username", "enquiry_id", name="uq_note_draft_username_enquiry"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    enquiry_id: Mapped[int] = mapped_column(ForeignKey("enquiry.id", ondelete="CASCADE"), index=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    kept_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class AuditEvent(Base):
    """Append-only, hash-chained: who did what to which reference; never the content."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    reference: Mapped[str | None] = mapped_column(String(12), index=True)
    detail: Mapped[str | None] = mapped_column(String(200))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class RightsRequest(Base):
    """A parent's request for a copy of what is held, or for erasure: when it arrived, when it is due, how it ended.

    Linked to its case, with the reasons for an extension or a refusal encrypted (they may quote the parent);
    erasing the case leaves only the dates, the kind and the outcome, which show the request was met
    (intake/access_requests.py).
    """

    __tablename__ = "rights_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enquiry_id: Mapped[int | None] = mapped_column(ForeignKey("enquiry.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # "copy" or "erasure"
    arrived_by: Mapped[str | None] = mapped_column(String(16))  # letter, e-mail, phone...: None once erased
    received_on: Mapped[date] = mapped_column(Date)  # the service's own calendar day, as staff gave it
    due_on: Mapped[date] = mapped_column(Date, index=True)
    extended_on: Mapped[date | None] = mapped_column(Date)
    extension_reason: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)  # open, done, refused, withdrawn
    closed_on: Mapped[date | None] = mapped_column(Date)
    close_reason: Mapped[bytes | None] = mapped_column(LargeBinary)
    logged_by: Mapped[str | None] = mapped_column(String(64))
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EnquiryNotice(Base):
    """A new enquiry's "new enquiry" e-mail to caseworkers, owed from the hand-off's own transaction until it goes.

    Holds no content, only which enquiry and when the e-mail may next be tried: the hand-off sends it after its
    commit, and a worker that stopped before then leaves it here for retry-alerts (intake/notify.py).
    """

    __tablename__ = "enquiry_notice"

    enquiry_id: Mapped[int] = mapped_column(ForeignKey("enquiry.id", ondelete="CASCADE"), primary_key=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class JobLease(Base):
    """A job that must not run twice at once (retry-alerts): the run holding it, and until when."""

    __tablename__ = "job_lease"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(32))
    until: Mapped[datetime] = mapped_column(UTCDateTime)


class TwilioCopy(Base):
    """A text (or call) whose record in Twilio's log is still to be deleted: its SID only, never body or number.

    Owed from the moment the service sees the SID (an inbound text, a text it sent), and deleted once Twilio has
    deleted its copy or says it has none (bot/twilio_cleanup.py, `delete-twilio-copies`).
    """

    __tablename__ = "twilio_copy"

    sid: Mapped[str] = mapped_column(String(34), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), default="message")  # "message" or "call": which resource
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    tries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Caseworker(Base):
    """A member of staff: argon2id password hash, encrypted TOTP secret, role."""

    __tablename__ = "caseworker"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    totp_secret: Mapped[bytes] = mapped_column(LargeBinary)
    last_totp_step: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped at sign-out and screen lock: console cookies carrying an older number stop working.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    role: Mapped[str] = mapped_column(String(16), default="caseworker")
    on_duty: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ServiceSetting(Base):
    """Settings a manager changes in the console (office hours, bank holidays) over the env defaults."""

    __tablename__ = "service_setting"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


__all__ = [
    "AuditEvent",
    "Base",
    "Block",
    "CaseNote",
    "Caseworker",
    "ChatOutbox",
    "ChatSession",
    "ConsentRecord",
    "Conversation",
    "Enquiry",
    "EnquiryNotice",
    "JobLease",
    "OptOut",
    "ProcessedMessage",
    "RightsRequest",
    "ServiceSetting",
    "TwilioCopy",
    "utcnow",
]
