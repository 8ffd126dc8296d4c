"""Schema migrations (Alembic) run from code: `intake init-db` and the Procfile's release step."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from intake.crypto import KeyRing

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class KeysNeeded(RuntimeError):
    """A migration must encrypt or decrypt existing rows and its caller gave no key ring."""


def alembic_config(database_url: str, keys: KeyRing | None = None) -> Config:
    """An Alembic config pointing at our migrations and the given database, carrying the caller's keys."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    if keys is not None:
        # Handed over, never looked up: the migration uses the keys of the app that runs it, not whatever
        # this process's environment holds (an app built with its own settings would otherwise differ).
        config.attributes["keys"] = keys
    return config


def key_ring(config: Config, rows: str) -> KeyRing:
    """The key ring a migration needs to convert existing `rows`, or KeysNeeded saying how to run it."""
    given = config.attributes.get("keys")
    if isinstance(given, KeyRing):
        return given
    # Names the kind of rows only, never their content: this message reaches the release log.
    raise KeysNeeded(f"There are {rows} to convert and this migration was given no encryption keys. "
                     "Run it through `flask --app bot intake init-db`, which knows the keys. "
                     "The database is as the previous migration left it.")


def upgrade(database_url: str, keys: KeyRing | None = None) -> None:
    """Bring the database to the newest schema (creates it on first run).

    `keys` is the app's key ring; an empty database needs none, but a migration that converts existing
    encrypted rows stops with KeysNeeded without it.
    """
    if database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(database_url, keys), "head")
