"""After the intake form: the queue entry (or the parent's own safety concern), honest waiting, pick-up, withdrawal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bot.alerts import owe_email
from bot.content import fill, spell_out
from bot.dialogue import concern_kept
from bot.engine import Engine, Turn
from bot.enquiry_messages import EnquiryMessages, quoted_reference
from bot.replies import Reply
from intake import concerns, form_rules, queue, service_hours
from intake.hours import OfficeHours
from intake.models import Enquiry
from intake.queue import ConsentAnswer

AFTER = "handed_off"


def wording(spec: dict[str, Any], key: str, **values: Any) -> str:
    """One message from flows/intake.yaml, with run-time values filled in."""
    return fill(str(spec["messages"][key]).strip(), {k: str(v) for k, v in values.items()})


def _duration(wait: timedelta) -> str:
    minutes = max(int(wait.total_seconds() // 60), 1)
    if minutes < 90:
        return f"{minutes} minutes" if minutes > 1 else "a minute"
    hours = round(minutes / 60)
    return f"{hours} hours" if hours < 36 else f"{round(hours / 24)} working days"


class HandOff:
    """Puts a confirmed form in the queue and answers the parent while they wait."""

    def __init__(self, engine: Engine, hours: OfficeHours, alert: Callable[[str, str], None],
                 spec: dict[str, Any]) -> None:
        self.engine = engine
        self.hours = hours
        self.alert = alert
        self.spec = spec
        self.version = str(spec.get("wording_version", "intake-1"))
        self.messages = EnquiryMessages(self, AFTER)

    def msg(self, key: str, **values: Any) -> str:
        return wording(self.spec, key, **values)

    def _contact(self, turn: Turn, slots: dict[str, Any]) -> dict[str, Any] | None:
        """The contact details, only when a callback was consented (policy 2.1, 2.2)."""
        if not slots.get("consent_contact"):
            return None
        method = slots.get("contact_method")
        contact: dict[str, Any] = {"method": method}
        if method in ("sms_this", "call_this"):
            contact["number"] = turn.inbound.contact
        elif method == "web_chat":
            contact["session_id"] = turn.inbound.contact
        elif slots.get("contact_detail"):
            contact["detail"] = slots["contact_detail"]
        return contact

    def _consents(self, form: dict[str, Any]) -> list[ConsentAnswer]:
        """The consent answers that still stand: one a change made unnecessary is not recorded."""
        purposes = {slot: spec["purpose"] for slot, spec in self.spec["slots"].items() if "purpose" in spec}
        standing = form_rules.answered_consents(form["slots"], purposes)
        return [ConsentAnswer(c["purpose"], c["granted"], c["version"], datetime.fromisoformat(c["at"]))
                for c in form["consents"] if c["purpose"] in standing]

    def submit(self, turn: Turn) -> None:
        """Queue the confirmed form, or add it to this conversation's open safety concern (one reference)."""
        form = turn.state.data["form"]
        slots = form["slots"]
        category = slots.get("category") or "default"
        facts_spec = self.spec.get("facts_by_category", {})
        fact_names = facts_spec.get(category, facts_spec.get("default", []))
        answers: dict[str, Any] = dict(
            channel=turn.channel,
            topic=str(slots.get("topic") or "general"),
            summary=slots.get("summary"),
            facts={name: slots.get(name) for name in fact_names if slots.get(name)},
            contact=self._contact(turn, slots),
            safe_times=slots.get("safe_times"),
            voicemail_ok=bool(slots.get("consent_voicemail")),
            name_service_ok=bool(slots.get("consent_name_service")),
            consents=self._consents(form),
        )
        concern = concerns.open_concern(turn.session, turn.state.data.get("concern_ref"), turn.state.contact_key)
        turn.state.data.pop("form", None)
        if concern is not None:
            # The duty caseworker was alerted when the concern was raised; the case simply grows.
            if form.get("contact_only"):  # only how to reach them was asked: the case is about the concern
                answers["topic"] = concerns.CONCERN_TOPIC
            concerns.attach_form(turn.session, self.engine.keys, concern, **answers)
            turn.state.data.update(step=AFTER, reference=concern.reference)
            key = "added_to_concern" if slots.get("consent_contact") else "added_to_concern_no_contact"
            turn.say(Reply(self.msg(key, reference=concern.reference),
                           self.msg(f"{key}_spoken", reference_spoken=spell_out(concern.reference)),
                           kind="notice"))
            return
        enquiry = queue.create_enquiry(turn.session, self.engine.keys, contact_key=turn.state.contact_key,
                                       retention_days=self.engine.settings.retention_days, **answers)
        owe_email(turn.session, enquiry, self.engine.settings)  # owed in this transaction, sent after it (alert)
        reference = enquiry.reference
        turn.after_commit.append(lambda: self.alert(reference, enquiry.priority))
        turn.state.data.update(step=AFTER, reference=reference)
        if not slots.get("consent_contact"):
            turn.say(Reply(self.msg("queued_no_contact", reference=reference),
                           self.msg("queued_no_contact_spoken", reference_spoken=spell_out(reference)),
                           kind="notice"))
            return
        waiting = self.waiting(turn, enquiry)
        key = "queued_chat" if turn.channel == "web" else "queued"
        turn.say(Reply(self.msg(key, reference=reference, waiting=waiting),
                       self.msg("queued_spoken", reference_spoken=spell_out(reference), waiting=waiting)))

    def waiting(self, turn: Turn, enquiry: Enquiry) -> str:
        """Honest waiting: queue place, and a typical wait from recent claims, or when we reopen."""
        position = queue.position(turn.session, enquiry)
        hours = service_hours.current(turn.session, self.hours)  # the console's setting, else the env's
        if not hours.is_open(turn.now):
            return self.msg("waiting_closed", opening=hours.describe_next_opening(turn.now))
        wait = queue.typical_wait(turn.session)
        if wait is None:
            return self.msg("waiting_position_only", position=position)
        return self.msg("waiting_position", position=position, wait=_duration(wait))

    def live_enquiry(self, turn: Turn) -> Enquiry | None:
        """This contact's own open enquiry (never one found only because someone quoted its reference).

        On the phone, only the one this call made: a caller's number is easily faked, so a call that only
        claims a parent's number must never hear of, add to or withdraw what they sent before (policy 2.1).
        """
        reference = turn.state.data.get("reference")
        if not (turn.contact_proven or reference):
            return None
        return concerns.live_for_contact(turn.session, turn.state.contact_key, reference)

    def already(self, turn: Turn, enquiry: Enquiry) -> None:
        """Asked for a caseworker again: say where the enquiry is rather than start a second one."""
        if enquiry.status == "claimed":
            turn.say(Reply(self.claimed_status(enquiry)))
            return
        key = "already_with_concern" if concerns.is_concern(enquiry) else "already_queued"
        position = queue.position(turn.session, enquiry)
        turn.say(Reply(self.msg(key, reference=enquiry.reference, position=position),
                       self.msg(f"{key}_spoken", reference_spoken=spell_out(enquiry.reference), position=position)))

    def with_caseworker(self, turn: Turn, keyword: str | None) -> bool:
        """Messages for the enquiry's caseworker, claimed or waiting (bot/enquiry_messages.py); True when handled."""
        return self.messages.with_caseworker(turn, keyword)

    @staticmethod
    def contact_kind(enquiry: Enquiry) -> str:
        """"" when the parent agreed to be contacted, "_no_contact" when they said they would contact us."""
        if enquiry.contact is not None:
            return ""
        said_no = any(c.purpose == "contact" and not c.granted for c in enquiry.consents)
        return "_no_contact" if said_no else "_call_us"

    def claimed_status(self, enquiry: Enquiry) -> str:
        """Where a claimed enquiry is, true to the contact agreed (no promise of a call nobody may make)."""
        return self.msg("with_caseworker" + self.contact_kind(enquiry), reference=enquiry.reference)

    def after_handoff(self, turn: Turn) -> None:
        """Text channels after the hand-off: the bot goes on answering questions while it waits."""
        turn.state.data["step"] = "idle"
        self.engine.steps["idle"](turn)

    def pick_up(self, turn: Turn) -> bool:
        """A quoted reference gets its status (never content), and only on the phone or chat that made it.

        Anyone else gets one fixed reply, the same whether or not the code exists, so holding a reference
        never confirms that a parent contacted us or how their enquiry is going (policy 2.1).
        """
        reference = quoted_reference(turn.text) if turn.text else None
        if reference is None:
            return False
        enquiry = queue.by_reference(turn.session, reference)
        if enquiry is None or enquiry.contact_key != turn.state.contact_key:
            turn.say(Reply(self.msg("not_this_contact")))
            return True
        if enquiry.priority == queue.URGENT and concerns.is_concern(enquiry):
            return False  # a safety concern gets no status, even on its own phone or chat
        if enquiry.status == "queued":
            status = self.msg("status_queued", position=queue.position(turn.session, enquiry))
        elif enquiry.status == "claimed":
            turn.say(Reply(self.claimed_status(enquiry)))
            return True
        else:
            status = self.msg("status_closed")
        turn.say(Reply(self.msg("picked_up", reference=enquiry.reference, status=status)))
        return True

    def withdraw(self, turn: Turn) -> None:
        """FORGET / withdraw consent: erase the enquiry's details and record the withdrawal."""
        enquiry = self.live_enquiry(turn)
        concern = concern_kept(turn)  # also after the conversation that raised it timed out (7.1)
        if enquiry is not None and concerns.is_concern(enquiry):
            # The form was added to the safety concern: the parent's answers go, the concern stays (7.1).
            concerns.withdraw(turn.session, enquiry, channel=turn.channel, wording_version=self.version)
            turn.say(Reply(self.msg("withdrawn_from_concern", reference=enquiry.reference)))
            return
        if enquiry is not None:
            concerns.withdraw(turn.session, enquiry, channel=turn.channel, wording_version=self.version)
            turn.say(Reply(self.msg("withdrawn", reference=enquiry.reference)))
        elif concern:
            turn.say(Reply(self.engine.content.text("forget_safeguarding", reference=concern)))
        else:
            turn.say(Reply(self.engine.content.text("forget"), self.msg("forget_call")))
        if concern and enquiry is not None:
            turn.say(Reply(self.engine.content.text("forget_safeguarding", reference=concern)))
