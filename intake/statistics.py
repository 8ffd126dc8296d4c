"""Anonymised statistics with small-number suppression (policy 4.6)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from intake.models import Enquiry

SUPPRESS_BELOW = 5


def suppress(count: int) -> str:
    """Counts under 5 are shown as '<5' so no family can be picked out."""
    return "<5" if 0 < count < SUPPRESS_BELOW else str(count)


def by_topic_and_channel(session: Session) -> dict[tuple[str, str], str]:
    """Enquiry counts by topic and channel, suppressed."""
    rows = session.execute(
        select(Enquiry.topic, Enquiry.channel, func.count()).group_by(Enquiry.topic, Enquiry.channel)
    ).all()
    return {(topic, channel): suppress(int(count)) for topic, channel, count in rows}
