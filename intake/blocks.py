"""Abusive or prank contacts: a manager blocks a contact key (never a number) for a while; audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from intake import audit, queue
from intake.casework import CaseworkError
from intake.crypto import KeyRing
from intake.models import Block, Enquiry, utcnow

DURATIONS = (1, 7, 30, 90)  # days a manager may choose
MAX_REASON = 200
ERASED_REASON = "(reason deleted: the case was erased)"


@dataclass(frozen=True)
class BlockRow:
    """One block as the blocks page shows it: a short fingerprint of the key, never a number."""

    contact_key: str
    fingerprint: str
    until: datetime
    reason: str
    created_by: str


def _manager(role: str) -> None:
    if role != "manager":
        raise CaseworkError("Only a manager can block or unblock a contact.")


def _linked_key(session: Session, reference: str) -> str:
    enquiry = queue.by_reference(session, reference)
    if enquiry is None:
        raise CaseworkError("No enquiry has that reference.")
    if not enquiry.contact_key:
        raise CaseworkError("No contact is linked to this case any more, so there is nothing to block.")
    return enquiry.contact_key


def block(session: Session, keys: KeyRing, manager: str, role: str, reference: str, days: int, reason: str,
          now: datetime | None = None) -> datetime:
    """Block the contact behind a case for `days`; returns when the block ends. The reason is stored encrypted."""
    _manager(role)
    reason = " ".join(reason.split())
    if days not in DURATIONS:
        raise CaseworkError("Choose how long to block for from the list.")
    if not 3 <= len(reason) <= MAX_REASON:
        raise CaseworkError(f"Give a reason of 3 to {MAX_REASON} characters.")
    key = _linked_key(session, reference)
    until = (now or utcnow()) + timedelta(days=days)
    token = keys.encrypt(reason)
    row = session.get(Block, key)
    if row is None:
        session.add(Block(contact_key=key, until=until, reason=token, created_by=manager))
    else:
        row.until, row.reason, row.created_by = until, token, manager
    # The audit keeps the length, not the reason (it may describe what the contact said).
    audit.record(session, manager, "block", reference, f"{days} days")
    return until


def unblock_case(session: Session, manager: str, role: str, reference: str) -> None:
    """Lift the block on the contact behind a case."""
    _manager(role)
    if not unblock_key(session, manager, role, _linked_key(session, reference), reference):
        raise CaseworkError("That contact is not blocked.")


def unblock_key(session: Session, manager: str, role: str, contact_key: str, reference: str | None = None) -> bool:
    """Lift a block by its key (from the blocks page); False when there was none."""
    _manager(role)
    removed = session.execute(delete(Block).where(Block.contact_key == contact_key)).rowcount  # type: ignore[attr-defined]
    if removed:
        audit.record(session, manager, "unblock", reference, None if reference else f"key {contact_key[:8]}")
    return bool(removed)


def blocked_until(session: Session, reference: str, now: datetime | None = None) -> datetime | None:
    """When the block on this case's contact ends, or None when it is not blocked."""
    key = session.scalar(select(Enquiry.contact_key).where(Enquiry.reference == reference))
    row = session.get(Block, key) if key else None
    return row.until if row is not None and row.until > (now or utcnow()) else None


def active(session: Session, keys: KeyRing, role: str, now: datetime | None = None) -> list[BlockRow]:
    """Blocks in force, ending soonest first, their reasons decrypted for this one page."""
    _manager(role)
    rows = session.scalars(select(Block).where(Block.until > (now or utcnow())).order_by(Block.until))
    return [BlockRow(r.contact_key, r.contact_key[:8], r.until, keys.decrypt(r.reason), r.created_by) for r in rows]


def forget_reason(session: Session, keys: KeyRing, contact_key: str, now: datetime | None = None) -> bool:
    """A case behind this contact is being erased: the block stays in force until it ends (erasing a case is
    not lifting a block; only a manager's unblock does that), but its reason, which may describe the parent,
    is replaced by ERASED_REASON; a block already run out goes. True when a block in force was kept."""
    row = session.get(Block, contact_key)
    if row is None:
        return False
    if row.until <= (now or utcnow()):
        session.delete(row)
        return False
    row.reason = keys.encrypt(ERASED_REASON)
    return True


def purge_expired(session: Session, now: datetime | None = None) -> int:
    """Delete blocks that have run out (retention: nothing kept longer than needed)."""
    result = session.execute(delete(Block).where(Block.until <= (now or utcnow())))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
