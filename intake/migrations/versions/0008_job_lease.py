"""JobLease: one retry-alerts run at a time, so two overlapping cron runs never send the same alert twice.

Revision ID: 0008
Revises: 0007

A run stuck on a hanging mail server while cron started the next one could send each alert twice. A run
now holds the lease (renewed before each alert, given up when it ends); another run finding it held sends
nothing. A new, empty table: nothing to convert, no keys needed.
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_lease",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("holder", sa.String(length=32), nullable=False),
        sa.Column("until", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("job_lease")
