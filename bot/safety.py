"""Child protection first (policy 7.1): checked on every message, in every state, before anything else."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from bot.alerts import tell_duty
from bot.answers import yes_no
from bot.content import fill, spell_out
from bot.engine import PRIVACY_OWED, Engine, Turn
from bot.replies import Choice, Reply
from intake import concerns, parent_messages, queue
from intake.form_rules import clear_no, reply_yes_no, unsure
from intake.models import Enquiry
from intake.safeguarding import assess
from intake.safeguarding_quotes import without_names

log = logging.getLogger(__name__)
CONFIRM_STEP = "sg_confirm"
# Where a text or chat message is read as a topic question (after a hand-off, the bot goes on answering them).
TOPIC_STEPS = ("idle", "clarify", "menu", "menu_topics")
HANDED_OFF = "handed_off"
FORM_STEP = "form"  # the intake form (bot/intake_form.py): the parent is already asking for a caseworker


class Safety:
    """Raises urgent concerns, asks one direct question when unsure, and lets the conversation go on."""

    def __init__(self, engine: Engine, alert: Callable[[str, str], None]) -> None:
        self.engine = engine
        self.alert = alert
        engine.safety_check = self.check

    def check(self, turn: Turn) -> bool:
        """Run before any other processing; True when this turn needs nothing more."""
        state = turn.state
        if state.step == CONFIRM_STEP and self._confirmed(turn):
            return True
        if turn.channel == "voice" and turn.inbound.digits == "0":
            self.raise_concern(turn, ("caller pressed 0: a child in danger",))
            turn.safety_key = True
            return False
        if not turn.text or turn.replayed:
            return False
        assessment = assess(turn.text, self.engine.rules)
        turn.assessment = assessment
        if assessment.level == "risk":
            self.raise_concern(turn, assessment.triggers, about=assessment.about, also_say=assessment.also_say)
            return self._stands_alone(turn)
        if assessment.level == "unsure" and (case := self._urgent_case(turn)) is not None:
            # No "is a child in danger?" question on a case already urgent, and no topic suggestions either:
            # the hint joins the case and the parent hears where it stands. In a form, the form asks the question
            # it was at again: the hint is not an answer (bot/intake_form.py).
            self._add_hint(turn, case, assessment.triggers, assessment.about)
            return self._topic_step(turn)
        if assessment.level == "unsure":
            # The message is kept (encrypted, in the conversation state) only until the parent answers,
            # then replayed to the step it was meant for, so nothing they said is lost.
            # A worry that is not a topic question (vague trouble at home, the parent's own distress) is
            # not replayed after "no": the parent is offered a caseworker instead of topic suggestions.
            # A child or young person writing is asked about themselves, with Childline whatever they answer.
            question = ("unsure_parent" if assessment.about != "child"
                        else "unsure_young" if assessment.young else "unsure")
            state.data["sg_pending"] = {"resume": state.step, "triggers": list(assessment.triggers),
                                        "text": turn.text, "asked": 1, "offer": assessment.offer,
                                        "about": assessment.about, "young": assessment.young}
            state.data["step"] = CONFIRM_STEP
            # Help the match names (the domestic abuse helpline for a parent a partner may keep in) comes first,
            # whatever they answer; the question last, so its YES/NO choices end the turn.
            spoken_help = ""
            for key in assessment.also_say:
                if turn.channel == "voice":
                    spoken_help += self._spoken(key, turn) + " "
                else:
                    turn.say(Reply(self._wording(key, turn), self._spoken(key, turn), kind="safety"))
            turn.say(
                Reply(
                    self._wording(question, turn),
                    spoken_help + self._spoken(question, turn),
                    (Choice("1", "Yes"), Choice("2", "No")),
                    kind="safety",
                    expects="yesno",
                )
            )
            return True
        return False

    def _stands_alone(self, turn: Turn) -> bool:
        """After a risk reply, True when the turn needs nothing more: never a topic answer after it.

        A child at risk, or a parent in crisis, gets the safety reply on its own wherever the message would
        be read as a topic question; a caseworker who already holds the parent's enquiry is still given their
        words. In a form the form asks the question it was at again after the safety reply, never reading the
        message as an answer (bot/intake_form.py), and on the phone the menu says the choices again after it
        (bot/voice_menu.py), so the caller is never left in silence.
        """
        if not self._topic_step(turn):
            return False
        if not turn.words_kept:  # on the phone: the caseworker holding the enquiry is still told
            self.engine.before_steps(turn, None)
        first_texts = turn.state.turns == 0 or turn.state.data.get(PRIVACY_OWED)
        if turn.channel == "sms" and not turn.opted_out and first_texts:
            # The turn ends here, before the engine would add it: the first texts still say no name is needed.
            self.engine.add_privacy_line(turn)
        return True

    @staticmethod
    def _topic_step(turn: Turn) -> bool:
        """Where the next step would read the message as a topic question (after a hand-off too, by text)."""
        step = turn.state.step
        return step in TOPIC_STEPS or (step == HANDED_OFF and turn.channel != "voice")

    def _confirmed(self, turn: Turn) -> bool:
        """The answer to "is a child in danger right now?"; True when the turn needs nothing more.

        Only a clear no is a no. Yes in any everyday form is a yes, and so is not knowing ("idk", "not sure",
        "sometimes", "im scared"): a child's safety comes first (policy 7.1). Anything else is asked once more;
        a second unclear answer is taken as a yes too, so the question never ends in a topic menu with the
        worry dropped. On the phone star repeats the question, and so does a first silence (the caller may not
        have heard it); a second silence is taken as a yes at once, so a caller who cannot speak is never left
        with the question going round and no concern raised.
        """
        state = turn.state
        pending = state.data.get("sg_pending", {})
        answer, trigger = self._answer(turn)
        silent = not (turn.text.strip() or turn.inbound.digits)
        if silent:
            pending["silences"] = pending.get("silences", 0) + 1
        silent_again = silent and pending.get("silences", 0) >= 2
        repeat = turn.inbound.digits == "*" or (silent and not silent_again)
        if answer is None and not silent_again and (repeat or pending.get("asked", 1) < 2):
            pending["asked"] = pending.get("asked", 1) if repeat else 2
            # said plainly before it happens: not sure, or a second unclear answer, is taken as a yes
            again = "unsure_young_again" if pending.get("young") else "unsure_again"
            turn.say(Reply(self._wording(again, turn), self._spoken(again, turn),
                           (Choice("1", "Yes"), Choice("2", "No")), kind="safety", expects="yesno"))
            return True
        state.data.pop("sg_pending", None)
        state.data["step"] = pending.get("resume", "idle")
        if answer is None:
            answer, trigger = True, "no clear answer to the safety question"
        if answer:
            about = "both" if pending.get("about", "child") != "child" else "child"
            said, words = turn.text.strip(), str(pending.get("text", ""))
            extra: tuple[str, ...] = ()
            also_say: tuple[str, ...] = ()
            if said and not turn.inbound.digits and yes_no(said) is None:  # "yes he hits them": their words too
                words = f"{words}\n{said}"
                answered = assess(said, self.engine.rules)
                extra, also_say = answered.triggers, answered.also_say  # "yes she is cutting herself": her help
            self.raise_concern(turn, (*pending.get("triggers", ()), *extra, trigger), about=about, words=words,
                               also_say=also_say)
        elif pending.get("offer") and pending.get("resume") != FORM_STEP:
            turn.say(Reply(self._wording("unsure_no_offer", turn), self._spoken("unsure_no_offer", turn),
                           kind="safety"))
            return True  # a caseworker, not a topic answer, for a worry like this (in the form: their words go on)
        else:
            turn.say(Reply(self._wording("unsure_no", turn), kind="safety"))
        # Replay the message that prompted the question to the step it was sent to.
        original = str(pending.get("text", ""))
        turn.inbound = replace(turn.inbound, text=original, digits="")
        turn.text = original
        turn.assessment = None
        turn.replayed = True
        # A risk they confirmed is answered as a risk message is: outside a form, no topic answer after it.
        return bool(answer) and self._stands_alone(turn)

    def _answer(self, turn: Turn) -> tuple[bool | None, str]:
        """Yes, no or unclear, with what the duty caseworker is told of it (a yes that was only "not sure")."""
        digits, text = turn.inbound.digits, turn.text
        if digits:  # 1 yes, 2 no; 0 is the phone line's own "a child is in danger" key
            return {"1": True, "2": False, "0": True}.get(digits), "parent confirmed a risk"
        if unsure(text):
            return True, "parent not sure a child is safe"
        level = assess(text, self.engine.rules).level if text.strip() else "none"
        answer = True if level == "risk" else reply_yes_no(text)  # "he hits her with a belt" answers it too
        if answer is None and level != "none":
            answer = True  # "he is hurting me": words of harm, with no no
        elif answer is False and not clear_no(text):
            answer = None  # "no, he hit her last week", "no only at weekends", "no not right now": not a clear no
        return answer, "parent confirmed a risk"

    def raise_concern(self, turn: Turn, triggers: tuple[str, ...], about: str = "child",
                      words: str | None = None, also_say: tuple[str, ...] = ()) -> None:
        """Every disclosure is treated as fresh: an urgent case, a duty alert after commit, safety words first.

        A parent in crisis themselves (about "parent") gets adult crisis help first (Samaritans, NHS 111,
        Shout) and is, like any risk, an urgent concern for the duty caseworker: a parent in crisis may mean
        children at risk. When a child is at risk as well ("both"), the child-protection wording follows.
        Any `also_say` wording (a young person's own mental-health crisis) comes after those (_also_say).

        The case is this conversation's open concern, else the parent's own open enquiry (escalated: one
        case, one reference), else this contact's open concern from earlier today in another conversation
        (after FORGET, an expired conversation, or from a blocked number, whose turns keep no state), else
        a new concern. A case that was not urgent (a caseworker cleared it, or an ordinary enquiry) becomes
        urgent and the duty worker is alerted. On a case that is already urgent the new triggers are added,
        and the duty worker is alerted again only if the case has changed hands since this conversation
        last alerted them (e.g. claimed: that caseworker may be away from their desk), so repeated messages
        do not send one alert each. Without that memory the audit trail decides (concerns.add_disclosure).
        """
        state = turn.state
        case = concerns.open_case(turn.session, state.data.get("concern_ref"), state.contact_key)
        alerted = state.data.get("concern_alerted") if case is not None else None
        by_number = turn.contact_proven  # else only this call's own case: the reply would read it out
        if case is None and (by_number or state.data.get("reference")):
            case = concerns.live_for_contact(turn.session, state.contact_key, state.data.get("reference"))
        if case is None and by_number:
            case = concerns.recent_concern(turn.session, state.contact_key, turn.now)
        words = turn.text if words is None else words  # also what the triggers' quotes are minimised against
        raised = False
        if case is None:
            case, raised = self._raise_or_join(turn, triggers, words)
        alert = raised or concerns.add_disclosure(turn.session, self.engine.keys, case, triggers, alerted=alerted,
                                                  now=turn.now, words=words)
        self._keep_words(turn, case, words)
        reference = case.reference
        self._remember(turn, case, alert, alerted)
        suffix = "" if case.topic == concerns.CONCERN_TOPIC else "_enquiry"  # their enquiry, now urgent
        keys = {"child": ["risk"], "parent": ["crisis"], "both": ["crisis", "risk"]}.get(about, ["risk"])
        for position, key in enumerate(keys):
            turn.replies.insert(
                position,
                Reply(
                    self._wording(key + suffix, turn, reference=reference),
                    self._spoken(key + suffix, turn, reference=reference, reference_spoken=spell_out(reference)),
                    kind="safety",
                ),
            )
        self._also_say(turn, len(keys), also_say)

    def _also_say(self, turn: Turn, position: int, keys: tuple[str, ...]) -> None:
        """More help after the safety words at `position`: a text of its own, or on the phone said straight after
        them, so the caller still hears the next step (which follows the words that read out the reference) last."""
        for key in keys:
            text, spoken = self._wording(key, turn), self._spoken(key, turn)
            if turn.channel == "voice":
                before = turn.replies[position - 1]
                turn.replies[position - 1] = replace(before, spoken=f"{before.voice_text} {spoken}")
            else:
                turn.replies.insert(position, Reply(text, spoken, kind="safety"))
                position += 1

    def _raise_or_join(self, turn: Turn, triggers: tuple[str, ...], words: str) -> tuple[Enquiry, bool]:
        """A new concern (True), or the one a turn on another channel raised at this very moment (False).

        Two first disclosures at once (a text during a call) each find no case; one concern may be current
        per contact, so the second turn joins the first instead of raising a second case and alert.
        """
        for _ in range(2):  # a second try only if the concern it clashed with was closed in between
            case = concerns.raise_concern(
                turn.session,
                self.engine.keys,
                channel=turn.channel,
                contact_key=turn.state.contact_key,
                triggers=triggers,
                retention_days=self.engine.settings.retention_days,
                now=turn.now,
                words=words,
            )
            if case is not None:
                return case, True
            joined = concerns.current_concern(turn.session, turn.state.contact_key)
            if joined is not None:
                return joined, False
        raise RuntimeError("could not raise or join this contact's concern")

    def _keep_words(self, turn: Turn, case: Enquiry, words: str) -> None:
        """What the parent wrote, on the case for the duty caseworker (8.1): the detected phrases alone lose
        "last night" or "a bruise on his face". Names and numbers are taken out as in any message kept without
        a consent question. Never on the phone, where nothing said is kept."""
        if words.strip() and turn.channel != "voice":
            # a name the detector's quotes left out ("hits Jamie with a belt") goes from the note as well
            words = without_names(words, assess(words, self.engine.rules).names)
            parent_messages.add(turn.session, self.engine.keys, case, words, author=parent_messages.DISCLOSURE)
            turn.words_kept = True

    def _remember(self, turn: Turn, case: Enquiry, alert: bool, alerted: str | None) -> None:
        """Keep the case in this conversation's memory and, when `alert`, tell the duty worker after commit."""
        state, reference = turn.state, case.reference
        state.data["concern_ref"] = reference
        if alert:
            state.data["concern_alerted"] = case.status
            turn.after_commit.append(lambda: self._tell_duty(reference))
            log.warning("safeguarding concern raised: %s", reference)
        else:
            if alerted is None:
                state.data.pop("concern_alerted", None)  # what it held was about another case
            log.warning("safeguarding concern added to: %s", reference)

    def _tell_duty(self, reference: str) -> None:
        """Alert the duty worker (after commit) and audit whether it went, so a failure is tried again."""
        tell_duty(self.alert, self.engine.sessions, reference)

    def _add_hint(self, turn: Turn, case: Enquiry, triggers: tuple[str, ...], about: str) -> None:
        """A worrying hint on this conversation's urgent case: added as a disclosure is; the parent told where it is."""
        alerted = turn.state.data.get("concern_alerted")
        alert = concerns.add_disclosure(turn.session, self.engine.keys, case, triggers, alerted=alerted, now=turn.now,
                                        words=turn.text)
        self._keep_words(turn, case, turn.text)
        self._remember(turn, case, alert, alerted)
        key = "known" if about == "child" else "known_parent"
        reference = case.reference
        turn.replies.insert(0, Reply(
            self._wording(key, turn, reference=reference),
            self._spoken(key, turn, reference=reference, reference_spoken=spell_out(reference)),
            kind="safety",
        ))

    def _urgent_case(self, turn: Turn) -> Enquiry | None:
        """This conversation's case, when open and urgent: no need to ask whether a child is in danger."""
        case = concerns.open_case(turn.session, turn.state.data.get("concern_ref"), turn.state.contact_key)
        return case if case is not None and case.priority == queue.URGENT else None

    def _wording(self, key: str, turn: Turn, **values: str) -> str:
        return fill(self.engine.content.safeguarding[key], values)

    def _spoken(self, key: str, turn: Turn, **values: str) -> str:
        wording = self.engine.content.safeguarding
        return self._wording(f"{key}_spoken" if f"{key}_spoken" in wording else key, turn, **values)
