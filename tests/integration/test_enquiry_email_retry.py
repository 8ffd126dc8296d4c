"""A "new enquiry" e-mail to caseworkers that did not go is sent again by `retry-alerts`: one that failed, and one
whose worker stopped between storing the enquiry and sending it (owed from the enquiry's own transaction).

The caseworkers' inbox is a real SMTP server (aiosmtpd, tests/conftest.py): refusing, or down, then back; the
worker that stops is a real process, killed. Nothing is patched.
"""

from __future__ import annotations

import json
import logging
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import func, select, update

from bot import create_app
from intake import notify, retention, rights
from intake.db import unit_of_work
from intake.models import Enquiry, EnquiryNotice, utcnow
from tests.conftest import Inbox, SmsActions, dispose, free_port, make_app
from tests.conftest import test_env as environment_for
from tests.integration.test_safeguarding_alerts import RefusingInbox, failures_logged, mail_env
from tests.integration.test_safeguarding_disclosures import RISK, actions, alerts, claim

SENT, FAILED = notify.NOTICE_SENT, notify.NOTICE_FAILED
SUMMARY = "Please help with support"  # what the parent wrote: never in a log line, an e-mail or the command's output


def new(reference: str) -> str:
    """The subject of a new-enquiry e-mail."""
    return f"CONFIDENTIAL: new enquiry {reference}"


def retry(app: Flask) -> tuple[int, str, str]:
    """Run the command as cron would: exit code, what it printed, and what it said went wrong."""
    result = app.test_cli_runner().invoke(args=["intake", "retry-alerts"])
    return result.exit_code, result.stdout, result.stderr


def said(duty: tuple[int, int, int] = (0, 0, 0), emails: tuple[int, int, int] = (0, 0, 0)) -> str:
    """The command's report: (retried, sent, failed) for duty alerts, then for new-enquiry e-mails."""
    return (f"Duty alerts retried: {duty[0]}, sent: {duty[1]}, failed: {duty[2]}.\n"
            f"New-enquiry e-mails retried: {emails[0]}, sent: {emails[1]}, failed: {emails[2]}.\n")


def test_a_refused_new_enquiry_e_mail_is_audited_and_sent_by_the_command_once_the_server_takes_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    inbox, port = RefusingInbox(), free_port()  # the mail server answers, but refuses every message
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app = make_app(tmp_path, **mail_env(port))
    try:
        sms = SmsActions(app.test_client())
        with caplog.at_level(logging.ERROR):
            reference = sms.hand_off(SUMMARY)  # the parent is told their reference whatever the mail server does
            assert actions(app, reference) == ["enqueue", FAILED]
            assert retry(app) == (1, said(emails=(1, 0, 1)),
                                  f"Still failing (tried again at the next run): new-enquiry e-mail {reference}.\n")
        assert alerts(inbox) == [] and actions(app, reference) == ["enqueue", FAILED, FAILED]
        lines = failures_logged(caplog, sms)  # no message text, no number, no address
        assert not any(word in line for line in lines for word in ("Please", "help", "451", "unavailable"))
        assert sum(f"new-enquiry e-mail for {reference} failed (SMTPDataError)" in line for line in lines) == 2

        inbox.refusing = False  # the mail server takes messages again; the parent has not written since
        assert retry(app) == (0, said(emails=(1, 1, 0)), "")
        assert alerts(inbox) == [new(reference)]  # reference and priority only (alerts() checks the body)
        assert actions(app, reference) == ["enqueue", FAILED, FAILED, SENT]

        assert retry(app) == (0, said(), "")  # sent: nothing more is owed
        assert alerts(inbox) == [new(reference)]
    finally:
        dispose(app)
        controller.stop()


def test_with_the_mail_server_down_the_e_mail_goes_when_it_is_back_and_the_command_runs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()  # nothing listening: the mail server is down
    app = make_app(tmp_path, **mail_env(port))
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    started = False
    try:
        sms = SmsActions(app.test_client())
        with caplog.at_level(logging.ERROR):
            reference = sms.hand_off(SUMMARY)
        assert any(f"{reference} failed (ConnectionRefusedError)" in line for line in failures_logged(caplog, sms))
        assert actions(app, reference) == ["enqueue", FAILED]

        controller.start()
        started = True
        assert retry(app) == (0, said(emails=(1, 1, 0)), "")
        assert alerts(inbox) == [new(reference)]
        assert actions(app, reference) == ["enqueue", FAILED, SENT]
    finally:
        dispose(app)
        if started:
            controller.stop()


def test_an_e_mail_that_went_first_time_is_neither_audited_nor_owed(alerting_app: Flask, duty: Inbox) -> None:
    reference = SmsActions(alerting_app.test_client()).hand_off(SUMMARY)
    assert alerts(duty) == [new(reference)]
    assert actions(alerting_app, reference) == ["enqueue"]  # the "enqueue" event dates it: no audit write
    assert owed_rows(alerting_app) == 0  # owed in the hand-off's transaction, settled once it went
    assert retry(alerting_app) == (0, said(), "")
    assert alerts(duty) == [new(reference)]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> dict[str, str]:
    """The app's own SQLite file, or a clean PostgreSQL schema (skipped, saying why, when unreachable)."""
    return {} if request.param == "sqlite" else {"DATABASE_URL": request.getfixturevalue("postgres_url")}


# A web worker in its own process: the parent's hand-off, its e-mail sent after the commit to a mail server that
# never answers, so the process is still waiting to send when the test kills it.
WORKER = """
import json, sys
from bot import create_app
from tests.conftest import SmsActions
SmsActions(create_app(json.loads(sys.argv[1])).test_client()).hand_off(sys.argv[2])
"""


def owed_rows(app: Flask) -> int:
    with app.extensions["intake"].sessions() as session:
        return int(session.scalar(select(func.count()).select_from(EnquiryNotice)) or 0)


def killed_after_the_commit(app: Flask, environment: dict[str, str]) -> None:
    """Run the worker until its enquiry is stored (and its e-mail owed), then kill it before the e-mail goes."""
    root = Path(__file__).resolve().parents[2]
    worker = subprocess.Popen([sys.executable, "-c", WORKER, json.dumps(environment), SUMMARY], cwd=root,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120  # the worker starts a whole app first
        while owed_rows(app) == 0:
            assert worker.poll() is None and time.monotonic() < deadline, "the worker never stored the enquiry"
            time.sleep(0.05)
        worker.send_signal(signal.SIGKILL)  # committed; now waiting on the silent mail server (10 s at most)
    finally:
        worker.kill()
        worker.wait(timeout=30)


def test_a_worker_killed_between_the_commit_and_the_e_mail_leaves_it_owed_and_the_command_sends_it_once(
    tmp_path: Path, database: dict[str, str]
) -> None:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    silent = socket.create_server(("127.0.0.1", 0))  # takes connections, never says a word: no e-mail can go
    app = make_app(tmp_path, **mail_env(port), **database)  # the cron job's app: e-mail works
    try:
        killed_after_the_commit(app, environment_for(tmp_path, **mail_env(silent.getsockname()[1]), **database))
        with app.extensions["intake"].sessions() as session:
            [reference] = session.scalars(select(Enquiry.reference))
            assert notify.notices_owed(session) == []  # the worker's own to send, for now
            assert notify.notices_owed(session, utcnow() + notify.FIRST_TRY) == [reference]
        assert actions(app, reference) == ["enqueue"] and inbox.messages == []  # nothing went, nothing failed
        assert retry(app) == (0, said(), "")  # within FIRST_TRY: left to the worker, not sent twice

        with unit_of_work(app.extensions["intake"].sessions) as session:  # FIRST_TRY later
            session.execute(update(EnquiryNotice).values(due_at=utcnow() - timedelta(seconds=1)))
        assert retry(app) == (0, said(emails=(1, 1, 0)), "")
        assert alerts(inbox) == [new(reference)]  # exactly one, reference and priority only (alerts() checks)
        assert actions(app, reference) == ["enqueue", SENT]
        assert retry(app) == (0, said(), "") and len(inbox.messages) == 1 and owed_rows(app) == 0
    finally:
        dispose(app)
        silent.close()
        controller.stop()


def test_only_an_enquiry_still_waiting_as_it_was_is_owed_its_e_mail(tmp_path: Path, database: dict[str, str]) -> None:
    app = make_app(tmp_path, **mail_env(free_port()), **database)  # the mail server is down throughout
    try:
        client = app.test_client()
        waiting, claimed, released, urgent, withdrawn = (
            SmsActions(client, f"+44770090040{n}").hand_off(SUMMARY) for n in range(5)
        )
        claim(app, claimed)  # a caseworker has it: the e-mail would tell them nothing
        claim(app, released, release=True)  # back in the queue, but a caseworker has seen it
        SmsActions(client, "+447700900403").send(RISK)  # a disclosure: the duty alert (failing too) takes over
        SmsActions(client, "+447700900404").send("FORGET")
        with app.extensions["intake"].sessions() as session:
            assert notify.notices_owed(session) == [waiting]
        code, output, errors = retry(app)
        assert (code, output) == (1, said(duty=(1, 0, 1), emails=(1, 0, 1)))
        assert errors == ("Still failing (tried again at the next run): "
                          f"duty alert {urgent}, new-enquiry e-mail {waiting}.\n")
        assert withdrawn not in errors
        assert owed_rows(app) == 1  # the others were settled: nobody needs their e-mail any more
    finally:
        dispose(app)


def test_an_erased_or_purged_enquiry_owes_no_e_mail(tmp_path: Path, database: dict[str, str]) -> None:
    app = make_app(tmp_path, **mail_env(free_port()), **database)  # down: both e-mails stay owed
    try:
        client = app.test_client()
        erased, purged = (SmsActions(client, f"+44770090050{n}").hand_off(SUMMARY) for n in range(2))
        assert owed_rows(app) == 2
        services = app.extensions["intake"]
        with unit_of_work(services.sessions) as session:
            rights.erase(session, services.keys, "morgan", "manager", erased, erased,
                         identity=rights.IdentityCheck("in_person"))
            session.execute(update(Enquiry).where(Enquiry.reference == purged)
                            .values(status="closed", retain_until=utcnow() - timedelta(days=1)))
        with unit_of_work(services.sessions) as session:
            assert retention.purge(session)["closed cases"] == 1
        assert owed_rows(app) == 0  # gone with the enquiry (ON DELETE CASCADE), on SQLite and PostgreSQL
    finally:
        dispose(app)


def test_e_mails_owed_after_e_mail_was_switched_off_are_reported_not_taken_as_sent(tmp_path: Path) -> None:
    app = make_app(tmp_path, **mail_env(free_port()))  # down
    try:
        reference = SmsActions(app.test_client()).hand_off(SUMMARY)
    finally:
        dispose(app)
    app = create_app(environment_for(tmp_path))  # the same database, restarted with no SMTP_HOST or DUTY_EMAIL
    try:
        assert retry(app) == (1, said(emails=(1, 0, 1)),
                              f"Still failing (tried again at the next run): new-enquiry e-mail {reference}.\n")
        assert actions(app, reference) == ["enqueue", FAILED]  # nothing was tried, so nothing more is audited
    finally:
        dispose(app)


def test_with_no_e_mail_set_up_a_hand_off_owes_nothing(app: Flask, sms: SmsActions) -> None:
    reference = sms.hand_off(SUMMARY)
    assert actions(app, reference) == ["enqueue"] and owed_rows(app) == 0
    assert retry(app) == (0, said(), "")
    with unit_of_work(app.extensions["intake"].sessions) as session:
        assert notify.notices_owed(session) == []
