"""What a parent sends once their enquiry is sent: kept on it for the caseworker, answered, or told where it is."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.answers import yes_no
from bot.dialogue import HANDOFF_STEP, DeleteRequests, MeetingSupport, asks_to_stop_texts, concern_kept
from bot.engine import Turn, keyword_of
from bot.phrasing import Phrasing, words
from bot.replies import Reply
from intake import concerns, parent_messages, queue, service_hours
from intake.minimise import Finding, describe
from intake.models import Enquiry
from intake.references import PATTERN, find_reference

if TYPE_CHECKING:
    from bot.intake_handoff import HandOff

# A reference as we print it (K7Q-429). Written without the hyphen, "THE 345" in "can he take the 345 bus"
# has the same shape, so that form only counts when the message is the code alone or says "ref(erence)".
AS_PRINTED = re.compile(r"\b[A-HJ-NP-Z]{3}-[2-9]{3}\b")
SAYS_REFERENCE = re.compile(r"\bREF(ERENCE)?\b")
CODE_ALONE = re.compile(r"^\W*[A-Z]{3}\W?[0-9]{3}\W*$")
# Once an enquiry is sent (waiting or claimed), a message that asks in so many words ("what is a senco", "how
# do I appeal") and that the NLU places with at least ANSWER_FROM is a general question: the bot answers it
# (policy 2.3). Anything else ("he was sent home again") is for the caseworker: kept on the enquiry. While
# it waits, "any news?" gets where it is; after the claim it is passed on too. Some questions are both answered
# and kept (_answered_and_kept): who sees it, will you tell social services, are you a real person, and on an
# urgent case any question the bot answers, so the caseworker knows what a frightened parent or child asked.
ASKS = re.compile(r"^\W*(?:what|what's|whats|how|who|when|where|why|which|can|could|do|does|is|are|will|would|"
                  r"should|shall|may|am)\b", re.IGNORECASE)
ANSWER_FROM = 0.5
CHOOSING = ("menu", "menu_topics", "clarify")  # a number sent at these steps picks from what we just listed
CONTACT_NEVER_ASKED = "_call_us"  # HandOff.contact_kind of a concern raised before any form
WRITTEN = re.compile(PATTERN.pattern, re.IGNORECASE)  # a reference as typed: K7Q-429, k7q 429, K7Q429
IN_CHAT = "web_chat"  # the contact method of a parent who asked for the caseworker's reply in this web chat


def has_words(text: str) -> bool:
    """Whether a message has a letter or digit in any script: "??", "..." or an emoji alone says nothing to keep."""
    return any(ch.isalnum() for ch in text)


def quoted_reference(text: str) -> str | None:
    """The reference a message quotes, judged by its wording alone (never by whether the code exists)."""
    upper = text.upper()
    printed = AS_PRINTED.search(upper)
    if printed:
        return printed.group(0)
    if SAYS_REFERENCE.search(upper) or CODE_ALONE.match(upper):
        return find_reference(upper)
    return None


class EnquiryMessages:
    """The hand-off's reading of messages from a parent whose enquiry is waiting or with a caseworker."""

    def __init__(self, handoff: HandOff, after: str) -> None:
        self.handoff = handoff
        # Where a message to a waiting enquiry's parent is read as a question or an addition: not mid-form.
        self.steps = ("idle", after, *CHOOSING)
        service = handoff.engine.content.service
        self.person = Phrasing(service.get("person_requests") or {})
        self.progress = Phrasing(service.get("progress_requests") or {})
        self.additions = Phrasing(service.get("additions") or {})
        self.small_talk = Phrasing({"say": service.get("small_talk") or [], "tail_words": 0})
        self.helps = Phrasing(service.get("help_requests") or {})
        self.presence = Phrasing(service.get("presence_checks") or {})
        self.bot_questions = Phrasing(service.get("bot_questions") or {})
        self.sharing = Phrasing(service.get("sharing_questions") or {})
        self.privacy_questions = Phrasing(service.get("privacy_questions") or {})
        self.deletes = DeleteRequests(service)
        self.meeting_support = MeetingSupport(service)
        self.reference_words = frozenset(w for p in service.get("reference_words") or [] for w in words(str(p)))

    def with_caseworker(self, turn: Turn, keyword: str | None) -> bool:
        """Messages meant for the enquiry's caseworker go on the enquiry, claimed or waiting; questions get answers.

        Safety has already run; FORGET, STOP, START, PRIVACY and MENU/HELP work as everywhere, and so does a
        number picked from a menu. Asking for a person in their own words is HUMAN.
        """
        if turn.channel == "voice" or keyword in ("forget", "stop", "start", "privacy", "menu"):
            return False
        if turn.state.step == HANDOFF_STEP and turn.state.data.get("form"):
            return False  # answers to the form's questions (a concern's contact questions too) are the form's
        if keyword is None and turn.text and self.person.said(turn.text):
            keyword = "human"  # "i want to speak to my caseworker": as HUMAN
        asks_news = self._asks_news(turn, keyword)
        enquiry = self._enquiry(turn, asks_news)
        if enquiry is None:
            return asks_news and self._no_open_enquiry(turn)
        if enquiry.status in ("queued", "claimed") and self._asks_to_delete(turn, enquiry, keyword):
            return True
        if enquiry.status == "claimed":
            return self._claimed(turn, enquiry, keyword)
        if enquiry.status != "queued" or not self._for_waiting(turn, keyword, enquiry):
            return False
        if turn.replayed and concerns.is_concern(enquiry):
            return False  # replayed after "yes, a child is in danger": the safety reply stands alone
        return self._waiting_enquiry(turn, enquiry)

    def _enquiry(self, turn: Turn, asks_news: bool = False) -> Enquiry | None:
        """This contact's open enquiry, looked up only where there may be one; remembered for later turns.

        Where a caseworker holds one, where this conversation made or found one, at the first message of a
        new or expired conversation (one lookup, whatever the message: "hi" first, then "i forgot to say..."),
        and whenever the parent asks for news of it. A concern the bot raised is not the parent's enquiry
        (concerns.latest_for_contact), but what they send after raising one in this conversation is for it
        (policy 7.1, 8.1): the duty caseworker's case, even before the parent gave a way to reach them.
        """
        state = turn.state
        concern = state.data.get("concern_ref")
        if not (turn.claimed or state.data.get("reference") or state.turns == 0 or concern or asks_news):
            return None  # most turns: nothing to look up
        enquiry = self.handoff.live_enquiry(turn)
        if enquiry is not None:
            state.data["reference"] = enquiry.reference
            return enquiry
        # Not remembered as the enquiry's reference: HUMAN must still ask how to reach them (the form's start).
        return concerns.open_concern(turn.session, concern, state.contact_key)

    def _asks_news(self, turn: Turn, keyword: str | None) -> bool:
        """A message that asks, in so many words, how this contact's own enquiry is going ("any news?").

        Not at a form question, not a risk (its safety reply stands alone), and not with a reference quoted:
        that one gets its own status, or pick_up's one fixed reply.
        """
        text = turn.text
        if keyword is not None or not text or turn.state.step not in self.steps:
            return False
        if turn.assessment is not None and turn.assessment.level == "risk":
            return False
        return self.progress.said(text) and quoted_reference(text) is None

    def _no_open_enquiry(self, turn: Turn) -> bool:
        """Asked for news with no open enquiry from this phone or chat: say so plainly, and how to reach a person.

        Only what the parent can know: their number or chat is theirs (Turn.contact_proven), so their last
        enquiry's closing is theirs to hear, as when they quote its reference (HandOff.pick_up). A safety
        concern gets no status: an open one is told only that it is with us (as HUMAN), a closed one as none
        open. The voice line never comes here (with_caseworker). True when answered.
        """
        if not turn.contact_proven:
            return False
        state = turn.state
        concern = concerns.current_concern(turn.session, state.contact_key)
        state.data["step"] = "idle"
        if concern is not None:
            state.data["concern_ref"] = concern.reference  # what they send next is for it, as in its conversation
            self._news(turn, concern)
            return True
        content = self.handoff.engine.content
        web = "web_" if turn.channel == "web" else ""
        closed = concerns.last_closed_for_contact(turn.session, state.contact_key)
        if closed is not None and not concerns.is_concern(closed):
            turn.say(Reply(content.text(f"{web}news_last_closed", reference=closed.reference)))
        else:
            turn.say(Reply(content.text(f"{web}news_none_open")))
        return True

    def _claimed(self, turn: Turn, enquiry: Enquiry, keyword: str | None) -> bool:
        """A caseworker has the enquiry: HUMAN, its own reference or an empty message gets where it is.

        In words true to the contact the parent agreed to; anything that is not a question is passed on.
        """
        if turn.state.step in CHOOSING and turn.text.strip().isdigit():
            return False
        quoted = quoted_reference(turn.text) if turn.text else None
        turn.state.data["step"] = "idle"
        if keyword == "human" and enquiry.priority == queue.URGENT and self._in_own_words(turn):
            keyword = None  # "can someone get back to me today": on an urgent case, for the duty caseworker too
        if keyword == "human" and self.handoff.contact_kind(enquiry) == CONTACT_NEVER_ASKED:
            return False  # a concern raised before any form: HUMAN asks how to reach them safely (bot/intake_form.py)
        own = quoted == enquiry.reference
        bare = own and self._beside(turn.text, enquiry.reference) is None  # "K7Q-429 he was excluded" is passed on
        if keyword is not None or not has_words(turn.text) or turn.replayed or bare:
            turn.say(Reply(self.handoff.claimed_status(enquiry)))
            return True
        if asks_to_stop_texts(turn, self.handoff.engine.content):
            return False  # "stop texting me" is for us, not the caseworker: the idle step says how
        if quoted is None and self._answered_and_kept(turn, enquiry):
            return True
        if (quoted is not None and not own) or (quoted is None and self._general_question(turn)):
            # Someone else's reference (one fixed reply), or a question the bot answers. A menu left open
            # when the chat expired is no unfinished form: no "we deleted your unfinished answers".
            turn.state.lapsed = False
            return False
        self._pass_on(turn, enquiry, "passed_on", self.handoff.msg)
        return True

    def _for_waiting(self, turn: Turn, keyword: str | None, enquiry: Enquiry) -> bool:
        """True when a waiting enquiry's parent sent it to be read: nothing else answers it first.

        At a topic step, and not a keyword, a risk (its safety reply stands alone), a bare answer, a greeting
        or thanks, asking for help ("help me": what we can help with), a request to stop texts, or a quoted
        reference, unless it is this enquiry's own with more beside it. A message replayed after the parent
        said no child is in danger is theirs to add.
        """
        text = turn.text
        if keyword is not None or not text or turn.state.step not in self.steps:
            return False
        if turn.assessment is not None and turn.assessment.level == "risk":
            return False  # bot/safety.py
        if self._in_chat_presence(turn, enquiry) or not has_words(text):
            return True  # "is someone there?" for a reply here; "??" or an emoji: where it is (_waiting_enquiry)
        if yes_no(text) is not None or text.strip().isdigit() or self.small_talk.said(text):
            return False  # "thanks", "ok", "2": answered as ever, nothing to add
        if self.helps.said_alone(text):
            return False  # "help me": what the service can help with and how to reach a person, as ever
        quoted = quoted_reference(text)
        if quoted is not None:
            # Any other code gets pick_up's one fixed reply, the same whether or not it exists (policy 2.1);
            # their own alone gets its status there, and with more beside it that is read as an addition.
            return quoted == enquiry.reference and self._beside(text, quoted) is not None
        return not asks_to_stop_texts(turn, self.handoff.engine.content)

    def _waiting_enquiry(self, turn: Turn, enquiry: Enquiry) -> bool:
        """While the enquiry waits: "any news?" gets where it is, an addition joins it, a question an answer.

        Beside its own reference, a question too is for the caseworker: the parent wrote to their enquiry.
        """
        text = turn.text
        if self._in_chat_presence(turn, enquiry):
            turn.state.data["step"] = "idle"
            self._presence_reply(turn, enquiry)
            return True
        beside = self._beside(text, enquiry.reference) if quoted_reference(text) else None
        if beside is None and (self.progress.said(text) or not has_words(text)):
            turn.state.data["step"] = "idle"
            self._news(turn, enquiry)
            return True
        announced = self.additions.rest(beside or text)
        if announced is not None and self.additions.only_fillers(announced):
            turn.state.data["step"] = "idle"
            turn.say(Reply(self.handoff.engine.content.text("add_go_ahead", reference=enquiry.reference)))
            return True
        if beside is None and self._answered_and_kept(turn, enquiry):
            return True
        if beside is None and self._general_question(turn):
            turn.state.lapsed = False
            return False
        turn.state.data["step"] = "idle"
        self._pass_on(turn, enquiry, "added_to_enquiry", self.handoff.engine.content.text)
        return True

    def _asks_to_delete(self, turn: Turn, enquiry: Enquiry, keyword: str | None) -> bool:
        """ "Please delete everything i sent": what FORGET will do, and that nothing goes until they reply FORGET.

        Never deleted on a guess, and never only stored: the message is kept on the enquiry too, so the
        caseworker knows ("i dont want anyone to call me") until they confirm. With a safety concern, that
        a caseworker still checks it (HandOff.withdraw).
        """
        if keyword is not None or turn.state.step == HANDOFF_STEP or not self.deletes.said(turn):
            return False
        if turn.assessment is not None and turn.assessment.level == "risk":
            return False  # bot/safety.py
        content = self.handoff.engine.content
        concern = concern_kept(turn)
        turn.state.data["step"] = "idle"
        if concern or concerns.is_concern(enquiry) or enquiry.priority == queue.URGENT:
            asked = content.text("delete_asked_concern", reference=str(concern or enquiry.reference))
        else:
            asked = content.text("delete_asked_enquiry", reference=enquiry.reference)
        turn.say(Reply(f"{asked}\n{self._kept(turn, enquiry)}", kind="prompt"))
        return True

    def _answered_and_kept(self, turn: Turn, enquiry: Enquiry) -> bool:
        """A question the bot can answer, once the enquiry is with us: answered as ever, and kept on it too.

        "Who will see this", "will you tell social services" (flows/service.yaml `privacy_questions`,
        `sharing_questions`) and "are you a real person" (`bot_questions`) on any enquiry: the caseworker
        should know the parent asked. A SEND question the NLU places confidently, on an urgent case: its every
        message reaches the duty caseworker (on any other, a general question is answered and not kept: policy
        1.1). Never silence about what a frightened parent or child asked at the moment it matters most.
        """
        text = turn.text
        ours = self.bot_questions.said_alone(text) or self.sharing.said(text) or self.privacy_questions.said(text)
        if not ours and not (enquiry.priority == queue.URGENT and self._general_question(turn)):
            return False
        turn.state.lapsed = False  # no "we deleted your unfinished answers" before an answer
        turn.state.data["step"] = "idle"
        if enquiry.priority == queue.URGENT and self.privacy_questions.said(text):
            # "Who will see this" after a disclosure: the exception is the answer that matters (and fits 3 texts)
            turn.say(Reply(self.handoff.engine.content.text("sharing"), kind="answer"))
        else:
            self.handoff.engine.steps["idle"](turn)
        line = self._kept(turn, enquiry)
        footer = f"\n{self.handoff.engine.content.text('footer')}"
        at = next((i for i in reversed(range(len(turn.replies))) if turn.replies[i].kind == "answer"), None)
        if at is None:
            turn.say(Reply(line))
        else:  # one short line in place of the footer: the answer stays as few texts as it was
            answer = turn.replies[at]
            turn.replies[at] = replace(answer, text=f"{answer.text.removesuffix(footer)}\n{line}")
        return True

    def _kept(self, turn: Turn, enquiry: Enquiry) -> str:
        """Keep the message on the enquiry; the short line that says so (and what was taken out)."""
        found = self._keep(turn, enquiry)
        content = self.handoff.engine.content
        key = "added_too"
        if enquiry.priority == queue.URGENT:
            open_now = service_hours.current(turn.session, self.handoff.hours).is_open(turn.now)
            key = "added_too_urgent" if open_now else "added_too_urgent_closed"
        line = content.text(key, reference=enquiry.reference)
        if found:
            line = f"{line} {self.handoff.msg('removed_short', found=describe(found))}"
        return line

    def _keep(self, turn: Turn, enquiry: Enquiry) -> list[Finding]:
        """The message on the enquiry, names and numbers taken out; on an urgent case the duty caseworker hears
        of it after commit (parent_messages.duty_to_hear). What was taken out, for the reply to say."""
        found = parent_messages.add(turn.session, self.handoff.engine.keys, enquiry, turn.text)
        if enquiry.priority == queue.URGENT and parent_messages.duty_to_hear(turn.session, enquiry, turn.now):
            reference = enquiry.reference
            turn.after_commit.append(lambda: self.handoff.alert(reference, queue.URGENT))
        return found

    def _in_chat_presence(self, turn: Turn, enquiry: Enquiry) -> bool:
        """"Is someone there?" in the web chat whose caseworker is to reply here (presence_checks)."""
        if turn.channel != "web" or enquiry.contact is None or not self.presence.said(turn.text):
            return False
        return bool(self.handoff.engine.keys.decrypt_json(enquiry.contact).get("method") == IN_CHAT)

    def _presence_reply(self, turn: Turn, enquiry: Enquiry) -> None:
        """The caseworker will reply here; the message is on the enquiry, as any other then (an urgent one: as ever)."""
        if enquiry.priority == queue.URGENT:
            self._pass_on_urgent(turn, enquiry)  # the duty caseworker hears of it, as of any other message
            return
        parent_messages.add(turn.session, self.handoff.engine.keys, enquiry, turn.text)
        text = self.handoff.engine.content.text("web_waiting_in_chat", reference=enquiry.reference)
        turn.say(Reply(f"{text} {self.handoff.waiting(turn, enquiry)}"))

    def _news(self, turn: Turn, enquiry: Enquiry) -> None:
        """Where a waiting enquiry is; a safety concern gets no status, only that it is with us (as HUMAN)."""
        if concerns.is_concern(enquiry):
            self.handoff.already(turn, enquiry)
            return
        text = self.handoff.engine.content.text("no_news_yet", reference=enquiry.reference)
        turn.say(Reply(f"{text} {self.handoff.waiting(turn, enquiry)}"))

    def _in_own_words(self, turn: Turn) -> bool:
        """A request for a person in the parent's words, not the keyword HUMAN itself."""
        return bool(turn.text) and keyword_of(turn.text, self.handoff.engine.keywords) is None

    def _pass_on(self, turn: Turn, enquiry: Enquiry, key: str, wording: Callable[..., str]) -> None:
        """Keep the message on the enquiry (names and numbers taken out) and tell the parent truthfully."""
        if enquiry.priority == queue.URGENT:
            self._pass_on_urgent(turn, enquiry)
            return
        found = parent_messages.add(turn.session, self.handoff.engine.keys, enquiry, turn.text)
        kind = self.handoff.contact_kind(enquiry)
        text = wording(key + kind, reference=enquiry.reference)
        if found:  # say what was taken out, and (unless the wording did) how to change contact
            removed = self.handoff.msg("removed" if kind == "" else "removed_short", found=describe(found),
                                reference=enquiry.reference)
            text = f"{text} {removed}"
        turn.say(Reply(text))

    def _pass_on_urgent(self, turn: Turn, enquiry: Enquiry) -> None:
        """On an urgent case the message goes on it and, after commit, to the duty worker (reference only).

        Its caseworker may be away (signed out at 5pm on a Friday): the duty alert is the route a new concern
        takes. The reply promises only what is true when written: the message is on the case, marked for the
        duty caseworker; out of hours, that it may not be read until the office opens (the alert may fail).
        """
        found = self._keep(turn, enquiry)
        reference = enquiry.reference
        hours = service_hours.current(turn.session, self.handoff.hours)  # the console's setting, else the env's
        if hours.is_open(turn.now):
            text = self.handoff.msg("passed_on_urgent", reference=reference)
        else:
            text = self.handoff.msg("passed_on_urgent_closed", reference=reference,
                                    opening=hours.describe_next_opening(turn.now))
        kind = self.handoff.contact_kind(enquiry)
        if kind:  # no way to reach them: how to give one (never asked yet) or to reach us, with the hours
            key = "passed_on_urgent_reach_you" if kind == CONTACT_NEVER_ASKED else "passed_on_urgent_call_us"
            text = f"{text} {self.handoff.msg(key)}"
        if found:
            text = f"{text} {self.handoff.msg('removed_short', found=describe(found))}"
        turn.say(Reply(text))

    def _beside(self, text: str, reference: str) -> str | None:
        """What a parent wrote beside a reference they quote, or None when it says nothing more than the code.

        "K7Q-429 also he was excluded today" says more. The code alone does not, nor with only the words that
        introduce it (flows/service.yaml `reference_words`: "my reference is K7Q-429"), thanks or a greeting,
        yes or no, asking for news ("any news on K7Q-429?") or for help.
        """
        found = next((m for m in WRITTEN.finditer(text) if f"{m[1]}-{m[2]}".upper() == reference), None)
        if found is None:
            return None
        before, after = list(words(text[: found.start()])), list(words(text[found.end() :]))
        while before and before[-1] in self.reference_words:
            before.pop()
        while after and after[0] in self.reference_words:
            after.pop(0)
        rest = " ".join(before + after)
        if not rest or yes_no(rest) is not None or self.small_talk.said(rest) or self.progress.said(rest):
            return None
        return None if self.helps.said_alone(rest) else rest

    def _general_question(self, turn: Turn) -> bool:
        """A question in so many words that the NLU places confidently (never after a safety disclosure).

        Not one that only starts like a question to announce more for the caseworker ("can i add something,
        the school said no": flows/service.yaml `additions`), nor one asking for someone at a meeting ("can u
        come to the annual review with me"): the caseworker is the one who can say yes.
        """
        if (turn.assessment is not None and turn.assessment.level == "risk") or not ASKS.match(turn.text):
            return False
        if self.additions.said(turn.text) or self.meeting_support.said(turn.text) or self.presence.said(turn.text):
            return False  # "is someone there?" once a caseworker has it: for them, not an answer from us
        prediction = self.handoff.engine.classifier.classify(turn.text)
        return prediction.topic is not None and prediction.confidence >= ANSWER_FROM
