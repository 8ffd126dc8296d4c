"""Enquiry.previous_caseworker and moved_at: who had a case when it was moved without them, and when.

Revision ID: 0005
Revises: 0004

An urgent case must never wait on an absent caseworker (policy 7.1): a new safety concern on a claimed
case sends it back to the queue, and a manager or the on-duty caseworker may take over an urgent case.
These columns let the queue and case page say "previously with alice" and that caseworker's caseload say
where it went. Both nullable, nothing to convert; no encrypted column is touched.
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enquiry") as batch_op:
        batch_op.add_column(sa.Column("previous_caseworker", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("moved_at", sa.DateTime(), nullable=True))
    op.create_index("ix_enquiry_previous_caseworker", "enquiry", ["previous_caseworker"])


def downgrade() -> None:
    op.drop_index("ix_enquiry_previous_caseworker", table_name="enquiry")
    with op.batch_alter_table("enquiry") as batch_op:
        batch_op.drop_column("moved_at")
        batch_op.drop_column("previous_caseworker")
