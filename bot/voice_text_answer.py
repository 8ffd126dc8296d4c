"""Text-it-to-me on the phone: an answer is texted to the caller only after they press 1 to consent."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.engine import Turn
from bot.replies import Reply
from bot.texting import Texter
from bot.voice_keypad import E164
from intake import conversations, queue

if TYPE_CHECKING:
    from bot.voice_menu import VoiceMenu


class TextAnswer:
    """Offers to text the topic just heard; the number is used once, after commit, never stored."""

    def __init__(self, line: VoiceMenu, texter: Texter | None) -> None:
        self.line = line
        self.engine = line.engine
        self.keypad = line.keypad
        self.texter = texter

    def can_text(self, turn: Turn) -> bool:
        """Texting needs a sender and a real number to send to (not a withheld one)."""
        if self.texter is None or not E164.match(turn.inbound.contact):
            return False
        # Someone who texted STOP to our number gets no texts from us, whichever way they reach us.
        return not conversations.is_opted_out(turn.session, self.engine.contact_key(turn.inbound.contact))

    def ask(self, turn: Turn) -> None:
        """Ask, by keypad, before any text is sent."""
        self.keypad.prompt(turn, "voice_text_consent", self.keypad.say("text_consent"),
                           {"1": "send it", "2": "don't send"})

    def body(self, turn: Turn, answer: str) -> str:
        """The text: the answer with the hours in force now, and no service name (2.1)."""
        answer = self.engine.fill_hours(turn.session, answer)
        body = f"{self.keypad.say('text_body_intro')}\n{answer}"
        body = body.replace(self.engine.settings.service_name, "this service")  # discreet (2.1)
        # "this service gives ..." at the start of a sentence or line reads as "This service gives ..."
        return re.sub(r"(^|[.!?]\s+|\n\s*)this service\b", lambda m: f"{m.group(1)}This service", body, flags=re.M)

    def consent(self, turn: Turn) -> None:
        """Only an explicit key 1 sends the text; the number is used once, after commit, never stored."""
        key = self.keypad.heard(turn, ["1", "2", "*"], "yes_no")
        topic = self.engine.content.topics.get(str(turn.state.data.get("topic")))
        if topic is None:
            self.line.menu(turn)
        elif key == "1" and self.can_text(turn) and self.texter is not None:
            body = self.body(turn, topic.answer)
            to, send = turn.inbound.contact, self.texter
            turn.after_commit.append(lambda: send(to, body))
            queue.record_standalone(turn.session, "text_answer", "voice-1", "voice", granted=True)
            turn.say(Reply(self.keypad.say("text_sent")))
            self.line.topics.after_options(turn)
        elif key == "2":
            turn.say(Reply(self.keypad.say("text_declined")))
            self.line.topics.after_options(turn)
        elif key == "*":
            self.ask(turn)
        else:
            self.line.unclear(turn, key, self.ask)
