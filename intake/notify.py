"""Duty notifications: e-mails headed CONFIDENTIAL carrying only the reference and priority (policy 4.5), sent
over TLS with the server's certificate checked unless SMTP_SECURITY is none.

Also which "new enquiry" e-mails are still owed (a row written with the enquiry, deleted when the e-mail goes),
and the lease that keeps `retry-alerts` to one run at a time, so no alert goes twice.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from intake import audit, queue
from intake.models import AuditEvent, Enquiry, EnquiryNotice, JobLease, utcnow

log = logging.getLogger(__name__)
# A new enquiry's e-mail to caseworkers is audited when it fails, and when a retry then sends it. One that goes
# first time is not: the "enqueue" event already dates the enquiry.
NOTICE_SENT, NOTICE_FAILED = "new_enquiry_notice_sent", "new_enquiry_notice_failed"
# Each step of an SMTP conversation (connect, each command's reply) waits at most this long: a hanging server
# fails a send within seconds, well inside FIRST_TRY and RUN_LEASE, which both count on it.
SMTP_TIMEOUT = 10
# The hand-off sends its e-mail just after its commit: retry-alerts leaves it to the hand-off for this long.
FIRST_TRY = timedelta(minutes=2)
# One retry-alerts run at a time: the run holds this lease, renewed before each alert it sends, and gives it up
# when it ends; a run that died holds it no longer than this. Longer than any one send can take (SMTP_TIMEOUT).
RETRY_ALERTS, RUN_LEASE = "retry-alerts", timedelta(minutes=5)
# How the connection to the mail server is protected (SMTP_SECURITY): STARTTLS on the usual port (required:
# no STARTTLS, no e-mail), TLS from the first byte (port 465), or none (a relay on this same machine only).
STARTTLS, SSL, NONE = "starttls", "ssl", "none"
SECURITY_MODES = (STARTTLS, SSL, NONE)


class StartTLSNotOffered(smtplib.SMTPException):
    """The mail server did not offer STARTTLS, so nothing was sent: the alert is owed and tried again."""


@dataclass(frozen=True)
class Mailer:
    """Where duty e-mails go, and how; an empty host or address means e-mail is switched off.

    The connection is encrypted and the server's certificate checked (against `ca_file` when given) unless
    `security` is NONE; a login is only ever sent over an encrypted connection.
    """

    host: str
    port: int
    sender: str
    duty_address: str
    security: str = STARTTLS
    username: str = ""
    password: str = field(default="", repr=False)  # a secret: never in a repr, a log line or an error
    ca_file: str = ""

    def __post_init__(self) -> None:
        # Messages name the settings only, never their values (the password above all).
        if self.security not in SECURITY_MODES:
            raise ValueError(f"SMTP_SECURITY must be one of {', '.join(SECURITY_MODES)}")
        if self.username and self.security == NONE:
            raise ValueError("SMTP_USERNAME needs SMTP_SECURITY starttls or ssl: a password is never sent unencrypted")

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
        self.send(message)
        log.info("duty alert sent for %s (%s)", reference, priority)

    def send(self, message: EmailMessage) -> None:
        """Send one message as `security` says; raises (StartTLSNotOffered among others) when it did not go."""
        # Log lines here say what to change, never an address, a reply from the server or a secret; the caller
        # logs the reference and the error's type.
        context = ssl.create_default_context(cafile=self.ca_file or None) if self.security != NONE else None
        try:
            if self.security == SSL:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=SMTP_TIMEOUT, context=context)
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT)
            with smtp:
                if self.security == STARTTLS:
                    smtp.ehlo()
                    if not smtp.has_extn("starttls"):
                        log.error("e-mail not sent: the mail server (SMTP_HOST) does not offer STARTTLS, so the "
                                  "message would go unencrypted; use its TLS port with SMTP_SECURITY=ssl, or "
                                  "SMTP_SECURITY=none only for a relay on this same machine")
                        raise StartTLSNotOffered
                    smtp.starttls(context=context)
                    smtp.ehlo()  # the server's offer (AUTH among it) may differ once encrypted
                if self.username:  # never over NONE (refused when the mailer is made)
                    smtp.login(self.username, self.password)
                smtp.send_message(message)
        except ssl.SSLCertVerificationError:
            log.error("e-mail not sent: the mail server's certificate could not be verified for SMTP_HOST; "
                      "for a relay with its own certificate authority set SMTP_CA_FILE")
            raise
        except smtplib.SMTPAuthenticationError:
            log.error("e-mail not sent: the mail server refused the login (check SMTP_USERNAME and SMTP_PASSWORD)")
            raise


def owe_notice(session: Session, enquiry: Enquiry, now: datetime | None = None) -> None:
    """In the hand-off's own transaction: the new enquiry's e-mail is owed until it goes.

    The hand-off sends it after the commit; if its worker stops first, retry-alerts sends it after FIRST_TRY.
    """
    session.add(EnquiryNotice(enquiry_id=enquiry.id, due_at=(now or utcnow()) + FIRST_TRY))


def record_notice(session: Session, reference: str, failure: str | None, *, retried: bool = True) -> None:
    """What became of a new-enquiry e-mail. Sent: no longer owed, audited when a retry sent it. Failed: audited
    (`failure` names the error's type only) and due now, so the next retry-alerts run sends it."""
    owed = EnquiryNotice.enquiry_id == select(Enquiry.id).where(Enquiry.reference == reference).scalar_subquery()
    if failure is None:
        session.execute(delete(EnquiryNotice).where(owed))
        if retried:
            audit.record(session, "bot", NOTICE_SENT, reference)
        return
    session.execute(update(EnquiryNotice).where(owed).values(due_at=utcnow()))
    audit.record(session, "bot", NOTICE_FAILED, reference, failure)


def _still_wanted() -> ColumnElement[bool]:
    """An enquiry whose e-mail would still tell someone something: waiting in the queue, ordinary, never claimed.

    Claimed, even if back in the queue, a caseworker has seen it; urgent, the duty alert has it (concerns).
    """
    claimed = select(AuditEvent.id).where(AuditEvent.reference == Enquiry.reference, AuditEvent.action == "claim")
    return (Enquiry.status == "queued") & (Enquiry.priority == queue.NORMAL) & ~claimed.exists()


def notices_owed(session: Session, now: datetime | None = None) -> list[str]:
    """References of enquiries whose new-enquiry e-mail is owed and due, and still wanted (retry-alerts), oldest
    first: it failed, or its worker stopped before sending it and FIRST_TRY has passed.

    Not flagged on the console: such an enquiry waits in the queue like any other, so whoever is looking sees
    it; the e-mail is for those who are not, and the command's exit status reaches whoever keeps mail working.
    """
    return list(session.scalars(
        select(Enquiry.reference)
        .join(EnquiryNotice, EnquiryNotice.enquiry_id == Enquiry.id)
        .where(EnquiryNotice.due_at <= (now or utcnow()), _still_wanted())
        .order_by(Enquiry.created_at, Enquiry.id)
    ))


def settle_notices(session: Session) -> int:
    """Forget the e-mails owed for enquiries that no longer want one (claimed, closed or urgent since); how many."""
    unwanted = select(Enquiry.id).where(Enquiry.id == EnquiryNotice.enquiry_id, ~_still_wanted())
    result = session.execute(delete(EnquiryNotice).where(unwanted.exists()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def hold_run(session: Session, run: str, now: datetime | None = None) -> bool:
    """Take the retry-alerts lease for `run`, or renew it, for RUN_LEASE; False while another run holds it.

    One conditional UPDATE: two runs at once wait on the row (PostgreSQL) or the database (SQLite), and the
    second then sees it taken. The first run ever makes the row; two such at once clash on its key.
    """
    now = now or utcnow()
    taken = session.execute(
        update(JobLease)
        .where(JobLease.name == RETRY_ALERTS, or_(JobLease.holder == run, JobLease.until <= now))
        .values(holder=run, until=now + RUN_LEASE)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if taken:
        return True
    if session.get(JobLease, RETRY_ALERTS) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(JobLease(name=RETRY_ALERTS, holder=run, until=now + RUN_LEASE))
    except IntegrityError:
        return False
    return True


def end_run(session: Session, run: str) -> None:
    """Give the lease up when `run` ends, so the next run need not wait for it to run out."""
    session.execute(
        update(JobLease)
        .where(JobLease.name == RETRY_ALERTS, JobLease.holder == run)
        .values(until=utcnow())
        .execution_options(synchronize_session=False)
    )
