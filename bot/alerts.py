"""Duty alerts for new enquiries: e-mail for all, and a text to the duty phone for urgent ones.

Each one that fails is audited (reference and error type only) and sent again by `retry-alerts` (Alerts.retry),
as is a new enquiry's e-mail its worker stopped before sending (owed from the hand-off's transaction: owe_email).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.content import Content
from bot.texting import Texter
from intake import concerns, notify, queue
from intake.db import unit_of_work
from intake.models import Enquiry
from intake.notify import Mailer

log = logging.getLogger(__name__)


class NobodyToTell(RuntimeError):
    """An urgent alert with no duty e-mail or text configured: nobody was told, so it did not go."""


class AnotherRun(RuntimeError):
    """Another retry-alerts run holds the lease (still sending, or it stopped less than notify.RUN_LEASE ago)."""


def mailer(settings: Settings) -> Mailer:
    """The duty mailer the settings describe (SMTP_HOST, SMTP_PORT, MAIL_FROM, DUTY_EMAIL, and SMTP_SECURITY,
    SMTP_USERNAME, SMTP_PASSWORD, SMTP_CA_FILE for how it connects)."""
    return Mailer(settings.smtp_host, settings.smtp_port, settings.mail_from, settings.duty_email,
                  security=settings.smtp_security, username=settings.smtp_username,
                  password=settings.smtp_password, ca_file=settings.smtp_ca_file)


def owe_email(session: Session, enquiry: Enquiry, settings: Settings) -> None:
    """In a hand-off's own transaction: with e-mail set up, the new enquiry's e-mail is owed until it goes.

    So a worker that stops between the commit and the send leaves it to retry-alerts rather than losing it.
    """
    if mailer(settings).enabled:
        notify.owe_notice(session, enquiry)


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


def tell_caseworkers(alert: Callable[[str, str], None], sessions: sessionmaker[Session], reference: str,
                     priority: str, *, retry: bool = False) -> bool:
    """E-mail that a new enquiry is waiting; True if it went. Sent, it is no longer owed; failed, it is audited
    and owed now, so retry-alerts sends it again. Only a retry's sending is audited (notify.record_notice).
    """
    failure = None
    try:
        alert(reference, priority)
    except Exception as exc:  # SMTP down or refusing: the parent's reply has gone; the e-mail is owed
        failure = type(exc).__name__  # never the error's text: a mail server's can quote an address
        log.error("new-enquiry e-mail for %s failed (%s): it will be tried again", reference, failure)
    if failure is None and retry:
        log.info("new-enquiry e-mail for %s sent", reference)
    with unit_of_work(sessions) as session:
        notify.record_notice(session, reference, failure, retried=retry)
    return failure is None


@dataclass(frozen=True)
class Retried:
    """One kind of alert in a retry-alerts run: the references owed, and those still failing after it."""

    owed: tuple[str, ...]
    failed: tuple[str, ...]

    @property
    def sent(self) -> int:
        """How many went this time."""
        return len(self.owed) - len(self.failed)


@dataclass(frozen=True)
class Alerts:
    """The app's alert service: duty alerts and new-enquiry e-mails, each failure audited and sent again later."""

    send: DutyAlerts
    sessions: sessionmaker[Session]

    def new_enquiry(self, reference: str, priority: str) -> None:
        """After a hand-off's commit: tell caseworkers by e-mail (when set up) that an enquiry is waiting.

        Urgent is the duty alert's (`duty`): the form never makes one, but a parent's message on an urgent case does.
        """
        if priority == queue.URGENT:
            self.duty(reference)
            return
        if self.send.mailer.enabled:  # without e-mail set up caseworkers watch the queue: nothing goes, none owed
            tell_caseworkers(self.send, self.sessions, reference, priority)

    def duty(self, reference: str) -> bool:
        """After a commit: tell the duty worker about an urgent case (reference only), as a new concern does.

        For news on a case already urgent: the parent wrote again, or a caseworker put it back in the queue.
        Its outcome is audited, so a failure is tried again (retry-alerts); True if it went.
        """
        return tell_duty(self.send, self.sessions, reference)

    def retry(self) -> tuple[Retried, Retried]:
        """Send again every duty alert, then every new-enquiry e-mail, still owed; (duty, e-mails) as they went.

        One run at a time, so two never send the same alert: AnotherRun, with nothing sent, while another run
        holds the lease (notify.hold_run). It is held again before each alert, so a run that outlived it stops.
        """
        run = uuid.uuid4().hex
        with unit_of_work(self.sessions) as session:
            if not notify.hold_run(session, run):
                raise AnotherRun
            notify.settle_notices(session)
            duty, notices = concerns.alerts_owed(session), notify.notices_owed(session)
        try:
            duty_failed = self._each(run, duty, lambda r: tell_duty(self.send, self.sessions, r))
            if notices and not self.send.mailer.enabled:
                # E-mail was switched off since they were owed: nothing to send them with ("sent" would be untrue).
                log.error("new-enquiry e-mails owed for %d enquiries, but no SMTP_HOST or DUTY_EMAIL is set",
                          len(notices))
                return Retried(tuple(duty), duty_failed), Retried(tuple(notices), tuple(notices))
            notices_failed = self._each(
                run, notices, lambda r: tell_caseworkers(self.send, self.sessions, r, queue.NORMAL, retry=True))
            return Retried(tuple(duty), duty_failed), Retried(tuple(notices), notices_failed)
        finally:
            with unit_of_work(self.sessions) as session:
                notify.end_run(session, run)

    def _each(self, run: str, references: Sequence[str], send: Callable[[str], bool]) -> tuple[str, ...]:
        """Send each owed alert, this run's lease renewed before each; the references still failing."""
        failed = []
        for reference in references:
            with unit_of_work(self.sessions) as session:
                held = notify.hold_run(session, run)
            if not held:  # one send outlasted the lease (a suspended process?) and another run took over
                log.error("retry-alerts: this run's lease ran out and another run has it; stopping")
                raise AnotherRun
            if not send(reference):
                failed.append(reference)
        return tuple(failed)
