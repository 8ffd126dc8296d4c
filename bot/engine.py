"""The conversation engine: one inbound message in, channel-neutral replies out, state in the database."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.content import Content, sms_segments, spell_out
from bot.nlu import Classifier
from bot.rasa_runner import ActionRunner
from bot.replies import Inbound, Reply, TurnResult
from intake import conversations, service_hours
from intake.conversations import State
from intake.crypto import KeyRing, contact_key
from intake.db import unit_of_work
from intake.hours import OfficeHours
from intake.models import utcnow
from intake.safeguarding import Assessment, SafeguardingRules, assess

log = logging.getLogger(__name__)
PRIVACY_OWED = "privacy_owed"  # the first texts had no room for the privacy line: the next reply with room has it
HOURS = "{office_hours}"  # filled per turn, not at start-up: the hours can change while we run
HOURS_AT_MOST = 60  # "Monday to Thursday, 9am to 5pm; Friday, 9am to 4:30pm" (53), as OfficeHours.describe() says it
MAX_TEXT = 8000  # above the longest message any channel accepts (SMS 1,600, chat 2,000): never cut before safety
# Control and direction-override characters, and the two code points XML cannot carry (U+FFFE, U+FFFF):
# text a parent typed is read back to them in TwiML, which must stay well-formed.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")


@dataclass
class Turn:
    """Everything one message's handling needs, plus what it decided."""

    session: Session
    inbound: Inbound
    state: State
    now: datetime
    text: str
    assessment: Assessment | None = None
    safety_key: bool = False  # the phone's 0 key was used for safety, not as an answer
    replayed: bool = False  # the text is an earlier message replayed after the safety question
    words_kept: bool = False  # the safety check kept this message on the parent's case already
    replies: list[Reply] = field(default_factory=list)
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    forget: bool = False
    silent: bool = False
    hangup: bool = False
    opted_out: bool = False  # this contact texted STOP (read with the state, at the start of the turn)
    claimed: bool = False  # a caseworker holds one of this contact's enquiries (read with the state too)

    @property
    def channel(self) -> str:
        """sms, voice or web."""
        return self.inbound.channel

    @property
    def contact_proven(self) -> bool:
        """Whether the contact key may find what this contact sent before (policy 2.1).

        A texter's number and a chat's token are theirs; a caller's number is easily faked, so a call may
        find, read out, add to or withdraw only what the same call made (the references in its state).
        """
        return self.inbound.channel != "voice"

    @property
    def safety_acted(self) -> bool:
        """Whether the safety check acted on this message before any step saw it (bot/safety.py).

        The phone's 0 key; words of risk; or safety words that name the concern this turn raised or added to:
        more on an urgent case, or a yes to "is a child in danger?" (or an unclear answer taken as yes) with the
        message that prompted it replayed. Their words went to the duty caseworker with the concern (never on the
        phone), so no step reads them as an answer (bot/intake_form.py). After a clear no nothing was raised, and
        the replayed message is the parent's as ever. Every risk, crisis and "known" wording names the reference,
        in writing and spoken; the safety question and the words after a no do not.
        """
        if self.safety_key or (self.assessment is not None and self.assessment.level == "risk"):
            return True
        reference = self.state.data.get("concern_ref")
        if not reference:
            return False
        spoken = spell_out(str(reference))
        return any(r.kind == "safety" and (str(reference) in r.text or spoken in r.voice_text) for r in self.replies)

    def say(self, *replies: Reply) -> None:
        """Queue replies in order."""
        self.replies.extend(replies)


StepHandler = Callable[[Turn], None]


class Refused(Exception):
    """A turn's guard said no (e.g. a web chat token that is not valid): nothing was done."""


def clean_text(text: str) -> str:
    """Normalise what a parent typed: no control or direction-override characters, bounded length."""
    text = unicodedata.normalize("NFC", text or "")
    return CONTROL.sub(" ", text).strip()[:MAX_TEXT]


def keyword_of(text: str, keywords: dict[str, list[str]]) -> str | None:
    """The service keyword a whole message is (PRIVACY, MENU, HUMAN, FORGET, STOP, START), if any."""
    normal = re.sub(r"[^A-Z0-9? ]+", " ", text.upper()).strip()
    normal = re.sub(r"\s+", " ", normal)
    for name, words in keywords.items():
        if normal in words:
            return name
    return None


class Engine:
    """Runs turns. Channel adapters call `handle`; step modules register handlers by state name."""

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        keys: KeyRing,
        content: Content,
        classifier: Classifier,
        rules: SafeguardingRules,
        runner: ActionRunner,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.keys = keys
        self.content = content
        self.classifier = classifier
        self.rules = rules
        self.runner = runner
        self.steps: dict[str, StepHandler] = {}
        self.keyword_handlers: dict[str, StepHandler] = {}
        # Safety runs before anything else on every message; see bot/safety.py.
        self.safety_check: Callable[[Turn], bool] = lambda turn: False
        # After safety, before keywords and steps: e.g. the hand-off stepping back once a caseworker has it.
        self.before_steps: Callable[[Turn, str | None], bool] = lambda turn, keyword: False
        self.keywords = {
            name: [str(w).upper() for w in words] for name, words in content.service["keywords"].items()
        }
        self.idle = timedelta(minutes=settings.conversation_idle_minutes)
        self.default_hours: OfficeHours | None = None  # the env's hours; the console may override them

    def contact_key(self, contact: str) -> str:
        """The keyed hash that stands in for a number or chat session everywhere."""
        return contact_key(self.settings.hash_key, contact)

    def handle(self, inbound: Inbound, guard: Callable[[Session], bool] | None = None) -> TurnResult:
        """Handle one message in one transaction; side effects (e-mails, texts) run after commit.

        `guard` (e.g. the web chat's token check) runs first in the same transaction; when it says no,
        Refused is raised and nothing is written.
        """
        with unit_of_work(self.sessions) as session:
            if guard is not None and not guard(session):
                raise Refused
            key = self.contact_key(inbound.contact)
            now = utcnow()
            delivery = f"{inbound.channel}:{inbound.message_id}" if inbound.message_id else None
            context = conversations.begin_turn(session, self.keys, inbound.channel, key, delivery, now)
            if context is None:
                return TurnResult(duplicate=True)
            if context.blocked:
                turn = self._blocked(session, inbound, State(inbound.channel, key), now)
            else:
                state = context.state
                turn = Turn(
                    session, inbound, state, now, clean_text(inbound.text),
                    opted_out=context.opted_out, claimed=context.claimed,
                )
                self._respond(turn)
                self._fill_hours(turn)
                if not turn.forget:
                    state.turns += 1
                    conversations.save(session, self.keys, state, self.idle, now)
            if turn.forget:  # a blocked contact's conversation from before the block goes too
                conversations.forget(session, inbound.channel, key)
        for effect in turn.after_commit:
            try:
                effect()
            except Exception as exc:  # a failed e-mail or text must not lose the parent's reply
                # Type and code only: a provider's error message can quote the number it was sending to.
                log.error("after-commit effect failed: %s %s", type(exc).__name__, getattr(exc, "code", ""))
        return TurnResult(turn.replies, silent=turn.silent, hangup=turn.hangup, forgotten=turn.forget)

    def fill_hours(self, session: Session, text: str) -> str:
        """`{office_hours}` in `text` as the hours in force now (a manager may have changed them)."""
        if self.default_hours is None or HOURS not in text:
            return text
        return text.replace(HOURS, service_hours.current(session, self.default_hours).describe_at(utcnow()))

    def _fill_hours(self, turn: Turn) -> None:
        """Say the opening hours in force now in every reply of this turn."""
        if self.default_hours is None or not any(HOURS in r.text or HOURS in (r.spoken or "") for r in turn.replies):
            return
        said = service_hours.current(turn.session, self.default_hours).describe_at(turn.now)
        turn.replies = [
            replace(r, text=r.text.replace(HOURS, said), spoken=r.spoken.replace(HOURS, said) if r.spoken else None)
            for r in turn.replies
        ]

    def _blocked(self, session: Session, inbound: Inbound, state: State, now: datetime) -> Turn:
        """A blocked contact gets a fixed reply and nothing is kept, unless a child may be at risk (7.1).

        A block stops conversations, not the parent's rights: FORGET still withdraws their enquiry and
        deletes what they gave, and STOP still opts their number out of texts.
        """
        turn = Turn(session, inbound, state, now, clean_text(inbound.text))
        if turn.text and assess(turn.text, self.rules).level == "risk":
            self.safety_check(turn)
        keyword = keyword_of(turn.text, self.keywords) if turn.text else None
        if keyword == "forget" or (keyword == "stop" and inbound.channel == "sms"):
            self.keyword_handlers[keyword](turn)
        if not turn.replies and not turn.silent:
            turn.say(Reply(self.content.text("blocked")))
        return turn

    def _respond(self, turn: Turn) -> None:
        if self.safety_check(turn):
            return
        keyword = keyword_of(turn.text, self.keywords) if turn.text else None
        if keyword in ("stop", "start") and turn.channel != "sms":
            keyword = None  # Twilio's opt-out words; in a chat or call "cancel" or "end" is just an answer
        if turn.channel == "sms" and turn.opted_out:
            if keyword == "start" or turn.text.strip().upper() in ("YES", "UNSTOP"):
                self.keyword_handlers["start"](turn)
                return
            if keyword == "forget":
                # Twilio still delivers texts from a number that sent STOP but refuses our replies to it:
                # the deletion happens, silently, rather than waiting for the parent to opt back in.
                self.keyword_handlers["forget"](turn)
            turn.silent = True
            return
        if self.before_steps(turn, keyword):
            pass
        elif keyword and keyword in self.keyword_handlers:
            self.keyword_handlers[keyword](turn)
        else:
            self.steps.get(turn.state.step, self.steps["idle"])(turn)
        if turn.channel == "sms" and turn.replies and not turn.silent:
            if keyword == "privacy":  # the parent is reading the notice itself
                turn.state.data.pop(PRIVACY_OWED, None)
            elif turn.state.turns == 0 or turn.state.data.get(PRIVACY_OWED):
                self.add_privacy_line(turn)

    def add_privacy_line(self, turn: Turn) -> None:
        """The first texts say no name is needed and how to read the privacy notice (policy 6), at no extra cost.

        The line goes on the first reply with room for it in the texts it already takes, never ahead of
        emergency guidance. A turn that only asks something (the menu, a form question) with no room keeps
        it for the parent's next reply; one that answers or tells something pays for it, so a parent who
        stops after one answer still knew they could stay anonymous.
        """
        from bot.channels.sms import render_text  # the real SMS rendering; imported late, it imports us

        line = self.content.text("privacy_line")
        replies = turn.replies
        ours = [i for i, r in enumerate(replies) if r.kind != "safety"]
        # The hours are filled in after this (one query a turn): count them long, so "room" is never wrong.
        texts = {i: render_text(replies[i]).replace(HOURS, "x" * HOURS_AT_MOST) for i in ours}
        room = [i for i in ours if sms_segments(f"{line}\n{texts[i]}") == sms_segments(texts[i])]
        asks_only = any(replies[i].expects != "none" for i in ours) and all(replies[i].kind != "answer" for i in ours)
        if not ours:
            replies.append(Reply(line))
        elif not room and asks_only:
            turn.state.data[PRIVACY_OWED] = True
            return
        else:
            at = room[0] if room else ours[0]
            replies[at] = replace(replies[at], text=f"{line}\n{replies[at].text}")
        turn.state.data.pop(PRIVACY_OWED, None)
