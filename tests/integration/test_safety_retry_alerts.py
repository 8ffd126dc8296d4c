"""`flask --app bot intake retry-alerts`: a duty alert that did not go is sent again without waiting for the parent.

The duty inbox is a real SMTP server (aiosmtpd, tests/conftest.py), first down, then up; nothing patched.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from intake import concerns, queue
from intake.db import unit_of_work
from intake.models import utcnow
from tests.conftest import Inbox, SmsActions, dispose, free_port, make_app
from tests.integration.test_safeguarding_alerts import FAILED, SENT, failures_logged, mail_env
from tests.integration.test_safeguarding_disclosures import REFERENCE, RISK, actions, alerts, reference_in, urgent
from tests.integration.test_safeguarding_repeat import _disclose


def retry(app: Flask) -> tuple[int, str]:
    """Run the command as cron would; its exit code and the duty alerts' line of its report."""
    result = app.test_cli_runner().invoke(args=["intake", "retry-alerts"])
    duty, emails = result.stdout.splitlines()
    assert emails.startswith("New-enquiry e-mails retried: 0,"), emails  # no parent here asked for a caseworker
    return result.exit_code, duty + "\n"


def test_an_alert_refused_while_the_mail_server_was_down_is_sent_by_the_command_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()  # nothing listening: the duty mail server is down
    app = make_app(tmp_path, **mail_env(port))
    sms = SmsActions(app.test_client())
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    started = False
    try:
        with caplog.at_level(logging.ERROR):
            reference = reference_in(sms.send(RISK))
            assert actions(app, reference) == ["safeguarding_flag", FAILED]
            assert retry(app) == (1, "Duty alerts retried: 1, sent: 0, failed: 1.\n")  # still down: tried, audited
        assert actions(app, reference) == ["safeguarding_flag", FAILED, FAILED]
        lines = failures_logged(caplog, sms)  # references and error types only
        assert sum(f"URGENT duty alert for {reference} failed (ConnectionRefusedError)" in line for line in lines) == 2

        controller.start()  # the mail server is back; the parent has not written again
        started = True
        assert retry(app) == (0, "Duty alerts retried: 1, sent: 1, failed: 0.\n")
        assert alerts(inbox) == [urgent(reference)]  # no message content, no number (checked by alerts())
        [(_, _, raw)] = inbox.messages
        assert set(REFERENCE.findall(raw.decode())) == {reference}  # it names this case's reference only
        assert actions(app, reference) == ["safeguarding_flag", FAILED, FAILED, SENT]

        assert retry(app) == (0, "Duty alerts retried: 0, sent: 0, failed: 0.\n")  # told: nothing more
        assert len(inbox.messages) == 1 and actions(app, reference)[-1] == SENT
    finally:
        dispose(app)
        if started:
            controller.stop()


def test_nothing_is_owed_for_an_alert_that_went(alerting_app: Flask, duty: Inbox) -> None:
    reference = reference_in(SmsActions(alerting_app.test_client()).send(RISK))
    assert alerts(duty) == [urgent(reference)]
    assert retry(alerting_app) == (0, "Duty alerts retried: 0, sent: 0, failed: 0.\n")
    assert alerts(duty) == [urgent(reference)]


def test_an_alert_that_never_said_how_it_went_is_owed_after_half_an_hour(alerting_app: Flask) -> None:
    app = alerting_app
    reference = reference_in(SmsActions(app.test_client()).send(RISK))
    assert _disclose(app, reference, 31) is True  # decided on, and (here) never sent: no outcome audited
    with app.extensions["intake"].sessions() as session:
        assert concerns.alerts_owed(session, utcnow() + timedelta(minutes=5)) == []  # may still be going out
        assert concerns.alerts_owed(session, utcnow() + timedelta(minutes=31)) == [reference]  # it never went


def test_a_closed_or_cleared_case_is_not_owed_an_alert(tmp_path: Path) -> None:
    from tests.integration.test_safeguarding_disclosures import claim

    app = make_app(tmp_path, **mail_env(free_port()))  # the mail server is down throughout
    try:
        cleared, closed, waiting, claimed = (
            reference_in(SmsActions(app.test_client(), f"+44770090030{n}").send(RISK)) for n in range(4)
        )
        claim(app, cleared, clear=True)  # a caseworker has it and found no safeguarding concern
        claim(app, closed)
        claim(app, claimed)  # still urgent: its caseworker may be away from their desk
        with unit_of_work(app.extensions["intake"].sessions) as session:
            queue.close(session, "alice", closed, "spoke to the parent", 30)
        with app.extensions["intake"].sessions() as session:
            assert concerns.alerts_owed(session) == [waiting, claimed]
    finally:
        dispose(app)


def test_the_command_is_documented_for_the_scheduler() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert re.search(r"flask --app bot intake retry-alerts", readme)
