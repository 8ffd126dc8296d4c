"""Settings printed anywhere (a log line, a traceback, a shell) never show a secret."""

from __future__ import annotations

from pathlib import Path

from bot.config import load_settings
from tests.conftest import AUTH_TOKEN, KEY_1
from tests.conftest import test_env as environment_for


def test_the_settings_repr_shows_no_secret_and_no_database_password(tmp_path: Path) -> None:
    env = environment_for(tmp_path, DATABASE_URL="postgresql+psycopg://intake:db-pass-4471@db.internal/intake",
                   SMTP_HOST="smtp.example.org", SMTP_USERNAME="alerts@example.org", SMTP_PASSWORD="mail-pass-9902",
                   SMTP_SECURITY="starttls")
    settings = load_settings(env)
    shown = repr(settings)
    for secret in ("test-secret-key", KEY_1, "test-hash-key", AUTH_TOKEN, "db-pass-4471", "mail-pass-9902"):
        assert secret not in shown
    assert "Testshire SENDIASS" in shown  # the rest is still there to help whoever reads it
