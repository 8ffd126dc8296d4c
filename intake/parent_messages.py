"""Messages a parent sends once their enquiry is sent, waiting or claimed: kept on the case, for its caseworker."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from intake import audit, concerns, queue
from intake.crypto import KeyRing
from intake.minimise import Finding, find_personal_data, redact
from intake.models import CaseNote, Enquiry, utcnow
from intake.queue import PARENT_MESSAGE

PARENT = PARENT_MESSAGE
# What a parent wrote when disclosing a possible risk to a child: the duty caseworker's record of the
# concern (policy 7.1, 8.1), so it stays through FORGET as the concern itself does.
DISCLOSURE = "parent (safety disclosure)"


def add(session: Session, keys: KeyRing, enquiry: Enquiry, text: str, author: str = PARENT) -> list[Finding]:
    """Attach the parent's message to their case, encrypted, with incidental personal details taken out.

    The form asks before keeping a name or number it finds (policy 1.1); a message after the enquiry is sent
    has no such question, so they are always taken out. Returns what was taken out, for the reply to say so.
    FORGET deletes these with the rest of what the parent gave (concerns.withdraw), except a disclosure.
    """
    text = text[:2000]
    found = find_personal_data(text)
    session.add(CaseNote(enquiry_id=enquiry.id, author=author, body=keys.encrypt(redact(text, found))))
    if author != DISCLOSURE:  # a disclosure's own event (safeguarding_flag / _added) already records it
        audit.record(session, "parent", "parent_message", enquiry.reference)
    return found


def duty_to_hear(session: Session, enquiry: Enquiry, now: datetime | None = None) -> bool:
    """Whether the parent's new message on their case must go to the duty worker as well (policy 7.1).

    On an urgent case, yes: its caseworker may have gone home (claimed on a Friday at 5pm, or waiting in the
    queue overnight), and "he is coming back tonight" has no risk words to raise a concern. Not again on every
    message: as for a repeated disclosure (concerns.add_disclosure), not when the duty worker was told within
    concerns.REALERT_AFTER and the case has not been claimed or released since.
    """
    return enquiry.priority == queue.URGENT and not concerns.told_recently(session, enquiry, now or utcnow())
