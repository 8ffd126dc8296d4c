"""Two `retry-alerts` runs at once (cron starting the next while one is stuck on a hanging mail server) never
send the same alert twice: one run at a time holds the lease, and a run that died holds it only until it runs out.

On SQLite here; tests/postgres/test_ops_retry_overlap.py runs the same on PostgreSQL. The mail server is a real
SMTP server (aiosmtpd) that hangs on each message until released; nothing is patched.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from bot.alerts import Retried
from intake import notify
from intake.db import unit_of_work
from intake.models import utcnow
from tests.conftest import Inbox, SmsActions, dispose, free_port, make_app
from tests.integration.test_enquiry_email_retry import SUMMARY, new, retry, said
from tests.integration.test_safeguarding_alerts import mail_env
from tests.integration.test_safeguarding_disclosures import RISK, alerts, reference_in, urgent

ANOTHER_RUN = ("Another retry-alerts run is still sending (or stopped less than 5 minutes ago): this run sent "
               "nothing more, so no alert goes twice.\n")


class HangingInbox(Inbox):
    """A mail server that hangs on each message until `release` is set; `stuck` says a sender is waiting on it."""

    def __init__(self) -> None:
        super().__init__()
        self.stuck, self.release = threading.Event(), threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.stuck.set()
        while not self.release.is_set():  # well inside the sender's 10 s wait (notify.SMTP_TIMEOUT)
            await asyncio.sleep(0.02)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def hanging(tmp_path: Path) -> Iterator[tuple[HangingInbox, int]]:
    """The hanging mail server's inbox and port; not started: the mail server is down until a test starts it."""
    inbox, port = HangingInbox(), free_port()
    yield inbox, port
    inbox.release.set()


def owed_while_mail_was_down(app: Flask) -> tuple[str, str]:
    """A parent's enquiry whose e-mail failed and an urgent case whose duty alert failed: (enquiry, concern)."""
    client = app.test_client()
    enquiry = SmsActions(client, "+447700900501").hand_off(SUMMARY)
    concern = reference_in(SmsActions(client, "+447700900502").send(RISK))
    return enquiry, concern


def overlapping_runs_send_each_alert_once(tmp_path: Path, inbox: HangingInbox, port: int,
                                          **database: str) -> None:
    """Run one: stuck on the mail server. Run two, started meanwhile: sends nothing. Each alert goes once."""
    app = make_app(tmp_path, **mail_env(port), **database)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    try:
        enquiry, concern = owed_while_mail_was_down(app)
        controller.start()  # back, but hanging on every message
        results: list[tuple[Retried, Retried] | BaseException] = []

        def first_run() -> None:
            try:
                results.append(app.extensions["intake"].alerts.retry())
            except BaseException as exc:  # surfaced below
                results.append(exc)

        first = threading.Thread(target=first_run)
        first.start()
        assert inbox.stuck.wait(60), "the first run never reached the mail server"
        assert retry(app) == (0, ANOTHER_RUN, "")  # the next cron run, while the first is stuck
        inbox.release.set()
        first.join(60)
        assert not first.is_alive()
        [(duty, emails)] = results
        assert (duty.owed, duty.failed, emails.owed, emails.failed) == ((concern,), (), (enquiry,), ())
        assert sorted(alerts(inbox)) == sorted([urgent(concern), new(enquiry)])  # each once, reference only
        assert retry(app) == (0, said(), "")  # the first run gave the lease up; nothing more is owed
    finally:
        inbox.release.set()
        controller.stop()
        dispose(app)


def a_dead_runs_lease_holds_only_until_it_runs_out(tmp_path: Path, port: int, **database: str) -> None:
    """A run killed mid-way keeps the next runs off for RUN_LEASE at most; then they send what is owed."""
    app = make_app(tmp_path, **mail_env(port), **database)
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    try:
        enquiry, concern = owed_while_mail_was_down(app)
        controller.start()
        with unit_of_work(app.extensions["intake"].sessions) as session:
            assert notify.hold_run(session, "killed-mid-run")  # and never gave it up
        assert retry(app) == (0, ANOTHER_RUN, "") and inbox.messages == []
        with unit_of_work(app.extensions["intake"].sessions) as session:  # as if it took it RUN_LEASE ago
            assert notify.hold_run(session, "killed-mid-run", utcnow() - notify.RUN_LEASE - timedelta(seconds=1))
        assert retry(app) == (0, said(duty=(1, 1, 0), emails=(1, 1, 0)), "")
        assert sorted(alerts(inbox)) == sorted([urgent(concern), new(enquiry)])
    finally:
        controller.stop()
        dispose(app)


def race_for_the_lease(sessions: Any, now: Any, runs: int = 8) -> list[str]:
    """`runs` runs asking for the lease at the same moment; the names of those that got it."""
    holders: list[str] = []
    errors: list[BaseException] = []
    gate = threading.Barrier(runs)

    def run(name: str) -> None:
        try:
            gate.wait()
            with unit_of_work(sessions) as session:
                if notify.hold_run(session, name, now):
                    holders.append(name)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(f"run-{now:%H%M}-{n}",)) for n in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors and not any(t.is_alive() for t in threads), errors
    return holders


def one_of_many_runs_at_once_holds_the_lease(tmp_path: Path, **database: str) -> None:
    """Eight runs starting together, the first run ever and again once a lease has run out: one holds it."""
    app = make_app(tmp_path, **database)
    try:
        sessions = app.extensions["intake"].sessions
        assert len(race_for_the_lease(sessions, utcnow())) == 1  # no lease yet: one makes it
        assert len(race_for_the_lease(sessions, utcnow() + notify.RUN_LEASE + timedelta(minutes=1))) == 1
    finally:
        dispose(app)


def test_a_run_started_while_another_is_stuck_on_the_mail_server_sends_nothing(
    tmp_path: Path, hanging: tuple[HangingInbox, int]
) -> None:
    overlapping_runs_send_each_alert_once(tmp_path, *hanging)


def test_a_run_that_died_keeps_the_others_off_only_until_its_lease_runs_out(tmp_path: Path) -> None:
    a_dead_runs_lease_holds_only_until_it_runs_out(tmp_path, free_port())


def test_of_runs_starting_together_one_holds_the_lease(tmp_path: Path) -> None:
    one_of_many_runs_at_once_holds_the_lease(tmp_path)
