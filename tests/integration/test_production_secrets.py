"""Production refuses guessable keys and a public address without https (policies 4.1, 4.7), and a console cookie
forged with a leaked SECRET_KEY still opens nothing: it cannot know the account's session generation."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot import create_app
from bot.config import ConfigError, load_settings
from tests import conftest
from tests.conftest import ALWAYS_OPEN, dispose, make_app
from tests.integration.test_console import AuthActions, add_caseworker, enquire

SUMMARY = "My son Jamie Smith at Oak School"


def production(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """A production environment set up as README.md says, with real random keys unless overridden."""
    env = {"INTAKE_ENV": "production", "INSTANCE_PATH": str(tmp_path / "instance"),
           "SECRET_KEY": secrets.token_urlsafe(48), "INTAKE_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
           "INTAKE_HASH_KEY": secrets.token_urlsafe(48), "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
           "PUBLIC_BASE_URL": "https://intake.example.org", "SMTP_HOST": "127.0.0.1", "DUTY_EMAIL": "duty@example.org"}
    return env | overrides


@pytest.mark.parametrize(("setting", "value"), [
    ("SECRET_KEY", "Kz81qW"),
    ("SECRET_KEY", "changeme-changeme-changeme-changeme-42"),  # long, but copied from an example
    ("SECRET_KEY", "a" * 64),
    ("SECRET_KEY", "my-intake-secret-key-for-the-council-2026"),
    ("INTAKE_HASH_KEY", "Pj7vTr"),
    ("INTAKE_HASH_KEY", "0123456789abcdef0123456789abcde"),  # 31 characters
])
def test_production_refuses_a_guessable_key_naming_the_setting_never_its_value(
    tmp_path: Path, setting: str, value: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(production(tmp_path, **{setting: value}))
    assert setting in str(refused.value) and value not in str(refused.value)
    assert "at least 32 characters" in str(refused.value)


def test_both_weak_keys_are_named_at_once(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY and INTAKE_HASH_KEY"):
        load_settings(production(tmp_path, SECRET_KEY="x", INTAKE_HASH_KEY="y"))


@pytest.mark.parametrize("address", ["http://intake.example.org", "intake.example.org", "https://"])
def test_production_refuses_a_public_address_without_https(tmp_path: Path, address: str) -> None:
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL must be the service's https:// address"):
        load_settings(production(tmp_path, PUBLIC_BASE_URL=address))


def test_production_with_real_keys_starts(tmp_path: Path) -> None:
    app = create_app(conftest.test_env(tmp_path, INTAKE_ENV="production", SMTP_HOST="127.0.0.1",
                                       DUTY_EMAIL="duty@example.org"))
    try:
        assert app.extensions["intake"].settings.is_production
    finally:
        dispose(app)
    assert load_settings(production(tmp_path, SECRET_KEY=secrets.token_hex(16))).is_production  # 32 hex


def test_development_still_takes_any_key_and_plain_http(tmp_path: Path) -> None:
    settings = load_settings({"INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "x",
                              "INTAKE_HASH_KEY": "y", "PUBLIC_BASE_URL": "http://127.0.0.1:5000"})
    assert not settings.is_production and settings.secret_key == "x"


def test_a_cookie_forged_with_a_leaked_key_opens_no_case(tmp_path: Path) -> None:
    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)
    reference = enquire(app, summary=SUMMARY)
    add_caseworker(app, "mona", "manager")
    # The key is known to the attacker, who makes the cookie exactly as the app does (signed and encrypted).
    signer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    assert signer is not None
    stamp = time.time()
    for generation in range(0, 20):  # an account's first numbers, as a counter from 0 would give them
        client = app.test_client()
        cookie = signer.dumps({"staff": {"user": "mona", "role": "manager", "in": stamp, "seen": stamp,
                                         "locked": False, "gen": generation}})
        client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie, domain="localhost")
        page = client.get(f"/caseworker/case/{reference}")
        assert page.status_code == 302 and page.headers["Location"].endswith("/caseworker/login")
        assert SUMMARY.encode() not in page.data

    # A real sign-in, sign-out and sign-in again still work, each with a number of their own.
    mona = AuthActions(app.test_client(), app, "mona", add_caseworker(app, "mona2", "manager"))
    mona.username = "mona2"
    assert mona.login().status_code == 302
    assert mona.logout().status_code == 302
    assert mona.client.get("/caseworker/queue").status_code == 302
    assert mona.login().status_code == 302
    assert mona.client.get("/caseworker/queue").status_code == 200
