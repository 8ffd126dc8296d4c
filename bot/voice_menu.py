"""The phone line's keypad menu: the call's greeting and main menu, joining topics, call-back and text-it-to-me."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from bot.engine import Engine, StepHandler, Turn
from bot.replies import Inbound, Reply, TurnResult
from bot.texting import Texter
from bot.voice_callback import FORM, HANDED_OFF, PERSON, VoiceCallback
from bot.voice_keypad import E164, SILENT, Keypad, NextStep, concern_spoken
from bot.voice_text_answer import TextAnswer
from bot.voice_topics import VoiceTopics
from intake import conversations, service_hours
from intake.db import unit_of_work
from intake.hours import OfficeHours

__all__ = ["E164", "VoiceMenu", "of"]  # E164: the adapter tells a real caller's number from a withheld one

_menus: WeakKeyDictionary[Engine, VoiceMenu] = WeakKeyDictionary()
# The safety words just said (our wording and the reference, never the caller's), to say again at the main menu
# for star or a silence, until the caller chooses something else.
SAID = "danger_said"


def of(engine: Engine) -> VoiceMenu:
    """The voice menu registered on this engine."""
    return _menus[engine]


class VoiceMenu:
    """Registers the phone-line steps on the engine; wording comes from flows/voice.yaml."""

    def __init__(self, engine: Engine, texter: Texter | None = None, hours: OfficeHours | None = None) -> None:
        self.engine = engine
        self.content = engine.content
        settings = engine.settings
        # The env's hours: the default when no manager has set hours in the console (intake.service_hours).
        self.hours = hours or OfficeHours.parse(settings.office_hours, settings.timezone, settings.bank_holidays)
        self.keypad = Keypad(engine.content.voice)  # wording loaded and checked with the rest of flows/
        self.topics = VoiceTopics(self)
        self.text_answer = TextAnswer(self, texter)
        self.callback = VoiceCallback(self)
        engine.steps.update(
            {"voice_start": self.start, "voice_menu": self.main, "voice_categories": self.topics.choose_category,
             "voice_topics": self.topics.choose_topic, "voice_after": self.topics.after_answer,
             "voice_suggested": self.topics.choose_suggested,
             "voice_text_consent": self.text_answer.consent, PERSON: self.callback.offered}
        )
        # On the phone, "idle" and the service keywords mean the phone menu, not the texted one.
        self._for_voice(engine.steps, "idle", self.main)
        for name, handler in (("menu", self.menu), ("privacy", self.privacy), ("human", self.callback.ask)):
            self._for_voice(engine.keyword_handlers, name, handler)
        form_step = engine.steps.get(FORM)
        if form_step is not None:  # built after the intake form: lead the caller on when it ends
            engine.steps[FORM] = lambda turn: self.callback.after_form(turn, form_step)
            self._for_voice(engine.steps, HANDED_OFF, self.callback.after_hand_off)
        engine.start_call = self.start_call  # type: ignore[attr-defined]
        # Last, over every step and keyword handler whoever registered it (the form's too), so the next step after
        # the safety words is fitted to where the call is once the turn's step has run.
        for table in (engine.steps, engine.keyword_handlers):
            for name, step in list(table.items()):
                table[name] = self._then_next_step(step)
        _menus[engine] = self

    @staticmethod
    def _for_voice(table: dict[str, StepHandler], name: str, handler: StepHandler) -> None:
        other = table.get(name)

        def route(turn: Turn) -> None:
            (handler if turn.channel == "voice" or other is None else other)(turn)

        table[name] = route

    def _then_next_step(self, handler: StepHandler) -> StepHandler:
        def run(turn: Turn) -> None:
            handler(turn)
            if turn.channel == "voice":
                self.next_step(turn)

        return run

    def next_step(self, turn: Turn) -> None:
        """After safety words that raised or added to a concern: one next step, true to where the call is now.

        Said once, after the last of them (a parent in crisis with a child at risk hears two), and fitted
        again if a step nested in another moved the call on (the later fit replaces the earlier).
        """
        turn.replies[:] = [r for r in turn.replies if not isinstance(r, NextStep)]
        spoken = concern_spoken(turn)
        if spoken:
            line = self.callback.next_step(turn)
            turn.replies.insert(spoken[-1] + 1, NextStep(line, line, kind="safety"))
            if turn.state.step == "voice_menu":  # star, or a silence, there says them all again (main)
                turn.state.data[SAID] = [r.voice_text for r in turn.replies if r.kind == "safety"]
                self.menu(turn, again=True)  # its star line now says so

    # -- calls -----------------------------------------------------------------------------
    def start_call(self, contact: str, message_id: str | None = None) -> TurnResult:
        """A new call: the voice conversation starts afresh at the greeting (a retried webhook once)."""
        with unit_of_work(self.engine.sessions) as session:
            if message_id and not conversations.claim_delivery(session, f"voice:{message_id}:new"):
                return TurnResult(duplicate=True)
            state = conversations.load(session, self.engine.keys, "voice", self.engine.contact_key(contact))
            state.data, state.turns = {"step": "voice_start"}, 0
            conversations.save(session, self.engine.keys, state, self.engine.idle)
        return self.engine.handle(Inbound("voice", contact, message_id=message_id))

    def goodbye(self) -> TurnResult:
        """After a reprompt met silence again: say what happens next, then hang up."""
        return TurnResult([Reply(self.keypad.say("goodbye"), kind="notice")], hangup=True)

    def delayed(self) -> Reply:
        """For a webhook retried after a slow answer: ask for the key again."""
        return Reply(self.keypad.say("delayed"), kind="prompt", expects="choice")

    def next_hint(self) -> Reply:
        """After words that ask nothing (a safety answer, a notice): how to hear the choices."""
        return Reply(self.keypad.say("next_hint"), kind="prompt", expects="choice")

    def unclear(self, turn: Turn, key: str | None, again: StepHandler) -> None:
        """Silence or a wrong key: say so, then the same choices again; speech may still name a topic.

        After the safety words, the main menu (where 2 asks for a call back, as they say), not a topic list;
        after a call back was asked for, the choices about it again.
        """
        if self.keypad.danger_raised(turn):
            turn.say(Reply(self.keypad.say("after_danger")))
            (again if turn.state.step == HANDED_OFF else self.menu)(turn)
            return
        if key == SILENT:
            turn.say(Reply(self.keypad.say("no_input")))
        else:
            if turn.text and not turn.inbound.digits and self.heard_question(turn):
                return
            turn.say(Reply(self.keypad.say("invalid")))
        again(turn)

    def heard_question(self, turn: Turn) -> bool:
        """Speech that is no choice but a question: its answer read out, or, when the NLU is unsure, the topics
        it may be about to choose from. False for words too far from every topic (a reference, a cough).

        Unsure is the usual case on the phone: speech-to-text drops and swaps words ("how long does an EHC plan
        take"), and "that is not one of the choices" told a caller with a real question nothing.
        """
        classifier = self.engine.classifier
        prediction = classifier.classify(turn.text)
        if prediction.topic in self.content.topics:
            self.topics.answer(turn, prediction.topic)
            return True
        offered = self.topics.offerable(prediction.alternatives)
        if offered and prediction.confidence >= classifier.threshold:
            self.topics.suggest(turn, offered)
            return True
        return False

    # -- main menu ---------------------------------------------------------------------------
    def start(self, turn: Turn) -> None:
        """Greeting with the service's name, one privacy sentence, hours if closed, then the menu."""
        lines = [self.keypad.say("greeting"), self.keypad.say("privacy_note")]
        hours = service_hours.current(turn.session, self.hours)
        if not hours.is_open(turn.now):
            lines.append(self.keypad.say("closed", next_open=hours.describe_next_opening(turn.now)))
        turn.say(Reply(" ".join(lines)))
        self.menu(turn)

    def menu(self, turn: Turn, again: bool = False) -> None:
        """The main menu: works by keypad alone. `again`: in place of the one just asked, star now also saying
        the safety words again."""
        star = self.keypad.say("main_menu_star_danger" if turn.state.data.get(SAID) else "main_menu_star")
        if again:
            turn.replies[:] = [r for r in turn.replies if not (r.kind == "prompt" and r.expects == "choice")]
        said = f"{self.keypad.say('main_menu')} {star}"
        self.keypad.prompt(turn, "voice_menu", said, dict(self.keypad.wording["main_choices"]))

    def main(self, turn: Turn) -> None:
        """1 information, 2 call back, 3 confidentiality, 0 danger (the safety check spoke), * repeat."""
        key = self.keypad.heard(turn, list(self.keypad.wording["main_choices"]), "main")
        said = turn.state.data.get(SAID) if key in ("*", SILENT) else None
        if said is None:  # the caller chose something else: star is the choices again
            turn.state.data.pop(SAID, None)
        if said and not self.keypad.danger_raised(turn):
            turn.say(Reply(" ".join([*([self.keypad.say("no_input")] if key == SILENT else []), *said])))
            turn.say(Reply(self.keypad.say("after_danger")))
            self.menu(turn)
        elif key == "1":
            self.topics.categories(turn)
        elif key == "2":
            self.callback.ask(turn)
        elif key == "3":
            self.privacy(turn)
        elif key == "*":
            self.menu(turn)
        else:
            self.unclear(turn, key, self.menu)

    def privacy(self, turn: Turn) -> None:
        """How we keep things confidential, then the menu."""
        turn.say(Reply(self.keypad.say("privacy"), kind="answer"))
        self.menu(turn)
