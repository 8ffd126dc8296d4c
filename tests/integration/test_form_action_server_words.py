"""The stock rasa-sdk action server, which never builds the form, reads the form's word lists from the domain:
"five" picks choice 5 there too, and numbers answer a yes/no question only where numbers are shown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.integration.test_rasa_action_server import action_server, call, domain

__all__ = ["action_server"]  # the module-scoped fixture, shared


def validated(url: str, tmp_path: Path, channel: str, slot: str, value: str, **slots: Any) -> Any:
    """What the stock server's validation made of `value` as the answer to `slot`."""
    result = call(url, {
        "next_action": "validate_intake_form", "sender_id": "w1",
        "tracker": {
            "sender_id": "w1", "slots": {"channel": channel, "requested_slot": slot, **slots},
            "events": [{"event": "slot", "name": slot, "value": value}],
            "active_loop": {"name": "intake_form"},
        },
        "domain": domain(tmp_path),
    })
    return {e["name"]: e["value"] for e in result["events"] if e["event"] == "slot"}.get(slot)


@pytest.mark.parametrize(("said", "phase"), [("five", "none"), ("option two", "primary"), ("5", "none")])
def test_a_choice_named_in_words_is_understood_by_the_stock_server(action_server: str, tmp_path: Path,
                                                                   said: str, phase: str) -> None:
    assert validated(action_server, tmp_path, "sms", "school_phase", said, consent_keep=True) == phase


def test_a_bare_number_by_sms_is_no_consent_on_the_stock_server_either(action_server: str, tmp_path: Path) -> None:
    assert validated(action_server, tmp_path, "sms", "consent_keep", "1") is None
    assert validated(action_server, tmp_path, "web", "consent_keep", "1") is True


def test_the_web_confirm_numbers_follow_the_buttons_on_the_stock_server(action_server: str, tmp_path: Path) -> None:
    answered = {"consent_keep": True, "topic": "support", "summary": "words", "consent_contact": False}
    assert validated(action_server, tmp_path, "web", "confirm", "2", **answered) == "change"
    assert validated(action_server, tmp_path, "voice", "confirm", "2", **answered) == "no"
