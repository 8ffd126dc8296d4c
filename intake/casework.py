"""Casework in the console: what staff see of the queue and of a case, notes, replies, flags; all audited."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from intake import audit, chat_sessions, concerns, conversations, handover, note_drafts, queue, staff
from intake.contact_windows import ContactTimes, SafeTime
from intake.crypto import KeyRing, contact_key
from intake.form_rules import BY_PHONE
from intake.hours import OfficeHours
from intake.models import CaseNote, ChatSession, Enquiry, utcnow

OUTCOMES = ("advice given", "referred on", "signposted", "no contact possible", "withdrawn", "duplicate")
PURPOSES = ("keep_details", "contact", "voicemail", "name_service", "pii_keep")
SMS_METHODS = ("sms_this", "sms_other")
EMAIL_METHODS = ("email",)  # the web form's "E-mail": the address is the contact's "detail"
MAX_NOTE = 4000
MAX_REPLY = 1000
MAX_CLEAR_REASON = 300  # a few words on why a flag is not a safeguarding concern
DUTY_ALERT_FAILED = "Duty alert failed — phone the duty manager"
CLEARED_NOTE = "Marked not a safeguarding concern"
# CaseNote.kind: a note (staff's, or a parent's message), or what a caseworker sent the parent, by channel.
NOTE, SENT_BY_TEXT, SENT_IN_CHAT, SENT_BY_EMAIL = "note", "sms", "chat", "email"
# reply channel -> the kind its record is kept as
SENT_KINDS = {"sms": SENT_BY_TEXT, "web_chat": SENT_IN_CHAT, "email": SENT_BY_EMAIL}


class CaseworkError(Exception):
    """Something the console refuses to do, with a reason a caseworker can act on."""


@dataclass(frozen=True)
class ContactClock:
    """What a safe-time check needs: the windows (flows/contact_times.yaml), the office hours in force, now."""

    times: ContactTimes
    hours: OfficeHours
    now: datetime

    def check(self, safe_times: str | None) -> SafeTime:
        """Is it safe to contact a parent who gave this answer, now; and when it next is."""
        return self.times.check(safe_times, self.hours, self.now)


FACT_NAMES = {"school_phase": "Stage of education", "phase": "Stage of education", "ehc_plan": "EHC plan"}
CONTACT_NAMES = {"method": "How to contact", "number": "Number", "detail": "Number or e-mail"}
# Topics the service sets itself, never offered to parents, so no flows/topics file gives them a title.
OWN_TOPICS = {concerns.CONCERN_TOPIC: "Safety concern"}


RECORD_LABELS_FILE = Path(__file__).resolve().parents[1] / "flows" / "record_labels.yaml"


@dataclass(frozen=True)
class RecordLabels:
    """Plain words for the codes in a parent's copy of their record: what was done and by whom, how they
    contacted us, what they were asked and how (flows/record_labels.yaml). A code a table does not list yet
    gets that table's plain `otherwise` phrase, never the code itself."""

    tables: Mapping[str, Mapping[str, str]]
    otherwise: Mapping[str, str]

    @classmethod
    def load(cls, path: Path = RECORD_LABELS_FILE) -> RecordLabels:
        """Read the tables, once per file."""
        return _record_labels(path)

    def _say(self, table: str, *codes: str | None) -> str:
        labels = self.tables.get(table, {})
        return next((labels[code] for code in codes if code and code in labels), self.otherwise.get(table, "-"))

    def has_action(self, action: str) -> bool:
        """Whether the action has its own label (not the `otherwise` phrase)."""
        return action in self.tables.get("actions", {})

    def action(self, action: str, kind: str = "") -> str:
        """What was done: the label of this kind of the action when it has one ("rights_request_logged:copy")."""
        return self._say("actions", f"{action}:{kind}" if kind else None, action)

    def actor(self, actor: str) -> str:
        """Who did it, as "automatically", "by you" or "by a member of staff"."""
        return self._say("actors", actor)

    def channel(self, channel: str | None) -> str:
        """How: "by text message"."""
        return self._say("channels", channel)

    def purpose(self, purpose: str | None) -> str:
        """What a consent answer was about."""
        return self._say("purposes", purpose)

    def wording(self, version: str | None) -> str:
        """Which wording of the question was answered."""
        return self._say("wordings", version)

    def status(self, status: str | None) -> str:
        """Where the enquiry is now."""
        return self._say("statuses", status)

    def priority(self, priority: str | None) -> str:
        """How urgent the enquiry is."""
        return self._say("priorities", priority)


@functools.cache
def _record_labels(path: Path) -> RecordLabels:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return RecordLabels({name: {str(code): str(label) for code, label in (table.get("labels") or {}).items()}
                         for name, table in data.items()},
                        {name: str(table.get("otherwise", "-")) for name, table in data.items()})


@dataclass(frozen=True)
class Labels:
    """Plain words for the codes stored on a case: topic titles (flows/topics) and the intake form's choice
    labels (flows/intake.yaml). One helper for the case page and the parent's subject-access export; a code
    with no label (a choice since removed) is shown as stored."""

    topics: Mapping[str, str] = field(default_factory=lambda: dict(OWN_TOPICS))
    choices: Mapping[str, Mapping[str, Mapping[str, str]]] = field(default_factory=dict)  # slot -> channel -> value
    record: RecordLabels = field(default_factory=RecordLabels.load)  # the parent's copy's history and consents

    @classmethod
    def from_content(cls, topic_titles: Mapping[str, str], intake_form: Mapping[str, Any]) -> Labels:
        """From the loaded content: {topic id: title} and the intake form's slots."""
        choices: dict[str, dict[str, dict[str, str]]] = {}
        for slot, spec in (intake_form.get("slots") or {}).items():
            if not isinstance(spec, Mapping):
                continue
            lists = dict(spec.get("choices_by_channel") or {})
            if spec.get("choices"):
                lists[""] = spec["choices"]
            choices[slot] = {
                channel: {str(c["value"]): str(c["label"]) for c in items if "value" in c and "label" in c}
                for channel, items in lists.items()
            }
        return cls(OWN_TOPICS | dict(topic_titles), choices)

    def topic(self, code: str | None) -> str:
        """A topic's title."""
        return self.topics.get(code or "", code or "-")

    def choice(self, slot: str, code: Any, channel: str = "") -> str:
        """A choice's label, in the wording the parent's channel offered when it has one."""
        if code is None or code == "":
            return "-"
        by_channel = self.choices.get(slot) or self.choices.get(_SLOT_OF.get(slot, ""), {})
        for labels in (by_channel.get(channel, {}), by_channel.get("", {}), *by_channel.values()):
            if str(code) in labels:
                return labels[str(code)]
        return str(code)

    def facts(self, facts: Mapping[str, Any], channel: str = "") -> list[tuple[str, str]]:
        """The details the parent confirmed, as (plain name, label)."""
        return [(FACT_NAMES.get(name, name.replace("_", " ").capitalize()), self.choice(name, value, channel))
                for name, value in facts.items()]

    def contact(self, contact: Mapping[str, Any], channel: str = "") -> list[tuple[str, str]]:
        """The contact details, as (plain name, value), the method as its label."""
        return [(CONTACT_NAMES.get(name, name.replace("_", " ").capitalize()),
                 self.choice("contact_method", value, channel) if name == "method" else str(value))
                for name, value in contact.items()]


_SLOT_OF = {"phase": "school_phase"}  # a fact stored under a shorter name than its intake slot


def waiting_label(minutes: int) -> str:
    """How long an enquiry has waited, in the biggest sensible units: "45 min", "3 h 5 min", "2 days 0 h"."""
    minutes = max(minutes, 0)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {rest} min"
    days, hours = divmod(hours, 24)
    return f"{days} day{'s' if days != 1 else ''} {hours} h"


@dataclass(frozen=True)
class QueueRow:
    """One waiting enquiry as the queue shows it: no names, no numbers, no content."""

    reference: str
    topic: str
    channel: str
    waiting_minutes: int
    urgent: bool
    # The parent's answer as its label and whether it is safe now (console.js shows this field as it is).
    safe_times: str
    safe_now: bool | None  # None: no safe time given (not asked, e.g. for a web chat reply)
    waiting: str = ""  # waiting_minutes in hours and days when long
    duty_alert_failed: bool = False  # urgent, and the duty worker may not have been told (concerns' rule)
    previously_with: str = ""  # the caseworker who had it when it was moved without them (handover)

    def as_json(self) -> dict[str, Any]:
        """The row for the polling endpoint."""
        return self.__dict__.copy()


@dataclass(frozen=True)
class CaseEntry:
    """One entry in a case's timeline, decrypted for one request: a note, a parent's message, or what a
    caseworker sent the parent (a kind in SENT_KINDS, `author` the caseworker who sent it)."""

    author: str
    at: datetime
    body: str
    kind: str = NOTE

    @property
    def sent(self) -> bool:
        """True for a message a caseworker sent the parent."""
        return self.kind in SENT_KINDS.values()


@dataclass
class CaseView:
    """Everything a caseworker needs on the case page, decrypted for this one request."""

    reference: str
    topic: str
    channel: str
    status: str
    urgent: bool
    created_at: datetime
    summary: str | None
    facts: dict[str, Any]
    contact_method: str | None
    contact_detail: str | None
    safe_times: str | None
    safe_time: SafeTime | None  # None when the parent chose no contact by phone or text (not asked)
    consents: list[dict[str, Any]]
    allowed: dict[str, bool]
    warnings: list[str]
    triggers: list[str]
    override_reason: str | None
    notes: list[CaseEntry] = field(default_factory=list)  # notes, parent's messages and what was sent, oldest first
    can_reply_in_chat: bool = False
    can_reply_by_sms: bool = False
    can_reply_by_email: bool = False
    mine: bool = False
    has_contact_key: bool = False
    texts_stopped: bool = False  # the parent texted STOP to the number they gave for texts (and not START)
    duty_alert_failed: bool = False  # urgent, and the duty worker's latest alert failed or never said how it went
    voicemail_asked: bool = True  # False: contact by text, so the parent was never asked about voicemail
    # The same in plain words (Labels), for showing; the codes above are for the page's logic.
    topic_label: str = ""
    contact_method_label: str = ""
    fact_rows: list[tuple[str, str]] = field(default_factory=list)
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    previously_with: str | None = None  # who had it when it was moved without them (not shown once theirs again)
    moved_at: datetime | None = None
    can_take_over: bool = False  # with someone else: a manager may take it, the on-duty caseworker if urgent


def _queue_row(enquiry: Enquiry, clock: ContactClock | None, now: datetime, alert_failed: bool) -> QueueRow:
    waiting = int((now - enquiry.created_at).total_seconds() // 60)
    safe = clock.check(enquiry.safe_times) if clock and enquiry.safe_times else None
    shown = f"{safe.window.label}. {safe.status}" if safe else (enquiry.safe_times or "not given")
    return QueueRow(enquiry.reference, enquiry.topic, enquiry.channel, waiting, enquiry.priority == queue.URGENT,
                    shown, safe.safe_now if safe else None, waiting_label(waiting), alert_failed,
                    enquiry.previous_caseworker or "")


def queue_rows(session: Session, clock: ContactClock | None = None) -> list[QueueRow]:
    """The waiting enquiries in queue order (urgent first, then oldest), with each parent's safe time and
    whether an urgent one's duty alert failed (one more query for the whole page, only when any is urgent).

    Without a clock (bench/growth.py times the query alone) rows carry the stored answer and no status.
    """
    now = clock.now if clock else utcnow()
    enquiries = queue.queued(session)
    failed = concerns.alerts_failed(session, [e.reference for e in enquiries if e.priority == queue.URGENT], now)
    return [_queue_row(e, clock, now, e.reference in failed) for e in enquiries]


def caseload(session: Session, caseworker: str) -> list[Enquiry]:
    """This caseworker's live cases in alphabetical order of reference (policy 8.2)."""
    return list(
        session.scalars(
            select(Enquiry)
            .where(Enquiry.status == "claimed", Enquiry.claimed_by == caseworker)
            .order_by(Enquiry.reference)
        )
    )


def allowed(enquiry: Enquiry, purpose: str) -> bool:
    """The latest consent answer for a purpose; the enquiry's own flag when the ledger has none."""
    answers = [c for c in enquiry.consents if c.purpose == purpose]
    if answers:
        return max(answers, key=lambda c: (c.at, c.id)).granted
    return {"voicemail": enquiry.voicemail_ok, "name_service": enquiry.name_service_ok}.get(purpose, False)


SAFE_TO_TALK = ("Start by asking if it is a good time to talk privately; if it is not, end kindly without "
                "saying why you called (policy 1.3).")


def _warnings(permitted: dict[str, bool], voicemail_asked: bool = True) -> list[str]:
    warnings = []
    if not permitted["contact"]:
        warnings.append("No consent to contact the parent: do not call, text or reply.")
    else:
        warnings.append(SAFE_TO_TALK)
    if not permitted["voicemail"] and voicemail_asked:
        warnings.append("No consent to leave a voicemail or message.")
    if not permitted["name_service"]:
        warnings.append("Do not say the service's name when you make contact, and withhold your number when you "
                        "call (dial 141 first), so the service's number is not on their phone.")
    return warnings


def case_for(
    session: Session, caseworker: str, role: str, reference: str, *, changing: bool = True, duty_read: bool = False,
) -> Enquiry:
    """The case if this member of staff may see it: their own live case; a manager may read any case, and, on
    the case page only (`duty_read`), the on-duty caseworker any open urgent one, to claim or take it over
    (policy 7.1); not to export it. An admin sees no case (policy 5.2), not even one claimed before this rule."""
    if role not in staff.CASE_ROLES:
        raise CaseworkError("Cases are for caseworkers and managers: an admin looks after accounts only.")
    enquiry = queue.by_reference(session, reference)
    if enquiry is None:
        raise CaseworkError("No enquiry has that reference.")
    mine = enquiry.status == "claimed" and enquiry.claimed_by == caseworker
    if mine:
        return enquiry
    open_urgent = enquiry.priority == queue.URGENT and enquiry.status != "closed"
    if not changing and (role == "manager" or (duty_read and open_urgent and handover.on_duty(session, caseworker))):
        return enquiry
    if enquiry.previous_caseworker == caseworker and enquiry.status != "closed":
        # Never lost silently: the caseworker who had it is told where it went.
        urgent = enquiry.priority == queue.URGENT
        where = (f"{enquiry.claimed_by} has it now" if enquiry.status == "claimed"
                 else "it is back in the queue for the duty caseworker" if urgent else "it is back in the queue")
        why = " as urgent (a safety concern)" if urgent else ""
        raise CaseworkError(f"{enquiry.reference} was moved out of your caseload{why}: {where}.")
    raise CaseworkError("That enquiry is not in your caseload. Claim it from the queue first.")


def sms_number(contact: Mapping[str, Any]) -> str | None:
    """The number a parent who chose texts gave for them: the one they texted from, or another one."""
    method = contact.get("method")
    return contact.get("number") if method == "sms_this" else contact.get("detail") if method == "sms_other" else None


def texts_stopped(session: Session, hash_key: str | None, contact: Mapping[str, Any]) -> bool:
    """True when the parent's number for texts texted STOP (and not START since): no text may go to it."""
    number = sms_number(contact)
    return bool(hash_key and number) and conversations.is_opted_out(session, contact_key(str(hash_key), str(number)))


def open_case(
    session: Session, keys: KeyRing, caseworker: str, role: str, reference: str, clock: ContactClock,
    labels: Labels | None = None, hash_key: str | None = None,
) -> CaseView:
    """The case page's content; the view itself is audited (who, when, which reference).

    With the hash key, a number that texted STOP is found (by its keyed hash, as the SMS channel keeps it)
    so the page says so before a caseworker types a text that would be refused.
    """
    labels = labels or Labels()
    enquiry = case_for(session, caseworker, role, reference, changing=False, duty_read=True)
    contact = keys.decrypt_json(enquiry.contact) if enquiry.contact else {}
    permitted = {purpose: allowed(enquiry, purpose) for purpose in PURPOSES}
    method = contact.get("method")
    stopped = method in SMS_METHODS and texts_stopped(session, hash_key, contact)
    # A parent contacted by text is not asked about voicemail: "NO" would read as a refusal they never gave.
    voicemail_asked = method not in SMS_METHODS or any(c.purpose == "voicemail" for c in enquiry.consents)
    view = CaseView(
        reference=enquiry.reference,
        topic=enquiry.topic,
        channel=enquiry.channel,
        status=enquiry.status,
        urgent=enquiry.priority == queue.URGENT,
        created_at=enquiry.created_at,
        summary=keys.decrypt(enquiry.summary) if enquiry.summary else None,
        facts=keys.decrypt_json(enquiry.facts) if enquiry.facts else {},
        contact_method=method,
        # A number is shown only with consent to contact; a chat session id is never shown.
        contact_detail=(contact.get("number") or contact.get("detail")) if permitted["contact"] else None,
        safe_times=enquiry.safe_times,
        # Safe times are asked only before a call or text; a parent who gave none gets office hours only.
        safe_time=clock.check(enquiry.safe_times) if method in BY_PHONE else None,
        consents=[
            {"purpose": c.purpose, "granted": c.granted, "wording_version": c.wording_version,
             "channel": c.channel, "at": c.at}
            for c in enquiry.consents
        ],
        allowed=permitted,
        warnings=_warnings(permitted, voicemail_asked)
        + (["The parent texted STOP: do not text them until they text START."] if stopped else []),
        triggers=keys.decrypt_json(enquiry.safeguarding) if enquiry.safeguarding else [],
        override_reason=enquiry.override_reason,
        notes=[CaseEntry(n.author, n.created_at, keys.decrypt(n.body), n.kind or NOTE) for n in enquiry.notes],
        can_reply_in_chat=method == "web_chat" and permitted["contact"],
        can_reply_by_sms=method in SMS_METHODS and permitted["contact"] and not stopped,
        can_reply_by_email=method in EMAIL_METHODS and permitted["contact"] and bool(contact.get("detail")),
        texts_stopped=stopped,
        voicemail_asked=voicemail_asked,
        mine=enquiry.status == "claimed" and enquiry.claimed_by == caseworker,
        # The keyed hash (never a number) lets a manager block an abusive contact from this page.
        has_contact_key=enquiry.contact_key is not None,
        topic_label=labels.topic(enquiry.topic),
        contact_method_label=labels.choice("contact_method", method, enquiry.channel) if method else "",
    )
    view.fact_rows = labels.facts(view.facts, enquiry.channel)
    view.claimed_by = enquiry.claimed_by if enquiry.status == "claimed" else None
    view.claimed_at = enquiry.claimed_at
    if enquiry.previous_caseworker and enquiry.previous_caseworker != view.claimed_by:
        view.previously_with, view.moved_at = enquiry.previous_caseworker, enquiry.moved_at
    view.can_take_over = (view.claimed_by is not None and not view.mine
                          and handover.may_take_over(session, caseworker, role, view.urgent))
    # The duty worker may not know of an urgent case (policy 7.1): the same rule retry-alerts follows.
    view.duty_alert_failed = view.urgent and enquiry.reference in concerns.alerts_failed(session, [enquiry.reference])
    audit.record(session, caseworker, "view", enquiry.reference)
    return view


def add_note(session: Session, keys: KeyRing, caseworker: str, role: str, reference: str, text: str) -> None:
    """Attach an encrypted note to the case (policy 8.1); the audit keeps no content."""
    text = text.strip()
    if not text or len(text) > MAX_NOTE:
        raise CaseworkError(f"A note must be 1 to {MAX_NOTE} characters.")
    enquiry = case_for(session, caseworker, role, reference)
    session.add(CaseNote(enquiry_id=enquiry.id, author=caseworker, body=keys.encrypt(text)))
    note_drafts.drop(session, caseworker, reference)  # a note kept from a refused save is used now
    audit.record(session, caseworker, "note", reference)


def clear_safeguarding(
    session: Session, keys: KeyRing, caseworker: str, role: str, reference: str, reason: str, *, confirmed: bool
) -> None:
    """Mark a flag as not a safeguarding concern: normal priority, the triggers stay on record.

    Lowering a child-protection priority (policy 7.1) needs a reason and an explicit confirmation. The reason
    is staff free text, so it is kept as an encrypted case note by this caseworker; the audit records only
    that the flag was cleared, never the reason.
    """
    reason = " ".join(reason.split())
    if not reason or len(reason) > MAX_CLEAR_REASON:
        raise CaseworkError(
            f"Say why this is not a safeguarding concern (1 to {MAX_CLEAR_REASON} characters). Nothing was changed."
        )
    if not confirmed:
        raise CaseworkError("Tick the box to confirm this is not a safeguarding concern. Nothing was changed.")
    enquiry = case_for(session, caseworker, role, reference)
    if enquiry.priority != queue.URGENT:
        raise CaseworkError("This case is not flagged as a safeguarding concern.")
    enquiry.priority, enquiry.priority_rank = queue.NORMAL, queue.RANK[queue.NORMAL]
    session.add(CaseNote(enquiry_id=enquiry.id, author=caseworker,
                         body=keys.encrypt(f"{CLEARED_NOTE}: {reason}")))
    audit.record(session, caseworker, "safeguarding_cleared", reference, "marked not a safeguarding concern")


def close_case(session: Session, caseworker: str, reference: str, outcome: str, retention_days: int) -> None:
    """Close one of your cases with one of the recorded outcomes."""
    if outcome not in OUTCOMES:
        raise CaseworkError("Choose an outcome from the list.")
    try:
        queue.close(session, caseworker, reference, outcome, retention_days)
    except queue.QueueError as exc:
        raise CaseworkError(str(exc).capitalize() + ".") from exc
    # A note kept from a refused save is no one's to finish on a closed case: this case's go now, whatever the clock.
    note_drafts.drop_case(session, reference)


def reply_target(
    session: Session, keys: KeyRing, caseworker: str, role: str, reference: str, text: str,
    methods: tuple[str, ...] | frozenset[str], how: str,
) -> tuple[str, Enquiry, dict[str, Any]]:
    """The checks every reply to a parent passes, on any channel: a sensible length, a case this member of
    staff may act on, the contact method the parent chose, and a recorded consent to contact.

    Returns the trimmed text, the enquiry and its (decrypted) contact details.
    """
    text = text.strip()
    if not text or len(text) > MAX_REPLY:
        raise CaseworkError(f"A reply must be 1 to {MAX_REPLY} characters.")
    enquiry = case_for(session, caseworker, role, reference)
    contact = keys.decrypt_json(enquiry.contact) if enquiry.contact else {}
    if contact.get("method") not in methods:
        raise CaseworkError(f"The parent did not ask to be contacted {how}, so no reply can be sent that way.")
    if not allowed(enquiry, "contact"):
        raise CaseworkError("The parent did not consent to be contacted, so no reply can be sent.")
    return text, enquiry, contact


def require_safe_time(enquiry: Enquiry, clock: ContactClock) -> None:
    """Refuse a text (or an e-mail, when the parent gave safe times) outside the parent's safe time (policy 1.3,
    2.1), saying when it is next safe.

    Takes the enquiry the caller has already loaded and checked (reply_target), so no second lookup.
    """
    safe = clock.check(enquiry.safe_times)
    if not safe.safe_now:
        raise CaseworkError(safe.refusal)


def record_reply(session: Session, keys: KeyRing, enquiry: Enquiry, caseworker: str, channel: str, text: str) -> None:
    """A reply reached the parent's channel: note the first contact, keep what was sent on the case (encrypted,
    as a note is, so a colleague picking the case up sees what was asked or promised) and audit it (never the
    content)."""
    enquiry.first_contact_at = enquiry.first_contact_at or utcnow()
    session.add(CaseNote(enquiry_id=enquiry.id, author=caseworker, body=keys.encrypt(text),
                         kind=SENT_KINDS[channel]))
    audit.record(session, caseworker, "reply", enquiry.reference, channel)


def reply_in_chat(
    session: Session, keys: KeyRing, caseworker: str, role: str, reference: str, text: str
) -> None:
    """Send a message to the parent's open web chat, only when they consented to contact there."""
    text, enquiry, contact = reply_target(session, keys, caseworker, role, reference, text, ("web_chat",),
                                          "in the web chat")
    chat = session.get(ChatSession, contact.get("session_id", ""))
    if chat is None or chat.expires_at <= utcnow():
        raise CaseworkError("The parent's chat has ended, so the reply cannot reach them.")
    chat_sessions.post_to_parent(session, keys, chat.id, text)
    record_reply(session, keys, enquiry, caseworker, "web_chat", text)
