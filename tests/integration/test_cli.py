"""The `flask --app bot intake ...` commands a service manager or developer runs."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select

from intake import audit, blocks
from intake.db import unit_of_work
from intake.models import AuditEvent, Block
from tests.conftest import dispose, make_app
from tests.conftest import test_env as environment_for
from tests.integration.test_console import AuthActions, add_caseworker


def test_chat_in_the_terminal_as_sms(app) -> None:
    result = app.test_cli_runner().invoke(args=["intake", "chat"], input="what is a senco\nMENU\n1\n")
    assert result.exit_code == 0, result.output
    assert "SENCO" in result.output
    assert "1 Help at school" in result.output


def test_chat_keywords_and_forget(app) -> None:
    result = app.test_cli_runner().invoke(args=["intake", "chat"], input="PRIVACY\nFORGET\n")
    assert "caseworkers" in result.output and "deleted" in result.output


def test_chat_and_first_account_work_before_init_db_was_ever_run(tmp_path: Path) -> None:
    from bot import create_app

    env = environment_for(tmp_path)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    app = create_app(env)  # a new machine: no schema yet
    result = app.test_cli_runner().invoke(args=["intake", "chat"], input="what is a senco\n")
    assert result.exit_code == 0, result.output
    assert "SENCO" in result.output and "Traceback" not in result.output
    made = app.test_cli_runner().invoke(args=["intake", "create-caseworker", "ada", "--password-stdin"],
                                        input="a long enough passphrase 42\n")
    assert made.exit_code == 0, made.output


def test_init_db_creates_the_schema_on_a_fresh_machine(tmp_path: Path) -> None:
    from bot import create_app

    env = environment_for(tmp_path)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'fresh' / 'new.sqlite3'}"
    app = create_app(env)
    result = app.test_cli_runner().invoke(args=["intake", "init-db"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "fresh" / "new.sqlite3").exists()
    again = app.test_cli_runner().invoke(args=["intake", "init-db"])
    assert again.exit_code == 0  # idempotent: the release step runs on every deploy


def test_init_db_converts_block_reasons_with_the_apps_own_keys(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from bot import create_app
    from tests.postgres.test_block_reason_migration import KEY, REASON, at_0002_with_a_block

    monkeypatch.setenv("INTAKE_ENCRYPTION_KEYS", Fernet.generate_key().decode())  # not the app's
    env = environment_for(tmp_path)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    at_0002_with_a_block(env["DATABASE_URL"])
    app = create_app(env)
    svc = app.extensions["intake"]
    try:
        result = app.test_cli_runner().invoke(args=["intake", "init-db"])
        assert result.exit_code == 0, result.output
        with unit_of_work(svc.sessions) as session:
            block = session.get(Block, KEY)
            assert block is not None and svc.keys.decrypt(block.reason) == REASON
    finally:
        svc.db.dispose()


def test_dev_secrets_are_generated_once_and_kept_out_of_the_repo(tmp_path: Path) -> None:
    from bot.config import load_settings

    env = {"INSTANCE_PATH": str(tmp_path / "instance")}
    first = load_settings(env)
    second = load_settings(env)
    assert first.secret_key == second.secret_key and first.hash_key == second.hash_key
    assert (tmp_path / "instance" / "dev-secrets.json").stat().st_mode & 0o077 == 0


def test_production_refuses_to_start_without_real_secrets(tmp_path: Path) -> None:
    import pytest

    from bot.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="INTAKE_ENCRYPTION_KEYS"):
        load_settings({"INTAKE_ENV": "production", "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})


def test_purge_reports_counts(tmp_path: Path) -> None:
    app = make_app(tmp_path, CONVERSATION_IDLE_MINUTES="0")
    from tests.conftest import SmsActions

    SmsActions(app.test_client()).send("what is a senco")
    result = app.test_cli_runner().invoke(args=["intake", "purge"])
    assert result.exit_code == 0
    assert "conversations: 1 deleted" in result.output


def test_production_refuses_to_start_without_a_way_to_alert_the_duty_caseworker(tmp_path: Path) -> None:
    import pytest
    from cryptography.fernet import Fernet

    from bot.config import ConfigError, load_settings

    env = {"INTAKE_ENV": "production", "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": secrets.token_urlsafe(48),
           "INTAKE_ENCRYPTION_KEYS": Fernet.generate_key().decode(), "INTAKE_HASH_KEY": secrets.token_urlsafe(48),
           "TWILIO_AUTH_TOKEN": "t" * 32, "PUBLIC_BASE_URL": "https://intake.example.org"}
    with pytest.raises(ConfigError, match="DUTY_EMAIL"):
        load_settings(env)
    settings = load_settings(env | {"SMTP_HOST": "mail.example.org", "DUTY_EMAIL": "duty@example.org"})
    assert settings.is_production


def test_rotate_keys_re_encrypts_block_reasons(tmp_path: Path) -> None:
    from tests.integration.test_console_manage import add_enquiry

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    db = f"sqlite:///{tmp_path / 'rotate.sqlite3'}"
    reason = "Prank calls about the marmalade"

    def run_with(keys: str, name: str) -> list[str]:
        """Start the app on the shared database with these keys; the block reasons it can read."""
        app = make_app(tmp_path / name, DATABASE_URL=db, INTAKE_ENCRYPTION_KEYS=keys)
        svc = app.extensions["intake"]
        try:
            if name == "first":
                with unit_of_work(svc.sessions) as session:
                    blocks.block(session, svc.keys, "morgan", "manager", add_enquiry(app), 30, reason)
            if name == "both":
                result = app.test_cli_runner().invoke(args=["intake", "rotate-keys"])
                assert result.exit_code == 0, result.output
            with unit_of_work(svc.sessions) as session:
                return [row.reason for row in blocks.active(session, svc.keys, "manager")]
        finally:
            svc.db.dispose()

    assert run_with(old, "first") == [reason]
    assert run_with(f"{new},{old}", "both") == [reason]
    assert run_with(new, "new") == [reason]  # the old key can go: the reason was re-encrypted
    with pytest.raises(InvalidToken):
        run_with(old, "old")


def test_retry_alerts_sends_through_the_apps_own_alert_service(tmp_path: Path, smtp) -> None:
    """The command uses the alert service the app was built with (bot/services.py), not one of its own making."""
    from dataclasses import replace

    from bot.alerts import Alerts, DutyAlerts
    from intake.notify import Mailer
    from tests.conftest import SmsActions, dispose, free_port
    from tests.integration.test_safeguarding_alerts import mail_env
    from tests.integration.test_safeguarding_disclosures import RISK, alerts, reference_in, urgent

    inbox, port = smtp
    app = make_app(tmp_path, **mail_env(free_port()))  # the configured mail server is down: the alert failed
    try:
        reference = reference_in(SmsActions(app.test_client()).send(RISK))
        svc = app.extensions["intake"]
        working = Mailer("127.0.0.1", port, "intake@example.org", "duty@example.org", security="none")
        app.extensions["intake"] = replace(svc, alerts=Alerts(DutyAlerts(working, svc.content), svc.sessions))
        result = app.test_cli_runner().invoke(args=["intake", "retry-alerts"])
        assert result.exit_code == 0, result.output
        assert alerts(inbox) == [urgent(reference)]
    finally:
        dispose(app)


def test_set_duty_lets_the_weekend_duty_caseworker_sign_in_out_of_hours(tmp_path: Path) -> None:
    tomorrow = (datetime.now(ZoneInfo("Europe/London")) + timedelta(days=1)).strftime("%a")
    app = make_app(tmp_path, OFFICE_HOURS=f"{tomorrow} 09:00-17:00")  # closed now, whatever the hour
    try:
        sam = AuthActions(app.test_client(), app, "sam", add_caseworker(app, "sam", on_duty=False))
        assert sam.login().status_code == 401
        runner = app.test_cli_runner()
        result = runner.invoke(args=["intake", "set-duty", "sam", "on"])
        assert result.exit_code == 0 and "sam is on duty" in result.output
        assert sam.login().status_code == 302
        assert runner.invoke(args=["intake", "set-duty", "nobody", "on"]).exit_code == 1
        off = runner.invoke(args=["intake", "set-duty", "sam", "off"])
        assert off.exit_code == 0 and "sam is off duty" in off.output
        with unit_of_work(app.extensions["intake"].sessions) as session:
            assert audit.verify(session).ok
            events = session.execute(select(AuditEvent.actor, AuditEvent.action, AuditEvent.detail)
                                     .where(AuditEvent.action.like("account_%duty"))).all()
        assert [tuple(e) for e in events] == [("cli", "account_on_duty", "sam"), ("cli", "account_off_duty", "sam")]
    finally:
        dispose(app)
