"""EnquiryNotice: a new enquiry's e-mail to caseworkers is owed from the hand-off's own transaction until it goes.

Revision ID: 0007
Revises: 0006

The e-mail was sent after the enquiry's commit and recorded only if it failed, so a worker that stopped in
between left nothing to say it was owed, and it never went. Now the hand-off writes a row in its transaction,
the send deletes it, and retry-alerts sends any left past their due time. Existing data: each enquiry whose
e-mail was owed by the old rule (waiting in the queue, ordinary, its latest e-mail failed and nobody has
claimed it or been alerted to it since) gets a row due now, so none is lost across the upgrade. No encrypted
column is touched: no keys needed.
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# As intake.notify and intake.queue had them, frozen here.
FAILED = "new_enquiry_notice_failed"
SETTLED_BY = ("new_enquiry_notice_sent", "claim", "safeguarding_flag")


def upgrade() -> None:
    op.create_table(
        "enquiry_notice",
        sa.Column("enquiry_id", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["enquiry_id"], ["enquiry.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("enquiry_id"),
    )
    op.create_index("ix_enquiry_notice_due_at", "enquiry_notice", ["due_at"])
    enquiry = sa.table("enquiry", sa.column("id", sa.Integer), sa.column("reference", sa.String),
                       sa.column("status", sa.String), sa.column("priority", sa.String))
    audit = sa.table("audit_event", sa.column("id", sa.Integer), sa.column("reference", sa.String),
                     sa.column("action", sa.String))
    notice = sa.table("enquiry_notice", sa.column("enquiry_id", sa.Integer), sa.column("due_at", sa.DateTime))
    latest = (sa.select(sa.func.max(audit.c.id)).where(audit.c.action.in_((FAILED, *SETTLED_BY)))
              .group_by(audit.c.reference))
    now = datetime.now(UTC).replace(tzinfo=None)  # stored naive UTC, as intake.models.UTCDateTime stores it
    owed = (
        sa.select(enquiry.c.id, sa.literal(now, sa.DateTime()))
        .select_from(enquiry.join(audit, audit.c.reference == enquiry.c.reference))
        .where(enquiry.c.status == "queued", enquiry.c.priority == "normal", audit.c.action == FAILED,
               audit.c.id.in_(latest))
    )
    op.execute(notice.insert().from_select(["enquiry_id", "due_at"], owed))


def downgrade() -> None:
    op.drop_index("ix_enquiry_notice_due_at", table_name="enquiry_notice")
    op.drop_table("enquiry_notice")
