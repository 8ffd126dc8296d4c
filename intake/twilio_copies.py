"""The deletions owed from Twilio's log: one row per text (or call) SID until Twilio no longer holds its copy.

Only the SID is kept, never a body or a number: it is what Twilio's API needs to delete the record, and says
nothing about the parent by itself. Owing one twice is one row; deleting it twice is harmless (Twilio answers
404, "already gone"), so two runs at once need no lease.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from intake.crypto import contact_key
from intake.models import TwilioCopy, utcnow

MESSAGE, CALL = "message", "call"
# Twilio's SIDs: two capital letters (SM, MM for texts; CA for calls) and 32 hex digits. Anything else is not
# stored, so nothing a parent typed can end up here by mistake.
SID = re.compile(r"^[A-Z]{2}[0-9a-f]{32}$")
# Twilio refuses to delete a text or call it has not finished with (error 20009: an outbound text not yet
# delivered, a call still going); it asks for at least a minute between tries. Each refusal or failure waits
# twice as long as the one before, up to an hour: a copy Twilio keeps for days is not asked about every run.
FIRST_WAIT, LONGEST_WAIT = timedelta(minutes=1), timedelta(hours=1)


@dataclass(frozen=True)
class Owed:
    """One deletion to try: which resource, and how many tries it has had."""

    sid: str
    kind: str
    tries: int


def is_sid(sid: str) -> bool:
    """Whether `sid` has the shape of a Twilio SID."""
    return bool(SID.match(sid))


def log_reference(hash_key: str, sid: str) -> str:
    """What log lines name a SID by: a keyed hash, so a log reader cannot look the record up at Twilio."""
    return "sid#" + contact_key(hash_key, sid)[:12]


def owe(session: Session, sid: str, kind: str = MESSAGE, now: datetime | None = None) -> bool:
    """Owe the deletion of Twilio's copy of `sid` (due now); False when `sid` is not a SID. Owing it again is a no-op.

    Twilio delivers an inbound text again when its first delivery got no answer: the second owes nothing new.
    """
    if not is_sid(sid) or kind not in (MESSAGE, CALL):
        return False
    if session.get(TwilioCopy, sid) is not None:
        return True
    try:
        with session.begin_nested():
            session.add(TwilioCopy(sid=sid, kind=kind, due_at=now or utcnow()))
    except IntegrityError:  # the same SID owed at this moment by another worker (a redelivered text)
        pass
    return True


def due(session: Session, now: datetime | None = None, limit: int = 500) -> list[Owed]:
    """The deletions due now, longest waiting first (at most `limit`: the rest wait for the next run)."""
    rows = session.execute(
        select(TwilioCopy.sid, TwilioCopy.kind, TwilioCopy.tries)
        .where(TwilioCopy.due_at <= (now or utcnow()))
        .order_by(TwilioCopy.due_at, TwilioCopy.sid)
        .limit(limit)
    )
    return [Owed(sid, kind, tries) for sid, kind, tries in rows]


def done(session: Session, sid: str) -> None:
    """Twilio has no copy of `sid` any more (deleted now, or already gone): nothing more is owed."""
    session.execute(delete(TwilioCopy).where(TwilioCopy.sid == sid))


def wait(session: Session, sid: str, now: datetime | None = None) -> datetime:
    """Twilio would not delete `sid` yet, or could not be reached: try again later; returns when."""
    tries = session.scalar(select(TwilioCopy.tries).where(TwilioCopy.sid == sid)) or 0
    later = (now or utcnow()) + min(FIRST_WAIT * 2 ** min(tries, 10), LONGEST_WAIT)
    session.execute(
        update(TwilioCopy).where(TwilioCopy.sid == sid).values(tries=TwilioCopy.tries + 1, due_at=later)
    )
    return later


def waiting(session: Session) -> int:
    """How many deletions are owed, due now or later."""
    return int(session.scalar(select(func.count()).select_from(TwilioCopy)) or 0)
