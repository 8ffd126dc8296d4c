"""A "new enquiry" e-mail to caseworkers that did not go is audited and sent again by `retry-alerts`.

The caseworkers' inbox is a real SMTP server (aiosmtpd, tests/conftest.py): refusing, or down, then back.
Nothing is patched.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from bot import create_app
from intake import notify
from intake.db import unit_of_work
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
    assert actions(alerting_app, reference) == ["enqueue"]  # one write fewer per hand-off: nothing to settle
    assert retry(alerting_app) == (0, said(), "")
    assert alerts(duty) == [new(reference)]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> dict[str, str]:
    """The app's own SQLite file, or a clean PostgreSQL schema (skipped, saying why, when unreachable)."""
    return {} if request.param == "sqlite" else {"DATABASE_URL": request.getfixturevalue("postgres_url")}


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
    assert actions(app, reference) == ["enqueue"]
    assert retry(app) == (0, said(), "")
    with unit_of_work(app.extensions["intake"].sessions) as session:
        assert notify.notices_owed(session) == []
