"""Duty notifications: e-mails headed CONFIDENTIAL carrying only the reference and priority (policy 4.5)."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mailer:
    """Where duty e-mails go; an empty host or address means e-mail is switched off."""

    host: str
    port: int
    sender: str
    duty_address: str

    @property
    def enabled(self) -> bool:
        """True when there is somewhere to send to."""
        return bool(self.host and self.duty_address)

    def duty_alert(self, reference: str, priority: str) -> None:
        """Tell the duty inbox a new enquiry is waiting; the body holds the reference and priority only."""
        if not self.enabled:
            return
        urgent = priority == "urgent"
        message = EmailMessage()
        message["Subject"] = (
            f"CONFIDENTIAL — URGENT: enquiry {reference}" if urgent else f"CONFIDENTIAL: new enquiry {reference}"
        )
        message["From"] = self.sender
        message["To"] = self.duty_address
        lines = [
            "CONFIDENTIAL",
            "",
            f"Reference: {reference}",
            f"Priority: {priority}",
            "",
            "Open the caseworker console to see it. Do not forward this e-mail.",
        ]
        if urgent:
            lines.insert(4, "Possible child protection concern: please look now.")
        message.set_content("\n".join(lines))
        with smtplib.SMTP(self.host, self.port, timeout=10) as smtp:
            smtp.send_message(message)
        log.info("duty alert sent for %s (%s)", reference, priority)
