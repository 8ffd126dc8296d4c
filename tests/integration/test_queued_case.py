"""While an enquiry waits in the queue: what its parent adds joins it, questions are answered, news is true."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, update

from bot.content import sms_segments
from intake.db import unit_of_work
from intake.models import Conversation, Enquiry, utcnow
from tests.conftest import ALWAYS_OPEN, ChatActions, SmsActions, make_app
from tests.integration.test_console import set_clock
from tests.integration.test_console_rights import MORNING, claimed

ADDED = "We have added this to your enquiry"
SEEN = "The caseworker who picks it up will see it"
EPILEPSY = "i forgot to say she also has epilepsy and misses lots of school"
REFUSED = "can i add something, the school said no to ehcp assesment today"


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    """Always open: where an enquiry is in the queue, and a reply in the web chat, never depend on the hour."""
    return make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)


def said(sms: SmsActions, message: str) -> str:
    return "\n".join(sms.send(message))


def notes(app: Flask) -> list[str]:
    """The parent's messages kept on their one enquiry, decrypted as the case page shows them."""
    with app.extensions["intake"].sessions() as session:
        enquiry = session.scalars(select(Enquiry)).one()
        return [app.extensions["intake"].keys.decrypt(n.body) for n in enquiry.notes]


def case_page(app: Flask, reference: str) -> str:
    """The case page once a caseworker has claimed the enquiry from the queue."""
    set_clock(app, MORNING)
    auth = claimed(app, reference)
    response = auth.client.get(f"/caseworker/case/{reference}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def chat_hand_off(chat: ChatActions) -> str:
    """Ask for a caseworker in the web chat and agree to be contacted there; returns the reference."""
    for message in ("HUMAN", "yes", "1", "Support at school has stopped", "3", "4", "yes", "1"):
        chat.say(message)
    return re.findall(r"[A-Z]{3}-\d{3}", chat.texts("yes"))[0]


def test_what_a_parent_adds_while_waiting_joins_their_enquiry_and_the_caseworker_sees_it(
    app: Flask, sms: SmsActions
) -> None:
    reference = sms.hand_off()  # "No, I will contact you"
    added = said(sms, EPILEPSY)
    assert f"{ADDED} {reference}" in added and "Did you mean" not in added
    # They said they would contact us: nobody is promised to call them back.
    assert "You said you would contact us" in added and "01632 960000" in added
    added = said(sms, REFUSED)  # "can i..." asks nothing: it announces something to add
    assert f"{ADDED} {reference}" in added and "ribunal" not in added
    assert sms_segments(added) == 1  # one text, paid for by the service
    assert "SENCO" in said(sms, "what is a senco")  # a question is still answered, and not put on the case
    assert notes(app) == [EPILEPSY, REFUSED]
    page = case_page(app, reference)
    assert "she also has epilepsy and misses lots of school" in page
    assert "the school said no to ehcp assesment today" in page and "what is a senco" not in page


def test_names_and_numbers_added_while_waiting_are_taken_out_and_the_parent_told(
    app: Flask, chat: ChatActions
) -> None:
    reference = chat_hand_off(chat)  # contact agreed, in this chat
    reply = chat.texts("my name is Jo Bloggs, my new number is 07700 900456")
    assert f"{ADDED} {reference}. {SEEN}" in reply
    assert "took out a name and a phone number" in reply and "To change how we contact you" in reply
    [note] = notes(app)
    assert "Jo Bloggs" not in note and "07700" not in note and "[phone number removed]" in note


def test_thanks_yes_and_numbers_are_not_added_to_the_enquiry(app: Flask, chat: ChatActions) -> None:
    chat_hand_off(chat)
    assert ADDED not in chat.texts("thanks")
    assert ADDED not in chat.texts("ok")
    assert ADDED not in chat.texts("2")
    assert ADDED in chat.texts("he has been off school for three weeks")
    assert notes(app) == ["he has been off school for three weeks"]


def test_asking_if_they_may_add_something_is_told_to_go_ahead_and_nothing_is_kept(
    app: Flask, sms: SmsActions
) -> None:
    reference = sms.hand_off()
    reply = said(sms, "can i add something?")
    assert "send it" in reply.lower() and reference in reply and ADDED not in reply
    assert notes(app) == []
    assert ADDED in said(sms, "she was excluded on friday")
    assert notes(app) == ["she was excluded on friday"]


def test_a_message_after_the_chat_state_expired_still_joins_the_waiting_enquiry(app: Flask, sms: SmsActions) -> None:
    reference = sms.hand_off()
    with unit_of_work(app.extensions["intake"].sessions) as session:  # the next day: the chat state has gone
        session.execute(update(Conversation).values(expires_at=utcnow() - timedelta(minutes=1)))
    reply = said(sms, EPILEPSY)
    assert f"{ADDED} {reference}" in reply and "unfinished" not in reply
    assert notes(app) == [EPILEPSY]


def test_a_hello_first_after_the_chat_state_expired_does_not_lose_what_follows(app: Flask, sms: SmsActions) -> None:
    reference = sms.hand_off()
    with unit_of_work(app.extensions["intake"].sessions) as session:
        session.execute(update(Conversation).values(expires_at=utcnow() - timedelta(minutes=1)))
    assert ADDED not in said(sms, "hello")
    assert f"{ADDED} {reference}" in said(sms, EPILEPSY)
    assert notes(app) == [EPILEPSY]


def test_safety_still_comes_first_and_what_follows_joins_the_now_urgent_enquiry(app: Flask, sms: SmsActions) -> None:
    reference = sms.hand_off()
    risk = said(sms, "i forgot to say my ex hits our son")
    assert risk.startswith("If a child is in immediate danger, call 999 now.") and reference in risk
    assert ADDED not in risk  # the safety reply stands alone
    added = said(sms, "he is 7 and autistic")
    assert f"{ADDED} {reference}" in added
    with app.extensions["intake"].sessions() as session:
        enquiry = session.scalars(select(Enquiry)).one()
        assert enquiry.priority == "urgent" and enquiry.status == "queued"
    # the disclosure is kept for the duty caseworker as the parent wrote it, then what they added
    assert notes(app) == ["i forgot to say my ex hits our son", "he is 7 and autistic"]


def test_any_news_while_waiting_says_where_the_enquiry_is(app: Flask, sms: SmsActions, chat: ChatActions) -> None:
    reference = sms.hand_off()
    for asked in ("any news?", "Any update", "whats happening with my enquiry", "has anyone looked at it yet"):
        reply = said(sms, asked)
        assert f"No news yet: your enquiry {reference} is still waiting for a caseworker" in reply, asked
        assert "number 1 in the queue" in reply and "6 months" not in reply and sms_segments(reply) == 1
    assert notes(app) == []  # asking for news is not something to add to the case
    other = chat_hand_off(chat)
    assert f"No news yet: your enquiry {other} is still waiting" in chat.texts("any news")


def test_any_news_on_an_enquiry_made_urgent_gives_no_status_and_no_topic_answer(app: Flask, sms: SmsActions) -> None:
    reference = sms.hand_off()
    assert reference in said(sms, "my ex hits our son")
    reply = said(sms, "any news?")  # a safety concern gets no status, as when its reference is quoted
    assert f"Your enquiry {reference} is already with us" in reply
    assert "queue" not in reply and "6 months" not in reply


def test_an_addition_that_raised_the_safety_question_joins_the_enquiry_after_no(app: Flask, sms: SmsActions) -> None:
    reference = sms.hand_off()
    assert "child in danger" in said(sms, "also the school restrained him").lower()  # the safety question
    added = said(sms, "no")
    assert f"{ADDED} {reference}" in added
    assert notes(app) == ["also the school restrained him"]


def test_after_yes_to_the_safety_question_the_safety_reply_stands_alone(app: Flask, sms: SmsActions) -> None:
    reference = sms.hand_off()
    said(sms, "also the school restrained him")
    risk = said(sms, "yes")
    assert f"passed your enquiry {reference} on as urgent" in risk and ADDED not in risk
    assert notes(app) == ["also the school restrained him"]  # what they confirmed, kept for the duty caseworker
    assert f"{ADDED} {reference}" in said(sms, "it happened twice this week")  # and it is still theirs to add to


def test_forget_withdraws_the_enquiry_with_what_was_added_while_it_waited(app: Flask, sms: SmsActions) -> None:
    reference = sms.hand_off()
    said(sms, EPILEPSY)
    assert notes(app) == [EPILEPSY]
    assert f"withdrawn enquiry {reference}" in said(sms, "FORGET")
    assert notes(app) == []
