"""Urgent cases migration 0010 sent back to the queue without a duty alert: the alert is now owed, so it goes.

Revision ID: 0015
Revises: 0014

Disabling an account (or making it an admin's) sends its open cases back to the queue and tells the duty
caseworker of each urgent one, as a new urgent case does. Migration 0010 did the first half for accounts
disabled before that fix but could not send mail, so an urgent (child-protection) case it returned waited in
the queue with no one told. For each such case still waiting, with no duty alert since its return, this step
records that the duty alert did not go ("duty_alert_failed", as a failed send is recorded): the queue marks it
"Duty alert failed", and the next `flask --app bot intake retry-alerts` run (cron) sends it, once, and records
that it went. Audited as "system" in the unbroken chain, as 0010 was. Nothing else changes; no keys needed.
Downgrade leaves the record (the alert was owed either way).
"""
import importlib
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# As intake.concerns had them, frozen here.
ALERT_FAILED = "duty_alert_failed"
TOLD = ("safeguarding_flag", "safeguarding_added", "duty_alert_sent", ALERT_FAILED)
DETAIL = "not sent: returned to the queue by migration 0010"
# 0010's frozen audit chain: its actor and action for a returned case, and how an event is hashed and linked.
_0010 = importlib.import_module("intake.migrations.versions.0010_return_disabled_holders_cases")


def upgrade() -> None:
    bind = op.get_bind()
    enquiry = sa.table("enquiry", sa.column("reference", sa.String), sa.column("status", sa.String),
                       sa.column("priority", sa.String), sa.column("priority_rank", sa.Integer),
                       sa.column("created_at", sa.DateTime), sa.column("id", sa.Integer))
    audit = sa.table("audit_event", sa.column("id", sa.Integer), sa.column("at", sa.DateTime),
                     sa.column("actor", sa.String), sa.column("action", sa.String),
                     sa.column("reference", sa.String), sa.column("detail", sa.String),
                     sa.column("prev_hash", sa.String), sa.column("hash", sa.String))
    returned = (sa.select(audit.c.reference, sa.func.max(audit.c.id).label("at_id"))
                .where(audit.c.actor == _0010.ACTOR, audit.c.action == _0010.ACTION)
                .group_by(audit.c.reference).subquery())
    told_since = sa.select(audit.c.id).where(audit.c.reference == returned.c.reference,
                                             audit.c.action.in_(TOLD), audit.c.id > returned.c.at_id)
    silent = bind.execute(
        sa.select(enquiry.c.reference)
        .join(returned, returned.c.reference == enquiry.c.reference)
        .where(enquiry.c.status == "queued", enquiry.c.priority == "urgent", ~told_since.exists())
        .order_by(enquiry.c.priority_rank, enquiry.c.created_at, enquiry.c.id)
    ).scalars().all()
    if not silent:
        return
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text(_0010.CHAIN_LOCK))  # no app writing to the chain links to the same event as we do
    prev_hash = bind.scalar(sa.select(audit.c.hash).order_by(audit.c.id.desc()).limit(1)) or _0010.GENESIS
    at = datetime.now(UTC).replace(microsecond=0)
    stored = at.replace(tzinfo=None)  # naive UTC, as intake.models.UTCDateTime stores it
    for reference in silent:
        digest = _0010._digest(prev_hash, at, _0010.ACTOR, ALERT_FAILED, reference, DETAIL)
        bind.execute(audit.insert().values(at=stored, actor=_0010.ACTOR, action=ALERT_FAILED, reference=reference,
                                           detail=DETAIL, prev_hash=prev_hash, hash=digest))
        prev_hash = digest


def downgrade() -> None:
    pass
