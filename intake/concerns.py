"""Safety concerns (policy 7.1): raised whatever the consent state, added to on each disclosure, kept through FORGET."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from intake import audit, note_drafts, queue
from intake.crypto import KeyRing
from intake.db import checkpoint_after_commit
from intake.models import AuditEvent, ConsentRecord, Enquiry, utcnow
from intake.safeguarding_quotes import minimised

SAFEGUARDING_OVERRIDE = "Policy 7.1: possible risk to a child; recorded without consent"
CONCERN_TOPIC = "safeguarding"  # the topic of every concern the bot raises
TRIGGERS_KEPT = 60  # risk messages skip rate limits, so what one case keeps must stay bounded
RAISED_AGAIN = "disclosed again after it was marked not a safeguarding concern"
# A contact whose conversation has no memory of its concern (FORGET, an expired conversation, a blocked
# number whose turns keep no state) and who discloses again the same day is most likely still talking about
# the same child: the disclosure joins the case the duty worker already has, rather than starting a second,
# unconnected urgent case (and alert) for every message. After a day it is treated as a new situation.
REUSE_WITHIN = timedelta(hours=24)
# With no conversation memory, the audit trail says when the duty worker was last told. An urgent case,
# queued or claimed, that has not been claimed or released since they were told this recently needs no new
# alert per message (a blocked prankster would otherwise flood the duty phone); once this long has passed,
# they are told again.
REALERT_AFTER = timedelta(minutes=30)
ADDED = "new disclosure on an urgent case"
WITHDRAWN = "withdrawn by parent"  # the outcome of an enquiry the parent withdrew (FORGET)
ADDED_ALERTED = "new disclosure on an urgent case; duty worker alerted again"  # read back by told_recently
# What became of each duty alert, recorded after it was tried: a failed one (SMTP down or refusing) does not
# count as telling the duty worker, so the next disclosure alerts again.
ALERT_SENT, ALERT_FAILED = "duty_alert_sent", "duty_alert_failed"


def is_concern(enquiry: Enquiry) -> bool:
    """A safety concern (policy 7.1): one the bot raised, or a parent's enquiry a disclosure escalated.

    Either way FORGET deletes only what the parent gave, never the concern, and a quoted reference gets
    no status.
    """
    return enquiry.topic == CONCERN_TOPIC or enquiry.override_reason == SAFEGUARDING_OVERRIDE


def open_concern(session: Session, reference: str | None, contact_key: str) -> Enquiry | None:
    """This contact's own safety concern under `reference`, until a caseworker closes it."""
    if not reference:
        return None
    return session.scalar(
        select(Enquiry).where(
            Enquiry.reference == reference, Enquiry.contact_key == contact_key,
            Enquiry.topic == CONCERN_TOPIC, Enquiry.status != "closed",
        )
    )


def open_case(session: Session, reference: str | None, contact_key: str) -> Enquiry | None:
    """This contact's own open case under `reference` (a concern, or an enquiry a disclosure escalated)."""
    if not reference:
        return None
    return session.scalar(
        select(Enquiry).where(
            Enquiry.reference == reference, Enquiry.contact_key == contact_key, Enquiry.status != "closed",
        )
    )


def latest_for_contact(session: Session, contact_key: str) -> Enquiry | None:
    """The newest open enquiry this contact made (a safety concern is not theirs to act on)."""
    return session.scalar(
        select(Enquiry)
        .where(Enquiry.contact_key == contact_key, Enquiry.status != "closed", Enquiry.topic != CONCERN_TOPIC)
        .order_by(Enquiry.created_at.desc())
        .limit(1)
    )


def last_closed_for_contact(session: Session, contact_key: str) -> Enquiry | None:
    """This contact's newest closed enquiry, concern or not (one withdrawn by FORGET carries no contact key)."""
    return session.scalar(
        select(Enquiry)
        .where(Enquiry.contact_key == contact_key, Enquiry.status == "closed")
        .order_by(Enquiry.closed_at.desc().nulls_last(), Enquiry.created_at.desc())
        .limit(1)
    )


def live_for_contact(session: Session, contact_key: str, reference: str | None = None) -> Enquiry | None:
    """This contact's own open enquiry: the one this conversation made (`reference`), else their newest.

    Never one found only because someone quoted its reference: it must carry this contact's key.
    """
    enquiry = queue.by_reference(session, reference) if reference else latest_for_contact(session, contact_key)
    if enquiry is None or enquiry.status == "closed" or enquiry.contact_key != contact_key:
        return None
    return enquiry


def attach_form(
    session: Session,
    keys: KeyRing,
    concern: Enquiry,
    *,
    channel: str,
    topic: str,
    summary: str | None,
    facts: dict[str, Any],
    contact: dict[str, Any] | None,
    safe_times: str | None,
    voicemail_ok: bool,
    name_service_ok: bool,
    consents: list[queue.ConsentAnswer],
) -> Enquiry:
    """A parent-confirmed form added to their own open safety concern: one case, one reference.

    The concern keeps its priority, place, status, override reason and triggers; the form's topic goes
    in with the facts, since the case's topic stays the concern's.
    """
    concern.summary = keys.encrypt(summary) if summary else None
    concern.facts = keys.encrypt_json({"topic": topic, **facts})
    concern.contact = keys.encrypt_json(contact) if contact else None
    concern.safe_times = safe_times
    concern.voicemail_ok, concern.name_service_ok = voicemail_ok, name_service_ok
    queue.record_consents(session, concern, consents, channel)
    audit.record(session, "bot", "form_added", concern.reference)
    return concern


def raise_concern(
    session: Session, keys: KeyRing, *, channel: str, contact_key: str, triggers: tuple[str, ...],
    retention_days: int, now: datetime | None = None, words: str = "",
) -> Enquiry | None:
    """An urgent enquiry for a possible risk to a child, created whatever the consent state (policy 7.1).

    `words` is the message the triggers came from: only read, for the details to take out of them (minimised).

    It becomes the contact's current concern. None when a turn on another channel (a text during a call)
    raised this contact's concern at the same moment: the unique index lets one through; join that one
    (current_concern). Called only when the contact has no open concern from the last REUSE_WITHIN.
    """
    # An older open concern stops being current. Only one past REUSE_WITHIN: a concern raised a moment ago
    # by a turn on another channel must stay current, so that this one clashes with it below.
    session.execute(
        update(Enquiry)
        .where(Enquiry.contact_key == contact_key, Enquiry.current_concern.is_(True),
               Enquiry.created_at < (now or utcnow()) - REUSE_WITHIN)
        .values(current_concern=False)
    )
    try:
        with session.begin_nested():  # a clash rolls back to here: the new case is dropped
            enquiry = queue.enqueue(
                session, queue.URGENT, retention_days,
                channel=channel,
                contact_key=contact_key,
                topic=CONCERN_TOPIC,
                safeguarding=keys.encrypt_json(minimised(triggers, words)),
                override_reason=SAFEGUARDING_OVERRIDE,
            )
            # Set after the insert, not in it: queue.enqueue takes any clash on insert for a reference clash.
            enquiry.current_concern = True
            session.flush()
    except IntegrityError:
        return None
    audit.record(session, "bot", "safeguarding_flag", enquiry.reference, "consent overridden: policy 7.1")
    return enquiry


def current_concern(session: Session, contact_key: str) -> Enquiry | None:
    """This contact's current open concern, however old (the unique index allows one)."""
    return session.scalar(
        select(Enquiry).where(Enquiry.contact_key == contact_key, Enquiry.current_concern.is_(True),
                              Enquiry.status != "closed")
    )


def kept_concern(session: Session, contact_key: str) -> Enquiry | None:
    """This contact's newest open safety concern, however old: FORGET keeps it (policy 7.1), and must say so even
    when the conversation that raised it has timed out and no longer remembers it."""
    return session.scalar(
        select(Enquiry)
        .where(Enquiry.contact_key == contact_key, Enquiry.topic == CONCERN_TOPIC, Enquiry.status != "closed")
        .order_by(Enquiry.created_at.desc())
        .limit(1)
    )


def recent_concern(session: Session, contact_key: str, now: datetime | None = None) -> Enquiry | None:
    """This contact's newest open safety concern raised within REUSE_WITHIN, from any conversation."""
    return session.scalar(
        select(Enquiry)
        .where(
            Enquiry.contact_key == contact_key, Enquiry.topic == CONCERN_TOPIC, Enquiry.status != "closed",
            Enquiry.created_at >= (now or utcnow()) - REUSE_WITHIN,
        )
        .order_by(Enquiry.created_at.desc())
        .limit(1)
    )


def add_disclosure(
    session: Session, keys: KeyRing, enquiry: Enquiry, triggers: tuple[str, ...], *,
    alerted: str | None = None, now: datetime | None = None, words: str = "",
) -> bool:
    """A fresh disclosure on a contact's open case: urgent (top of the queue), its triggers appended, audited.

    A case that was not urgent and is claimed goes back to the queue, on top, for the duty caseworker
    (queue.return_urgent: its caseworker may be away); an urgent case stays where it is (queued, or with the
    caseworker handling it, which a manager or the on-duty caseworker can take over). The override reason is
    the concern path's. Returns True when the duty worker must be told: always when the case was not urgent
    before (cleared by a caseworker, or the parent's own ordinary enquiry), as for a new concern. On a case
    already urgent: when its status differs from `alerted` (what it was when this conversation last told
    them: it changed hands since); with no such memory, unless they were told recently (told_recently),
    whether the case is waiting or claimed.
    Each alert is in the audit trail, so a later conversation can tell.
    """
    if session.get_bind().dialect.name == "postgresql":
        # Lock the row: two disclosures at once must not each append to the same old list and lose one.
        session.refresh(enquiry, with_for_update=True)
    raised = enquiry.priority != queue.URGENT
    if raised:
        alert = True
    elif alerted is not None:
        alert = alerted != enquiry.status or enquiry.reference in alerts_failed(session, [enquiry.reference], now)
    else:
        alert = not told_recently(session, enquiry, now or utcnow())
    on_record: list[str] = keys.decrypt_json(enquiry.safeguarding) if enquiry.safeguarding else []
    # A cleared case came back: say so, since its old triggers alone would not explain why.
    fresh = [t for t in minimised(triggers, words) if t not in on_record]
    added = ([RAISED_AGAIN] if raised and on_record else []) + fresh
    merged = on_record + list(dict.fromkeys(added))
    if len(merged) > TRIGGERS_KEPT:  # keep the first disclosure and the latest ones
        merged = merged[: TRIGGERS_KEPT // 3] + merged[-(TRIGGERS_KEPT - TRIGGERS_KEPT // 3):]
    enquiry.safeguarding = keys.encrypt_json(merged)
    enquiry.priority, enquiry.priority_rank = queue.URGENT, queue.RANK[queue.URGENT]
    enquiry.override_reason = SAFEGUARDING_OVERRIDE
    if raised:
        audit.record(session, "bot", "safeguarding_flag", enquiry.reference,
                     "new disclosure; consent overridden: policy 7.1")
        # The caseworker who claimed it for an ordinary enquiry may be away: the duty caseworker being alerted
        # must find it in the queue and be able to claim it, not wait for them to come back.
        queue.return_urgent(session, enquiry)
    else:
        audit.record(session, "bot", "safeguarding_added", enquiry.reference, ADDED_ALERTED if alert else ADDED)
    return alert


def told_recently(session: Session, enquiry: Enquiry, now: datetime) -> bool:
    """An urgent case whose duty alert went out within REALERT_AFTER and that was not claimed or released since.

    A case claimed since is told again once (its caseworker may be away from their desk), but not on every
    message after that: a blocked prankster with a claimed case would otherwise send one alert per text.
    """
    last = _last_alert(session, enquiry.reference)
    if last is None or last.action == ALERT_FAILED or last.at < now - REALERT_AFTER:
        return False
    moved = session.scalar(
        select(AuditEvent.id)
        .where(AuditEvent.reference == enquiry.reference, AuditEvent.action.in_(("claim", "release")),
               AuditEvent.id > last.id)
        .limit(1)
    )
    return moved is None


def _last_alert(session: Session, reference: str) -> Row[int, datetime, str] | None:
    """The newest alert decided on (audited with the disclosure) or tried (its outcome, after commit).

    An alert decided on but not yet tried counts as told, so a burst of messages while it is still going out
    does not send one each; a recorded failure after it does not.
    """
    return session.execute(
        select(AuditEvent.id, AuditEvent.at, AuditEvent.action)
        .where(AuditEvent.reference == reference, _told())
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).first()


def _told() -> ColumnElement[bool]:
    """Audit events that decide or report a duty alert."""
    return or_(AuditEvent.action == "safeguarding_flag",  # every flag (a new or re-raised concern) alerted
               and_(AuditEvent.action == "safeguarding_added", AuditEvent.detail == ADDED_ALERTED),
               AuditEvent.action.in_((ALERT_SENT, ALERT_FAILED)))


def alerts_failed(session: Session, references: Sequence[str], now: datetime | None = None) -> set[str]:
    """Which of these cases' latest duty alert failed, or never said how it went: the duty worker may not know.

    An alert decided on whose outcome is still missing after REALERT_AFTER never went (the worker stopped
    after the commit, before or while sending): as good as failed. One query for any number of cases (the
    queue page, retry-alerts), never one per case.
    """
    if not references:
        return set()
    now = now or utcnow()
    latest = (select(func.max(AuditEvent.id)).where(AuditEvent.reference.in_(references), _told())
              .group_by(AuditEvent.reference))
    rows = session.execute(select(AuditEvent.reference, AuditEvent.at, AuditEvent.action)
                           .where(AuditEvent.id.in_(latest.scalar_subquery())))
    return {str(reference) for reference, at, action in rows
            if action == ALERT_FAILED or (action != ALERT_SENT and at < now - REALERT_AFTER)}


def alerts_owed(session: Session, now: datetime | None = None) -> list[str]:
    """References of open urgent cases whose latest duty alert failed or never said how it went (retry-alerts).

    Open cases only, queued or claimed (a claimed case's caseworker may be away from their desk), oldest first.
    """
    urgent = session.scalars(
        select(Enquiry.reference)
        .where(Enquiry.priority == queue.URGENT, Enquiry.status != "closed")
        .order_by(Enquiry.created_at, Enquiry.id)
    ).all()
    failed = alerts_failed(session, urgent, now)
    return [reference for reference in urgent if reference in failed]


def record_alert(session: Session, reference: str, failure: str | None) -> None:
    """Audit what became of a duty alert: sent, or failed (`failure` names the error's type, never its text)."""
    if failure is None:
        audit.record(session, "bot", ALERT_SENT, reference)
    else:
        audit.record(session, "bot", ALERT_FAILED, reference, failure)


def withdraw(session: Session, enquiry: Enquiry, *, channel: str, wording_version: str) -> None:
    """The parent withdrew consent: erase the personal details, record it, close the enquiry.

    An ordinary enquiry is closed with its form, contact preferences and every note (the parent's and
    caseworkers') deleted. A safety concern the form was added to stays open with its triggers and staff
    notes (policy 7.1): only what the parent gave with their consent goes. (Here, not in the queue, because
    that rule is the concern's.)
    """
    session.add(
        ConsentRecord(
            enquiry_id=enquiry.id, reference=enquiry.reference, purpose="keep_details", granted=False,
            wording_version=wording_version, channel=channel, at=utcnow(),
        )
    )
    enquiry.summary = enquiry.facts = enquiry.contact = None
    enquiry.safe_times, enquiry.voicemail_ok, enquiry.name_service_ok = None, False, False
    checkpoint_after_commit(session)  # the details, as they were, not left in SQLite's write-ahead log
    if is_concern(enquiry):
        for note in [n for n in enquiry.notes if n.author == queue.PARENT_MESSAGE]:
            session.delete(note)  # what the parent sent after the claim goes; staff notes stay (policy 7.1)
        audit.record(session, "parent", "withdraw_form", enquiry.reference)
        return
    # An ordinary enquiry keeps nothing the parent said or a caseworker wrote about them: every note goes
    # (delete-orphan cascade), so "deleted its details" is true. The audit keeps the reference and action only.
    enquiry.notes.clear()
    # A caseworker's note kept from a refused save is about this family too: it goes now, not at the next tidy.
    note_drafts.drop_case(session, enquiry.reference)
    enquiry.contact_key = None
    enquiry.status, enquiry.closed_at, enquiry.outcome = "closed", utcnow(), WITHDRAWN
    audit.record(session, "parent", "withdraw", enquiry.reference)
