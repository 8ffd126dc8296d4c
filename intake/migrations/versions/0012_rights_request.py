"""RightsRequest: when a parent asked for a copy of their information or for erasure, and when it is due.

Revision ID: 0012
Revises: 0011

Nothing recorded when a parent asked, so the one-month deadline (UK GDPR Art. 12(3)) was nobody's to see. A new
table, empty at first: no existing row or encrypted column is touched, so no keys are needed. Downgrade drops it
with every request logged since (the audit trail keeps that each was logged, extended or closed).
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rights_request",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("enquiry_id", sa.Integer(), sa.ForeignKey("enquiry.id", ondelete="SET NULL"), nullable=True),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("arrived_by", sa.String(length=16), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("extended_on", sa.Date(), nullable=True),
        sa.Column("extension_reason", sa.LargeBinary(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("close_reason", sa.LargeBinary(), nullable=True),
        sa.Column("logged_by", sa.String(length=64), nullable=True),
        sa.Column("logged_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_rights_request_enquiry_id", "rights_request", ["enquiry_id"])
    op.create_index("ix_rights_request_due_on", "rights_request", ["due_on"])
    op.create_index("ix_rights_request_status", "rights_request", ["status"])


def downgrade() -> None:
    op.drop_table("rights_request")
