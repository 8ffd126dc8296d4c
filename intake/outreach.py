"""Texting the parent from the console: only with consent, in their safe time, discreet unless they agreed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from intake import audit, casework, conversations
from intake.casework import SMS_METHODS, CaseworkError, ContactClock, allowed, case_for, reply_target
from intake.crypto import KeyRing, contact_key

# Names that give the service away whatever the local service calls itself (policy 2.1).
ALWAYS_REVEALING = ("SENDIASS", "SENDIAS", "Parent Partnership")


@dataclass(frozen=True)
class OutboundText:
    """One text to send: where to and what; held in memory only for the time it takes to send."""

    to: str
    body: str


def names_the_service(text: str, service_name: str) -> bool:
    """True when the text says the service's name, a known name for such services, or its acronym."""
    lowered = text.lower()
    if service_name and service_name.lower() in lowered:
        return True
    if any(name.lower() in lowered for name in ALWAYS_REVEALING):
        return True
    # Acronyms in the service's name (e.g. "SENDIASS", "PPS") count when written as words in capitals.
    acronyms = [word for word in re.findall(r"[A-Za-z]+", service_name) if len(word) >= 3 and word.isupper()]
    return any(re.search(rf"\b{re.escape(word)}\b", text) for word in acronyms)


def prepare_sms_reply(
    session: Session, keys: KeyRing, hash_key: str, caseworker: str, role: str, reference: str, text: str,
    service_name: str, clock: ContactClock,
) -> OutboundText:
    """The text to send to the parent, or a CaseworkError saying why it must not be sent.

    The safe-time check (policy 1.3, 2.1) is made here, not left to each caller, so no path that texts a
    parent can skip it; outside the parent's window the refusal says when it is next safe.
    """
    text, enquiry, contact = reply_target(session, keys, caseworker, role, reference, text, SMS_METHODS,
                                          "by text message")
    method = contact.get("method")
    number = contact.get("number") if method == "sms_this" else contact.get("detail")
    if not number:
        raise CaseworkError("No number is on record for a text, so no text can be sent.")
    if conversations.is_opted_out(session, contact_key(hash_key, number)):
        raise CaseworkError("The parent texted STOP, so no text can be sent until they text START.")
    if not allowed(enquiry, "name_service") and names_the_service(text, service_name):
        raise CaseworkError(
            "The parent did not agree to the service's name being used: take the name out of the text "
            "(someone else may see their phone)."
        )
    casework.require_safe_time(enquiry, clock)  # the one rule, on the enquiry already loaded
    return OutboundText(number, text)


def record_reply(
    session: Session, keys: KeyRing, caseworker: str, role: str, reference: str, sent: OutboundText,
) -> None:
    """A text reached the provider: the first contact is noted, the words sent are kept on the case (encrypted;
    never the number, which is on the case already) and it is audited (never the content)."""
    casework.record_reply(session, keys, case_for(session, caseworker, role, reference), caseworker, "sms",
                          sent.body)


def record_failed_reply(session: Session, caseworker: str, reference: str, channel: str) -> None:
    """A text could not be handed to the provider: audited so a retry can be followed up."""
    audit.record(session, caseworker, "reply_failed", reference, channel)
