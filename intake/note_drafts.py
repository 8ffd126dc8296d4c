"""A case note whose save was refused because the login had ended or locked, kept for its writer (policy 8.5).

A caseworker typing a long note at 5pm on a Friday can be signed out by the nightly lock, the idle end or the
12-hour limit before they press Save. The words are theirs and the case's, so they are kept here, encrypted as
notes are, for that account and that case only, never in the browser (no cookie or storage holds them). They
are offered back when that caseworker next opens the case, and deleted when a note is saved there, when they
discard them, or after KEPT_FOR: long enough to span a weekend and a bank holiday, short enough that a draft no
one came back to does not linger. A closed case keeps none (closing it, or the next tidy, deletes them), and
deleting the case (erasure, retention) deletes its drafts with it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from intake import audit
from intake.crypto import InvalidToken, KeyRing
from intake.models import Enquiry, NoteDraft, utcnow

KEPT_FOR = timedelta(days=7)


def tidy(session: Session, now: datetime | None = None) -> None:
    """Delete the drafts no one may use any more: a week old, or on a case that is closed."""
    closed = select(Enquiry.id).where(Enquiry.status == "closed")
    session.execute(delete(NoteDraft).where(
        (NoteDraft.kept_at < (now or utcnow()) - KEPT_FOR) | NoteDraft.enquiry_id.in_(closed)))


def keep(session: Session, keys: KeyRing, username: str, reference: str, text: str,
         now: datetime | None = None) -> bool:
    """Keep a refused note for `username` on this case (replacing one kept before); False when there is nothing
    to keep (no words, or no such case). The audit says a draft was kept, never what it says."""
    now = now or utcnow()
    tidy(session, now)
    enquiry_id = session.scalar(select(Enquiry.id).where(Enquiry.reference == reference,
                                                         Enquiry.status != "closed"))
    if not text.strip() or enquiry_id is None:
        return False
    draft = session.scalar(select(NoteDraft).where(NoteDraft.username == username,
                                                   NoteDraft.enquiry_id == enquiry_id))
    if draft is None:
        draft = NoteDraft(username=username, enquiry_id=enquiry_id)
        session.add(draft)
    draft.body, draft.kept_at = keys.encrypt(text), now
    audit.record(session, username, "note_draft_kept", reference)
    return True


def waiting(session: Session, keys: KeyRing, username: str, reference: str, now: datetime | None = None) -> str:
    """The text kept for `username` on this case, or "" (none, expired, or under a key no longer in the ring)."""
    tidy(session, now)
    body = session.scalar(select(NoteDraft.body).join(Enquiry, Enquiry.id == NoteDraft.enquiry_id)
                          .where(NoteDraft.username == username, Enquiry.reference == reference))
    if body is None:
        return ""
    try:
        return keys.decrypt(body)
    except InvalidToken:
        return ""


def references(session: Session, username: str, now: datetime | None = None) -> list[str]:
    """The cases on which `username` has a kept note, by reference (to tell them after they sign in)."""
    tidy(session, now)
    return list(session.scalars(select(Enquiry.reference).join(NoteDraft, NoteDraft.enquiry_id == Enquiry.id)
                                .where(NoteDraft.username == username).order_by(Enquiry.reference)))


def drop(session: Session, username: str, reference: str) -> None:
    """The kept note is used (a note was saved on the case) or discarded: delete it."""
    enquiry_id = select(Enquiry.id).where(Enquiry.reference == reference).scalar_subquery()
    session.execute(delete(NoteDraft).where(NoteDraft.username == username, NoteDraft.enquiry_id == enquiry_id))


def drop_case(session: Session, reference: str) -> None:
    """Every kept note on this case, whoever kept it, is deleted (the case is closed)."""
    enquiry_id = select(Enquiry.id).where(Enquiry.reference == reference).scalar_subquery()
    session.execute(delete(NoteDraft).where(NoteDraft.enquiry_id == enquiry_id))
