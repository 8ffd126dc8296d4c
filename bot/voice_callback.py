"""Asking for a caseworker by phone: into the keypad intake form, then the reference read back digit by digit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.content import spell_out
from bot.engine import StepHandler, Turn
from bot.replies import Reply
from intake import service_hours

if TYPE_CHECKING:
    from bot.voice_menu import VoiceMenu

FORM, HANDED_OFF = "form", "handed_off"  # the intake form's steps (bot/intake_form.py)


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
        if closed:
            turn.say(Reply(self.keypad.say("callback_closed", next_open=hours.describe_next_opening(turn.now))))
        starter = self.engine.steps.get("form_start")
        if starter is not None:
            starter(turn)
            if turn.state.step != FORM:  # e.g. already queued: the form did not start
                self.line.menu(turn)
            return
        turn.say(Reply(self.keypad.say("callback_unavailable")))
        self.line.menu(turn)

    def after_form(self, turn: Turn, form_step: StepHandler) -> None:
        """The form's own turn; on the phone, once it ends, say what the caller can do next."""
        form_step(turn)
        if turn.channel != "voice" or turn.state.step == FORM:
            return
        if turn.state.step == HANDED_OFF:
            self.options(turn)
        else:
            self.line.menu(turn)

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
