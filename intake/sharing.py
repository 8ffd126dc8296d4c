"""Sharing with a third party (policy 3.2, 5.2): only with the parent's recorded consent for that body."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from intake import audit, queue
from intake.casework import CaseworkError, case_for
from intake.crypto import KeyRing
from intake.models import ConsentRecord, Enquiry, utcnow

SHARE_PURPOSE = "share_third_party"
# The question the caseworker reads to the parent; change the version whenever its meaning changes.
SHARE_WORDING_VERSION = "share-1"
SHARE_WORDING = (
    "May we share the details of your enquiry with {body}? We will share only what you told us and "
    "this reference. You can say no, and you can change your mind later."
)
# Kinds of body, not names: a school's name would identify the family more than policy 1.1 needs.
BODIES = {
    "school": "the child's school or setting",
    "sen_team": "the council's SEN team",
    "early_help": "the council's early help team",
    "health": "the child's health team (NHS)",
    "independent": "an independent supporter",
}
CHANNELS = {
    "phone": "phone",
    "sms": "text message",
    "web": "web chat",
    "email": "e-mail",
    "letter": "letter",
    "meeting": "in person",
}


@dataclass(frozen=True)
class ShareConsent:
    """The parent's latest answer about sharing with one body."""

    body: str
    label: str
    granted: bool
    wording_version: str
    channel: str
    at: datetime

    def as_sentence(self, zone: str) -> str:
        """'Parent agreed on phone at 01 Jul 2026 11:15 BST to share with the child's school.' (zone: TIMEZONE)"""
        verb = "agreed" if self.granted else "declined"
        # The zone's own abbreviation (BST or GMT): this sentence also goes out in the shared document.
        when = self.at.astimezone(ZoneInfo(zone)).strftime("%d %b %Y %H:%M %Z")
        return f"Parent {verb} on {CHANNELS.get(self.channel, self.channel)} at {when} to share with {self.label}."


def purpose_for(body: str) -> str:
    """The consent ledger's purpose for sharing with one kind of body."""
    return f"{SHARE_PURPOSE}:{body}"


def latest(enquiry: Enquiry) -> dict[str, ShareConsent]:
    """The latest answer per body (a later 'no' withdraws an earlier 'yes')."""
    found: dict[str, ShareConsent] = {}
    for record in sorted(enquiry.consents, key=lambda c: (c.at, c.id)):
        purpose, _, body = record.purpose.partition(":")
        if purpose == SHARE_PURPOSE and body in BODIES:
            found[body] = ShareConsent(body, BODIES[body], record.granted, record.wording_version,
                                       record.channel, record.at)
    return found


def answers(session: Session, reference: str) -> list[ShareConsent]:
    """The latest sharing answer per body for a case page."""
    enquiry = queue.by_reference(session, reference)
    return list(latest(enquiry).values()) if enquiry else []


def parse_time(text: str, zone: str, now: datetime | None = None) -> datetime:
    """A 'YYYY-MM-DDTHH:MM' local time from the form, as UTC; not in the future."""
    try:
        local = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise CaseworkError("Give the date and time the parent answered.") from exc
    if local.tzinfo is None:
        local = local.replace(tzinfo=ZoneInfo(zone))
    moment = local.astimezone(ZoneInfo("UTC"))
    if moment > (now or utcnow()) + timedelta(minutes=5):
        raise CaseworkError("The time the parent answered cannot be in the future.")
    return moment


def record_consent(
    session: Session, caseworker: str, role: str, reference: str, *, body: str, granted: bool, channel: str,
    at: datetime, wording_version: str,
) -> ShareConsent:
    """Record the parent's answer to the sharing question, as the caseworker heard it (append-only)."""
    if body not in BODIES:
        raise CaseworkError("Choose who the parent agreed to share with from the list.")
    if channel not in CHANNELS:
        raise CaseworkError("Choose how the parent gave their answer.")
    if wording_version != SHARE_WORDING_VERSION:
        raise CaseworkError("The sharing question has changed since the page was opened: ask the parent again.")
    enquiry = case_for(session, caseworker, role, reference)
    if at < enquiry.created_at.replace(second=0, microsecond=0):
        raise CaseworkError("The parent's answer cannot be older than the enquiry.")
    session.add(ConsentRecord(
        enquiry_id=enquiry.id, reference=reference, purpose=purpose_for(body), granted=granted,
        wording_version=wording_version, channel=channel, at=at,
    ))
    answer = "yes" if granted else "no"
    audit.record(session, caseworker, "consent_recorded", reference, f"{purpose_for(body)} {answer}")
    return ShareConsent(body, BODIES[body], granted, wording_version, channel, at)


@dataclass(frozen=True)
class SharedRecord:
    """What goes to a third party: the parent-confirmed enquiry and the consent it rests on; no contact details."""

    reference: str
    topic: str
    summary: str | None
    facts: dict[str, Any]
    consent: ShareConsent
    prepared_by: str
    prepared_at: datetime


def share(session: Session, keys: KeyRing, caseworker: str, role: str, reference: str, body: str) -> SharedRecord:
    """Prepare the export for one body, refused without the parent's consent on record; audited."""
    if body not in BODIES:
        raise CaseworkError("Choose who to share with from the list.")
    enquiry = case_for(session, caseworker, role, reference)
    consent = latest(enquiry).get(body)
    if consent is None or not consent.granted:
        raise CaseworkError(
            f"The parent has not agreed to share with {BODIES[body]}, so nothing can be shared. "
            "Ask them, and record their answer first."
        )
    audit.record(session, caseworker, "share", reference, body)
    return SharedRecord(
        reference=enquiry.reference,
        topic=enquiry.topic,
        summary=keys.decrypt(enquiry.summary) if enquiry.summary else None,
        facts=keys.decrypt_json(enquiry.facts) if enquiry.facts else {},
        consent=consent,
        prepared_by=caseworker,
        prepared_at=utcnow(),
    )
