"""An index on enquiry.created_at: the statistics page reads one period's enquiries, not every one kept.

Revision ID: 0009
Revises: 0008

A manager reports on a month, a quarter or a financial year. Without this index each statistics page read
the whole enquiry table, which grows with every year kept; with it the read grows only with the period
chosen. A new index: nothing to convert, no keys needed.
"""
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_enquiry_created_at", "enquiry", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_enquiry_created_at", table_name="enquiry")
