"""Asking for a caseworker by phone: into the keypad intake form, then the reference read back digit by digit."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot.answers import normal
from bot.content import fill, spell_out
from bot.engine import StepHandler, Turn
from bot.intake_handoff import HandOff
from bot.replies import Choice, Reply
from intake import concerns, queue, service_hours

if TYPE_CHECKING:
    from bot.voice_menu import VoiceMenu
    from intake.models import Enquiry

FORM, HANDED_OFF = "form", "handed_off"  # the intake form's steps (bot/intake_form.py)
PERSON = "voice_person"  # a person asked for: the call back offered
METHOD, DETAIL = "contact_method", "contact_detail"  # the form's questions that 9 leads out of on the phone
WAY_OUT = "9"
ZERO = "0"  # at the typed number, a lone 0 is its first digit (bot/channels/voice.py), not the danger key
# After the safety words, by how the caller's case stands (HandOff.contact_kind): a call back asked for with a
# way to reach them, asked for saying they would contact us, or not asked for yet.
NEXT_BY_CONTACT = {"": "danger_next_asked", "_no_contact": "danger_next_asked_yourself"}


class VoiceCallback:
    """Leads a caller into the consent-first intake form and on from it once it ends."""

    def __init__(self, line: VoiceMenu) -> None:
        self.line = line
        self.engine = line.engine
        self.keypad = line.keypad

    def ask(self, turn: Turn) -> None:
        """Ask for a caseworker: the consent-first intake form, or the office number if there is none."""
        hours = service_hours.current(turn.session, self.line.hours)
        closed = not hours.is_open(turn.now)
        if closed:  # an urgent concern is already with the duty caseworker, out of hours too
            wording = "callback_closed_urgent" if self._urgent(turn) else "callback_closed"
            turn.say(Reply(self.keypad.say(wording, next_open=hours.describe_next_opening(turn.now))))
        starter = self.engine.steps.get("form_start")
        if starter is not None:
            starter(turn)
            self._offer_way_out(turn)
            if turn.state.step == FORM and turn.replies:  # the first question says once how to go back
                first = turn.replies[-1]
                turn.replies[-1] = replace(first, spoken=f"{first.voice_text} {self.keypad.say('callback_way_back')}")
            if turn.state.step != FORM:  # e.g. already queued: the form did not start
                self.line.menu(turn)
            return
        turn.say(Reply(self.keypad.say("callback_unavailable")))
        self.line.menu(turn)

    def offer(self, turn: Turn) -> None:
        """A person asked for: a call back, by 1 or "yes", or the main menu."""
        choices = dict(self.keypad.wording["person_choices"])
        self.keypad.prompt(turn, PERSON, self.keypad.say("person_offer"), choices)

    def offered(self, turn: Turn) -> None:
        """1 or "yes" asks for the call back; 9 or "no" is the main menu; * says the offer again."""
        key = self.keypad.heard(turn, ["1", "9", "*"], "person")
        if key == "1":
            self.ask(turn)
        elif key == "9":
            self.line.menu(turn)
        elif key == "*":
            self.offer(turn)
        else:
            self.line.unclear(turn, key, self.offer)

    def _case(self, turn: Turn) -> Enquiry | None:
        """This call's safety concern (or the enquiry a disclosure made urgent), while it is open."""
        return concerns.open_case(turn.session, turn.state.data.get("concern_ref"), turn.state.contact_key)

    def _urgent(self, turn: Turn) -> bool:
        case = self._case(turn)
        return case is not None and case.priority == queue.URGENT

    def next_step(self, turn: Turn) -> str:
        """After the safety words: how the duty caseworker can reach the caller, true to where the call is.

        In the call-back questions 2 would answer the question, so the caller is told to carry on with them;
        once a call back has been asked for it is not offered again, and the caller hears what happens next.
        """
        form = turn.state.data.get("form")
        if turn.state.step == FORM and isinstance(form, dict):
            agreed = (form.get("slots") or {}).get("consent_contact")
            if agreed is False:
                return self.keypad.say("danger_next_form_yourself")
            chosen = agreed and form.get("requested") not in (METHOD, DETAIL)
            return self.keypad.say("danger_next_form_chosen" if chosen else "danger_next_form")
        case = self._case(turn)
        kind = HandOff.contact_kind(case) if case is not None else "_call_us"  # no call back asked for yet
        return self.keypad.say(NEXT_BY_CONTACT.get(kind, "danger_next_menu"))

    def after_form(self, turn: Turn, form_step: StepHandler) -> None:
        """The form's own turn; on the phone, once it ends, say what the caller can do next.

        At "how should we contact you?" 9 means "I'd rather contact you myself": the form goes on as if
        the caller had pressed 2 (no) to being contacted. After a typed number that is not right, 9 then
        hash goes back to choosing a way of contact (the form's BACK). Not when the safety check acted on what
        was said (Turn.safety_acted): it is no answer, so no way out either; the form asks its question again.
        """
        form = turn.state.data.get("form") if turn.channel == "voice" and not turn.safety_acted else None
        asked = form.get("requested") if isinstance(form, dict) else None
        if isinstance(form, dict) and self._leaving(turn, asked):
            self._leave(turn, form)
            return
        way_out = asked in (METHOD, DETAIL) and self.keypad.heard(turn, [WAY_OUT], asked) == WAY_OUT
        if way_out and asked == METHOD and isinstance(form, dict):
            form["requested"] = "consent_contact"
            turn.inbound, turn.text = replace(turn.inbound, digits="2", text=""), ""
            turn.say(Reply(self.keypad.say("contact_yourself_ok")))
        elif way_out:
            turn.inbound, turn.text = replace(turn.inbound, digits="", text="BACK"), "BACK"
        form_step(turn)
        if asked == DETAIL and not way_out and turn.inbound.digits != "*" and (turn.inbound.digits or turn.text):
            self._bad_number(turn)
        self._offer_way_out(turn)
        if turn.channel != "voice" or turn.state.step == FORM:
            return
        if turn.state.step == HANDED_OFF:
            self.options(turn)
        else:
            self.line.menu(turn)

    def _leaving(self, turn: Turn, asked: str | None) -> bool:
        """9, "main menu" or "go back" in the call-back questions: back to the main menu, nothing sent.

        Not where 9 already means something: "contact you myself" at the way of contact, and a digit (or,
        then hash, "choose another way") at the typed number, where only the words "main menu" leave.
        """
        if turn.inbound.digits:
            return turn.inbound.digits == WAY_OUT and asked not in (METHOD, DETAIL)
        if asked == DETAIL:
            return self.keypad.heard(turn, [WAY_OUT], "leave_number") == WAY_OUT
        alone = {normal(str(p)) for p in self.keypad.wording.get("callback_leave_alone") or []}
        return normal(turn.text) in alone or self.keypad.heard(turn, [WAY_OUT], "leave_callback") == WAY_OUT

    def _leave(self, turn: Turn, form: dict[str, object]) -> None:
        """Leave the call-back questions for the main menu: the request is not sent and the answers go.

        As "forget it" in the texted form (bot/intake_form.py); a concern raised on this call stays urgent.
        """
        if not form.get("contact_only"):  # sending nothing is a refusal to keep the details, with no content
            version = str(self.engine.content.intake.get("wording_version", "intake-1"))
            queue.record_standalone(turn.session, "keep_details", version, turn.channel)
        turn.state.data.pop("form", None)
        turn.say(Reply(self.keypad.say("callback_left_urgent" if self._urgent(turn) else "callback_left")))
        self.line.menu(turn)

    def _asking(self, turn: Turn) -> str | None:
        form = turn.state.data.get("form")
        return form.get("requested") if turn.state.step == FORM and isinstance(form, dict) else None

    def _offer_way_out(self, turn: Turn) -> None:
        """At "how should we contact you?": the ways read out, then 9 to contact us yourself."""
        if turn.channel != "voice" or self._asking(turn) != METHOD or not turn.replies:
            return
        ask = turn.replies[-1]
        if not ask.choices or any(c.key == WAY_OUT for c in ask.choices):
            return
        lines = [ask.voice_text] if "press" in ask.voice_text.lower() else [
            ask.voice_text, *(f"For {c.label}, press {c.key}." for c in ask.choices)]
        turn.replies[-1] = replace(
            ask, spoken=" ".join([*lines, self.keypad.say("contact_yourself")]),
            choices=(*ask.choices, Choice(WAY_OUT, str(self.keypad.wording["contact_yourself_label"]))),
        )

    def _bad_number(self, turn: Turn) -> None:
        """A typed number the form refused: say that it is not a phone number, not "not one of the choices"."""
        if self._asking(turn) != DETAIL:
            return
        invalid = fill(str(self.engine.content.intake["messages"]["invalid_spoken"]).strip(), {})
        said = self.keypad.say("bad_number")
        if turn.text.strip() == ZERO:  # 0 is the danger key at the main menu: say how to tell us, here too
            said = f"{said} {self.keypad.say('zero_at_number')}"
        turn.replies[:] = [replace(r, spoken=said) if r.voice_text == invalid else r for r in turn.replies]

    def options(self, turn: Turn) -> None:
        """After the hand-off: hear the reference again, or the main menu."""
        choices = dict(self.keypad.wording["after_callback_choices"])
        self.keypad.prompt(turn, HANDED_OFF, self.keypad.say("after_callback"), choices)

    def after_hand_off(self, turn: Turn) -> None:
        """* reads the reference again, digit by digit; 9 is the main menu."""
        key = self.keypad.heard(turn, ["*", "9"], "after_callback")
        reference = str(turn.state.data.get("reference") or "")
        if key == "*" and reference:
            turn.say(Reply(self.keypad.say("reference", reference_spoken=spell_out(reference))))
            self.options(turn)
        elif key == "9" or not reference:
            self.line.menu(turn)
        else:
            self.line.unclear(turn, key, self.options)
