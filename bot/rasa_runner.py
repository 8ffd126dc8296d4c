"""Runs the rasa-sdk actions in-process through the SDK's own ActionExecutor."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from rasa_sdk.executor import ActionExecutor

from bot.actions import ActionAnswerEnquiry, ValidateIntakeForm
from bot.content import Content


@dataclass(frozen=True)
class ActionResult:
    """What an action sent back: slot events and messages."""

    events: list[dict[str, Any]]
    responses: list[dict[str, Any]]

    def slots(self) -> dict[str, Any]:
        """The slot values the action set, in order (later wins)."""
        return {e["name"]: e.get("value") for e in self.events if e.get("event") == "slot"}


FORM_SLOTS = [
    "consent_keep", "topic", "summary", "pii_keep", "school_phase", "ehc_plan", "consent_contact",
    "contact_method", "contact_detail", "safe_times", "consent_voicemail", "consent_name_service", "confirm",
]


def intake_form_domain(content: Content) -> dict[str, Any]:
    """The intake form as the validation action sees it: slots, choices, facts per category."""
    slots = content.intake.get("slots", {})
    choices: dict[str, Any] = {name: spec["choices"] for name, spec in slots.items() if "choices" in spec}
    choices["contact_method"] = slots.get("contact_method", {}).get("choices_by_channel", {})
    choices["topic"] = [
        {"key": str(i), "value": c.id, "label": c.title, "sms_label": c.title_for("sms")}
        for i, c in enumerate(content.categories, 1)
    ]
    return {
        "required_slots": FORM_SLOTS,
        "facts_by_category": content.intake.get("facts_by_category", {"default": []}),
        "choices": choices,
        # The confirm step's answers as shown (typed, keypad), each with its decision: a number means the one
        # in that position. And the number words, so "five" is understood by a stock action server too.
        "confirm_answers": slots.get("confirm", {}).get("answers", {}),
        "number_words": {str(word): str(digit) for word, digit in (content.intake.get("number_words") or {}).items()},
    }


def build_domain(content: Content) -> dict[str, Any]:
    """The rasa domain the actions read: topic answers as responses, slots and forms."""
    responses: dict[str, list[dict[str, Any]]] = {
        f"utter_topic_{topic.id}": [
            {"text": topic.answer, "custom": {"spoken": topic.spoken, "then": topic.action or ""}}
        ]
        for topic in content.topics.values()
    }
    responses["utter_more_help"] = [
        {"text": content.text("footer"), "custom": {"spoken": content.spoken("footer")}}
    ]
    responses["utter_not_understood"] = [{"text": content.text("not_understood")}]
    wording = content.intake.get("messages", {})
    detail = content.intake.get("slots", {}).get("contact_detail", {})
    for name, text in {
        "invalid_yes_no": wording.get("invalid_yes_no"),
        "yes_no_in_words": wording.get("yes_no_in_words"),
        "invalid_choice": wording.get("invalid_choice"),
        "invalid_confirm": wording.get("invalid_confirm") or wording.get("invalid_yes_no"),
        "summary_too_short": wording.get("summary_too_short"),
        "summary_too_long": wording.get("summary_too_long"),
        "bad_phone": detail.get("bad_phone"),
        "bad_email": detail.get("bad_email"),
    }.items():
        if text:
            responses[f"utter_{name}"] = [{"text": str(text).strip()}]
    forms = {"intake_form": intake_form_domain(content)} if content.intake else {}
    return {
        "version": "3.1",
        "intents": ["general_enquiry"],
        "slots": {name: {"type": "any"} for name in [*FORM_SLOTS, "last_topic", "channel", "category",
                                                       "summary_pii", "requested_slot", "number_known"]},
        "responses": responses,
        "forms": forms,
        "actions": ["action_answer_enquiry", "validate_intake_form"],
    }


class ActionRunner:
    """Calls actions by name with a tracker built from the conversation's slots."""

    def __init__(
        self, domain: dict[str, Any], actions: tuple[Any, ...] = (ActionAnswerEnquiry, ValidateIntakeForm)
    ) -> None:
        self.domain = domain
        self.executor = ActionExecutor()
        for action in actions:
            self.executor.register_action(action)

    def _execute(self, payload: dict[str, Any]) -> Any:
        # Our actions never await real I/O, so the executor's coroutine finishes on its first step;
        # driving it directly avoids an event loop per turn. An action that does suspend gets a real loop.
        coroutine = self.executor.run(payload)
        try:
            coroutine.send(None)
        except StopIteration as finished:
            return finished.value
        coroutine.close()
        return asyncio.run(self.executor.run(payload))

    def run(
        self,
        action: str,
        sender_id: str,
        slots: dict[str, Any],
        events: list[dict[str, Any]] | None = None,
        active_loop: str | None = None,
    ) -> ActionResult:
        """Run one action and return its events and messages."""
        payload = {
            "next_action": action,
            "sender_id": sender_id,
            "tracker": {
                "sender_id": sender_id,
                "slots": slots,
                "latest_message": {},
                "events": events or [],
                "active_loop": {"name": active_loop} if active_loop else {},
                "latest_action_name": "action_listen",
            },
            "domain": self.domain,
        }
        result = self._execute(payload)
        if result is None:
            return ActionResult([], [])
        return ActionResult(list(result.events), list(result.responses))
