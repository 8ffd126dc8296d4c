"""The general-enquiry answer as a rasa-sdk action: the topic slot in, the answer from the domain out."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher


class ActionAnswerEnquiry(Action):
    """Answer the parent's question from the content the domain carries (no identity needed)."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_answer_enquiry"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Utter the topic's answer plus the way to more help; remember the topic for the hand-off."""
        topic = tracker.get_slot("topic")
        responses = domain.get("responses", {})
        variants = responses.get(f"utter_topic_{topic}")
        if not variants:
            dispatcher.utter_message(response="utter_not_understood")
            return [SlotSet("topic", None)]
        answer = variants[0]
        # A menu follows some answers (a greeting); it already says where to go next.
        footer = {} if answer.get("custom", {}).get("then") == "menu" else responses.get("utter_more_help", [{}])[0]
        spoken = answer.get("custom", {}).get("spoken", answer["text"])
        spoken_footer = footer.get("custom", {}).get("spoken", footer.get("text", ""))
        dispatcher.utter_message(
            text=f"{answer['text']}\n{footer.get('text', '')}".strip(),
            json_message={"topic": topic, "spoken": f"{spoken} {spoken_footer}".strip()},
        )
        return [SlotSet("last_topic", topic)]
