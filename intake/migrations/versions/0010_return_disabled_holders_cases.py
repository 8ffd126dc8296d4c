"""Cases still held by accounts disabled before the leaver fix go back to the queue, as disabling does now.

Revision ID: 0010
Revises: 0009

Disabling an account now sends its open cases back to the queue, urgent first, marked "previously with" that
caseworker and audited (intake/handover.py return_caseload). Accounts disabled before that left their cases
claimed by nobody who could sign in, so a parent waited on someone who had left. This one-off step does for
them what disabling now does: each such case is queued again, keeps its notes, is marked "previously with"
its holder, and the audit trail records it ("system", as the nightly purge is). Nothing else changes.
No encrypted column is touched: no keys needed. Downgrade leaves the cases in the queue (their holders
cannot sign in, so putting them back with them would only strand them again).
"""
import hashlib
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# As intake.handover.return_caseload and intake.audit had them, frozen here.
ACTION = "returned_account_disabled"
ACTOR = "system"
GENESIS = "0" * 64
CHAIN_LOCK = "SELECT pg_advisory_xact_lock(7100071)"


def _digest(prev_hash: str, at: datetime, actor: str, action: str, reference: str, detail: str) -> str:
    """An audit event's hash, as intake.audit computes it (`at` aware UTC, as the app reads it back)."""
    material = "|".join([prev_hash, at.isoformat(), actor, action, reference, detail])
    return hashlib.sha256(material.encode()).hexdigest()


def upgrade() -> None:
    bind = op.get_bind()
    enquiry = sa.table("enquiry", sa.column("id", sa.Integer), sa.column("reference", sa.String),
                       sa.column("status", sa.String), sa.column("claimed_by", sa.String),
                       sa.column("claimed_at", sa.DateTime), sa.column("previous_caseworker", sa.String),
                       sa.column("moved_at", sa.DateTime), sa.column("priority_rank", sa.Integer),
                       sa.column("created_at", sa.DateTime))
    caseworker = sa.table("caseworker", sa.column("username", sa.String), sa.column("active", sa.Boolean))
    audit = sa.table("audit_event", sa.column("id", sa.Integer), sa.column("at", sa.DateTime),
                     sa.column("actor", sa.String), sa.column("action", sa.String),
                     sa.column("reference", sa.String), sa.column("detail", sa.String),
                     sa.column("prev_hash", sa.String), sa.column("hash", sa.String))
    disabled = sa.select(caseworker.c.username).where(caseworker.c.active == sa.false())
    stranded = bind.execute(
        sa.select(enquiry.c.id, enquiry.c.reference, enquiry.c.claimed_by)
        .where(enquiry.c.status == "claimed", enquiry.c.claimed_by.in_(disabled))
        .order_by(enquiry.c.priority_rank, enquiry.c.created_at, enquiry.c.id)  # urgent first, as disabling does
    ).all()
    if not stranded:
        return
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text(CHAIN_LOCK))  # no app writing to the chain links to the same event as we do
    prev_hash = bind.scalar(sa.select(audit.c.hash).order_by(audit.c.id.desc()).limit(1)) or GENESIS
    at = datetime.now(UTC).replace(microsecond=0)
    stored = at.replace(tzinfo=None)  # naive UTC, as intake.models.UTCDateTime stores it
    for row_id, reference, holder in stranded:
        bind.execute(enquiry.update().where(enquiry.c.id == row_id).values(
            status="queued", claimed_by=None, claimed_at=None, previous_caseworker=holder, moved_at=stored))
        detail = f"account disabled; was with {holder}"
        digest = _digest(prev_hash, at, ACTOR, ACTION, reference, detail)
        bind.execute(audit.insert().values(at=stored, actor=ACTOR, action=ACTION, reference=reference,
                                           detail=detail, prev_hash=prev_hash, hash=digest))
        prev_hash = digest


def downgrade() -> None:
    pass
