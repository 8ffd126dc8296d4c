"""Retention: delete what the service no longer needs (policy 4.7)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from intake import access_requests, audit, blocks, chat_sessions, conversations
from intake.db import checkpoint_after_commit
from intake.models import ConsentRecord, Enquiry, ProcessedMessage, RightsRequest, utcnow

# Twilio retries within minutes, but its signature carries no time: a captured signed request (a FORGET, an
# "any news?") would be taken as the parent's own again once its id was forgotten, withdrawing the enquiry they
# made since or telling the replayer where it is. Ids are kept as long as a case is by default (RETENTION_DAYS,
# 365): an id is an indexed key and a time, cheap to keep for a year; a replay older than that finds a
# service that has deleted whatever the parent sent then.
WEBHOOK_IDS_KEPT = timedelta(days=365)


def _past_retention(now: datetime) -> ColumnElement[bool]:
    return (Enquiry.status == "closed") & (Enquiry.retain_until <= now)


def due(session: Session, now: datetime | None = None) -> int:
    """How many closed cases are past their retention date (for a progress bar)."""
    return int(session.scalar(select(func.count()).select_from(Enquiry).where(_past_retention(now or utcnow())))
               or 0)


def purge(
    session: Session, now: datetime | None = None, progress: Callable[[int], None] | None = None,
    retention_days: int = 0,
) -> dict[str, int]:
    """Delete expired conversation state, chat sessions, old webhook ids, blocks, and closed cases past retention.

    `progress(1)` is called after each closed case (the command's progress bar). Webhook ids are kept for
    WEBHOOK_IDS_KEPT, or `retention_days` (RETENTION_DAYS) when a service keeps its cases longer.
    """
    now = now or utcnow()
    counts = {
        "conversations": conversations.purge_expired(session, now),
        "chat sessions": chat_sessions.purge_expired(session, now),
    }
    ids_kept = max(WEBHOOK_IDS_KEPT, timedelta(days=retention_days))
    old = session.execute(delete(ProcessedMessage).where(ProcessedMessage.created_at < now - ids_kept))
    counts["webhook ids"] = int(old.rowcount or 0)  # type: ignore[attr-defined]
    counts["expired blocks"] = blocks.purge_expired(session, now)
    expired = list(session.scalars(select(Enquiry).where(_past_retention(now))))
    for enquiry in expired:
        session.execute(delete(ConsentRecord).where(ConsentRecord.enquiry_id == enquiry.id))
        access_requests.forget_case(session, enquiry)  # as an erasure does: dates, kind and outcome only
        audit.record(session, "system", "purge", enquiry.reference)
        session.delete(enquiry)
        if progress:
            progress(1)
    counts["closed cases"] = len(expired)
    # A request that was met (or refused) is itself a record about a family, kept as long as a case is.
    kept_for = timedelta(days=retention_days) if retention_days else WEBHOOK_IDS_KEPT  # RETENTION_DAYS' default
    old_requests = session.execute(delete(RightsRequest).where(
        RightsRequest.status != access_requests.OPEN, RightsRequest.closed_on < (now - kept_for).date()))
    counts["closed rights requests"] = int(old_requests.rowcount or 0)  # type: ignore[attr-defined]
    checkpoint_after_commit(session)  # nothing purged left in SQLite's write-ahead log
    return counts
