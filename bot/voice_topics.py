"""Information by phone: subjects and topics by number, the spoken answer, then what the caller wants next."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from bot.engine import Turn
from bot.replies import Reply

if TYPE_CHECKING:
    from bot.voice_menu import VoiceMenu


class VoiceTopics:
    """Subjects, then topics, read out by number; 9 is the main menu and * repeats, everywhere."""

    def __init__(self, line: VoiceMenu) -> None:
        self.line = line
        self.engine = line.engine
        self.content = line.engine.content
        self.keypad = line.keypad

    def with_back(self, intro: str, options: dict[str, str]) -> tuple[str, dict[str, str]]:
        """Numbered options read out, plus 9 for the main menu."""
        say = self.keypad.say
        lines = [intro] + [say("choice_line", label=label, key=key) for key, label in options.items()]
        return " ".join([*lines, say("back_line")]), options | {"9": "main menu"}

    def categories(self, turn: Turn) -> None:
        """Subjects by number."""
        options = {str(i): c.title for i, c in enumerate(self.content.categories, 1)}
        self.keypad.prompt(turn, "voice_categories", *self.with_back(self.keypad.say("categories_intro"), options))

    def choose_category(self, turn: Turn) -> None:
        """A key picks a subject; 9 goes back; * repeats."""
        count = len(self.content.categories)
        key = self.keypad.heard(turn, [*map(str, range(1, count + 1)), "9", "*"])
        if key == "9":
            self.line.menu(turn)
        elif key == "*":
            self.categories(turn)
        elif key:
            turn.state.data["category"] = self.content.categories[int(key) - 1].id
            self.topics(turn)
        else:
            self.line.unclear(turn, key, self.categories)

    def _category(self, turn: Turn) -> Any:
        wanted = turn.state.data.get("category")
        return next((c for c in self.content.categories if c.id == wanted), self.content.categories[0])

    def _topic_ids(self, turn: Turn) -> list[str]:
        """The chosen subject's topics offered by phone: not small talk such as Hello (voice.yaml)."""
        return self.offerable(self._category(turn).topic_ids)

    def offerable(self, topic_ids: Iterable[str]) -> list[str]:
        """Of these topics, those the phone offers (not small talk such as Hello: voice.yaml)."""
        hidden = set(self.keypad.wording.get("not_on_phone_menu") or ())
        return [t for t in topic_ids if t in self.content.topics and t not in hidden]

    def suggest(self, turn: Turn, topic_ids: list[str]) -> None:
        """The topics a spoken question may be about, by number, likeliest first."""
        turn.state.data["suggested_topics"] = topic_ids
        self.suggested(turn)

    def suggested(self, turn: Turn) -> None:
        """The topics offered for the last spoken question, again."""
        offered = self.offerable(turn.state.data.get("suggested_topics") or ())
        options = {str(i): self.content.topics[t].title for i, t in enumerate(offered, 1)}
        self.keypad.prompt(turn, "voice_suggested", *self.with_back(self.keypad.say("suggest_intro"), options))

    def choose_suggested(self, turn: Turn) -> None:
        """A key picks one of the offered topics and reads its answer; 9 goes back; * repeats."""
        offered = self.offerable(turn.state.data.get("suggested_topics") or ())
        key = self.keypad.heard(turn, [*map(str, range(1, len(offered) + 1)), "9", "*"], "suggested")
        if key == "9" or not offered:
            self.line.menu(turn)
        elif key == "*":
            self.suggested(turn)
        elif key:
            self.answer(turn, offered[int(key) - 1])
        else:
            self.line.unclear(turn, key, self.suggested)

    def topics(self, turn: Turn) -> None:
        """The chosen subject's topics by number."""
        category = self._category(turn)
        options = {str(i): self.content.topics[t].title for i, t in enumerate(self._topic_ids(turn), 1)}
        intro = self.keypad.say("topics_intro", category=category.title)
        self.keypad.prompt(turn, "voice_topics", *self.with_back(intro, options))

    def choose_topic(self, turn: Turn) -> None:
        """A key picks a topic and reads its answer."""
        topic_ids = self._topic_ids(turn)
        key = self.keypad.heard(turn, [*map(str, range(1, len(topic_ids) + 1)), "9", "*"])
        if key == "9":
            self.line.menu(turn)
        elif key == "*":
            self.topics(turn)
        elif key:
            self.answer(turn, topic_ids[int(key) - 1])
        else:
            self.line.unclear(turn, key, self.topics)

    def answer(self, turn: Turn, topic_id: str) -> None:
        """Read the topic's spoken answer (through the rasa-sdk action), then what next.

        Asking for a person (a topic with action: handoff) is offered the call back, the phone's way to a person.
        """
        if self.content.topics[topic_id].action == "handoff":
            self.line.callback.offer(turn)
            return
        result = self.engine.runner.run(
            "action_answer_enquiry", sender_id=turn.state.contact_key[:16],
            slots={"topic": topic_id, "channel": "voice"},
        )
        for message in result.responses:
            spoken = (message.get("custom") or {}).get("spoken") or self.content.topics[topic_id].spoken
            turn.say(Reply(message.get("text") or "", spoken, kind="answer"))
        turn.state.data["topic"] = topic_id
        self.after_options(turn)

    def after_options(self, turn: Turn) -> None:
        """1 to hear it again, 2 another topic, 3 to have it texted, 4 a caseworker, 9 the main menu."""
        choices = dict(self.keypad.wording["after_choices"])
        lines = [self.keypad.say("after_answer")]
        if self.line.text_answer.can_text(turn):
            lines.append(self.keypad.say("after_answer_text"))
        else:
            choices.pop("3")
        lines += [self.keypad.say("after_answer_caseworker"), self.keypad.say("after_answer_back")]
        self.keypad.prompt(turn, "voice_after", " ".join(lines), choices)

    def after_answer(self, turn: Turn) -> None:
        """What the caller wants after an answer."""
        topic_id = turn.state.data.get("topic")
        keys = ["1", "2", "4", "9", "*"] + (["3"] if self.line.text_answer.can_text(turn) else [])
        key = self.keypad.heard(turn, keys, "after_answer")
        if topic_id not in self.content.topics or key == "9":
            self.line.menu(turn)
        elif key == "1":
            self.answer(turn, str(topic_id))
        elif key == "2":
            self.categories(turn)
        elif key == "3":
            self.line.text_answer.ask(turn)
        elif key == "4":
            self.line.callback.ask(turn)
        elif key == "*":
            self.after_options(turn)
        else:
            self.line.unclear(turn, key, self.after_options)
