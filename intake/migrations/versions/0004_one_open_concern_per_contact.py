"""Enquiry.current_concern: one current open safety concern per contact, enforced by a partial unique index.

Revision ID: 0004
Revises: 0003

Two first disclosures from one contact at the same moment (a text while on a call) each found no case and
each raised one. The index lets only one of them be the contact's current open concern; the other turn
joins it (intake/concerns.py). Existing data: each contact's newest open concern becomes its current one,
so the index can be built whatever the table holds. No encrypted column is touched: no keys needed.
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INDEX = "uq_enquiry_current_concern"
WHERE = "current_concern AND status <> 'closed'"  # as intake.models.CURRENT_OPEN_CONCERN, frozen here
CONCERN_TOPIC = "safeguarding"  # as intake.concerns.CONCERN_TOPIC


def upgrade() -> None:
    with op.batch_alter_table("enquiry") as batch_op:
        batch_op.add_column(sa.Column("current_concern", sa.Boolean(), nullable=False, server_default=sa.false()))
    enquiry = sa.table("enquiry", sa.column("id", sa.Integer), sa.column("contact_key", sa.String),
                       sa.column("topic", sa.String), sa.column("status", sa.String),
                       sa.column("current_concern", sa.Boolean))
    newest = (
        sa.select(sa.func.max(enquiry.c.id))
        .where(enquiry.c.topic == CONCERN_TOPIC, enquiry.c.status != "closed", enquiry.c.contact_key.is_not(None))
        .group_by(enquiry.c.contact_key)
    )
    op.execute(enquiry.update().where(enquiry.c.id.in_(newest)).values(current_concern=True))
    op.create_index(INDEX, "enquiry", ["contact_key"], unique=True,
                    sqlite_where=sa.text(WHERE), postgresql_where=sa.text(WHERE))


def downgrade() -> None:
    op.drop_index(INDEX, table_name="enquiry")
    with op.batch_alter_table("enquiry") as batch_op:
        batch_op.drop_column("current_concern")
