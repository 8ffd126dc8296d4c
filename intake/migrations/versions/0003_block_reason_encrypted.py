"""Block.reason encrypted at rest: existing reasons are encrypted with the app's key ring, plaintext dropped.

Revision ID: 0003
Revises: 0002

The keys are the app's key ring, handed over by the caller (`flask --app bot intake init-db` passes its
app's; see intake.migrate.key_ring), and needed only when there are blocks to convert. Every reason is
encrypted (or, going down, decrypted) before the schema changes, so a missing or wrong key stops the
migration with nothing altered, even on SQLite where the DDL is not transactional here.
"""
from collections.abc import Callable
from typing import Any

from alembic import context, op
import sqlalchemy as sa

from intake.crypto import KeyRing
from intake.migrate import key_ring

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _secure_delete() -> None:
    # SQLite leaves the dropped plaintext in freed pages until they are reused; zero them instead.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA secure_delete = ON")


def _convert(old_type: sa.types.TypeEngine[Any], new_type: sa.types.TypeEngine[Any],
             change: Callable[[KeyRing, Any], Any]) -> None:
    """Replace block.reason by a column of new_type holding change(old value), row by row."""
    if context.is_offline_mode():
        raise RuntimeError("this migration converts existing rows; run it against the database, not as SQL")
    bind = op.get_bind()
    old = sa.table("block", sa.column("contact_key", sa.String), sa.column("reason", old_type))
    rows = bind.execute(sa.select(old.c.contact_key, old.c.reason)).all()
    converted: dict[str, Any] = {}
    if rows:
        keys = key_ring(context.config, "blocks")
        converted = {contact_key: change(keys, reason) for contact_key, reason in rows}
    _secure_delete()
    with op.batch_alter_table("block") as batch_op:
        batch_op.add_column(sa.Column("reason_new", new_type, nullable=True))
    new = sa.table("block", sa.column("contact_key", sa.String), sa.column("reason_new", new_type))
    for contact_key, value in converted.items():
        bind.execute(sa.update(new).where(new.c.contact_key == contact_key).values(reason_new=value))
    with op.batch_alter_table("block") as batch_op:
        batch_op.drop_column("reason")
        batch_op.alter_column("reason_new", new_column_name="reason", existing_type=new_type, nullable=False)


def upgrade() -> None:
    _convert(sa.String(200), sa.LargeBinary(), lambda keys, reason: keys.encrypt(reason))


def downgrade() -> None:
    _convert(sa.LargeBinary(), sa.String(200), lambda keys, token: keys.decrypt(token))
