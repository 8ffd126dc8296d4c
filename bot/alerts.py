"""Duty alerts for new enquiries: e-mail for all, and a text to the duty phone for urgent ones."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.content import Content
from bot.texting import Texter
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
        """Send the alerts; one failing channel does not stop the other, but any failure raises afterwards."""
        if priority == "urgent" and not self.mailer.enabled and not (self.duty_phone and self.texter):
            # Nobody can be told: say so loudly in the log (reference only) so it is seen and fixed, and raise,
            # so the caller does not take it for an alert that went.
            log.error("URGENT enquiry %s: no duty e-mail (SMTP_HOST, DUTY_EMAIL) or text (DUTY_SMS) is set", reference)
            raise NobodyToTell(reference)
        try:
            self.mailer.duty_alert(reference, priority)
        finally:
            if priority == "urgent" and self.duty_phone and self.texter is not None:
                self.texter(self.duty_phone, self.content.text("duty_sms", reference=reference))
                log.info("duty text sent for %s", reference)
