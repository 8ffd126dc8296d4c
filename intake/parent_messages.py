"""Messages a parent sends after a caseworker has their enquiry: kept on the case, for that caseworker."""

from __future__ import annotations

from sqlalchemy.orm import Session

from intake import audit
from intake.crypto import KeyRing
from intake.models import CaseNote, Enquiry
from intake.queue import PARENT_MESSAGE

PARENT = PARENT_MESSAGE


def add(session: Session, keys: KeyRing, enquiry: Enquiry, text: str) -> None:
    """Attach the parent's message to their case, encrypted (they agreed to us keeping their details)."""
    session.add(CaseNote(enquiry_id=enquiry.id, author=PARENT, body=keys.encrypt(text[:2000])))
    audit.record(session, "parent", "parent_message", enquiry.reference)
