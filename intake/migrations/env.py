"""Alembic environment: the URL comes from the caller's config (set from DATABASE_URL)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from intake.crypto import KeyRing
from intake.models import Base

config = context.config
target_metadata = Base.metadata


def key_ring() -> KeyRing:
    """The app's key ring, for a migration that encrypts or decrypts existing rows.

    A caller may hand one over as `config.attributes["keys"]`. Otherwise it is found exactly as the app
    finds it (INTAKE_ENCRYPTION_KEYS, or the dev secrets under instance/), because the migration runs from
    `flask --app bot intake init-db` and the Procfile's release step, in the app's own environment.
    Called only when there are rows to convert, so an empty database never needs keys.
    """
    given = config.attributes.get("keys")
    if isinstance(given, KeyRing):
        return given
    from bot.config import load_settings  # not at import: intake stays free of bot for everything else

    return KeyRing(load_settings().encryption_keys)


config.attributes.setdefault("key_ring", key_ring)


def run_migrations_offline() -> None:
    """Emit SQL without a connection."""
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against the database."""
    connectable = config.attributes.get("connection")
    if connectable is not None:
        context.configure(connection=connectable, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = engine_from_config(config.get_section(config.config_ini_section) or {}, prefix="sqlalchemy.",
                                poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
