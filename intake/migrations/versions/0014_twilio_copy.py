"""TwilioCopy: the SIDs of texts (and calls) whose copies in Twilio's log are still to be deleted.

Revision ID: 0014
Revises: 0013

Twilio kept every text parents sent and every text the service sent them, body and number, in its message log,
beyond the reach of FORGET, erasure and the retention purge. Each SID is now owed here until Twilio has deleted
its copy (bot/twilio_cleanup.py). A new table holding SIDs only, empty at first: no existing row or encrypted
column is touched, so no keys are needed. Downgrade drops it with the deletions still owed, which then stay in
Twilio's log.
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "twilio_copy",
        sa.Column("sid", sa.String(length=34), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sid"),
    )
    op.create_index("ix_twilio_copy_due_at", "twilio_copy", ["due_at"])


def downgrade() -> None:
    op.drop_table("twilio_copy")
