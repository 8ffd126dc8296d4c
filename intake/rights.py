"""Parents' rights: see everything held on a reference (policy 6.3), and have a case erased (policy 4.7)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from intake import access_requests, audit, blocks, chat_sessions, concerns, queue, staff
from intake.casework import SENT_KINDS, CaseworkError, Labels, case_for
from intake.contact_windows import ContactTimes
from intake.crypto import KeyRing
from intake.db import checkpoint_after_commit
from intake.models import AuditEvent, CaseNote, ConsentRecord, Conversation, Enquiry, utcnow
from intake.parent_messages import DISCLOSURE

HEADING = "STRICTLY PRIVATE AND CONFIDENTIAL"
MACHINE_ACTORS = {"bot", "parent", "system", "cli", "admin"}
# Audit actions that would tell the reader a child-protection concern was raised or acted on.
SAFETY_ACTIONS = frozenset({"safeguarding_flag", "safeguarding_added", "safeguarding_cleared", "returned_urgent",
                            concerns.ALERT_SENT, concerns.ALERT_FAILED, "take_over"})
SAFETY_DETAILS = frozenset({"Topic", "Priority"})  # "a child's safety", "urgent"
# How staff may check that the person asking is the parent a record is about, before a copy or an erasure
# (anyone can claim to be the parent). The console's wording for each is in console/_identity.html.
IDENTITY_CHECKS = ("text", "call_back", "email", "in_person", "other")
BY_NUMBER = frozenset({"text", "call_back"})  # checks against the phone number on the record
BY_EMAIL = frozenset({"email"})  # against the e-mail address on the record (the parent chose "E-mail")
MAX_HOW = 200
WITHHELD = ("This case holds child-protection information. It is not in this copy: the service's safeguarding "
            "lead decides what of it can be shared, and with whom (Data Protection Act 2018, Schedule 3 Part 5).")


class ClaimedElsewhere(CaseworkError):
    """Erasure refused because another member of staff holds the case (the erase page says who)."""


class FormIncomplete(CaseworkError):
    """The form lacks an answer (the identity check, the typed reference): said on the form, which keeps its answers."""


@dataclass(frozen=True)
class IdentityCheck:
    """How the member of staff checked that the person asking is the parent the record is about.

    `how` is their own words for "other": shown on the copy the parent receives, never stored (it could name
    someone); the audit log keeps only that a check was made, and its kind.
    """

    kind: str
    how: str = ""

    @property
    def audit(self) -> str:
        """The audit detail: the kind of check only, never the requester's details."""
        return f"identity checked: {self.kind}"


def _entry_kind(note: CaseNote) -> str:
    """What a case entry is, for the parent reading their copy: their own words, what a caseworker sent them, or
    a caseworker's note (staff names are not the parent's data, so no author)."""
    if note.author in (queue.PARENT_MESSAGE, DISCLOSURE):
        return "parent"
    return note.kind if note.kind in SENT_KINDS.values() else "note"


def identity_check(kind: str, how: str = "") -> IdentityCheck:
    """The check as the console form gave it; refused when no kind is chosen, or "other" is not explained."""
    kind, how = kind.strip(), " ".join(how.split())
    if kind not in IDENTITY_CHECKS:
        raise FormIncomplete("Say how you checked that the person asking is the parent this record is about.")
    if kind != "other":
        return IdentityCheck(kind)
    if not how:
        raise FormIncomplete("You chose another way: say how you checked, in a few words.")
    if len(how) > MAX_HOW:
        raise FormIncomplete(f"Say how you checked in {MAX_HOW} characters or fewer.")
    return IdentityCheck(kind, how)


@dataclass
class HeldRecord:
    """Everything the service holds on one reference, decrypted for one export."""

    reference: str
    details: list[tuple[str, str]]
    summary: str | None
    facts: dict[str, Any]
    contact: dict[str, Any]
    safeguarding: list[str]
    consents: list[dict[str, Any]]  # purpose, granted, wording, channel in plain words (Labels.record); at
    notes: list[tuple[str, datetime, str]]  # (what it is: "parent", "sms", "chat" or "note"; when; its words)
    history: list[tuple[datetime, str, str]] = field(default_factory=list)  # (when, what was done, by whom), plain
    # facts and contact in plain words (Labels), as the export shows them to the parent
    fact_rows: list[tuple[str, str]] = field(default_factory=list)
    contact_rows: list[tuple[str, str]] = field(default_factory=list)
    prepared_by: str = ""
    prepared_at: datetime = field(default_factory=utcnow)
    withheld: str = ""  # why child-protection content is left out, when it is
    identity: IdentityCheck | None = None  # how the requester was checked to be the parent (the copy's header)


def _kind(event: AuditEvent) -> str:
    """The kind of request a rights-request event is about ("copy", "erasure"), which its label says."""
    if event.action.startswith("rights_request_") and event.detail:
        return event.detail.split(";", 1)[0].strip()
    return ""


def _when(moment: datetime | None, zone: ZoneInfo) -> str:
    """A stored time in the service's zone, as the export's other times ("Times are <zone> time")."""
    return moment.astimezone(zone).strftime("%d %b %Y %H:%M") if moment else "-"


def _safe_times(answer: str | None, times: ContactTimes) -> str:
    """The parent's safe-time answer in the words they were offered; a choice since removed, as stored."""
    if not answer:
        return "-"
    window = times.windows.get(answer)
    return window.label if window else answer


def exportable(session: Session, caseworker: str, role: str, reference: str) -> Enquiry:
    """The case, when this member of staff may export it (asked before the identity check, and again with it)."""
    # The holder or a manager only: the on-duty caseworker's view of someone else's urgent case is for
    # claiming or taking it over (policy 7.1), never for downloading it.
    enquiry = case_for(session, caseworker, role, reference, changing=role != "manager")
    # A child-protection case: whoever asks may be the person the concern is about (a reference is texted
    # to a phone others may read), so a manager prepares it, and the concern's words, the notes and the
    # steps taken on it stay out until the safeguarding lead has decided what can be shared.
    protected = child_protection(enquiry)
    if protected and role != "manager":
        raise CaseworkError("A case with a child-protection concern is exported by a manager, after the "
                            "safeguarding lead has reviewed it.")
    return enquiry


def _checkable(keys: KeyRing, enquiry: Enquiry, identity: IdentityCheck) -> None:
    """Refuse a check against "the number on the record" when the record holds none (a web chat or e-mail case)."""
    contact = keys.decrypt_json(enquiry.contact) if enquiry.contact else {}
    if identity.kind in BY_NUMBER and not (contact.get("number") or _is_phone(contact)):
        raise FormIncomplete("This record holds no phone number to check against: choose another way.")
    if identity.kind in BY_EMAIL and not (contact.get("method") == "email" and contact.get("detail")):
        raise FormIncomplete("This record holds no e-mail address to check against: choose another way.")


def _is_phone(contact: dict[str, Any]) -> bool:
    """A number the parent typed for calls or texts (their "detail" may be an e-mail address instead)."""
    return contact.get("method") in ("phone_other", "sms_other") and bool(contact.get("detail"))


def subject_access(
    session: Session, keys: KeyRing, caseworker: str, role: str, reference: str, *, identity: IdentityCheck,
    zone: str, times: ContactTimes, labels: Labels | None = None, today: date | None = None,
) -> HeldRecord:
    """The subject-access document's content, times in `zone` (TIMEZONE), once the requester's identity was
    checked; the export is audited with the kind of check (never the content, nor who asked), and closes the
    case's open request for a copy as done `today` (the service's day)."""
    enquiry = exportable(session, caseworker, role, reference)
    _checkable(keys, enquiry, identity)
    protected = child_protection(enquiry)
    local = ZoneInfo(zone)
    labels = labels or Labels()
    said = labels.record
    details = [
        ("Reference", enquiry.reference),
        ("Topic", labels.topic(enquiry.topic)),
        ("How you contacted us", said.channel(enquiry.channel)),
        ("Status", said.status(enquiry.status)),
        ("Priority", said.priority(enquiry.priority)),
        ("Received", _when(enquiry.created_at, local)),
        ("Picked up by a caseworker", _when(enquiry.claimed_at, local)),
        ("First contact from a caseworker", _when(enquiry.first_contact_at, local)),
        ("Closed", _when(enquiry.closed_at, local)),
        ("Outcome", enquiry.outcome or "-"),
        ("Safe times to contact", _safe_times(enquiry.safe_times, times)),
        ("Voicemail or message allowed", "yes" if enquiry.voicemail_ok else "no"),
        ("May say the service's name", "yes" if enquiry.name_service_ok else "no"),
        ("Kept until (at the latest)", _when(enquiry.retain_until, local)),
    ]
    if enquiry.override_reason and not protected:
        details.append(("Why this was kept without asking", enquiry.override_reason))
    if protected:
        details = [(name, value) for name, value in details if name not in SAFETY_DETAILS]
    events = session.scalars(select(AuditEvent).where(AuditEvent.reference == reference).order_by(AuditEvent.id))
    record = HeldRecord(
        reference=enquiry.reference,
        details=details,
        summary=keys.decrypt(enquiry.summary) if enquiry.summary else None,
        facts=keys.decrypt_json(enquiry.facts) if enquiry.facts else {},
        # The parent's own contact details, minus the internal chat session id (useless to them).
        contact={k: v for k, v in (keys.decrypt_json(enquiry.contact) if enquiry.contact else {}).items()
                 if k != "session_id"},
        safeguarding=keys.decrypt_json(enquiry.safeguarding) if enquiry.safeguarding and not protected else [],
        consents=[{"purpose": said.purpose(c.purpose), "granted": c.granted, "wording": said.wording(c.wording_version),
                   "channel": said.channel(c.channel), "at": c.at} for c in enquiry.consents],
        notes=[] if protected else [(_entry_kind(n), n.created_at, keys.decrypt(n.body)) for n in enquiry.notes],
        # Who handled the case, by role not name: staff names are not the parent's data. The detail is read
        # only for a request's kind ("copy"), which picks its label; it is never shown.
        history=[(e.at, said.action(e.action, _kind(e)), said.actor(e.actor if e.actor in MACHINE_ACTORS else "staff"))
                 for e in events if not (protected and e.action in SAFETY_ACTIONS)],
        withheld=WITHHELD if protected else "",
        prepared_by=caseworker,
        identity=identity,
    )
    record.fact_rows = labels.facts(record.facts, enquiry.channel)
    record.contact_rows = labels.contact(record.contact, enquiry.channel)
    audit.record(session, caseworker, "export", reference, f"subject access; {identity.audit}")
    access_requests.met(session, caseworker, enquiry, access_requests.COPY,
                        today or access_requests.local_today(utcnow(), zone))
    return record


def child_protection(enquiry: Enquiry) -> bool:
    """A case a safety concern raised or escalated, or one holding detected risk phrases."""
    return concerns.is_concern(enquiry) or bool(enquiry.safeguarding)


def erasable(session: Session, staff_member: str, role: str, reference: str, *, lock: bool = False) -> Enquiry:
    """The case, when this member of staff may erase it: managers only, never a child-protection record, and
    never a case someone else holds (their unsaved work would vanish); a case the manager holds may go.

    With `lock` (the erasure itself) the row is locked on PostgreSQL, so a claim cannot slip in between this
    check and the delete (the claim skips locked rows and is told the case is taken).
    """
    if role != "manager":
        raise CaseworkError("Only a manager can erase a case.")
    query = select(Enquiry).where(Enquiry.reference == reference)
    if lock and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    enquiry = session.scalar(query)
    if enquiry is None:
        raise CaseworkError("No enquiry has that reference.")
    if enquiry.safeguarding or enquiry.priority == queue.URGENT:
        raise CaseworkError(
            "This case has a child-protection flag, so it is kept (policy 7.1). Ask the safeguarding lead."
        )
    holder = enquiry.claimed_by if enquiry.status == "claimed" else None
    # A disabled holder (a leaver) has no work in progress to lose, and could never release it.
    if holder and holder != staff_member and staff.by_username(session, holder) is not None:
        raise ClaimedElsewhere(f"{holder} has this case: ask them to release it first, or take it over yourself.")
    return enquiry


def erase(session: Session, keys: KeyRing, staff_member: str, role: str, reference: str, confirm: str, *,
          identity: IdentityCheck, today: date | None = None) -> bool:
    """Once the requester's identity was checked, delete the enquiry, its notes, consents and linked state (its
    conversation, and the web chat it came from: chat_sessions.end_for_erased); the audit entry keeps the kind
    of check, no content.

    A block on the case's contact stays until it ends (erasing is not unblocking an abusive contact), its
    reason deleted; returns True when such a block was kept, so the console can say so. The case's open request
    for erasure is done `today` (the service's day; UTC's when not given), and every request logged on the case
    keeps only its dates, kind and outcome.
    """
    enquiry = erasable(session, staff_member, role, reference, lock=True)
    _checkable(keys, enquiry, identity)
    if confirm.strip().upper() != enquiry.reference.upper():
        raise FormIncomplete("Type the case reference to confirm the erasure.")
    contact = keys.decrypt_json(enquiry.contact) if enquiry.contact else {}
    chat_sessions.end_for_erased(session, enquiry, contact.get("session_id"))
    blocked = False
    if enquiry.contact_key:
        session.execute(delete(Conversation).where(Conversation.contact_key == enquiry.contact_key))
        blocked = blocks.forget_reason(session, keys, enquiry.contact_key)
    access_requests.met(session, staff_member, enquiry, access_requests.ERASURE, today or utcnow().date())
    access_requests.forget_case(session, enquiry)
    session.delete(enquiry)  # notes go with it (delete-orphan cascade)
    session.flush()
    session.execute(delete(ConsentRecord).where(ConsentRecord.reference == reference))
    audit.record(session, staff_member, "erase", reference,
                 f"{identity.audit}; block kept, reason deleted" if blocked else identity.audit)
    checkpoint_after_commit(session)  # nothing erased left in SQLite's write-ahead log
    return blocked
