"""Key rotation: re-encrypt every encrypted field under the newest key in the ring."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.crypto import KeyRing
from intake.db import checkpoint_after_commit
from intake.models import Block, CaseNote, Caseworker, ChatOutbox, Conversation, Enquiry, NoteDraft, RightsRequest

ENCRYPTED = {
    Conversation: ("state",),
    Enquiry: ("summary", "facts", "contact", "safeguarding"),
    CaseNote: ("body",),
    ChatOutbox: ("body",),
    Caseworker: ("totp_secret",),
    Block: ("reason",),
    RightsRequest: ("extension_reason", "close_reason"),
    NoteDraft: ("body",),
}


def rotate_all(session: Session, keys: KeyRing, progress: Callable[[int], None] | None = None) -> int:
    """Re-encrypt every encrypted value with the newest key; returns how many values changed."""
    changed = 0
    for model, fields in ENCRYPTED.items():
        for row in session.scalars(select(model)).yield_per(500):
            for name in fields:
                value = getattr(row, name)
                if value:
                    setattr(row, name, keys.rotate(value))
                    changed += 1
            if progress:
                progress(1)
        session.flush()
    # The values under the old key must not outlive it in SQLite's write-ahead log (a leaked old key is
    # why keys are rotated).
    checkpoint_after_commit(session)
    return changed


def count_rows(session: Session) -> int:
    """Rows that hold encrypted values (for a progress bar)."""
    from sqlalchemy import func

    return sum(int(session.scalar(select(func.count()).select_from(model)) or 0) for model in ENCRYPTED)
