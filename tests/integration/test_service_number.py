"""Asking for a number to call gets our office number and hours, not the child-protection helplines.

User-journey review: "what number do i ring", "i need a number to call" and "wrong number" got the NSPCC, Childline
and children's services numbers. Through the signed SMS webhook; the helplines still come when asked for. A wrong
number is not a question the NLU is sure of (tests/data/nlu_eval.yaml would decline it): it is offered our hours
and number first, never sent the child-protection numbers as if it had asked for them.
"""

from __future__ import annotations

import pytest

from tests.conftest import SmsActions

OFFICE = "Our office is open"
OUR_NUMBER = "01632 960000"
NSPCC = "0808 800 5000"


@pytest.mark.parametrize("asked", ["what number do i ring", "i need a number to call", "whats your phone number",
                                   "what number can i call you on"])
def test_asking_for_a_number_to_call_gets_our_office_number_and_hours(sms: SmsActions, asked: str) -> None:
    reply = "\n".join(sms.send(asked))
    assert OFFICE in reply and OUR_NUMBER in reply and NSPCC not in reply, reply


def test_a_wrong_number_is_not_sent_the_child_protection_numbers(sms: SmsActions) -> None:
    reply = "\n".join(sms.send("wrong number"))
    assert NSPCC not in reply and "Opening hours and phone number" in reply, reply


def test_after_a_hand_off_too(sms: SmsActions) -> None:
    sms.hand_off()
    reply = "\n".join(sms.send("what number do i ring"))
    assert OFFICE in reply and OUR_NUMBER in reply and NSPCC not in reply, reply


@pytest.mark.parametrize("asked", ["childline number", "what is the number for the nspcc"])
def test_the_helplines_still_come_when_asked_for(sms: SmsActions, asked: str) -> None:
    assert NSPCC in "\n".join(sms.send(asked))
