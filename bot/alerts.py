"""Duty alerts for new enquiries: e-mail for all, and a text to the duty phone for urgent ones."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bot.content import Content
from bot.texting import Texter
from intake import concerns, queue
from intake.db import unit_of_work
from intake.notify import Mailer

log = logging.getLogger(__name__)


class NobodyToTell(RuntimeError):
    """An urgent alert with no duty e-mail or text configured: nobody was told, so it did not go."""


@dataclass(frozen=True)
class DutyAlerts:
    """Tells the duty caseworker; every message carries the reference and priority only (policy 4.5)."""

    mailer: Mailer
    content: Content
    duty_phone: str = ""
    texter: Texter | None = None

    def __call__(self, reference: str, priority: str) -> None:
        """Send the alerts; one failing channel does not stop the other. Raises when nobody was told."""
        text = priority == "urgent" and bool(self.duty_phone) and self.texter is not None
        if priority == "urgent" and not self.mailer.enabled and not text:
            # Nobody can be told: say so loudly in the log (reference only) so it is seen and fixed, and raise,
            # so the caller does not take it for an alert that went.
            log.error("URGENT enquiry %s: no duty e-mail (SMTP_HOST, DUTY_EMAIL) or text (DUTY_SMS) is set", reference)
            raise NobodyToTell(reference)
        told, failure = False, None
        if self.mailer.enabled:
            told, failure = self._send("e-mail", reference, lambda: self.mailer.duty_alert(reference, priority))
        if text and self.texter is not None:
            texter = self.texter
            texted, failed = self._send("text", reference, lambda: texter(
                self.duty_phone, self.content.text("duty_sms", reference=reference)))
            if texted:
                log.info("duty text sent for %s", reference)
            told, failure = told or texted, failure or failed
        # The duty worker heard by one channel: told (a retry per message would flood the working one).
        if failure is not None and not told:
            raise failure

    @staticmethod
    def _send(channel: str, reference: str, send: Callable[[], None]) -> tuple[bool, Exception | None]:
        """One channel's alert: (sent, the error if it failed), the failure logged with the reference only."""
        try:
            send()
        except Exception as exc:
            # The error's type only: a mail server's or SMS provider's message can quote an address or number.
            log.error("duty %s for %s failed: %s", channel, reference, type(exc).__name__)
            return False, exc
        return True, None


def tell_duty(alert: Callable[[str, str], None], sessions: sessionmaker[Session], reference: str) -> bool:
    """Send an urgent case's duty alert and audit whether it went, so a failure is tried again; True if it went.

    Tried again by the next disclosure, and by `flask --app bot intake retry-alerts` (run from cron).
    """
    failure = None
    try:
        alert(reference, queue.URGENT)
    except Exception as exc:  # SMTP down or refusing: the parent's reply must still go
        failure = type(exc).__name__
        # Reference and error type only: a mail server's or SMS provider's message can quote an address.
        log.error("URGENT duty alert for %s failed (%s): it will be tried again", reference, failure)
    else:
        log.info("URGENT duty alert for %s sent", reference)
    with unit_of_work(sessions) as session:
        concerns.record_alert(session, reference, failure)
    return failure is None
