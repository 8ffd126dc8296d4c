"""`flask --app bot intake <command>`: database, terminal chat, retention, keys, audit, statistics."""

from __future__ import annotations

import sys
import uuid
from typing import cast

import click
from flask import current_app
from flask.cli import with_appcontext

from bot.replies import Channel, Inbound, Reply
from bot.services import Services


def _services() -> Services:
    found: Services = current_app.extensions["intake"]
    return found


@click.group("intake")
def intake_cli() -> None:
    """Intake line commands."""


def _schema_ready() -> None:
    """Create or upgrade the schema (idempotent), so a first command on a new machine just works.

    The run that takes the database across intake.audit.KEYED_FROM_REVISION also re-links the audit chain, written
    until then with plain SHA-256, with the keyed digest: once, so a chain rebuilt later without the key stays
    broken. A broken old chain is left as it is and the command fails, saying so.
    """
    from intake import audit
    from intake.migrate import upgrade

    svc = _services()
    before = _revision(svc)
    upgrade(svc.settings.database_url, svc.keys)
    if (before is None or before < audit.KEYED_FROM_REVISION) and not _rekey(svc, "system"):
        raise SystemExit(1)


def _revision(svc: Services) -> str | None:
    """The database's schema revision before upgrading (None when it has none yet)."""
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy.exc import OperationalError

    try:
        with svc.db.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except OperationalError:  # a SQLite file whose folder does not exist yet: the upgrade creates both
        return None


def _rekey(svc: Services, actor: str) -> bool:
    """Re-link the audit chain with the keyed digest if it holds; False (and why, on stderr) when it is broken."""
    from intake import audit
    from intake.db import unit_of_work

    with unit_of_work(svc.sessions) as session:
        report, changed = audit.rekey(session)
        if report.ok and changed:
            audit.record(session, actor, "audit_chain_keyed", None, f"{changed} events re-linked")
    if not report.ok:
        click.echo(f"Audit chain BROKEN at event {report.broken_at}: {report.problem}. It was not re-linked with "
                   "the keyed digest (that would make a tampered trail verify): left as it was.", err=True)
        return False
    if changed:
        with svc.sessions() as session:
            click.echo(f"Audit chain keyed: {changed} events re-linked. Head: {audit.head(session)}")
    return True


@intake_cli.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema (the release step runs this, with the app's own keys)."""
    _schema_ready()
    click.echo("Database is ready.")


def _show(reply: Reply, channel: str) -> None:
    if channel == "voice":
        click.echo(f"  [says] {reply.voice_text}")
        for choice in reply.choices:
            click.echo(f"         press {choice.key}: {choice.label}")
        return
    click.echo(f"  bot> {reply.text}")
    for choice in reply.choices:
        click.echo(f"       {choice.key} {choice.label}")


@intake_cli.command("chat")
@click.option("--channel", type=click.Choice(["sms", "voice", "web"]), default="sms", show_default=True,
              help="Talk to the bot as a text message, a phone keypad, or the web chat would.")
@click.option("--as", "contact", default=None, help="Pretend to be this number/session (default: a fresh one).")
@with_appcontext
def chat(channel: str, contact: str | None) -> None:
    """Talk to the bot in the terminal. Type digits for the keypad on --channel voice; Ctrl-D ends."""
    _schema_ready()  # often the first thing someone tries, before `make run` has created the database
    svc = _services()
    contact = contact or f"terminal-{uuid.uuid4().hex[:8]}"
    starter = getattr(svc.engine, "start_call", None)
    if channel == "voice" and starter is not None:
        for reply in starter(contact).replies:
            _show(reply, channel)
    click.echo("(Type a message. Ctrl-D to finish.)")
    while True:
        try:
            line = input("  you> ")
        except EOFError:
            break
        line = line.rstrip("\n")
        digits = line.strip() if channel == "voice" and line.strip() in set("0123456789*#") | {""} else ""
        text = "" if digits else line
        inbound = Inbound(cast(Channel, channel), contact, text=text, digits=digits, message_id=uuid.uuid4().hex)
        result = svc.engine.handle(inbound)
        if result.silent:
            click.echo("  (no reply: this number has opted out)")
        for reply in result.replies:
            _show(reply, channel)
        if result.hangup:
            click.echo("  (call ended)")
            break


@intake_cli.command("rotate-keys")
@with_appcontext
def rotate_keys() -> None:
    """Re-encrypt every stored value with the newest key in INTAKE_ENCRYPTION_KEYS (first in the list)."""
    from intake import audit
    from intake.db import unit_of_work
    from intake.keys import count_rows, rotate_all

    svc = _services()
    with unit_of_work(svc.sessions) as session:
        total = count_rows(session)
        with click.progressbar(length=total, label="Re-encrypting") as bar:
            changed = rotate_all(session, svc.keys, progress=bar.update)
        audit.record(session, "admin", "rotate_keys", None, f"{changed} values")
    click.echo(f"Re-encrypted {changed} values. Older keys can now be removed from INTAKE_ENCRYPTION_KEYS.")


@intake_cli.command("verify-audit")
@click.option("--expected-head", default=None, help="A head hash noted earlier, to detect truncation.")
@with_appcontext
def verify_audit(expected_head: str | None) -> None:
    """Check the audit chain; report the first broken link (exit code 1 when broken)."""
    from intake import audit

    svc = _services()
    with svc.sessions() as session:
        report = audit.verify(session, expected_head)
        current_head = audit.head(session)
    if report.ok:
        click.echo(f"Audit chain OK: {report.events} events. Head: {current_head}")
        return
    click.echo(f"Audit chain BROKEN at event {report.broken_at}: {report.problem}", err=True)
    raise SystemExit(1)


@intake_cli.command("rekey-audit")
@with_appcontext
def rekey_audit() -> None:
    """Re-link an audit chain written before it was keyed (init-db does it once, when upgrading); exit 1 if broken.

    Only for a chain from before the upgrade: one that was keyed and now fails verify-audit was rewritten without
    the key, and running this would make it verify.
    """
    if not _rekey(_services(), "admin"):
        raise SystemExit(1)
    click.echo("Audit chain is keyed.")


@intake_cli.command("purge")
@click.option("--progress/--no-progress", default=None,
              help="Show a progress bar (default: only when run by hand on a terminal).")
@with_appcontext
def purge(progress: bool | None) -> None:
    """Delete expired conversations and chat sessions, and closed cases past their retention date."""
    from intake import audit, retention
    from intake.db import unit_of_work

    svc = _services()
    if progress is None:
        progress = sys.stdout.isatty()  # a scheduled run writes to a log: no bar there
    with unit_of_work(svc.sessions) as session:
        if progress:
            with click.progressbar(length=retention.due(session), label="Deleting closed cases") as bar:
                counts = retention.purge(session, progress=bar.update, retention_days=svc.settings.retention_days)
        else:
            counts = retention.purge(session, retention_days=svc.settings.retention_days)
    for name, number in counts.items():
        click.echo(f"{name}: {number} deleted")
    with svc.sessions() as session:  # in the scheduler's log, outside the database, it anchors the trail's end
        click.echo(f"Audit chain head: {audit.head(session)}")


@intake_cli.command("stats")
@with_appcontext
def stats() -> None:
    """Anonymised counts of enquiries by topic (the title parents were offered) and channel ('<5' under 5)."""
    from bot.console.views import labels_for
    from intake import statistics

    svc = _services()
    with svc.sessions() as session:
        table = statistics.by_topic_and_channel(session)
    names = labels_for(svc.content)
    for topic, channel, number in sorted((names.topic(t), c, n) for (t, c), n in table.items()):
        click.echo(f"{topic:40} {channel:6} {number}")


@intake_cli.command("create-caseworker")
@click.argument("username")
@click.option("--role", type=click.Choice(["caseworker", "manager", "admin"]), default="caseworker",
              show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
@with_appcontext
def create_caseworker(username: str, role: str, password_stdin: bool) -> None:
    """Create a console account and print its TOTP enrolment secret (shown once)."""
    from intake import staff
    from intake.db import unit_of_work

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    _schema_ready()  # the first account is often made before anything else has run
    svc = _services()
    try:
        with unit_of_work(svc.sessions) as session:
            _worker, secret = staff.create_caseworker(session, svc.keys, username, password, role)
    except staff.StaffError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {username} ({role}).")
    click.echo("Add this account to an authenticator app now; the secret is not shown again.")
    click.echo(f"  secret: {secret}")
    click.echo(f"  URI:    {staff.enrolment_uri(secret, username, svc.settings.service_name)}")


@intake_cli.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice(["caseworker", "manager", "admin"]))
@with_appcontext
def set_role(username: str, role: str) -> None:
    """Change a console account's role (managers can switch caseworker and manager in the console too)."""
    from intake import roles, staff
    from intake.db import unit_of_work

    svc = _services()
    try:
        with unit_of_work(svc.sessions) as session:
            old, moved = roles.set_role_on_server(session, username, role)
    except staff.StaffError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{username} is now {role} (was {old}); open console sessions follow at their next request.")
    if moved:
        urgent = [case.reference for case in moved if case.urgent]
        click.echo(f"Their {len(moved)} open case(s) went back to the queue ({len(urgent)} urgent), marked as "
                   "previously with them: " + ", ".join(case.reference for case in moved))
        # As when a leaver's account is disabled in the console: the duty worker hears of the urgent ones.
        unalerted = [reference for reference in urgent if not svc.alerts.duty(reference)]
        if unalerted:
            click.echo("The duty alert did not go for " + ", ".join(unalerted) + " (it will be tried again): "
                       "please tell the duty caseworker.")


@intake_cli.command("set-duty")
@click.argument("username")
@click.argument("state", type=click.Choice(["on", "off"]))
@with_appcontext
def set_duty(username: str, state: str) -> None:
    """Put a console account on or off the out-of-hours duty rota (an admin can do it in the console too)."""
    from intake import account_admin, staff
    from intake.db import unit_of_work

    svc = _services()
    try:
        with unit_of_work(svc.sessions) as session:
            account_admin.set_on_duty(session, "cli", "admin", username, state == "on")
    except staff.StaffError as exc:
        raise click.ClickException(str(exc)) from exc
    if state == "on":
        click.echo(f"{username} is on duty: they can sign in to the console out of hours until taken off duty.")
    else:
        click.echo(f"{username} is off duty: out of hours the console will turn them away.")


@intake_cli.command("retry-alerts")
@with_appcontext
def retry_alerts() -> None:
    """Send again the duty alerts and new-enquiry e-mails that failed (cron); exit 1 while any still fails.

    Duty alerts: open urgent cases whose last alert failed or never said how it went. E-mails: enquiries still
    waiting in the queue whose "new enquiry" e-mail failed, or was never sent (its worker stopped after the
    enquiry was stored). Each attempt is audited, reference only. One run at a time: a run that finds another
    still going (say, stuck on a hanging mail server) sends nothing, so no alert goes twice.
    """
    from bot.alerts import AnotherRun
    from intake.notify import RUN_LEASE

    try:
        duty, notices = _services().alerts.retry()  # the app's own alert service, as a turn uses it
    except AnotherRun:
        minutes = int(RUN_LEASE.total_seconds() // 60)
        click.echo(f"Another retry-alerts run is still sending (or stopped less than {minutes} minutes ago): "
                   "this run sent nothing more, so no alert goes twice.")
        return
    click.echo(f"Duty alerts retried: {len(duty.owed)}, sent: {duty.sent}, failed: {len(duty.failed)}.")
    click.echo(f"New-enquiry e-mails retried: {len(notices.owed)}, sent: {notices.sent}, "
               f"failed: {len(notices.failed)}.")
    failing = [f"duty alert {r}" for r in duty.failed] + [f"new-enquiry e-mail {r}" for r in notices.failed]
    if failing:
        click.echo(f"Still failing (tried again at the next run): {', '.join(failing)}.", err=True)
        raise SystemExit(1)  # so the scheduler reports it


@intake_cli.command("delete-twilio-copies")
@click.option("--backlog", is_flag=True,
              help="First find every text to or from TWILIO_SMS_FROM still in Twilio's log (once, after upgrading).")
@with_appcontext
def delete_twilio_copies(backlog: bool) -> None:
    """Delete from Twilio's log the texts parents sent and were sent (cron, beside purge); exit 1 when Twilio fails.

    Each text is owed from the moment the service sees it; one Twilio has not finished with (not yet delivered)
    is tried again at a later run, and a 404 means it is already gone. Safe to run twice at once.
    """
    from bot import twilio_cleanup
    from bot.config import ConfigError

    svc = _services()
    if not current_app.extensions.get(twilio_cleanup.EXTENSION):
        click.echo("Deleting Twilio's copies is off (TWILIO_DELETE_COPIES, or no TWILIO_ACCOUNT_SID): nothing done.")
        return
    if backlog:
        try:
            click.echo(f"Texts found in Twilio's log: {twilio_cleanup.owe_backlog(svc.settings, svc.sessions)}.")
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from exc
    run = twilio_cleanup.delete_owed(svc.settings, svc.sessions)
    click.echo(f"Twilio copies deleted: {run.deleted}, already gone: {run.already_gone}, not finished at Twilio yet "
               f"(tried again later): {run.not_yet}, failed: {run.failed}; still owed: {run.owed}.")
    if run.failed:
        click.echo("Twilio could not be reached or refused (see the log): the rest are tried at the next run.",
                   err=True)
        raise SystemExit(1)  # so the scheduler reports it
