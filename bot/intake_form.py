"""The consent-first intake form: one question at a time, the confirm step, and changing an answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, Literal

from bot.content import fill
from bot.dialogue import asks_to_stop_texts, how_to_stop_texts
from bot.engine import Engine, Turn
from bot.intake_handoff import AFTER, HandOff, wording
from bot.phrasing import Phrasing, words
from bot.replies import Choice, Reply
from intake import chat_reply, concerns, form_rules, queue, service_hours
from intake.db import checkpoint_after_commit
from intake.hours import OfficeHours
from intake.minimise import describe, find_personal_data, redact
from intake.models import Enquiry

STEP = "form"
CHANGE = "change"  # the question after CHANGE at the confirm step: which part to change
IN_CHAT = "web_chat"  # a caseworker replies in the parent's open web chat
# The answers that follow from the way of contact, asked again when a reply in the chat can no longer be had.
HOW_CONTACTED = ("contact_method", "contact_detail", "safe_times", "consent_voicemail", "consent_name_service")
LABELS = {"yes": "Yes", "no": "No", True: "Yes", False: "No"}
# After a safety disclosure, HUMAN ("reply HUMAN to give a safe way to reach you") asks only these, each behind
# its own consent question (consent_contact first), and adds the answers to the concern: what the enquiry is
# about is the concern itself, so no topic, words, school stage or EHC plan.
CONTACT_QUESTIONS = form_rules.CHANGE_PARTS["contact"]
YES_NO = (*form_rules.CONSENT_SLOTS, "confirm")  # the questions an everyday yes or no answers


class IntakeForm:
    """Engine steps for the form (`form_start`, `form`, `handed_off`, `form_withdraw`)."""

    def __init__(self, engine: Engine, hours: OfficeHours, alert: Callable[[str, str], None]) -> None:
        self.engine = engine
        self.spec: dict[str, Any] = engine.content.intake
        self.version = str(self.spec.get("wording_version", "intake-1"))
        self.hours = hours
        self.handoff = HandOff(engine, hours, alert, self.spec)
        self.contact_requests = Phrasing(self.spec.get("contact_requests") or {})
        leave = dict(self.spec.get("leave_form") or {})  # with the opt-out words: "cancel that", "quit this"
        leave["say"] = [*(leave.get("say") or []), *engine.keywords.get("stop", [])]
        self.leave_words = Phrasing(leave)
        # "never mind", "no dont worry", "just leave it": NO at a yes/no question, else leaving (as leave_form)
        self.let_go = Phrasing({**leave, "say": (self.spec.get("let_go") or {}).get("say") or []})
        yes_no = self.spec.get("yes_no") or {}
        form_rules.use_words(self.spec)  # its yes leads, not-a-no idioms, clear-no endings and number words
        self.yes_endings = form_rules.phrases(yes_no.get("yes_endings") or [])
        self.change_words = form_rules.phrases(yes_no.get("change_words") or [])
        engine.steps.update({"form_start": self.start, STEP: self.answer, AFTER: self.handoff.after_handoff,
                             "form_withdraw": self.handoff.withdraw})
        idle = engine.steps["idle"]

        def idle_or_pick_up(turn: Turn) -> None:
            if turn.state.lapsed and turn.channel != "voice" and self._lapsed(turn):
                return
            if not self.handoff.pick_up(turn):
                idle(turn)

        engine.steps["idle"] = idle_or_pick_up
        # "help" or "?" (the menu keywords) in the form ask about the question: explained, never the menu, which
        # would pause the form and read the parent's next answer as a topic. MENU itself still pauses it.
        self.form_help = Phrasing(self.spec.get("form_help") or {})
        self.earlier_words = Phrasing(self.spec.get("earlier_words") or {})  # "see above", "what i said"
        menu = engine.keyword_handlers.get("menu")
        if menu is not None:
            def explain_or_menu(turn: Turn) -> None:
                form = turn.state.data.get("form")
                if turn.state.step == STEP and form and form.get("requested") and self._asks_what(turn):
                    self._explain(turn)
                else:
                    menu(turn)

            engine.keyword_handlers["menu"] = explain_or_menu
        engine.before_steps = self.handoff.with_caseworker

    def _msg(self, key: str, **values: Any) -> str:
        return wording(self.spec, key, **values)

    def _lapsed(self, turn: Turn) -> bool:
        """Say that unfinished answers were deleted after the idle time; True when that is the whole reply.

        A bare answer ("2", "YES") meant for a question that no longer stands gets only this, so a parent
        never believes an enquiry was sent when nothing was; a question in their own words is answered too.
        """
        turn.say(Reply(self._msg("lapsed", quiet=self._quiet())))
        return form_rules.bare_answer(turn.text)

    def _idle_notice(self, turn: Turn) -> str:
        """That unfinished answers go after the quiet time, said where the form starts (shorter by SMS)."""
        return self._msg("idle_notice_sms" if turn.channel == "sms" else "idle_notice", quiet=self._quiet())

    def _quiet(self) -> str:
        """How long the form's answers are kept without a reply (CONVERSATION_IDLE_MINUTES): "2 hours"."""
        minutes = self.engine.settings.conversation_idle_minutes
        return f"{minutes // 60} hours" if minutes % 60 == 0 and minutes > 60 else f"{minutes} minutes"

    # -- the form ----------------------------------------------------------------------------
    def start(self, turn: Turn) -> None:
        """Begin the hand-off, unless this conversation already has a live enquiry."""
        form = turn.state.data.get("form")
        if form and form.get("requested"):  # asked again mid-form, or after a MENU: carry on, keep answers
            turn.state.data["step"] = STEP
            turn.say(Reply(self._msg("resume")))
            self._ask(turn, form["requested"])
            return
        enquiry = self.handoff.live_enquiry(turn)
        if enquiry is not None:
            self.handoff.already(turn, enquiry)
            return
        concern = self._concern(turn)
        if concern is not None and (concern.contact is not None or concern.summary is not None):
            self.handoff.already(turn, concern)  # a form was added to it already (in an earlier conversation)
            return
        # A withheld number (or a terminal chat) cannot be called or texted back as "this number".
        slots: dict[str, Any] = {"channel": turn.channel, "number_known": turn.inbound.contact.startswith("+")}
        last_topic = turn.state.data.get("last_topic")
        topic = self.engine.content.topics.get(last_topic) if last_topic else None
        if topic is not None and topic.action is None:
            slots.update(topic=topic.id, category=topic.category)
        new_form: dict[str, Any] = {"slots": slots, "consents": []}
        told = self._told_already(turn) if concern is None else None
        if told is not None:  # offered as their words at the words question, kept only if they say so
            new_form["earlier_words"] = told
        if concern is not None:
            # The hand-off adds the answers to this concern (HandOff.submit), so remember it for this conversation.
            new_form["contact_only"] = concern.reference
            turn.state.data["concern_ref"] = concern.reference
            idle_notice = self._idle_notice(turn)
            turn.say(Reply(self._msg("concern_contact_intro", reference=concern.reference, idle_notice=idle_notice),
                           self._msg("concern_contact_intro_spoken")))
        turn.state.data.update(step=STEP, form=new_form)
        self._run(turn, candidate=None)

    def _told_already(self, turn: Turn) -> str | None:
        """The message that started the form, when it already told the parent's situation (a story, as
        flows/service.yaml `story_long_words` measures one) and fits as their words; else None.
        """
        least = int(self.engine.content.service.get("story_long_words") or 0)
        if turn.channel == "voice" or not least or len(words(turn.text)) < least:
            return None
        text, problem, _ = form_rules.summary(turn.text)
        return text if problem is None else None

    def _concern(self, turn: Turn) -> Enquiry | None:
        """This contact's open safety concern: this conversation's, else one they raised today in another.

        Not another's on the phone: a caller's number is easily faked (HandOff.live_enquiry).
        """
        state = turn.state
        own = concerns.open_concern(turn.session, state.data.get("concern_ref"), state.contact_key)
        if own is not None or not turn.contact_proven:
            return own
        return concerns.recent_concern(turn.session, state.contact_key, turn.now)

    @staticmethod
    def _next_contact_question(slots: dict[str, Any]) -> str:
        """The contact-only form's next question: the form's own order, the contact questions alone."""
        order = form_rules.required_slots(slots, str(slots.get("channel") or "sms"), [])
        return next((s for s in order if s in CONTACT_QUESTIONS and slots.get(s) is None), "confirm")

    def answer(self, turn: Turn) -> None:
        """Take the parent's answer to the question asked last."""
        form = turn.state.data.get("form")
        if not form:
            turn.state.data["step"] = "idle"
            self.engine.steps["idle"](turn)
            return
        if turn.safety_acted:  # the concern's words (or the phone's 0), never an answer: the question again
            self._carry_on(turn)
            return
        if turn.channel == "voice" and (turn.inbound.digits == "*" or not (turn.text or turn.inbound.digits)):
            if turn.inbound.digits != "*":
                turn.say(Reply(self._msg("not_heard"), self._msg("not_heard")))
            self._ask(turn, form["requested"])  # * repeats, as everywhere on the phone line
            return
        if asks_to_stop_texts(turn, self.engine.content):  # not an answer: say how, then ask again
            how_to_stop_texts(turn, self.engine.content)
            self._ask(turn, form["requested"])
            return
        if form.get("requested") and self._asks_what(turn):  # "what", "i dont understand": why we ask, again
            self._explain(turn)
            return
        if turn.channel != "voice" and self.leave_words.said(turn.text):
            self._leave(turn)  # "forget it", "I've changed my mind", "cancel" in the chat
            return
        if turn.channel != "voice" and form.get("requested") not in YES_NO and self.let_go.said(turn.text):
            self._leave(turn)  # "actually never mind" at a question that is not yes/no (there it is a no)
            return
        if form.get("requested") == CHANGE:
            self._change(turn, turn.inbound.digits or turn.text)
            return
        if form.get("requested") == "contact_detail" and form_rules.normal(turn.text) == "BACK":
            form["slots"].pop("contact_method", None)  # choose another way to be contacted
            self._ask(turn, "contact_method")
            return
        # Not on the phone, where no words are asked for (policy 1.1: nothing said on a call is kept).
        if form.get("requested") == "topic" and not turn.inbound.digits and turn.channel != "voice" \
                and self._story_at_topic(turn, form):
            return
        candidate = turn.inbound.digits or turn.text
        if form.get("requested") == "summary" and turn.channel != "voice":
            earlier = form.get("earlier_words")
            pointed = self.earlier_words.said(turn.text)  # "see above", "what i said"
            if earlier and (pointed or form_rules.reply_yes_no(turn.text, self.yes_endings) is True):
                candidate = earlier
            elif earlier and form_rules.reply_yes_no(turn.text, self.yes_endings) is False:
                form.pop("earlier_words")  # not those words: ask for others, and keep nothing of them
                self._ask(turn, "summary")
                return
            elif pointed:  # nothing earlier was offered, and no message is kept to point at
                turn.say(Reply(self._msg("summary_see_above"), kind="prompt", expects="text"))
                return
        if form.get("contact_only") and form.get("requested") == "consent_contact" and not turn.inbound.digits \
                and self.contact_requests.said(candidate):
            candidate = "yes"  # "please just call me", after a disclosure: a yes, and "how?" comes next
        number = form_rules.numbered(candidate) if form.get("requested") in YES_NO else None
        if number is not None and not turn.inbound.digits and not form_rules.numbers_shown(turn.channel):
            # No numbers shown (SMS): a bare "1" is a habit from the menus, not consent. The confirm step's
            # validator refuses it and shows the step again.
            if form["requested"] != "confirm" and self._ask_yes_no_again(turn, self._msg("yes_no_in_words")):
                return
        elif form.get("requested") in YES_NO and not turn.inbound.digits and \
                (number is None or form["requested"] != "confirm"):  # at confirm a number is its button
            agreed = self._reply_yes_no(form["requested"], candidate)
            if agreed == CHANGE:
                candidate = "CHANGE"
            elif agreed is not None:
                candidate = "yes" if agreed else "no"
            elif form["requested"] != "confirm" and turn.channel != "voice" and self._ask_yes_no_again(turn):
                return
        if form.get("requested") == "contact_method" and self._chat_reply_withheld(turn, candidate):
            turn.say(Reply(self._msg("invalid_choice"), kind="prompt"))
            self._ask(turn, "contact_method")
            return
        self._run(turn, candidate=candidate)

    def _reply_yes_no(self, slot: str, reply: str) -> bool | str | None:
        """An everyday reply to a consent question or the confirm step: True, False, CHANGE or None (unclear).

        At the confirm step a word of change wins over any yes ("ok change the school stage" is CHANGE, not
        send). "never mind", "no dont worry", "just leave it" are a no to the question, not leaving the form.
        A yes counts only when nothing follows it but polite words ("yes pls", "ok go on"): "ok wait" or
        "k let me think" is unclear, never consent (policy 1.x).
        """
        if slot == "confirm" and form_rules.says_any(reply, self.change_words):
            return CHANGE
        if self.let_go.said(reply):
            return False
        return form_rules.reply_yes_no(reply, self.yes_endings)  # "yh", "yes pls", "no thx", "no he doesnt"

    def _carry_on(self, turn: Turn) -> None:
        """After the safety words: the question the form was at, again, for when the parent is ready.

        The message the safety check acted on (Turn.safety_acted: words of risk, the phone's 0, more on an urgent
        case, or the message replayed after a yes to "is a child in danger?") went to the duty caseworker with
        the concern (on the phone nothing said is kept): nothing in it answers the question, leaves the form or
        changes an answer, and no "Sorry" follows a disclosure. A few kind words, then the question in full.
        """
        form = turn.state.data["form"]
        if form.get("requested"):
            self._ask(turn, form["requested"])
        else:
            self._run(turn, candidate=None)
        asked = turn.replies[-1]
        turn.replies[-1] = replace(asked, text=self._msg("carry_on", question=asked.text),
                                   spoken=self._msg("carry_on_spoken", question=asked.voice_text))

    def _leave(self, turn: Turn) -> None:
        """Leave the form: nothing is sent and the answers go, as after NO at the confirm step.

        A safety concern's contact questions end without touching the concern, which stays with the duty
        caseworker (the parent is told so, with how to give a safe way to reach them later).
        """
        form = turn.state.data["form"]
        if not form.get("contact_only"):  # sending nothing is a refusal to keep the details: the ledger shows it
            queue.record_standalone(turn.session, "keep_details", self.version, turn.channel)
        # A concern raised before or during the form stays with the duty caseworker whatever the form does:
        # "nothing was sent" would be untrue, and a frightened parent might think no one will act.
        concern = concerns.open_concern(turn.session, turn.state.data.get("concern_ref"), turn.state.contact_key)
        self._end(turn)
        if concern is not None:
            turn.say(Reply(self._msg("left_concern_form", reference=concern.reference)))
        else:
            turn.say(Reply(self._msg("left_form")))

    def _asks_what(self, turn: Turn) -> bool:
        """The message asks about the question ("help", "what do you mean", "?"), by text or web chat."""
        text = turn.text.strip()
        if turn.channel == "voice" or not text:
            return False
        return self.form_help.said(text) or ("?" in text and not any(c.isalnum() for c in text))

    def _explain(self, turn: Turn) -> None:
        """Why the question is asked and how to leave, then the question again (a yes/no one in a few words)."""
        slot = turn.state.data["form"]["requested"]
        spec = self.spec["change"] if slot == CHANGE else self.spec["slots"][slot]
        why = str(spec.get("why") or "").strip()
        question = str(spec.get("again") or "").strip()
        if slot in form_rules.CONSENT_SLOTS and question:
            shown = form_rules.numbers_shown(turn.channel)
            turn.say(Reply(self._msg("form_help_yes_no", why=why, question=question), kind="prompt",
                           expects="yesno", choices=(Choice("1", "Yes"), Choice("2", "No")) if shown else ()))
            return
        turn.say(Reply(self._msg("form_help", why=why)))
        self._ask(turn, slot)

    def _ask_yes_no_again(self, turn: Turn, before: str | None = None) -> bool:
        """An unclear reply to a consent question ("maybe", "yes but...", "no thats ok"): the question again in
        a few words, not its whole text (which costs about three texts). True when that is the reply.

        `before`: what to say ahead of the question instead of the usual "Sorry, please reply YES or NO".
        """
        slot = turn.state.data["form"]["requested"]
        question = str(self.spec["slots"][slot].get("again") or "").strip()
        if not question:
            return False
        text = f"{before} {question}" if before else self._msg("invalid_yes_no_short", question=question)
        shown = form_rules.numbers_shown(turn.channel)
        turn.say(Reply(text, kind="prompt", expects="yesno",
                       choices=(Choice("1", "Yes"), Choice("2", "No")) if shown else ()))
        return True

    def _story_at_topic(self, turn: Turn, form: dict[str, Any]) -> bool:
        """A story typed at "What is it mainly about?" rather than a number: understood, not refused.

        It is what they would like help with (the summary, which the confirm step shows them), filed under the
        topic the NLU places it in; when it places none, the topic question follows, without a telling-off.
        """
        options = self.engine.runner.domain["forms"]["intake_form"]["choices"].get("topic", [])
        if len(turn.text.split()) < 4 or form["slots"].get("summary") or form_rules.choice(turn.text, options):
            return False  # a few words ("exclusions") or a label: the choice, as ever
        placed = self.engine.content.topics.get(self.engine.classifier.classify(turn.text).topic or "")
        if placed is not None and placed.action is None:
            form["slots"].update(topic=placed.id, category=placed.category)
        form["requested"] = "summary"
        self._run(turn, candidate=turn.text)
        return True

    def _run(self, turn: Turn, candidate: str | None) -> None:
        form = turn.state.data["form"]
        slots = form["slots"]
        requested = form.get("requested")
        events = []
        if requested and candidate is not None:
            events = [{"event": "slot", "name": requested, "value": candidate}]
        result = self.engine.runner.run(
            "validate_intake_form", sender_id=turn.state.contact_key[:16],
            slots=slots | {"requested_slot": requested}, events=events, active_loop="intake_form",
        )
        new = result.slots()
        if requested and candidate is not None and new.get(requested) is None:
            errors = [r.get("text") or self._response_text(r.get("response")) for r in result.responses]
            text = " ".join(e for e in errors if e) or self._msg("invalid_choice")
            turn.say(Reply(text, self._msg("invalid_spoken"), kind="prompt"))
            self._ask(turn, requested)
            return
        next_slot = new.pop("requested_slot", None)
        slots.update(new)
        if slots.get("summary"):
            form.pop("earlier_words", None)  # the words are given: the offer is over, nothing else kept
        if form.get("contact_only"):
            next_slot = self._next_contact_question(slots)
        if requested in form_rules.CONSENT_SLOTS and requested in new:
            self._record_consent(turn, requested, bool(new[requested]))
        if requested == "consent_keep" and slots.get("consent_keep") is False:
            # The NO goes in the ledger too (no reference: nothing else is kept).
            queue.record_standalone(turn.session, "keep_details", self.version, turn.channel)
            self._end(turn)
            turn.say(Reply(self._msg("declined_keep"), self._msg("declined_keep_spoken")))
            return
        if requested == "pii_keep" and slots.get("pii_keep") is False:
            slots["summary"] = redact(slots["summary"], find_personal_data(slots["summary"]))
            checkpoint_after_commit(turn.session)  # the details taken out must not stay readable in the -wal file
        if requested == "confirm" and candidate is not None:
            decision = slots.pop("confirm")
            if decision == "yes" and slots.get("contact_method") == IN_CHAT and not self._reply_in_chat_in_time(turn):
                # Offered when asked, but the office has closed (or the wait grown) since: ask for another way.
                form["slots"] = {k: v for k, v in slots.items() if k not in HOW_CONTACTED}
                turn.say(Reply(self._msg("chat_reply_too_late")))
                form["requested"] = None
                self._run(turn, candidate=None)
            elif decision == "yes":
                self.handoff.submit(turn)
            elif decision == "no":
                # Sending nothing is a refusal to keep the details: the ledger shows it, with no content.
                queue.record_standalone(turn.session, "keep_details", self.version, turn.channel)
                self._end(turn)
                turn.say(Reply(self._msg("discarded"), self._msg("discarded_spoken")))
            else:
                self._ask(turn, CHANGE)
            return
        if next_slot is None:
            next_slot = "confirm"
        self._ask(turn, next_slot)

    def _response_text(self, name: str | None) -> str:
        """The wording of a domain response the validator named (rasa-sdk leaves `text` empty)."""
        variants = self.engine.runner.domain["responses"].get(name or "", [])
        return str(variants[0].get("text") or "") if variants else ""

    def _ask(self, turn: Turn, slot: str) -> None:
        form = turn.state.data["form"]
        form["requested"] = slot
        if slot == CHANGE:
            self._ask_change(turn)
            return
        spec = self.spec["slots"][slot]
        domain_form = self.engine.runner.domain["forms"]["intake_form"]
        options = domain_form["choices"].get(slot, [])
        if slot == "contact_method":
            options = self._contact_options(turn)
        values: dict[str, str] = {}
        if slot == "consent_keep":  # where the form starts: said once, that unfinished answers go
            values["idle_notice"] = self._idle_notice(turn)
        if slot == "pii_keep":
            values["found"] = describe(find_personal_data(form["slots"].get("summary", "")))
        if slot == "confirm":
            values["summary"] = self.summary_text(form["slots"], form.get("contact_only"))
        if slot == "contact_detail":
            method = form["slots"].get("contact_method")
            text = spec["ask_email"] if method == "email" else spec["ask_phone"]
        elif slot == "summary" and form.get("earlier_words"):
            text, values["words"] = spec["ask_earlier"], form["earlier_words"]
        else:
            text = spec["ask"]
        # By SMS an option's shorter `sms_label` (the topic categories' sms_title), so the question is one text.
        shown = "sms_label" if turn.channel == "sms" else "label"
        choices = tuple(Choice(o["key"], o.get(shown) or o["label"]) for o in options)
        expects: Literal["choice", "text", "yesno"] = "choice" if choices else "text"
        if slot in form_rules.CONSENT_SLOTS:
            choices, expects = (Choice("1", "Yes"), Choice("2", "No")), "yesno"
        if slot == "confirm":
            answers = spec["answers"]["voice" if turn.channel == "voice" else "text"]
            choices, expects = tuple(Choice(a["key"], a["label"]) for a in answers), "choice"
        if not form_rules.numbers_shown(turn.channel) and (expects == "yesno" or slot == "confirm"):
            choices = ()  # the question already says what to reply: listing the answers again costs a text
        spoken_values = values | {"summary": values["summary"].replace("\n", ". ")} if slot == "confirm" else values
        spoken = fill(str(spec.get("spoken") or text).strip(), spoken_values)
        turn.say(Reply(fill(str(text).strip(), values), spoken, choices, kind="prompt", expects=expects))

    def _contact_options(self, turn: Turn) -> list[dict[str, str]]:
        """The ways of contact to offer now: shown, and the only answers taken."""
        form = turn.state.data["form"]
        offered = self.engine.runner.domain["forms"]["intake_form"]["choices"]["contact_method"].get(turn.channel, [])
        options = form_rules.contact_methods(offered, form["slots"].get("number_known", True))
        if turn.channel == "web" and not self._reply_in_chat_in_time(turn):
            options = [o for o in options if o["value"] != IN_CHAT]
        return options

    def _chat_reply_withheld(self, turn: Turn, answer: str) -> bool:
        """The answer picks the reply in this chat, which was not offered (the validator knows every way)."""
        if turn.channel != "web":
            return False
        every = self.engine.runner.domain["forms"]["intake_form"]["choices"]["contact_method"].get("web", [])
        return form_rules.choice(answer, every) == IN_CHAT and IN_CHAT not in {
            o["value"] for o in self._contact_options(turn)}

    def _reply_in_chat_in_time(self, turn: Turn) -> bool:
        """Whether a caseworker usually picks up before this chat would close and the office closes."""
        hours = service_hours.current(turn.session, self.hours)  # the console's setting, else the env's
        return chat_reply.in_time(hours, turn.now, queue.typical_wait(turn.session))

    # -- CHANGE at the confirm step ----------------------------------------------------------
    def _change_options(self, slots: dict[str, Any]) -> list[dict[str, str]]:
        """Numbered choices: the parts this form asked about, then "nothing"."""
        labels = self.spec["change"]["parts"]
        parts = [*form_rules.changeable(slots), "nothing"]
        return [{"key": str(n), "value": part, "label": labels[part]} for n, part in enumerate(parts, 1)]

    def _ask_change(self, turn: Turn) -> None:
        """Which part to change: a numbered choice, read out with its keys on the phone."""
        spec = self.spec["change"]
        options = self._change_options(turn.state.data["form"]["slots"])
        choices = tuple(Choice(o["key"], o["label"]) for o in options)
        turn.say(Reply(str(spec["ask"]).strip(), str(spec.get("spoken") or spec["ask"]).strip(), choices,
                       kind="prompt", expects="choice"))

    def _change(self, turn: Turn, answer: str) -> None:
        """Re-ask just the chosen part (and what depends on it); the form then comes back to confirm."""
        form = turn.state.data["form"]
        part = form_rules.choice(answer, self._change_options(form["slots"]))
        if part is None:
            turn.say(Reply(self._msg("invalid_choice"), self._msg("invalid_spoken"), kind="prompt"))
            self._ask(turn, CHANGE)
            return
        if part == "nothing":
            self._ask(turn, "confirm")
            return
        form["slots"] = form_rules.cleared_for_change(form["slots"], part)
        turn.say(Reply(self._msg("change")))
        form["requested"] = None
        self._run(turn, candidate=None)

    def summary_text(self, slots: dict[str, Any], concern: str | None = None) -> str:
        """Exactly what the caseworker will see, line by line (for a concern's contact form, its reference)."""
        content = self.engine.content
        domain_form = self.engine.runner.domain["forms"]["intake_form"]

        def label(slot: str) -> str:
            options = domain_form["choices"].get(slot, [])
            if slot == "contact_method":
                options = options.get(slots.get("channel"), [])
            return next((o["label"] for o in options if o["value"] == slots.get(slot)), str(slots.get(slot)))

        topic = content.topics.get(slots.get("topic", ""))
        if concern is not None:
            lines = [self._msg("summary_line_concern", reference=concern)]
        else:
            lines = [self._msg("summary_line_topic", value=topic.title if topic else label("topic"))]
        if slots.get("summary"):
            lines.append(self._msg("summary_line_words", value=slots["summary"]))
        if slots.get("school_phase"):
            lines.append(self._msg("summary_line_phase", value=label("school_phase")))
        if slots.get("ehc_plan"):
            lines.append(self._msg("summary_line_plan", value=label("ehc_plan")))
        if slots.get("consent_contact"):
            method = label("contact_method")
            detail = slots.get("contact_detail")
            lines.append(self._msg("summary_line_contact", value=f"{method} {detail}" if detail else method))
            if slots.get("safe_times"):
                lines.append(self._msg("summary_line_times", value=label("safe_times")))
            if slots.get("consent_voicemail") is not None:
                lines.append(self._msg("summary_line_voicemail", value=LABELS[slots["consent_voicemail"]]))
            if slots.get("consent_name_service") is not None:
                lines.append(self._msg("summary_line_name", value=LABELS[slots["consent_name_service"]]))
        else:
            lines.append(self._msg("summary_line_contact", value=self._msg("no_contact")))
        return "\n".join(lines)

    def _record_consent(self, turn: Turn, slot: str, granted: bool) -> None:
        purpose = self.spec["slots"][slot]["purpose"]
        consents = turn.state.data["form"]["consents"]
        consents[:] = [c for c in consents if c["purpose"] != purpose]
        consents.append({"purpose": purpose, "granted": granted, "version": self.version,
                         "at": turn.now.isoformat()})

    def _end(self, turn: Turn) -> None:
        turn.state.data.pop("form", None)
        turn.state.data["step"] = "idle"
        checkpoint_after_commit(turn.session)  # the dropped answers must not stay readable in the -wal file
