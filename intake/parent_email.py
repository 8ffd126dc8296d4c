"""E-mailing the parent from the console (policy 4.2, 4.5): only to a parent who chose e-mail and agreed to be
contacted, discreet unless they agreed to the service's name, and kept on the case as a text is.

The subject and the confidential marking are the caller's, from its wording (a template): this module checks,
builds the message and records it; sending is the project's SMTP mailer (intake.notify.Mailer).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy.orm import Session

from intake import casework, outreach
from intake.casework import EMAIL_METHODS, CaseworkError, ContactClock, case_for, reply_target
from intake.crypto import KeyRing

CHANNEL = "email"  # the reply channel: casework.SENT_KINDS keeps it as an "email" entry, the audit names it


@dataclass(frozen=True)
class OutboundEmail:
    """One e-mail to send: where to, the case's reference and the caseworker's words; in memory only while sent."""

    to: str
    reference: str
    words: str


def prepare(
    session: Session, keys: KeyRing, caseworker: str, role: str, reference: str, text: str, service_name: str,
    clock: ContactClock, *, service_phones: Sequence[str],
) -> OutboundEmail:
    """The e-mail to send to the parent, or a CaseworkError saying why it must not be sent.

    Safe times are asked only of a parent who chose a call or a text (form_rules.BY_PHONE), so an e-mail
    parent normally has none and an e-mail may go whenever the console is open: it waits in their inbox until
    they open it. If a record does hold a safe time, it is respected as a text's is.
    """
    text, enquiry, contact = reply_target(session, keys, caseworker, role, reference, text, EMAIL_METHODS,
                                          "by e-mail")
    address = str(contact.get("detail") or "")
    if not address:
        raise CaseworkError("No e-mail address is on record, so no e-mail can be sent.")
    # Someone else may read the parent's inbox, as they may their phone.
    outreach.require_discreet(enquiry, text, service_name, service_phones, "e-mail", "inbox")
    if enquiry.safe_times:
        casework.require_safe_time(enquiry, clock)
    return OutboundEmail(address, enquiry.reference, text)


def message(sender: str, outbound: OutboundEmail, subject: str, body: str) -> EmailMessage:
    """The e-mail as it goes: From the service's address, to the parent's, with the subject and body given."""
    mail = EmailMessage()
    mail["Subject"] = subject
    mail["From"] = sender
    mail["To"] = outbound.to
    mail.set_content(body)
    return mail


def record_sent(
    session: Session, keys: KeyRing, caseworker: str, role: str, reference: str, sent: OutboundEmail,
) -> None:
    """The mail server took the e-mail: the caseworker's words are kept on the case (encrypted; never the
    address, which is on the case already), the first contact noted, and it is audited (never the content)."""
    casework.record_reply(session, keys, case_for(session, caseworker, role, reference), caseworker, CHANNEL,
                          sent.words)


def record_failed(session: Session, caseworker: str, reference: str) -> None:
    """The e-mail did not reach the mail server: audited, as a failed text is; nothing is kept as sent."""
    outreach.record_failed_reply(session, caseworker, reference, CHANNEL)
