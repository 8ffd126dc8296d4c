"""A parent hurt or frightened by their own child (policy 7.1: the parent, the other children and the child may all be
at risk), through the real signed SMS webhook.

Before, "my son hit me", "im scared of my son" and the rest got no safety response at all (a child's behaviour, read
as everyday), then a topic guess; "he attacks his little sister" was only asked about, and "my son broke my nose"
got nothing.
"""

from __future__ import annotations

import pytest
from flask import Flask

from tests.conftest import SmsActions
from tests.integration.test_safeguarding_missed_phrases import NSPCC, urgent
from tests.integration.test_safety_young_person import EMERGENCY

PARENT_QUESTION = "Is a child in danger, or being hurt, now or at other times?"
SAMARITANS = "116 123"


@pytest.mark.parametrize(
    "message",
    [
        "im scared of my son",
        "my son hit me",
        "my autistic son attacks me when he is overwhelmed",
        "my 15 year old daughter punched me and broke my glasses",
        "im frightened of my teenager, he smashes the house up",
    ],
)
def test_by_sms_a_child_s_violence_towards_the_parent_asks_about_their_safety_and_a_no_offers_a_caseworker(
    app: Flask, sms: SmsActions, message: str
) -> None:
    replies = "\n".join(sms.send(message))
    assert PARENT_QUESTION in replies and SAMARITANS in replies, replies
    assert "Did you mean" not in replies and not urgent(app)
    [offer] = sms.send("no")
    assert "HUMAN" in offer and "Did you mean" not in offer, offer  # a caseworker, not a topic answer
    assert not urgent(app)


def test_a_yes_to_the_question_makes_it_urgent(app: Flask, sms: SmsActions) -> None:
    sms.send("my son hit me")
    replies = "\n".join(sms.send("yes"))
    assert EMERGENCY in replies and NSPCC in replies, replies
    assert len(urgent(app)) == 1


@pytest.mark.parametrize(
    "message",
    ["he attacks his little sister", "she held a knife to me", "my son held a knife to me", "my son broke my nose"],
)
def test_by_sms_a_weapon_a_serious_injury_or_a_sibling_attacked_is_urgent_at_once(
    app: Flask, sms: SmsActions, message: str
) -> None:
    safety, *_ = sms.send(message)
    assert safety.startswith(EMERGENCY) and NSPCC in safety and PARENT_QUESTION not in safety, safety
    [concern] = urgent(app)
    assert concern.reference in safety


@pytest.mark.parametrize(
    "message",
    [
        "my son hits other children at school what can the school do",
        "he lashes out at school and they want to exclude him",
        "my daughter kicks off when she gets home from school",
        "how do I get help with his challenging behaviour",
        "im scared of my son being excluded",
    ],
)
def test_a_child_s_behaviour_at_school_is_not_urgent_and_not_asked(app: Flask, sms: SmsActions, message: str) -> None:
    replies = "\n".join(sms.send(message))
    assert "999" not in replies and "in danger, or being hurt" not in replies, replies
    assert not urgent(app)
