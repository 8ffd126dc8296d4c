"""Duty notifications: e-mails headed CONFIDENTIAL carrying only the reference and priority (policy 4.5).

Also what became of a "new enquiry" e-mail that failed, so `retry-alerts` sends it again (notices_owed).
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from intake import audit, queue
from intake.models import AuditEvent, Enquiry

log = logging.getLogger(__name__)
# A new enquiry's e-mail to caseworkers is audited when it fails, and when a retry then sends it. One that goes
# first time is not: the "enqueue" event already dates the enquiry, and a hand-off keeps one write fewer.
NOTICE_SENT, NOTICE_FAILED = "new_enquiry_notice_sent", "new_enquiry_notice_failed"
# After a failed notice, these say someone knows of the enquiry: the e-mail went, a caseworker claimed it, or
# a disclosure made it urgent (the duty alert, retried by its own rule, concerns.alerts_owed, took over).
SETTLED_BY = (NOTICE_SENT, "claim", "safeguarding_flag")


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


def record_notice(session: Session, reference: str, failure: str | None) -> None:
    """Audit a new-enquiry e-mail: sent (after a failure), or failed (`failure` names the error's type only)."""
    if failure is None:
        audit.record(session, "bot", NOTICE_SENT, reference)
    else:
        audit.record(session, "bot", NOTICE_FAILED, reference, failure)


def notices_owed(session: Session) -> list[str]:
    """References of enquiries still waiting in the queue whose new-enquiry e-mail failed (retry-alerts).

    Not urgent ones: a disclosure since made them the duty alert's. Nor one a caseworker claimed since the
    failure, even if it is back in the queue. Oldest first. The queue's waiting, normal enquiries are probed
    by reference (indexed) for a failure; only the few found get their latest event read.
    Not flagged on the console: such an enquiry waits in the queue like any other, so whoever is looking sees
    it; the e-mail is for those who are not, and the command's exit status reaches whoever keeps mail working.
    """
    failed = select(AuditEvent.id).where(AuditEvent.reference == Enquiry.reference,
                                         AuditEvent.action == NOTICE_FAILED)
    waiting = session.scalars(
        select(Enquiry.reference)
        .where(Enquiry.status == "queued", Enquiry.priority == queue.NORMAL, failed.exists())
        .order_by(Enquiry.created_at, Enquiry.id)
    ).all()
    if not waiting:
        return []
    latest = (select(func.max(AuditEvent.id))
              .where(AuditEvent.reference.in_(waiting), AuditEvent.action.in_((NOTICE_FAILED, *SETTLED_BY)))
              .group_by(AuditEvent.reference))
    owed = set(session.scalars(select(AuditEvent.reference).where(AuditEvent.id.in_(latest.scalar_subquery()),
                                                                  AuditEvent.action == NOTICE_FAILED)))
    return [reference for reference in waiting if reference in owed]
