"""ChatSession.contact_key: erasing a case ends the web chat it came from, found by the chat's contact key.

Revision ID: 0006
Revises: 0005

A case erased while the parent's chat page was still open left that chat alive (only what waited for it went),
and a chat with no callback in it could not be found at all: the enquiry holds only the keyed hash of the
chat's id. The chat now keeps that hash too (the id it is made from is in the same row). Existing chats are left
empty: the key needs the app's INTAKE_HASH_KEY, and they end 2 hours after their page last reached us; until
then erasure still finds a chat its case's contact details name. Nullable, nothing to convert, no keys needed.
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chat_session") as batch_op:
        batch_op.add_column(sa.Column("contact_key", sa.String(length=64), nullable=True))
    op.create_index("ix_chat_session_contact_key", "chat_session", ["contact_key"])


def downgrade() -> None:
    op.drop_index("ix_chat_session_contact_key", table_name="chat_session")
    with op.batch_alter_table("chat_session") as batch_op:
        batch_op.drop_column("contact_key")
