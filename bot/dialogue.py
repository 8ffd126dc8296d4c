"""General enquiries: answer from the first message, menus, "did you mean", and the service keywords."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from bot.answers import pick, yes_no
from bot.content import Content, Topic
from bot.engine import Engine, Turn
from bot.phrasing import Phrasing, plain_words, words
from bot.replies import Choice, Reply
from intake import concerns, conversations

# Where one question ends and another starts: a question mark, or "and"/"also" before a question word
# ("what is a senco and how do I appeal"). A plain "and" ("autistic and has adhd") does not split.
QUESTION_BREAK = re.compile(
    r"\?+|\b(?:and|also|plus)\s+(?=(?:how|what|who|when|where|why|which|can|could|do|does|is|are|will|would|"
    r"should|shall)\b)",
    re.IGNORECASE,
)
# Where a parent's story splits into sentences, each read on its own for a topic it clearly names.
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+|\s+-\s+")
NAMED_FROM = 0.4  # a sentence of a story names a topic when the NLU places it at least this sure
STORY_ANSWERS = 2  # at most this many answers before the caseworker offer: each is a text or two by SMS
HANDOFF_STEP = "form"  # the intake form (bot/intake_form.py) owns every step from here
PRIVACY_TOPIC = "privacy"  # who sees what a parent tells us (flows/topics/about.yaml)
LEFT_MENU = "left_menu"  # set only while a message typed at a menu is read as free text (Dialogue.leave_menu)


# flows/service.yaml `stop_requests` phrases in plain words, with the list they were built from: built once
# per loaded content, not on every message. One slot: the app loads its content once (tests load several).
_stop_phrases: tuple[object, frozenset[str]] = (None, frozenset())


def stop_phrases(content: Content) -> frozenset[str]:
    """The `stop_requests` phrases as plain_words reads a message, built on first use."""
    global _stop_phrases
    source = content.service.get("stop_requests", {}).get("phrases", [])
    built = _stop_phrases  # read once: another thread may replace it, never half-way
    if built[0] is not source:
        built = (source, frozenset(plain_words(str(p)) for p in source))
        _stop_phrases = built
    return built[1]


def concern_kept(turn: Turn) -> str | None:
    """The reference of the safety concern FORGET would keep for this parent (policy 7.1), if any: the one this
    conversation raised, or, once that conversation has timed out, the contact's open one. Whatever asks about
    deleting ("please delete", FORGET) must say the same thing about it."""
    concern = turn.state.data.get("concern_ref")
    if concern is None and turn.contact_proven:
        kept = concerns.kept_concern(turn.session, turn.state.contact_key)
        concern = kept.reference if kept else None
    return str(concern) if concern else None


def asks_to_stop_texts(turn: Turn, content: Content) -> bool:
    """By SMS, a message that in its own words asks us to stop texting (flows/service.yaml `stop_requests`)."""
    if turn.channel != "sms" or not turn.text:
        return False
    return plain_words(turn.text) in stop_phrases(content)


def how_to_stop_texts(turn: Turn, content: Content) -> None:
    """One short, discreet reply: how to turn our texts off (Twilio then refuses every text to the number)."""
    turn.say(Reply(str(content.service["stop_requests"]["reply"])))


class DeleteRequests:
    """Asking in everyday words to delete or withdraw (flows/service.yaml `delete_requests`).

    Never done on a guess: the parent is told what FORGET will delete and asked to reply FORGET. Not on the
    phone, whose menus say how to delete.
    """

    def __init__(self, service: dict[str, Any]) -> None:
        spec = service.get("delete_requests") or {}
        pairs = [f"{verb} {thing}" for verb in spec.get("verbs") or [] for thing in spec.get("objects") or []]
        self.phrasing = Phrasing({"leads": spec.get("leads"), "say": [*pairs, *(spec.get("say") or [])],
                                  "tails": spec.get("tails"), "tail_words": spec.get("tail_words", 1000)})

    def said(self, turn: Turn) -> bool:
        """True when the whole message, by text or web chat, asks us to delete or withdraw what they sent."""
        return turn.channel != "voice" and bool(turn.text) and self.phrasing.said(turn.text)


class MeetingSupport:
    """Asking for someone to come to, or support them at, a meeting (flows/service.yaml `meeting_support_requests`).

    "can u come to the annual review with me" asks for a person, not for the annual review's timetable.
    """

    def __init__(self, service: dict[str, Any]) -> None:
        spec = service.get("meeting_support_requests") or {}
        self.phrasing = Phrasing(spec)
        self.meetings = frozenset(w for p in spec.get("meetings") or [] for w in words(str(p)))

    def said(self, text: str) -> bool:
        """True when the whole message asks for someone at a meeting it names."""
        rest = self.phrasing.rest(text)
        return rest is not None and not self.meetings.isdisjoint(rest)

    def subject(self, text: str) -> str:
        """The words naming the meeting ("the annual review"), without the request around them: what the NLU
        is asked to place, since "can u come ... with me" pulls it towards asking for a caseworker."""
        return " ".join(self.phrasing.rest(text) or ())


def for_channel(text: str, topic: Topic, channel: str) -> str:
    """The web chat's own wording of an answer (it may name the service; the texted `answer` never does)."""
    if channel == "web" and topic.web_answer and text.startswith(topic.answer):
        return topic.web_answer + text[len(topic.answer):]
    return text


class Dialogue:
    """Registers the general-enquiry steps and keyword handlers on the engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.content = engine.content
        engine.steps.update(
            {"idle": self.free_text, "menu": self.choose_category, "menu_topics": self.choose_topic,
             "clarify": self.choose_candidate}
        )
        engine.keyword_handlers.update(
            {"privacy": self.privacy, "menu": self.menu_or_help, "forget": self.forget, "stop": self.stop,
             "start": self.start, "human": self.human}
        )
        self.person = Phrasing(self.content.service.get("person_requests") or {})
        self.helps = Phrasing(self.content.service.get("help_requests") or {})
        self.bot_questions = Phrasing(self.content.service.get("bot_questions") or {})
        self.sharing = Phrasing(self.content.service.get("sharing_questions") or {})
        self.privacy_questions = Phrasing(self.content.service.get("privacy_questions") or {})
        self.deletes = DeleteRequests(self.content.service)
        self.meeting_support = MeetingSupport(self.content.service)
        self.story_words = frozenset(w for p in self.content.service.get("story_words") or [] for w in words(str(p)))
        self.story_long_words = int(self.content.service.get("story_long_words") or 0)

    # -- free text -------------------------------------------------------------------------
    def free_text(self, turn: Turn) -> None:
        """Understand a question and answer it, or ask which topic was meant; never guess silently."""
        if not turn.text and not turn.inbound.digits:
            turn.say(Reply(self.content.text("empty"), kind="prompt"))
            return
        if asks_to_stop_texts(turn, self.content):
            how_to_stop_texts(turn, self.content)
            return
        if self.deletes.said(turn):  # "delete what i said": what FORGET would delete, never a topic menu
            concern = concern_kept(turn)
            key = "delete_asked_concern" if concern else "delete_asked"
            turn.say(Reply(self.content.text(key, reference=str(concern or "")), kind="prompt"))
            return
        if yes_no(turn.text, turn.inbound.digits) is not None or turn.text.strip().isdigit():
            # A bare "yes" or "2" with no question pending: say what works rather than guess a topic.
            turn.say(Reply(self.content.text("nothing_pending"), kind="prompt"))
            return
        if self.bot_questions.said_alone(turn.text):  # "r u a real person": say plainly who is (policy 6.1)
            turn.say(Reply(self.content.text("automated"), kind="answer"))
            return
        if self.sharing.said(turn.text):  # "will you tell social services": the truth, never a promise of secrecy
            turn.say(Reply(self.content.text("sharing"), kind="answer"))
            return
        if self.privacy_questions.said(turn.text) and PRIVACY_TOPIC in self.content.topics:  # "who will see this"
            self.answer(turn, PRIVACY_TOPIC)
            return
        if self.person.said(turn.text):  # "i want to speak to a caseworker": as HUMAN, never "did you mean"
            self.engine.keyword_handlers["human"](turn)
            return
        if self.meeting_support.said(turn.text):  # "can u come to the annual review with me": a person, as HUMAN
            self.about(turn, self.meeting_support.subject(turn.text))
            self.engine.keyword_handlers["human"](turn)
            return
        if self.helps.said_alone(turn.text):  # "help me": what we can help with, not a topic guessed from "help"
            self.help(turn)
            return
        prediction = self.engine.classifier.classify(turn.text)
        risk = turn.assessment is not None and turn.assessment.level == "risk"
        asked = [] if risk else self.questions(turn.text)
        first = asked[0] if asked else prediction.topic  # two sure questions: answered in the order asked
        if first:
            self.answer(turn, first)
            if asked:
                self.offer_also(turn, asked[1])
            return
        if risk:
            return  # the safety reply stands on its own; no "did you mean" after it
        if self.is_story(turn):
            self.story(turn)
            return
        candidates = [t for t in prediction.alternatives if t in self.content.topics][:3]
        if candidates:
            turn.state.data.update(step="clarify", candidates=candidates)
            choices = tuple(Choice(str(i), self.content.topics[t].title) for i, t in enumerate(candidates, 1))
            turn.say(Reply(self.content.text("clarify"), choices=choices, kind="prompt", expects="choice"))
            turn.say(Reply(self.content.text("clarify_hint")))
            return
        if turn.state.data.get(LEFT_MENU) and not self.story_words.isdisjoint(words(turn.text)):
            # Their own situation, typed at a menu they have just seen: not the same list again, but a person.
            turn.say(Reply(self.content.text("not_understood_at_menu"), kind="prompt"))
            return
        turn.say(Reply(self.content.text("not_understood")))
        self.menu(turn)

    def is_story(self, turn: Turn) -> bool:
        """A long message about their child or school that the NLU cannot place: very likely needs a person.

        By text and web chat only (flows/service.yaml `story_long_words`, `story_words`).
        """
        if turn.channel == "voice" or not self.story_long_words:
            return False
        said = words(turn.text)
        return len(said) >= self.story_long_words and not self.story_words.isdisjoint(said)

    def story(self, turn: Turn) -> None:
        """Answer what a story clearly names, then offer a caseworker at once (the HUMAN consent question).

        Never "didn't understand" to a parent who has just told us their situation. The first topic named
        is kept for the form, which then files it there (as `about`).
        """
        named = self.named_topics(turn.text)[:STORY_ANSWERS]
        footer = f"\n{self.content.text('footer')}"
        for topic_id in named:
            self.answer(turn, topic_id)
            last = turn.replies[-1]
            if last.kind == "answer":  # the caseworker offer follows: "reply HUMAN" would only add to the text
                turn.replies[-1] = replace(last, text=last.text.removesuffix(footer))
        if named:
            turn.state.data["last_topic"] = named[0]
        turn.say(Reply(self.content.text("story_offer")))
        self.engine.keyword_handlers["human"](turn)

    def named_topics(self, text: str) -> list[str]:
        """The answerable topics a story's sentences clearly name, in the order they come."""
        topics: list[str] = []
        for part in SENTENCE_BREAK.split(text):
            if len(part.split()) < 3:
                continue
            prediction = self.engine.classifier.classify(part)
            topic = prediction.topic
            if (topic in self.content.topics and topic not in topics and prediction.confidence >= NAMED_FROM
                    and self.content.topics[topic].action is None):
                topics.append(topic)
        return topics

    def questions(self, text: str) -> list[str]:
        """The topics of a message that asks two or more questions the NLU is sure of, in the order asked.

        Empty otherwise: an unsure question is left for the parent to ask again rather than guessed. Topics
        that start something (the menu, the hand-off) are not offered as an answer.
        """
        parts = [p for p in QUESTION_BREAK.split(text) if p and len(p.split()) >= 2]
        if len(parts) < 2:
            return []
        topics: list[str] = []
        for part in parts:
            topic = self.engine.classifier.classify(part).topic
            if topic in self.content.topics and topic not in topics and self.content.topics[topic].action is None:
                topics.append(topic)
        return topics if len(topics) > 1 else []

    def about(self, turn: Turn, subject: str) -> None:
        """Remember the topic a request for a person names, when the NLU is sure of it, for the caseworker form.

        The form then files it there rather than asking "What is it mainly about?" (bot/intake_form.py).
        """
        topic = self.engine.classifier.classify(subject).topic if subject else None
        if topic in self.content.topics and self.content.topics[topic].action is None:
            turn.state.data["last_topic"] = topic

    def offer_also(self, turn: Turn, topic_id: str) -> None:
        """After one answer, offer the other question's answer as a pending choice (reply 1)."""
        turn.state.data.update(step="clarify", candidates=[topic_id])
        choice = (Choice("1", self.content.topics[topic_id].title),)
        turn.say(Reply(self.content.text("also_asked"), choices=choice, kind="prompt", expects="choice"))

    def answer(self, turn: Turn, topic_id: str) -> None:
        """Answer a topic through the rasa-sdk action, then follow the topic's action (menu, hand-off)."""
        state = turn.state
        result = self.engine.runner.run(
            "action_answer_enquiry",
            sender_id=state.contact_key[:16],
            slots={"topic": topic_id, "channel": turn.channel},
        )
        topic = self.content.topics[topic_id]
        action = topic.action
        # "Can someone ring me": when the hand-off form starts at once, its first question is the whole
        # reply; the topic's "reply HUMAN to pass your question on" would only add SMS segments.
        if not (action == "handoff" and "form_start" in self.engine.steps):
            for message in result.responses:
                extra = message.get("custom") or {}
                text = for_channel(message.get("text") or "", topic, turn.channel)
                turn.say(Reply(text, extra.get("spoken"), kind="answer"))
        state.data.update(step="idle", last_topic=result.slots().get("last_topic", topic_id))
        state.data.pop("candidates", None)
        if action == "menu":
            self.menu(turn, intro=False)
        elif action == "handoff":
            self.human(turn)

    # -- menus -----------------------------------------------------------------------------
    def menu_or_help(self, turn: Turn) -> None:
        """The menu keywords: HELP says first what we can help with and how to reach a person; MENU is the menu."""
        if self.helps.said_alone(turn.text):
            self.help(turn)
        else:
            self.menu(turn)

    def help(self, turn: Turn) -> None:
        """Asked for help, with nothing about what: what the service answers, how to reach a person, the menu."""
        turn.say(Reply(self.content.text("help"), kind="answer"))
        self.menu(turn)

    def menu(self, turn: Turn, intro: bool = True) -> None:
        """The topic menu: categories by number (shorter names by SMS, so the menu is one text)."""
        choices = tuple(Choice(str(i), c.title_for(turn.channel)) for i, c in enumerate(self.content.categories, 1))
        turn.state.data["step"] = "menu"
        turn.say(Reply(self.content.text("menu_intro"), choices=choices, kind="prompt", expects="choice"))
        if turn.state.data.get("form"):
            turn.say(Reply(self.content.text("form_paused")))

    def leave_menu(self, turn: Turn) -> None:
        """Not a number from the list: read the message as if typed freely, and leave the menu behind.

        A story or question is answered or offered its topics; one about their child that no topic fits is
        offered a caseworker rather than the menu again (flows/service.yaml `story_words`).
        """
        turn.state.data.update({"step": "idle", LEFT_MENU: True})
        try:
            self.engine.steps["idle"](turn)
        finally:
            turn.state.data.pop(LEFT_MENU, None)  # for this message only: never kept with the conversation

    def choose_category(self, turn: Turn) -> None:
        """A number picks a category; anything else is read as a new question."""
        keys = [str(i) for i in range(1, len(self.content.categories) + 1)]
        chosen = pick(turn.text, turn.inbound.digits, keys)
        if chosen is None:
            self.leave_menu(turn)
            return
        category = self.content.categories[int(chosen) - 1]
        turn.state.data.update(step="menu_topics", category=category.id)
        # Shorter names by SMS, so the sub-menu is one text; the numbers are the same on every channel.
        choices = tuple(
            Choice(str(i), self.content.topics[t].title_for(turn.channel)) for i, t in enumerate(category.topic_ids, 1)
        )
        intro = self.content.text("topic_menu_intro", category=category.title_for(turn.channel))
        turn.say(Reply(intro, choices=choices, kind="prompt", expects="choice"))

    def choose_topic(self, turn: Turn) -> None:
        """A number picks a topic in the chosen category."""
        category = next((c for c in self.content.categories if c.id == turn.state.data.get("category")), None)
        keys = [str(i) for i in range(1, len(category.topic_ids) + 1)] if category else []
        chosen = pick(turn.text, turn.inbound.digits, keys)
        if category is None or chosen is None:
            self.leave_menu(turn)
            return
        self.answer(turn, category.topic_ids[int(chosen) - 1])

    def choose_candidate(self, turn: Turn) -> None:
        """A number picks one of the "did you mean" topics; other text is a fresh question."""
        candidates = [t for t in turn.state.data.get("candidates", []) if t in self.content.topics]
        chosen = pick(turn.text, turn.inbound.digits, [str(i) for i in range(1, len(candidates) + 1)])
        agreed = yes_no(turn.text) if chosen is None and candidates else None
        if agreed and len(candidates) == 1:
            chosen = "1"  # "yes" to the one other question offered: its answer
        elif agreed is not None:
            self.which_one(turn, candidates, agreed)
            return
        if chosen is None:
            self.leave_menu(turn)
            return
        self.answer(turn, candidates[int(chosen) - 1])

    def which_one(self, turn: Turn, candidates: list[str], agreed: bool) -> None:
        """A bare YES to "did you mean": the same choices again, by number; a bare NO: how else to go on."""
        if not agreed:
            turn.state.data["step"] = "idle"
            turn.state.data.pop("candidates", None)
            turn.say(Reply(self.content.text("clarify_none"), kind="prompt"))
            return
        choices = tuple(Choice(str(i), self.content.topics[t].title) for i, t in enumerate(candidates, 1))
        turn.say(Reply(self.content.text("clarify_which"), choices=choices, kind="prompt", expects="choice"))

    # -- keywords --------------------------------------------------------------------------
    def privacy(self, turn: Turn) -> None:
        """What is kept, who sees it, how to see it, no name needed, safety may be shared."""
        turn.say(Reply(self.content.text("privacy"), kind="answer"), Reply(self.content.text("privacy_more")))

    def human(self, turn: Turn) -> None:
        """Start the hand-off to a caseworker (the intake form)."""
        starter = self.engine.steps.get("form_start")
        if starter is None:
            turn.say(Reply(self.content.topics["contact_caseworker"].answer))
            return
        starter(turn)

    def forget(self, turn: Turn) -> None:
        """Delete this conversation's stored state at once, and say so."""
        withdraw = self.engine.steps.get("form_withdraw")
        if withdraw is not None:
            withdraw(turn)
        else:
            turn.say(Reply(self.content.text("forget")))
        turn.forget = True

    def stop(self, turn: Turn) -> None:
        """SMS STOP (the engine treats it as a keyword on SMS only): record the opt-out, delete this conversation.

        Twilio answers its opt-out words itself and refuses our texts to the number from then on, so a reply
        only arrives where its filtering is off: it is sent only when an unfinished form was just deleted,
        and START tells the parent again.
        """
        conversations.set_opt_out(turn.session, turn.state.contact_key, True)
        turn.forget = True
        if turn.state.data.get("form"):
            turn.say(Reply(self.content.text("stop_form")))
        else:
            turn.silent = True

    def start(self, turn: Turn) -> None:
        """SMS: opt back in after STOP, saying truthfully what the opt-out deleted and what it kept."""
        if not turn.opted_out:
            turn.say(Reply(self.content.text("start_again")))
            return
        conversations.set_opt_out(turn.session, turn.state.contact_key, False)
        turn.say(Reply(self.content.text("start")))
        enquiry = concerns.latest_for_contact(turn.session, turn.state.contact_key)
        if enquiry is not None:
            # STOP deleted the conversation, not the enquiry, and this START used up the first-message lookup
            # (bot/enquiry_messages.py): remember it, so "any news?" next hears where it is, as before STOP.
            turn.state.data["reference"] = enquiry.reference
            turn.say(Reply(self.content.text("start_kept", reference=enquiry.reference)))
        proven = turn.contact_proven
        concern = concerns.recent_concern(turn.session, turn.state.contact_key, turn.now) if proven else None
        if concern is not None:
            # STOP also forgot the safety concern this conversation raised today: link it again, so what they add
            # ("he is coming back tonight") reaches the duty caseworker as it did before STOP (policy 7.1, 8.1).
            # Only by text, where the number is theirs: never by a caller's easily faked number.
            turn.state.data["concern_ref"] = concern.reference
            if enquiry is None or enquiry.reference != concern.reference:
                turn.say(Reply(self.content.text("start_kept_concern", reference=concern.reference)))
