"""A parent who texts or chats their reference with something new: it joins their enquiry, and they are told.

The code alone (or with only the words that introduce it, thanks, or "any news?") still gets where the enquiry
is. From any other phone or chat, a quoted reference gets one fixed reply whether or not the code exists, and
nothing is ever added to someone else's enquiry (policy 2.1).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from intake import queue
from intake.db import unit_of_work
from intake.models import Enquiry
from tests.conftest import ALWAYS_OPEN, ChatActions, SmsActions, make_app
from tests.integration.test_queued_case import chat_hand_off

ADDED = "We have added this to your enquiry"
PASSED = "passed this to the caseworker"
STATUS = "number 1 in the queue"
STRANGER = "+447700900777"
NEIGHBOUR = "+447700900888"
UNUSED = "ZZZ-999"  # never issued in these tests: each app starts on an empty database
NEWS = "also he has been excluded today"


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    """Always open: where an enquiry is in the queue never depends on the hour."""
    return make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)


def notes(app: Flask, reference: str) -> list[str]:
    """What the parent sent that is kept on this enquiry, decrypted as the case page shows it."""
    with app.extensions["intake"].sessions() as session:
        enquiry = session.scalars(select(Enquiry).where(Enquiry.reference == reference)).one()
        return [app.extensions["intake"].keys.decrypt(n.body) for n in enquiry.notes]


def said(sms: SmsActions, message: str, number: str | None = None) -> str:
    return "\n".join(sms.send(message, number=number))


def test_reference_with_news_by_text_joins_the_waiting_enquiry_and_the_bare_code_still_gets_its_status(
    app: Flask, sms: SmsActions
) -> None:
    reference = sms.hand_off()
    message = f"{reference} {NEWS}"
    reply = said(sms, message)
    assert f"{ADDED} {reference}" in reply and STATUS not in reply
    assert notes(app, reference) == [message]  # kept as the parent wrote it, reference and all
    for bare in (reference, f"my reference is {reference}", f"any news on {reference}?", f"{reference} thanks",
                 f"ref {reference.replace('-', ' ').lower()}"):
        reply = said(sms, bare)
        assert STATUS in reply and ADDED not in reply, bare
    assert notes(app, reference) == [message]


def test_reference_with_news_in_the_web_chat_is_minimised_like_any_addition(app: Flask, chat: ChatActions) -> None:
    reference = chat_hand_off(chat)
    reply = chat.texts(f"hi my reference is {reference.lower()}, my new number is 07700 900456 and he was excluded")
    assert f"{ADDED} {reference}" in reply and "took out a phone number" in reply
    [note] = notes(app, reference)
    assert "07700" not in note and "[phone number removed]" in note and "he was excluded" in note
    assert STATUS in chat.texts(f"ref {reference}")
    assert len(notes(app, reference)) == 1


def test_reference_with_asking_to_add_something_is_told_to_go_ahead(app: Flask, sms: SmsActions) -> None:
    reference = sms.hand_off()
    reply = said(sms, f"{reference} can i add something?")
    assert "send it" in reply.lower() and reference in reply and ADDED not in reply
    assert notes(app, reference) == []
    assert ADDED in said(sms, "the school rang again today")


def test_reference_with_news_after_a_caseworker_has_it_is_passed_on(app: Flask, sms: SmsActions) -> None:
    reference = sms.hand_off()  # "No, I will contact you"
    with unit_of_work(app.extensions["intake"].sessions) as session:
        queue.claim(session, "alice", reference)
    message = f"{reference}: the school rang, he is excluded until friday"
    reply = said(sms, message)
    assert PASSED in reply and reference in reply
    assert notes(app, reference) == [message]
    status = said(sms, reference)  # the code alone: where it is, true to the contact agreed
    assert "You said you would contact us" in status and PASSED not in status
    assert notes(app, reference) == [message]


def test_only_the_phone_or_chat_that_made_the_enquiry_adds_to_it_by_quoting_its_reference(
    app: Flask, sms: SmsActions, chat: ChatActions
) -> None:
    reference = sms.hand_off()
    # Another phone: the one fixed reply, the same as for a code never issued; nothing is kept anywhere.
    said(sms, "hello", number=STRANGER)
    real = said(sms, f"{reference} {NEWS}", number=STRANGER)
    made_up = said(sms, f"{UNUSED} {NEWS}", number=STRANGER)
    assert real == made_up and "For your privacy" in real
    for giveaway in (reference, "queue", ADDED, PASSED):
        assert giveaway not in real
    # A new web chat likewise.
    assert chat.texts(f"{reference} {NEWS}") == chat.texts(f"{UNUSED} {NEWS}")
    # A phone with its own waiting enquiry, quoting someone else's reference: added to neither.
    neighbour = SmsActions(sms.client, NEIGHBOUR)
    own = neighbour.hand_off()
    assert said(neighbour, f"{reference} {NEWS}") == made_up
    assert notes(app, reference) == [] and notes(app, own) == []
    # The phone that made it adds to its own enquiry only.
    assert f"{ADDED} {reference}" in said(sms, f"{reference} {NEWS}")
    assert notes(app, reference) == [f"{reference} {NEWS}"] and notes(app, own) == []
