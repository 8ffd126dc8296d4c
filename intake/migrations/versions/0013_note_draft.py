"""NoteDraft: a case note whose save was refused because the login had ended, kept for its writer.

Revision ID: 0013
Revises: 0012

A caseworker signed out by the nightly lock (or the idle end, or the 12-hour limit) while typing a note lost it
when they pressed Save. The refused note is now kept on the server, encrypted as notes are, for that account and
that case, offered back when they next open the case and deleted once saved, discarded or a week old
(intake/note_drafts.py). A new table, empty at first: no existing row or encrypted column is touched, so no keys
are needed. Deleting a case deletes its drafts (ON DELETE CASCADE). Downgrade drops the table and any draft in it.
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "note_draft",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("enquiry_id", sa.Integer(), sa.ForeignKey("enquiry.id", ondelete="CASCADE"), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("kept_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("username", "enquiry_id", name="uq_note_draft_username_enquiry"),
    )
    op.create_index("ix_note_draft_enquiry_id", "note_draft", ["enquiry_id"])
    op.create_index("ix_note_draft_kept_at", "note_draft", ["kept_at"])


def downgrade() -> None:
    op.drop_table("note_draft")
