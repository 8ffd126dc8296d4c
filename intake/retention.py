"""Retention: delete what the service no longer needs (policy 4.7)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from intake import audit, chat_sessions, conversations
from intake.models import ConsentRecord, Enquiry, ProcessedMessage, utcnow


def purge(session: Session, now: datetime | None = None) -> dict[str, int]:
    """Delete expired conversation state, chat sessions, old webhook ids, and closed cases past retention."""
    now = now or utcnow()
    counts = {
        "conversations": conversations.purge_expired(session, now),
        "chat sessions": chat_sessions.purge_expired(session, now),
    }
    # Twilio retries within minutes; a day of webhook ids is plenty to answer each delivery once.
    old = session.execute(delete(ProcessedMessage).where(ProcessedMessage.created_at < now - timedelta(days=1)))
    counts["webhook ids"] = int(old.rowcount or 0)  # type: ignore[attr-defined]
    expired = list(
        session.scalars(select(Enquiry).where(Enquiry.status == "closed", Enquiry.retain_until <= now))
    )
    for enquiry in expired:
        session.execute(delete(ConsentRecord).where(ConsentRecord.enquiry_id == enquiry.id))
        audit.record(session, "system", "purge", enquiry.reference)
        session.delete(enquiry)
    counts["closed cases"] = len(expired)
    return counts

