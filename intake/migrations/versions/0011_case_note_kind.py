"""CaseNote.kind: what a caseworker sent the parent (a text, a chat reply) is kept on the case beside the notes.

Revision ID: 0011
Revises: 0010

A caseworker's texts and web chat replies reached the parent but not the case, so a colleague picking it up
saw the parent's answers without the questions. They are now kept as entries on the case, encrypted as notes
are, marked "sms" or "chat"; every existing entry is a note ("note", the column's default). No encrypted
column is touched: no keys needed. Downgrade drops the column: an entry sent to the parent then reads as a
note by the caseworker who sent it (its text and author stay).
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_note") as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=8), nullable=False, server_default="note"))


def downgrade() -> None:
    with op.batch_alter_table("case_note") as batch_op:
        batch_op.drop_column("kind")
