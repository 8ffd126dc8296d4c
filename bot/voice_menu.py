"""The phone line's keypad menu: greeting, topics read aloud, text-it-to-me, call-back, privacy, safety."""

from __future__ import annotations

import re
from typing import Any
from weakref import WeakKeyDictionary

from bot.answers import normal
from bot.content import fill, spell_out
from bot.engine import Engine, StepHandler, Turn
from bot.replies import Choice, Inbound, Reply, TurnResult
from bot.texting import Texter
from intake import conversations, queue, service_hours
from intake.db import unit_of_work
from intake.hours import OfficeHours

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
SILENT = ""  # the caller said and pressed nothing
FORM, HANDED_OFF = "form", "handed_off"  # the intake form's steps (bot/intake_form.py)
_menus: WeakKeyDictionary[Engine, VoiceMenu] = WeakKeyDictionary()


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
        self.wording: dict[str, Any] = engine.content.voice  # loaded and checked with the rest of flows/
        self.texter = texter
        engine.steps.update(
            {"voice_start": self.start, "voice_menu": self.main, "voice_categories": self.choose_category,
             "voice_topics": self.choose_topic, "voice_after": self.after_answer,
             "voice_text_consent": self.text_consent}
        )
        # On the phone, "idle" and the service keywords mean the phone menu, not the texted one.
        self._for_voice(engine.steps, "idle", self.main)
        for name, handler in (("menu", self.menu), ("privacy", self.privacy), ("human", self.callback)):
            self._for_voice(engine.keyword_handlers, name, handler)
        form_step = engine.steps.get(FORM)
        if form_step is not None:  # built after the intake form: lead the caller on when it ends
            engine.steps[FORM] = lambda turn: self.after_form(turn, form_step)
            self._for_voice(engine.steps, HANDED_OFF, self.after_callback)
        engine.start_call = self.start_call  # type: ignore[attr-defined]
        _menus[engine] = self

    @staticmethod
    def _for_voice(table: dict[str, StepHandler], name: str, handler: StepHandler) -> None:
        other = table.get(name)

        def route(turn: Turn) -> None:
            (handler if turn.channel == "voice" or other is None else other)(turn)

        table[name] = route

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
        return TurnResult([Reply(self.say("goodbye"), kind="notice")], hangup=True)

    def delayed(self) -> Reply:
        """For a webhook retried after a slow answer: ask for the key again."""
        return Reply(self.say("delayed"), kind="prompt", expects="choice")

    def next_hint(self) -> Reply:
        """After words that ask nothing (a safety answer, a notice): how to hear the choices."""
        return Reply(self.say("next_hint"), kind="prompt", expects="choice")

    def say(self, name: str, **values: str) -> str:
        """A piece of phone wording with its placeholders filled."""
        return fill(str(self.wording[name]).strip(), values)

    # -- reading what the caller did ---------------------------------------------------------
    def heard(self, turn: Turn, keys: list[str], words: str | None = None) -> str | None:
        """The key chosen (by keypad or speech), SILENT, or None for anything else."""
        if turn.inbound.digits:
            return turn.inbound.digits if turn.inbound.digits in keys else None
        said = normal(turn.text)
        if not said:
            return SILENT
        if said in keys:
            return said
        for key, phrases in (self.wording["speech"].get(words or "", {}) or {}).items():
            if key in keys and any(re.search(rf"\b{re.escape(normal(p))}\b", said) for p in phrases):
                return str(key)
        return None

    @staticmethod
    def danger_raised(turn: Turn) -> bool:
        """The safety check already spoke this turn (key 0, or words of risk)."""
        assessment = turn.assessment
        return turn.inbound.digits == "0" or (assessment is not None and assessment.level == "risk")

    def unclear(self, turn: Turn, key: str | None, again: StepHandler) -> None:
        """Silence or a wrong key: say so, then the same choices again; speech may still name a topic."""
        if self.danger_raised(turn):
            turn.say(Reply(self.say("after_danger")))
        elif key == SILENT:
            turn.say(Reply(self.say("no_input")))
        else:
            topic = self.engine.classifier.classify(turn.text).topic if turn.text else None
            if topic in self.content.topics:
                self.answer(turn, topic)
                return
            turn.say(Reply(self.say("invalid")))
        again(turn)

    def prompt(self, turn: Turn, step: str, spoken: str, choices: dict[str, str]) -> None:
        """Ask for one key, remembering where the call is."""
        turn.state.data["step"] = step
        options = tuple(Choice(k, v) for k, v in choices.items())
        turn.say(Reply(spoken, spoken, options, kind="prompt", expects="choice"))

    # -- main menu ---------------------------------------------------------------------------
    def start(self, turn: Turn) -> None:
        """Greeting with the service's name, one privacy sentence, hours if closed, then the menu."""
        lines = [self.say("greeting"), self.say("privacy_note")]
        hours = service_hours.current(turn.session, self.hours)
        if not hours.is_open(turn.now):
            lines.append(self.say("closed", next_open=hours.describe_next_opening(turn.now)))
        turn.say(Reply(" ".join(lines)))
        self.menu(turn)

    def menu(self, turn: Turn) -> None:
        """The main menu: works by keypad alone."""
        self.prompt(turn, "voice_menu", self.say("main_menu"), dict(self.wording["main_choices"]))

    def main(self, turn: Turn) -> None:
        """1 information, 2 call back, 3 confidentiality, 0 danger (the safety check spoke), * repeat."""
        key = self.heard(turn, list(self.wording["main_choices"]), "main")
        if key == "1":
            self.categories(turn)
        elif key == "2":
            self.callback(turn)
        elif key == "3":
            self.privacy(turn)
        elif key == "*":
            self.menu(turn)
        else:
            self.unclear(turn, key, self.menu)

    def privacy(self, turn: Turn) -> None:
        """How we keep things confidential, then the menu."""
        turn.say(Reply(self.say("privacy"), kind="answer"))
        self.menu(turn)

    def callback(self, turn: Turn) -> None:
        """Ask for a caseworker: the consent-first intake form, or the office number if there is none."""
        hours = service_hours.current(turn.session, self.hours)
        closed = not hours.is_open(turn.now)
        if closed:
            turn.say(Reply(self.say("callback_closed", next_open=hours.describe_next_opening(turn.now))))
        starter = self.engine.steps.get("form_start")
        if starter is not None:
            starter(turn)
            if turn.state.step != FORM:  # e.g. already queued: the form did not start
                self.menu(turn)
            return
        turn.say(Reply(self.say("callback_unavailable")))
        self.menu(turn)

    def after_form(self, turn: Turn, form_step: StepHandler) -> None:
        """The form's own turn; on the phone, once it ends, say what the caller can do next."""
        form_step(turn)
        if turn.channel != "voice" or turn.state.step == FORM:
            return
        if turn.state.step == HANDED_OFF:
            self.callback_options(turn)
        else:
            self.menu(turn)

    def callback_options(self, turn: Turn) -> None:
        """After the hand-off: hear the reference again, or the main menu."""
        choices = dict(self.wording["after_callback_choices"])
        self.prompt(turn, HANDED_OFF, self.say("after_callback"), choices)

    def after_callback(self, turn: Turn) -> None:
        """* reads the reference again, digit by digit; 9 is the main menu."""
        key = self.heard(turn, ["*", "9"], "after_callback")
        reference = str(turn.state.data.get("reference") or "")
        if key == "*" and reference:
            turn.say(Reply(self.say("reference", reference_spoken=spell_out(reference))))
            self.callback_options(turn)
        elif key == "9" or not reference:
            self.menu(turn)
        else:
            self.unclear(turn, key, self.callback_options)

    # -- information by topic ------------------------------------------------------------------
    def with_back(self, intro: str, options: dict[str, str]) -> tuple[str, dict[str, str]]:
        """Numbered options read out, plus 9 for the main menu."""
        lines = [intro] + [self.say("choice_line", label=label, key=key) for key, label in options.items()]
        return " ".join([*lines, self.say("back_line")]), options | {"9": "main menu"}

    def categories(self, turn: Turn) -> None:
        """Subjects by number."""
        options = {str(i): c.title for i, c in enumerate(self.content.categories, 1)}
        self.prompt(turn, "voice_categories", *self.with_back(self.say("categories_intro"), options))

    def choose_category(self, turn: Turn) -> None:
        """A key picks a subject; 9 goes back; * repeats."""
        count = len(self.content.categories)
        key = self.heard(turn, [*map(str, range(1, count + 1)), "9", "*"])
        if key == "9":
            self.menu(turn)
        elif key == "*":
            self.categories(turn)
        elif key:
            turn.state.data["category"] = self.content.categories[int(key) - 1].id
            self.topics(turn)
        else:
            self.unclear(turn, key, self.categories)

    def _category(self, turn: Turn) -> Any:
        wanted = turn.state.data.get("category")
        return next((c for c in self.content.categories if c.id == wanted), self.content.categories[0])

    def topics(self, turn: Turn) -> None:
        """The chosen subject's topics by number."""
        category = self._category(turn)
        options = {str(i): self.content.topics[t].title for i, t in enumerate(category.topic_ids, 1)}
        intro = self.say("topics_intro", category=category.title)
        self.prompt(turn, "voice_topics", *self.with_back(intro, options))

    def choose_topic(self, turn: Turn) -> None:
        """A key picks a topic and reads its answer."""
        topic_ids = self._category(turn).topic_ids
        key = self.heard(turn, [*map(str, range(1, len(topic_ids) + 1)), "9", "*"])
        if key == "9":
            self.menu(turn)
        elif key == "*":
            self.topics(turn)
        elif key:
            self.answer(turn, topic_ids[int(key) - 1])
        else:
            self.unclear(turn, key, self.topics)

    def answer(self, turn: Turn, topic_id: str) -> None:
        """Read the topic's spoken answer (through the rasa-sdk action), then what next."""
        result = self.engine.runner.run(
            "action_answer_enquiry", sender_id=turn.state.contact_key[:16],
            slots={"topic": topic_id, "channel": "voice"},
        )
        for message in result.responses:
            spoken = (message.get("custom") or {}).get("spoken") or self.content.topics[topic_id].spoken
            turn.say(Reply(message.get("text") or "", spoken, kind="answer"))
        turn.state.data["topic"] = topic_id
        self.after_options(turn)

    def can_text(self, turn: Turn) -> bool:
        """Texting needs a sender and a real number to send to (not a withheld one)."""
        if self.texter is None or not E164.match(turn.inbound.contact):
            return False
        # Someone who texted STOP to our number gets no texts from us, whichever way they reach us.
        return not conversations.is_opted_out(turn.session, self.engine.contact_key(turn.inbound.contact))

    def after_options(self, turn: Turn) -> None:
        """Press 1 to hear it again, 2 for another topic, 3 to have it texted, 9 for the main menu."""
        choices = dict(self.wording["after_choices"])
        lines = [self.say("after_answer")]
        if self.can_text(turn):
            lines.append(self.say("after_answer_text"))
        else:
            choices.pop("3")
        lines.append(self.say("after_answer_back"))
        self.prompt(turn, "voice_after", " ".join(lines), choices)

    def after_answer(self, turn: Turn) -> None:
        """What the caller wants after an answer."""
        topic_id = turn.state.data.get("topic")
        keys = ["1", "2", "9", "*"] + (["3"] if self.can_text(turn) else [])
        key = self.heard(turn, keys, "after_answer")
        if topic_id not in self.content.topics or key == "9":
            self.menu(turn)
        elif key == "1":
            self.answer(turn, str(topic_id))
        elif key == "2":
            self.categories(turn)
        elif key == "3":
            self.ask_text_consent(turn)
        elif key == "*":
            self.after_options(turn)
        else:
            self.unclear(turn, key, self.after_options)

    def text_consent(self, turn: Turn) -> None:
        """Only an explicit key 1 sends the text; the number is used once, after commit, never stored."""
        key = self.heard(turn, ["1", "2", "*"], "yes_no")
        topic = self.content.topics.get(str(turn.state.data.get("topic")))
        if topic is None:
            self.menu(turn)
        elif key == "1" and self.can_text(turn) and self.texter is not None:
            body = f"{self.say('text_body_intro')}\n{topic.answer}"
            body = body.replace(self.engine.settings.service_name, "this service")  # discreet (2.1)
            to, send = turn.inbound.contact, self.texter
            turn.after_commit.append(lambda: send(to, body))
            queue.record_standalone(turn.session, "text_answer", "voice-1", "voice", granted=True)
            turn.say(Reply(self.say("text_sent")))
            self.after_options(turn)
        elif key == "2":
            turn.say(Reply(self.say("text_declined")))
            self.after_options(turn)
        elif key == "*":
            self.ask_text_consent(turn)
        else:
            self.unclear(turn, key, self.ask_text_consent)

    def ask_text_consent(self, turn: Turn) -> None:
        """Ask, by keypad, before any text is sent."""
        self.prompt(turn, "voice_text_consent", self.say("text_consent"), {"1": "send it", "2": "don't send"})
