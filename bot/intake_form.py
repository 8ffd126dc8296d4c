"""The hand-off: the consent-first intake form, the queue entry, and honest waiting on every channel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Literal

from bot.content import fill, spell_out
from bot.engine import Engine, Turn
from bot.replies import Choice, Reply
from intake import form_rules, parent_messages, queue, service_hours
from intake.hours import OfficeHours
from intake.minimise import describe, find_personal_data, redact
from intake.models import Enquiry
from intake.queue import ConsentAnswer
from intake.references import find_reference

STEP = "form"
AFTER = "handed_off"
LABELS = {"yes": "Yes", "no": "No", True: "Yes", False: "No"}


def _duration(wait: timedelta) -> str:
    minutes = max(int(wait.total_seconds() // 60), 1)
    if minutes < 90:
        return f"{minutes} minutes" if minutes > 1 else "a minute"
    hours = round(minutes / 60)
    return f"{hours} hours" if hours < 36 else f"{round(hours / 24)} working days"


class IntakeForm:
    """Engine steps for the form (`form_start`, `form`, `handed_off`, `form_withdraw`)."""

    def __init__(self, engine: Engine, hours: OfficeHours, alert: Callable[[str, str], None]) -> None:
        self.engine = engine
        self.hours = hours
        self.alert = alert
        self.spec: dict[str, Any] = engine.content.intake
        self.version = str(self.spec.get("wording_version", "intake-1"))
        engine.steps.update(
            {"form_start": self.start, STEP: self.answer, AFTER: self.after_handoff, "form_withdraw": self.withdraw}
        )
        idle = engine.steps["idle"]

        def idle_or_pick_up(turn: Turn) -> None:
            if not self.pick_up(turn):
                idle(turn)

        engine.steps["idle"] = idle_or_pick_up
        engine.before_steps = self.with_caseworker

    # -- wording -----------------------------------------------------------------------------
    def _msg(self, key: str, **values: Any) -> str:
        variables = {k: str(v) for k, v in values.items()}
        return fill(str(self.spec["messages"][key]).strip(), variables)

    # -- the form ----------------------------------------------------------------------------
    def start(self, turn: Turn) -> None:
        """Begin the hand-off, unless this conversation already has a live enquiry."""
        form = turn.state.data.get("form")
        if form and form.get("requested"):  # asked again mid-form, or after a MENU: carry on, keep answers
            turn.state.data["step"] = STEP
            turn.say(Reply(self._msg("resume")))
            self._ask(turn, form["requested"])
            return
        enquiry = self._live_enquiry(turn)
        if enquiry is not None:
            key = "with_caseworker" if enquiry.status == "claimed" else "already_queued"
            turn.say(Reply(self._msg(key, reference=enquiry.reference,
                                     position=queue.position(turn.session, enquiry))))
            return
        slots: dict[str, Any] = {"channel": turn.channel}
        last_topic = turn.state.data.get("last_topic")
        topic = self.engine.content.topics.get(last_topic) if last_topic else None
        if topic is not None and topic.action is None:
            slots.update(topic=topic.id, category=topic.category)
        turn.state.data.update(step=STEP, form={"slots": slots, "consents": []})
        self._run(turn, candidate=None)

    def answer(self, turn: Turn) -> None:
        """Take the parent's answer to the question asked last."""
        form = turn.state.data.get("form")
        if not form:
            turn.state.data["step"] = "idle"
            self.engine.steps["idle"](turn)
            return
        if turn.safety_key:  # 0 meant "a child is in danger", not an answer: ask the question again
            self._ask(turn, form["requested"])
            return
        if turn.channel == "voice" and (turn.inbound.digits == "*" or not (turn.text or turn.inbound.digits)):
            if turn.inbound.digits != "*":
                turn.say(Reply(self._msg("not_heard"), self._msg("not_heard")))
            self._ask(turn, form["requested"])  # * repeats, as everywhere on the phone line
            return
        if form.get("requested") == "contact_detail" and form_rules.normal(turn.text) == "BACK":
            form["slots"].pop("contact_method", None)  # choose another way to be contacted
            self._ask(turn, "contact_method")
            return
        self._run(turn, candidate=turn.inbound.digits or turn.text)

    def _run(self, turn: Turn, candidate: str | None) -> None:
        form = turn.state.data["form"]
        slots = form["slots"]
        requested = form.get("requested")
        events = []
        if requested and candidate is not None:
            events = [{"event": "slot", "name": requested, "value": candidate}]
        result = self.engine.runner.run(
            "validate_intake_form", sender_id=turn.state.contact_key[:16],
            slots=slots | {"requested_slot": requested}, events=events, active_loop="intake_form",
        )
        new = result.slots()
        if requested and candidate is not None and new.get(requested) is None:
            errors = [r.get("text") or self._response_text(r.get("response")) for r in result.responses]
            if turn.assessment is None or turn.assessment.level != "risk":  # no telling-off after a disclosure
                text = " ".join(e for e in errors if e) or self._msg("invalid_choice")
                turn.say(Reply(text, self._msg("invalid_spoken"), kind="prompt"))
            self._ask(turn, requested)
            return
        next_slot = new.pop("requested_slot", None)
        slots.update(new)
        if requested in form_rules.CONSENT_SLOTS and requested in new:
            self._record_consent(turn, requested, bool(new[requested]))
        if requested == "consent_keep" and slots.get("consent_keep") is False:
            # The NO goes in the ledger too (no reference: nothing else is kept).
            queue.record_standalone(turn.session, "keep_details", self.version, turn.channel)
            self._end(turn)
            turn.say(Reply(self._msg("declined_keep"), self._msg("declined_keep_spoken")))
            return
        if requested == "pii_keep" and slots.get("pii_keep") is False:
            slots["summary"] = redact(slots["summary"], find_personal_data(slots["summary"]))
        if requested == "confirm" and candidate is not None:
            decision = slots.pop("confirm")
            if decision == "yes":
                self._submit(turn)
                return
            if decision == "no":
                self._end(turn)
                turn.say(Reply(self._msg("discarded"), self._msg("discarded_spoken")))
                return
            for name in ("summary", "summary_pii", "pii_keep"):
                slots.pop(name, None)
            turn.say(Reply(self._msg("change")))
            form["requested"] = None
            self._run(turn, candidate=None)
            return
        if next_slot is None:
            next_slot = "confirm"
        self._ask(turn, next_slot)

    def _response_text(self, name: str | None) -> str:
        """The wording of a domain response the validator named (rasa-sdk leaves `text` empty)."""
        variants = self.engine.runner.domain["responses"].get(name or "", [])
        return str(variants[0].get("text") or "") if variants else ""

    def _ask(self, turn: Turn, slot: str) -> None:
        form = turn.state.data["form"]
        form["requested"] = slot
        spec = self.spec["slots"][slot]
        domain_form = self.engine.runner.domain["forms"]["intake_form"]
        options = domain_form["choices"].get(slot, [])
        if slot == "contact_method":
            options = options.get(turn.channel, [])
            if not turn.inbound.contact.startswith("+"):  # a withheld number: "this number" cannot work
                options = [o for o in options if not o["value"].endswith("_this")]
        values: dict[str, str] = {}
        if slot == "pii_keep":
            values["found"] = describe(find_personal_data(form["slots"].get("summary", "")))
        if slot == "confirm":
            values["summary"] = self.summary_text(form["slots"])
        if slot == "contact_detail":
            method = form["slots"].get("contact_method")
            text = spec["ask_email"] if method == "email" else spec["ask_phone"]
        else:
            text = spec["ask"]
        choices = tuple(Choice(o["key"], o["label"]) for o in options)
        expects: Literal["choice", "text", "yesno"] = "choice" if choices else "text"
        if slot in form_rules.CONSENT_SLOTS:
            choices, expects = (Choice("1", "Yes"), Choice("2", "No")), "yesno"
        if slot == "confirm":
            choices = (Choice("YES", "Send it"), Choice("CHANGE", "Change my words"), Choice("NO", "Send nothing"))
            expects = "choice"
            if turn.channel == "voice":
                choices = (Choice("1", "Send it"), Choice("2", "Send nothing"))
        spoken_values = values | {"summary": values["summary"].replace("\n", ". ")} if slot == "confirm" else values
        spoken = fill(str(spec.get("spoken") or text).strip(), spoken_values)
        turn.say(Reply(fill(str(text).strip(), values), spoken, choices, kind="prompt", expects=expects))

    def summary_text(self, slots: dict[str, Any]) -> str:
        """Exactly what the caseworker will see, line by line."""
        content = self.engine.content
        domain_form = self.engine.runner.domain["forms"]["intake_form"]

        def label(slot: str) -> str:
            options = domain_form["choices"].get(slot, [])
            if slot == "contact_method":
                options = options.get(slots.get("channel"), [])
            return next((o["label"] for o in options if o["value"] == slots.get(slot)), str(slots.get(slot)))

        topic = content.topics.get(slots.get("topic", ""))
        lines = [self._msg("summary_line_topic", value=topic.title if topic else label("topic"))]
        if slots.get("summary"):
            lines.append(self._msg("summary_line_words", value=slots["summary"]))
        if slots.get("school_phase"):
            lines.append(self._msg("summary_line_phase", value=label("school_phase")))
        if slots.get("ehc_plan"):
            lines.append(self._msg("summary_line_plan", value=label("ehc_plan")))
        if slots.get("consent_contact"):
            method = label("contact_method")
            detail = slots.get("contact_detail")
            lines.append(self._msg("summary_line_contact", value=f"{method} {detail}" if detail else method))
            if slots.get("safe_times"):
                lines.append(self._msg("summary_line_times", value=label("safe_times")))
            if slots.get("consent_voicemail") is not None:
                lines.append(self._msg("summary_line_voicemail", value=LABELS[slots["consent_voicemail"]]))
            if slots.get("consent_name_service") is not None:
                lines.append(self._msg("summary_line_name", value=LABELS[slots["consent_name_service"]]))
        else:
            lines.append(self._msg("summary_line_contact", value=self._msg("no_contact")))
        return "\n".join(lines)

    def _record_consent(self, turn: Turn, slot: str, granted: bool) -> None:
        purpose = self.spec["slots"][slot]["purpose"]
        consents = turn.state.data["form"]["consents"]
        consents[:] = [c for c in consents if c["purpose"] != purpose]
        consents.append({"purpose": purpose, "granted": granted, "version": self.version,
                         "at": turn.now.isoformat()})

    def _end(self, turn: Turn) -> None:
        turn.state.data.pop("form", None)
        turn.state.data["step"] = "idle"

    # -- hand-off ----------------------------------------------------------------------------
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

    def _submit(self, turn: Turn) -> None:
        form = turn.state.data["form"]
        slots = form["slots"]
        category = slots.get("category") or "default"
        facts_spec = self.spec.get("facts_by_category", {})
        fact_names = facts_spec.get(category, facts_spec.get("default", []))
        enquiry = queue.create_enquiry(
            turn.session, self.engine.keys,
            channel=turn.channel, contact_key=turn.state.contact_key,
            topic=str(slots.get("topic") or "general"),
            summary=slots.get("summary"),
            facts={name: slots.get(name) for name in fact_names if slots.get(name)},
            contact=self._contact(turn, slots),
            safe_times=slots.get("safe_times"),
            voicemail_ok=bool(slots.get("consent_voicemail")),
            name_service_ok=bool(slots.get("consent_name_service")),
            consents=[ConsentAnswer(c["purpose"], c["granted"], c["version"], datetime.fromisoformat(c["at"]))
                      for c in form["consents"]],
            retention_days=self.engine.settings.retention_days,
        )
        reference = enquiry.reference
        turn.after_commit.append(lambda: self.alert(reference, enquiry.priority))
        turn.state.data.pop("form", None)
        turn.state.data.update(step=AFTER, reference=reference)
        if not slots.get("consent_contact"):
            turn.say(Reply(self._msg("queued_no_contact", reference=reference),
                           self._msg("queued_no_contact_spoken", reference_spoken=spell_out(reference)),
                           kind="notice"))
            return
        waiting = self._waiting(turn, enquiry)
        turn.say(Reply(self._msg("queued", reference=reference, waiting=waiting),
                       self._msg("queued_spoken", reference_spoken=spell_out(reference), waiting=waiting)))

    def _waiting(self, turn: Turn, enquiry: Enquiry) -> str:
        """Honest waiting: queue place, and a typical wait from recent claims, or when we reopen."""
        position = queue.position(turn.session, enquiry)
        hours = service_hours.current(turn.session, self.hours)  # the console's setting, else the env's
        if not hours.is_open(turn.now):
            return self._msg("waiting_closed", opening=hours.describe_next_opening(turn.now))
        wait = queue.typical_wait(turn.session)
        if wait is None:
            return self._msg("waiting_position_only", position=position)
        return self._msg("waiting_position", position=position, wait=_duration(wait))

    def _live_enquiry(self, turn: Turn) -> Enquiry | None:
        """This contact's own open enquiry (never one found only because someone quoted its reference)."""
        reference = turn.state.data.get("reference")
        if reference:
            enquiry = queue.by_reference(turn.session, reference)
        else:
            enquiry = queue.latest_for_contact(turn.session, turn.state.contact_key)
        if enquiry is None or enquiry.status == "closed" or enquiry.contact_key != turn.state.contact_key:
            return None
        return enquiry

    def with_caseworker(self, turn: Turn, keyword: str | None) -> bool:
        """Once a caseworker has the enquiry, the bot steps back on text channels: messages go to them.

        Safety has already run; FORGET, STOP, START and PRIVACY still work as everywhere.
        """
        if turn.channel == "voice" or keyword in ("forget", "stop", "start", "privacy"):
            return False
        enquiry = self._live_enquiry(turn)
        if enquiry is None or enquiry.status != "claimed":
            return False
        if keyword is not None or not turn.text or turn.replayed:
            turn.say(Reply(self._msg("with_caseworker", reference=enquiry.reference)))
        else:
            parent_messages.add(turn.session, self.engine.keys, enquiry, turn.text)
            turn.say(Reply(self._msg("passed_on", reference=enquiry.reference)))
        turn.state.data.update(step="idle", reference=enquiry.reference)
        return True

    def after_handoff(self, turn: Turn) -> None:
        """Text channels after the hand-off: the bot goes on answering questions while it waits."""
        turn.state.data["step"] = "idle"
        self.engine.steps["idle"](turn)

    def pick_up(self, turn: Turn) -> bool:
        """A quoted reference gets its status (never content); only its own parent can act on it."""
        reference = find_reference(turn.text) if turn.text else None
        enquiry = queue.by_reference(turn.session, reference) if reference else None
        if enquiry is None or (enquiry.priority == queue.URGENT and enquiry.topic == "safeguarding"):
            return False
        if enquiry.status == "queued":
            status = self._msg("status_queued", position=queue.position(turn.session, enquiry))
        elif enquiry.status == "claimed":
            status = self._msg("status_claimed")
        else:
            status = self._msg("status_closed")
        turn.say(Reply(self._msg("picked_up", reference=enquiry.reference, status=status)))
        if enquiry.contact_key != turn.state.contact_key and enquiry.status != "closed":
            turn.say(Reply(self._msg("other_contact", reference=enquiry.reference)))
        return True

    def withdraw(self, turn: Turn) -> None:
        """FORGET / withdraw consent: erase the enquiry's details and record the withdrawal."""
        enquiry = self._live_enquiry(turn)
        concern = turn.state.data.get("concern_ref")
        if enquiry is not None:
            queue.withdraw(turn.session, enquiry, channel=turn.channel, wording_version=self.version)
            turn.say(Reply(self._msg("withdrawn", reference=enquiry.reference)))
        elif concern:
            turn.say(Reply(self.engine.content.text("forget_safeguarding", reference=concern)))
        else:
            turn.say(Reply(self.engine.content.text("forget")))
        if concern and enquiry is not None:
            turn.say(Reply(self.engine.content.text("forget_safeguarding", reference=concern)))

