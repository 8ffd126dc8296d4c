"""A duty alert that did not go (mail server down or refusing) is not taken as sent: the next disclosure tries again."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from intake import concerns
from tests.conftest import ALWAYS_OPEN, TWILIO_ACCOUNT, Inbox, SmsActions, dispose, free_port, make_app
from tests.integration.test_safeguarding_disclosures import (
    AGAIN,
    MORE,
    RISK,
    actions,
    alerts,
    reference_in,
    urgent,
)
from tests.integration.test_safeguarding_repeat import EMERGENCY, block, lose_memory

SENT, FAILED = concerns.ALERT_SENT, concerns.ALERT_FAILED


class RefusingInbox(Inbox):
    """The duty mail server, refusing every message while `refusing` is set (mailbox full, relay down)."""

    refusing = True

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refusing:
            return "451 4.3.0 Mail server temporarily unavailable"
        return await super().handle_DATA(server, session, envelope)


def mail_env(port: int) -> dict[str, str]:
    """Settings e-mailing duty alerts to 127.0.0.1:`port`, always open."""
    return {"OFFICE_HOURS": ALWAYS_OPEN, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port),
            "DUTY_EMAIL": "duty@example.org", "MAIL_FROM": "intake@example.org"}


@pytest.fixture
def refusing(tmp_path: Path) -> Iterator[tuple[Flask, RefusingInbox]]:
    """The app, and a real SMTP server that refuses its duty alerts until told otherwise."""
    inbox, port = RefusingInbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app = make_app(tmp_path, **mail_env(port))
    try:
        yield app, inbox
    finally:
        dispose(app)
        controller.stop()


def failures_logged(caplog: pytest.LogCaptureFixture, sms: SmsActions) -> list[str]:
    """The error lines logged, each checked to carry no message text and no phone number."""
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    for line in lines:
        for secret in ("hits", "not safe", "cutting", sms.number, sms.number[-6:], "duty@example.org"):
            assert secret not in line, secret
    return lines


def test_a_refused_alert_is_audited_as_failed_and_the_next_disclosure_alerts_again(
    refusing: tuple[Flask, RefusingInbox], caplog: pytest.LogCaptureFixture
) -> None:
    app, inbox = refusing
    sms = SmsActions(app.test_client())
    with caplog.at_level(logging.ERROR):
        replies = sms.send(RISK)
    reference = reference_in(replies)
    assert replies[0].startswith(EMERGENCY)  # the parent's safety reply goes whatever the mail server does
    assert alerts(inbox) == [] and actions(app, reference) == ["safeguarding_flag", FAILED]
    assert any(reference in line and "SMTPDataError" in line for line in failures_logged(caplog, sms))

    inbox.refusing = False
    assert reference_in(sms.send(AGAIN)) == reference  # the same conversation: it remembers its concern
    assert alerts(inbox) == [urgent(reference)]  # the failed alert did not count: the duty worker hears now
    sms.send(MORE)
    assert alerts(inbox) == [urgent(reference)]  # told this time: no alert per message
    assert actions(app, reference) == ["safeguarding_flag", FAILED, "safeguarding_added", SENT,
                                       "safeguarding_added"]


def test_with_the_mail_server_down_a_blocked_contacts_next_disclosure_alerts_again(
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
        lines = failures_logged(caplog, sms)
        assert any(reference in line and "ConnectionRefusedError" in line for line in lines)
        controller.start()  # the mail server is back
        started = True
        block(app, sms)  # and the number is blocked: no conversation memory, the audit trail decides
        replies = sms.send(AGAIN)
        assert replies[0].startswith(EMERGENCY) and reference_in(replies) == reference
        assert alerts(inbox) == [urgent(reference)]
        sms.send(MORE)
        assert alerts(inbox) == [urgent(reference)]  # told minutes ago now: no second alert
        assert actions(app, reference) == ["safeguarding_flag", FAILED, "safeguarding_added", SENT,
                                           "safeguarding_added"]
    finally:
        dispose(app)
        if started:
            controller.stop()


def test_with_the_mail_server_refusing_a_duty_text_that_went_counts_as_told(
    tmp_path: Path, twilio_api: tuple[str, list[tuple[str, dict[str, list[str]]]]]
) -> None:
    base, texts = twilio_api
    inbox, port = RefusingInbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app = make_app(tmp_path, **mail_env(port), TWILIO_ACCOUNT_SID=TWILIO_ACCOUNT, TWILIO_SMS_FROM="+441632960001",
                   TWILIO_API_BASE=base, DUTY_SMS="+447700900777")
    try:
        sms = SmsActions(app.test_client())
        reference = reference_in(sms.send(RISK))
        lose_memory(app, sms, "forget")  # no conversation memory: the audit trail decides
        for message in (AGAIN, MORE):
            assert reference_in(sms.send(message)) == reference
        duty_texts = [fields["Body"][0] for _, fields in texts if fields["To"] == ["+447700900777"]]
        assert len(duty_texts) == 1 and reference in duty_texts[0]  # the duty phone heard once, not per message
        assert alerts(inbox) == []
        assert actions(app, reference)[:2] == ["safeguarding_flag", SENT]
    finally:
        dispose(app)
        controller.stop()


def test_with_no_duty_e_mail_or_text_set_up_the_alert_is_audited_as_failed(app: Flask, sms: SmsActions) -> None:
    reference = reference_in(sms.send(RISK))
    assert actions(app, reference) == ["safeguarding_flag", FAILED]  # nobody was told: never recorded as sent
