"""After the intake form: the queue entry (or the parent's own safety concern), honest waiting, pick-up, withdrawal."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bot.answers import yes_no
from bot.content import fill, spell_out
from bot.dialogue import asks_to_stop_texts
from bot.engine import Engine, Turn
from bot.phrasing import Phrasing
from bot.replies import Reply
from intake import concerns, form_rules, parent_messages, queue, service_hours
from intake.hours import OfficeHours
from intake.minimise import describe
from intake.models import Enquiry
from intake.queue import ConsentAnswer
from intake.references import find_reference

AFTER = "handed_off"
# A reference as we print it (K7Q-429). Written without the hyphen, "THE 345" in "can he take the 345 bus"
# has the same shape, so that form only counts when the message is the code alone or says "ref(erence)".
AS_PRINTED = re.compile(r"\b[A-HJ-NP-Z]{3}-[2-9]{3}\b")
SAYS_REFERENCE = re.compile(r"\bREF(ERENCE)?\b")
CODE_ALONE = re.compile(r"^\W*[A-Z]{3}\W?[0-9]{3}\W*$")
# Once an enquiry is sent (waiting or claimed), a message that asks in so many words ("what is a senco", "how
# do I appeal") and that the NLU places with at least ANSWER_FROM is a general question: the bot answers it
# (policy 2.3). Anything else ("he was sent home again") is for the caseworker: kept on the enquiry. While
# it waits, "any news?" gets where it is; after the claim it is passed on too.
ASKS = re.compile(r"^\W*(?:what|what's|whats|how|who|when|where|why|which|can|could|do|does|is|are|will|would|"
                  r"should|shall|may|am)\b", re.IGNORECASE)
ANSWER_FROM = 0.5
CHOOSING = ("menu", "menu_topics", "clarify")  # a number sent at these steps picks from what we just listed
# Where a message to a waiting enquiry's parent is read as a question or an addition: not mid-form.
WAITING_STEPS = ("idle", AFTER, *CHOOSING)


def quoted_reference(text: str) -> str | None:
    """The reference a message quotes, judged by its wording alone (never by whether the code exists)."""
    upper = text.upper()
    printed = AS_PRINTED.search(upper)
    if printed:
        return printed.group(0)
    if SAYS_REFERENCE.search(upper) or CODE_ALONE.match(upper):
        return find_reference(upper)
    return None


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
        service = engine.content.service
        self.person = Phrasing(service.get("person_requests") or {})
        self.progress = Phrasing(service.get("progress_requests") or {})
        self.additions = Phrasing(service.get("additions") or {})
        self.small_talk = Phrasing({"say": service.get("small_talk") or [], "tail_words": 0})

    def _msg(self, key: str, **values: Any) -> str:
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
            concerns.attach_form(turn.session, self.engine.keys, concern, **answers)
            turn.state.data.update(step=AFTER, reference=concern.reference)
            key = "added_to_concern" if slots.get("consent_contact") else "added_to_concern_no_contact"
            turn.say(Reply(self._msg(key, reference=concern.reference),
                           self._msg(f"{key}_spoken", reference_spoken=spell_out(concern.reference)),
                           kind="notice"))
            return
        enquiry = queue.create_enquiry(turn.session, self.engine.keys, contact_key=turn.state.contact_key,
                                       retention_days=self.engine.settings.retention_days, **answers)
        reference = enquiry.reference
        turn.after_commit.append(lambda: self.alert(reference, enquiry.priority))
        turn.state.data.update(step=AFTER, reference=reference)
        if not slots.get("consent_contact"):
            turn.say(Reply(self._msg("queued_no_contact", reference=reference),
                           self._msg("queued_no_contact_spoken", reference_spoken=spell_out(reference)),
                           kind="notice"))
            return
        waiting = self._waiting(turn, enquiry)
        key = "queued_chat" if turn.channel == "web" else "queued"
        turn.say(Reply(self._msg(key, reference=reference, waiting=waiting),
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

    def live_enquiry(self, turn: Turn) -> Enquiry | None:
        """This contact's own open enquiry (never one found only because someone quoted its reference)."""
        return concerns.live_for_contact(turn.session, turn.state.contact_key, turn.state.data.get("reference"))

    def already(self, turn: Turn, enquiry: Enquiry) -> None:
        """Asked for a caseworker again: say where the enquiry is rather than start a second one."""
        if enquiry.status == "claimed":
            turn.say(Reply(self.claimed_status(enquiry)))
            return
        key = "already_with_concern" if concerns.is_concern(enquiry) else "already_queued"
        turn.say(Reply(self._msg(key, reference=enquiry.reference, position=queue.position(turn.session, enquiry))))

    def with_caseworker(self, turn: Turn, keyword: str | None) -> bool:
        """Messages meant for the enquiry's caseworker go on the enquiry, claimed or waiting; questions get answers.

        Safety has already run; FORGET, STOP, START, PRIVACY and MENU/HELP work as everywhere, and so does a
        number picked from a menu. Asking for a person in their own words is HUMAN.
        """
        if turn.channel == "voice" or keyword in ("forget", "stop", "start", "privacy", "menu"):
            return False
        if keyword is None and turn.text and self.person.said(turn.text):
            keyword = "human"  # "i want to speak to my caseworker": as HUMAN
        enquiry = self.live_enquiry(turn) if turn.claimed else None
        if enquiry is not None and enquiry.status == "claimed":
            return self._claimed(turn, enquiry, keyword)
        if not self._may_be_waiting(turn, keyword):
            return False  # most turns: nothing to look up
        if not turn.claimed:
            enquiry = self.live_enquiry(turn)
        if enquiry is None or enquiry.status != "queued":
            return False
        if turn.replayed and concerns.is_concern(enquiry):
            return False  # replayed after "yes, a child is in danger": the safety reply stands alone
        turn.state.data["reference"] = enquiry.reference  # later turns look it up by reference
        return self._waiting_enquiry(turn, enquiry)

    def _claimed(self, turn: Turn, enquiry: Enquiry, keyword: str | None) -> bool:
        """A caseworker has the enquiry: HUMAN, its own reference or an empty message gets where it is.

        In words true to the contact the parent agreed to; anything that is not a question is passed on.
        """
        turn.state.data["reference"] = enquiry.reference
        if turn.state.step in CHOOSING and turn.text.strip().isdigit():
            return False
        quoted = quoted_reference(turn.text) if turn.text else None
        turn.state.data["step"] = "idle"
        if keyword is not None or not turn.text or turn.replayed or quoted == enquiry.reference:
            turn.say(Reply(self.claimed_status(enquiry)))
            return True
        if asks_to_stop_texts(turn, self.engine.content):
            return False  # "stop texting me" is for us, not the caseworker: the idle step says how
        if quoted is not None or self._general_question(turn):
            # Someone else's reference (one fixed reply), or a question the bot answers. A menu left open
            # when the chat expired is no unfinished form: no "we deleted your unfinished answers".
            turn.state.lapsed = False
            return False
        self._pass_on(turn, enquiry, "passed_on", self._msg)
        return True

    def _may_be_waiting(self, turn: Turn, keyword: str | None) -> bool:
        """Whether this turn might be for a waiting enquiry, judged without the database.

        Only a message at a topic step, from a conversation that made one (or a new or expired conversation:
        one lookup when it starts), outside a safety reply, that no keyword or step answers. A concern the
        bot raised is not the parent's enquiry to add to (concerns.latest_for_contact). A message replayed
        after the parent said no child is in danger is theirs to add.
        """
        state = turn.state
        if keyword is not None or not turn.text or state.step not in WAITING_STEPS:
            return False
        if turn.assessment is not None and turn.assessment.level == "risk":
            return False  # the safety reply stands alone (bot/safety.py)
        if state.step in CHOOSING and turn.text.strip().isdigit():
            return False
        return bool(state.data.get("reference") or state.turns == 0)

    def _waiting_enquiry(self, turn: Turn, enquiry: Enquiry) -> bool:
        """While the enquiry waits: "any news?" gets where it is, an addition joins it, a question an answer."""
        text = turn.text
        if quoted_reference(text) is not None or asks_to_stop_texts(turn, self.engine.content):
            return False  # the idle step answers a reference (pick_up) or says how to stop texts
        if self.progress.said(text):
            turn.state.data["step"] = "idle"
            self._news(turn, enquiry)
            return True
        if yes_no(text) is not None or text.strip().isdigit() or self.small_talk.said(text):
            return False  # "thanks", "ok", "2": answered as ever, nothing to add
        announced = self.additions.rest(text)
        if announced is not None and self.additions.only_fillers(announced):
            turn.state.data["step"] = "idle"
            turn.say(Reply(self.engine.content.text("add_go_ahead", reference=enquiry.reference)))
            return True
        if self._general_question(turn):
            turn.state.lapsed = False
            return False
        turn.state.data["step"] = "idle"
        self._pass_on(turn, enquiry, "added_to_enquiry", self.engine.content.text)
        return True

    def _news(self, turn: Turn, enquiry: Enquiry) -> None:
        """Where a waiting enquiry is; a safety concern gets no status, only that it is with us (as HUMAN)."""
        if concerns.is_concern(enquiry):
            self.already(turn, enquiry)
            return
        text = self.engine.content.text("no_news_yet", reference=enquiry.reference)
        turn.say(Reply(f"{text} {self._waiting(turn, enquiry)}"))

    def _pass_on(self, turn: Turn, enquiry: Enquiry, key: str, wording: Callable[..., str]) -> None:
        """Keep the message on the enquiry (names and numbers taken out) and tell the parent truthfully."""
        found = parent_messages.add(turn.session, self.engine.keys, enquiry, turn.text)
        kind = self._contact_kind(enquiry)
        text = wording(key + kind, reference=enquiry.reference)
        if found:  # say what was taken out, and (unless the wording did) how to change contact
            removed = self._msg("removed" if kind == "" else "removed_short", found=describe(found),
                                reference=enquiry.reference)
            text = f"{text} {removed}"
        turn.say(Reply(text))

    def _general_question(self, turn: Turn) -> bool:
        """A question in so many words that the NLU places confidently (never after a safety disclosure).

        Not one that only starts like a question to announce more for the caseworker ("can i add something,
        the school said no": flows/service.yaml `additions`).
        """
        if (turn.assessment is not None and turn.assessment.level == "risk") or not ASKS.match(turn.text):
            return False
        if self.additions.said(turn.text):
            return False
        prediction = self.engine.classifier.classify(turn.text)
        return prediction.topic is not None and prediction.confidence >= ANSWER_FROM

    @staticmethod
    def _contact_kind(enquiry: Enquiry) -> str:
        """"" when the parent agreed to be contacted, "_no_contact" when they said they would contact us."""
        if enquiry.contact is not None:
            return ""
        said_no = any(c.purpose == "contact" and not c.granted for c in enquiry.consents)
        return "_no_contact" if said_no else "_call_us"

    def claimed_status(self, enquiry: Enquiry) -> str:
        """Where a claimed enquiry is, true to the contact agreed (no promise of a call nobody may make)."""
        return self._msg("with_caseworker" + self._contact_kind(enquiry), reference=enquiry.reference)

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
            turn.say(Reply(self._msg("not_this_contact")))
            return True
        if enquiry.priority == queue.URGENT and concerns.is_concern(enquiry):
            return False  # a safety concern gets no status, even on its own phone or chat
        if enquiry.status == "queued":
            status = self._msg("status_queued", position=queue.position(turn.session, enquiry))
        elif enquiry.status == "claimed":
            turn.say(Reply(self.claimed_status(enquiry)))
            return True
        else:
            status = self._msg("status_closed")
        turn.say(Reply(self._msg("picked_up", reference=enquiry.reference, status=status)))
        return True

    def withdraw(self, turn: Turn) -> None:
        """FORGET / withdraw consent: erase the enquiry's details and record the withdrawal."""
        enquiry = self.live_enquiry(turn)
        concern = turn.state.data.get("concern_ref")
        if enquiry is not None and concerns.is_concern(enquiry):
            # The form was added to the safety concern: the parent's answers go, the concern stays (7.1).
            concerns.withdraw(turn.session, enquiry, channel=turn.channel, wording_version=self.version)
            turn.say(Reply(self._msg("withdrawn_from_concern", reference=enquiry.reference)))
            return
        if enquiry is not None:
            concerns.withdraw(turn.session, enquiry, channel=turn.channel, wording_version=self.version)
            turn.say(Reply(self._msg("withdrawn", reference=enquiry.reference)))
        elif concern:
            turn.say(Reply(self.engine.content.text("forget_safeguarding", reference=concern)))
        else:
            turn.say(Reply(self.engine.content.text("forget")))
        if concern and enquiry is not None:
            turn.say(Reply(self.engine.content.text("forget_safeguarding", reference=concern)))
