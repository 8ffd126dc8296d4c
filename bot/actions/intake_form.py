"""The intake form's validation as a rasa-sdk FormValidationAction; the rules live in intake.form_rules."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from intake import form_rules

Result = dict[str, Any]


class ValidateIntakeForm(FormValidationAction):
    """Checks each answer; `{slot: None}` rejects it and the engine asks again."""

    def name(self) -> str:
        """The form's validation action, as named in the domain."""
        return "validate_intake_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[str]:
        """Only the questions this enquiry needs, given what the parent has answered."""
        form = domain["forms"]["intake_form"]
        category = tracker.get_slot("category") or "default"
        facts = form["facts_by_category"].get(category, form["facts_by_category"]["default"])
        return form_rules.required_slots(tracker.slots, tracker.get_slot("channel") or "sms", facts)

    def _options(self, slot: str, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, str]]:
        choices = domain["forms"]["intake_form"]["choices"]
        if slot == "contact_method":
            offered = choices["contact_method"].get(tracker.get_slot("channel") or "sms", [])
            return form_rules.contact_methods(offered, tracker.get_slot("number_known") is not False)
        return list(choices.get(slot, []))

    @staticmethod
    def _number_words(domain: dict[str, Any]) -> dict[str, str]:
        """flows/intake.yaml `number_words` ("five" -> 5), which a stock action server knows only from the domain."""
        return dict(domain["forms"]["intake_form"].get("number_words") or {})

    def _yes_no(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                domain: dict[str, Any]) -> Result:
        # Where the question lists no numbers (SMS), a bare "1" is a habit from the menus, never consent.
        shown = form_rules.numbers_shown(tracker.get_slot("channel") or "sms")
        if not shown and form_rules.numbered(value, self._number_words(domain)) is not None:
            dispatcher.utter_message(response="utter_yes_no_in_words")
            return {slot: None}
        answer = form_rules.yes_no(value)
        if answer is None:
            dispatcher.utter_message(response="utter_invalid_yes_no")
        return {slot: answer}

    def _choice(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                domain: dict[str, Any]) -> Result:
        answer = form_rules.choice(value, self._options(slot, tracker, domain), self._number_words(domain))
        if answer is None:
            dispatcher.utter_message(response="utter_invalid_choice")
        return {slot: answer}

    def validate_consent_keep(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: dict[str, Any]) -> Result:
        """Consent to keep the enquiry's details."""
        return self._yes_no("consent_keep", value, dispatcher, tracker, domain)

    def validate_topic(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                       domain: dict[str, Any]) -> Result:
        """What the enquiry is about (a topic category)."""
        result = self._choice("topic", value, dispatcher, tracker, domain)
        return result | {"category": result["topic"]} if result["topic"] else result

    def validate_summary(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                         domain: dict[str, Any]) -> Result:
        """The parent's own words; personal details it contains are flagged, not silently kept."""
        text, problem, found = form_rules.summary(value, self._number_words(domain))
        if problem:
            dispatcher.utter_message(response=f"utter_{problem}")
            return {"summary": None}
        return {"summary": text, "summary_pii": found or None, "pii_keep": None}

    def validate_pii_keep(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: dict[str, Any]) -> Result:
        """Keep the personal details found in the summary (YES) or take them out (NO)."""
        return self._yes_no("pii_keep", value, dispatcher, tracker, domain)

    def validate_school_phase(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: dict[str, Any]) -> Result:
        """Stage of education."""
        return self._choice("school_phase", value, dispatcher, tracker, domain)

    def validate_ehc_plan(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: dict[str, Any]) -> Result:
        """Whether there is an EHC plan."""
        return self._choice("ehc_plan", value, dispatcher, tracker, domain)

    def validate_consent_contact(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: dict[str, Any]) -> Result:
        """Consent to be contacted back."""
        return self._yes_no("consent_contact", value, dispatcher, tracker, domain)

    def validate_contact_method(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: dict[str, Any]) -> Result:
        """How to contact the parent; a changed method clears what depended on the old one."""
        result = self._choice("contact_method", value, dispatcher, tracker, domain)
        if result["contact_method"]:
            result |= {"contact_detail": None, "safe_times": None, "consent_voicemail": None}
        return result

    def validate_contact_detail(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: dict[str, Any]) -> Result:
        """A phone number or e-mail address, checked for shape."""
        method = tracker.get_slot("contact_method") or ""
        detail = form_rules.contact_detail(value, method)
        if detail is None:
            dispatcher.utter_message(response="utter_bad_email" if method == "email" else "utter_bad_phone")
        return {"contact_detail": detail}

    def validate_safe_times(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: dict[str, Any]) -> Result:
        """When it is safe to call or text."""
        return self._choice("safe_times", value, dispatcher, tracker, domain)

    def validate_consent_voicemail(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: dict[str, Any]) -> Result:
        """Consent to leave a voicemail or message."""
        return self._yes_no("consent_voicemail", value, dispatcher, tracker, domain)

    def validate_consent_name_service(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: dict[str, Any]) -> Result:
        """Consent to say the service's name."""
        return self._yes_no("consent_name_service", value, dispatcher, tracker, domain)

    def validate_confirm(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                         domain: dict[str, Any]) -> Result:
        """Send (yes), change something (change), or send nothing (no): a number is the answer shown with it."""
        channel = tracker.get_slot("channel") or "sms"
        answers = domain["forms"]["intake_form"]["confirm_answers"]["voice" if channel == "voice" else "text"]
        decided = form_rules.confirm_answer(value, answers, channel, self._number_words(domain))
        if decided is None:
            dispatcher.utter_message(response="utter_invalid_confirm")
        return {"confirm": decided}
