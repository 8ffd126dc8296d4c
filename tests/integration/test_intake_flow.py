"""Consent-first hand-off through real conversations: every NO path, minimisation, confirm, withdraw."""

from __future__ import annotations

import re

from sqlalchemy import select

from intake.crypto import KeyRing
from intake.models import ConsentRecord, Enquiry
from tests.conftest import ChatActions, SmsActions


def enquiries(app) -> list[Enquiry]:
    with app.extensions["intake"].sessions() as session:
        return list(session.scalars(select(Enquiry)))


def consents(app) -> list[tuple[str, bool, str, str]]:
    with app.extensions["intake"].sessions() as session:
        rows = session.scalars(select(ConsentRecord).order_by(ConsentRecord.id))
        return [(r.purpose, r.granted, r.wording_version, r.channel) for r in rows]


def keys(app) -> KeyRing:
    return app.extensions["intake"].keys


def run(sms: SmsActions, *messages: str) -> str:
    """Send messages in order; return the last reply joined."""
    reply: list[str] = []
    for message in messages:
        reply = sms.send(message)
    return "\n".join(reply)


def test_consent_prompt_says_what_why_who_and_no_sharing(sms: SmsActions) -> None:
    prompt = run(sms, "what is a senco", "HUMAN").lower()
    for point in ("keep", "caseworkers", "school", "council", "permission", "yes or no"):
        assert point in prompt


def test_no_to_keeping_details_keeps_nothing_and_still_helps(app, sms: SmsActions) -> None:
    reply = run(sms, "HUMAN", "no")
    assert "01632 960000" in reply and "won't keep anything" in reply
    assert enquiries(app) == []
    assert "6 weeks" in run(sms, "how long does the council have to decide on an ehc assessment")


def test_full_sms_hand_off_with_consents_recorded(app, sms: SmsActions) -> None:
    run(sms, "what is a senco", "HUMAN", "yes", "The school won't put support in place", "2", "1", "yes", "1")
    assert "voicemail" not in run(sms, "1")  # a text leaves no voicemail: only safe times, then who we are
    confirm = run(sms, "yes")
    assert "exactly what a caseworker will see" in confirm
    assert "Your words: The school won't put support in place" in confirm
    assert "Voicemail" not in confirm
    done = run(sms, "YES")
    reference = re.search(r"reference is ([A-Z]{3}-\d{3})", done).group(1)
    assert "in the queue" in done or "closed" in done
    [enquiry] = enquiries(app)
    assert enquiry.reference == reference and enquiry.status == "queued" and enquiry.topic == "senco"
    assert keys(app).decrypt(enquiry.summary) == "The school won't put support in place"
    assert keys(app).decrypt_json(enquiry.contact) == {"method": "sms_this", "number": sms.number}
    assert enquiry.voicemail_ok is False and enquiry.name_service_ok is True
    assert keys(app).decrypt_json(enquiry.facts) == {"school_phase": "primary", "ehc_plan": "yes"}
    recorded = {(p, g) for p, g, _, _ in consents(app)}
    assert recorded == {("keep_details", True), ("contact", True), ("name_service", True)}
    assert all(v == "intake-1" and c == "sms" for _, _, v, c in consents(app))


def test_no_to_contact_gives_reference_to_quote_and_stores_no_number(app, sms: SmsActions) -> None:
    done = run(sms, "HUMAN", "yes", "1", "Question about support plans", "2", "4", "no", "yes")
    assert "quote it" in done.lower() and "01632 960000" in done
    [enquiry] = enquiries(app)
    assert enquiry.contact is None
    assert ("contact", False) in {(p, g) for p, g, _, _ in consents(app)}


def test_personal_details_in_free_text_are_removed_unless_kept(app, chat: ChatActions) -> None:
    chat.say("HUMAN")
    chat.say("yes")
    chat.say("1")
    warning = chat.texts("My daughter Poppy Jones needs help, ring 07700 900987")
    assert "a name and a phone number" in warning
    chat.say("no")
    chat.say("2")
    chat.say("2")
    confirm = chat.texts("no")
    assert "Poppy" not in confirm and "900987" not in confirm
    assert "[name removed]" in confirm and "[phone number removed]" in confirm
    chat.say("yes")
    [enquiry] = enquiries(app)
    summary = keys(app).decrypt(enquiry.summary)
    assert "Poppy" not in summary and "07700" not in summary


def test_change_lets_the_parent_rewrite_before_sending(app, chat: ChatActions) -> None:
    for message in ("HUMAN", "yes", "1", "first words here", "2", "2", "no"):
        chat.say(message)
    menu = chat.texts("CHANGE")
    assert "What do you want to change" in menu and "1 Your words" in menu
    assert "change that" in chat.texts("1")
    confirm = chat.texts("better words here")  # the other answers are kept: straight back to confirm
    assert "better words here" in confirm and "first words here" not in confirm
    chat.say("yes")
    [enquiry] = enquiries(app)
    assert keys(app).decrypt(enquiry.summary) == "better words here"


def test_no_at_confirm_sends_nothing(app, chat: ChatActions) -> None:
    for message in ("HUMAN", "yes", "1", "some words", "2", "2", "no"):
        chat.say(message)
    assert "not sent anything" in chat.texts("NO")
    assert enquiries(app) == []


def test_web_chat_contact_in_this_chat(tmp_path) -> None:
    from tests.conftest import ALWAYS_OPEN, make_app

    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)  # a reply in the chat is offered only while we are open
    chat = ChatActions(app.test_client()).open()
    for message in ("HUMAN", "yes", "2", "Need help with an EHC request", "3", "4", "yes", "1"):
        reply = chat.texts(message)
    assert "exactly what a caseworker will see" in reply
    assert "Reply here in this chat" in reply
    assert "Your reference is" in chat.texts("yes")
    [enquiry] = enquiries(app)
    assert keys(app).decrypt_json(enquiry.contact) == {"method": "web_chat", "session_id": chat.session_id}


def test_invalid_answers_are_explained_and_the_question_repeated(chat: ChatActions) -> None:
    chat.say("HUMAN")
    assert "YES or NO" in chat.texts("maybe")
    chat.say("yes")
    reply = chat.texts("42")
    assert "numbers shown" in reply and "1 Help at school" in reply


def test_withdraw_erases_details_and_records_withdrawal(app, sms: SmsActions) -> None:
    sms.hand_off()
    [enquiry] = enquiries(app)
    reply = run(sms, "withdraw consent")
    assert enquiry.reference in reply and "withdrawn" in reply
    [enquiry] = enquiries(app)
    assert enquiry.summary is None and enquiry.facts is None and enquiry.status == "closed"
    assert ("keep_details", False) in {(p, g) for p, g, _, _ in consents(app)}


def test_reference_on_another_channel_gets_no_status(app, sms: SmsActions, chat: ChatActions) -> None:
    reference = sms.hand_off()
    reply = chat.texts(f"hi my reference is {reference.lower()}")
    assert "For your privacy" in reply and reference not in reply and "queue" not in reply


def test_asking_again_after_hand_off_does_not_duplicate(app, sms: SmsActions) -> None:
    sms.hand_off()
    again = run(sms, "HUMAN")
    assert "already waiting" in again
    assert len(enquiries(app)) == 1


def test_out_of_hours_says_when_we_are_back(tmp_path) -> None:
    from tests.conftest import make_app

    app = make_app(tmp_path, OFFICE_HOURS="Mon 00:00-00:01", BANK_HOLIDAYS="")
    sms = SmsActions(app.test_client())
    done = run(sms, "HUMAN", "yes", "1", "Please help with support", "2", "1", "yes", "1", "1", "no", "yes")
    assert "We are closed now" in done and "9am" not in done and "12am" in done


def test_bot_steps_back_once_a_caseworker_has_it(app, sms: SmsActions) -> None:
    from intake import queue
    from intake.db import unit_of_work

    sms.hand_off()
    with unit_of_work(app.extensions["intake"].sessions) as session:
        queue.claim(session, "alice")
    assert "SENCO" in run(sms, "what is a senco")  # a general question is still answered (policy 2.3)
    reply = run(sms, "he has had no support since September")
    assert "passed this to the caseworker" in reply
    with app.extensions["intake"].sessions() as session:
        [enquiry] = session.scalars(select(Enquiry)).all()
        notes = [(n.author, keys(app).decrypt(n.body)) for n in enquiry.notes]
    assert notes == [("parent (message)", "he has had no support since September")]
    assert "999" in run(sms, "my ex hits our son")  # safety still answered, and the case is now urgent
    # FORGET deletes what the parent gave, but a safety concern stays for the duty caseworker (policy 7.1):
    # back on top of the queue, since the caseworker who claimed it may be away.
    assert "deleted the details you gave" in run(sms, "FORGET")
    with app.extensions["intake"].sessions() as session:
        [enquiry] = session.scalars(select(Enquiry)).all()
        assert enquiry.priority == "urgent" and enquiry.status == "queued" and enquiry.summary is None
        assert enquiry.previous_caseworker == "alice"


def test_someone_else_quoting_a_reference_cannot_withdraw_or_write_to_it(app, sms: SmsActions, chat) -> None:
    from intake import queue
    from intake.db import unit_of_work

    reference = sms.hand_off()
    reply = chat.texts(f"my reference is {reference}")
    assert "For your privacy" in reply and "waiting for a caseworker" not in reply
    chat.say("FORGET")
    [enquiry] = enquiries(app)
    assert enquiry.status == "queued" and enquiry.summary is not None
    with unit_of_work(app.extensions["intake"].sessions) as session:
        queue.claim(session, "alice")
    stranger = ChatActions(sms.client).open()
    stranger.say(f"about {reference}: call me on another number instead")
    with app.extensions["intake"].sessions() as session:
        assert session.scalars(select(Enquiry)).one().notes == []


def test_messages_reach_the_caseworker_after_menu_and_after_the_chat_state_expired(app, sms: SmsActions) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from intake import queue
    from intake.db import unit_of_work
    from intake.models import Conversation, utcnow

    sms.hand_off()
    with unit_of_work(app.extensions["intake"].sessions) as session:
        queue.claim(session, "alice")
    run(sms, "MENU")
    assert "passed this to the caseworker" in run(sms, "he was sent home again today")
    with unit_of_work(app.extensions["intake"].sessions) as session:  # days later: the chat state has gone
        session.execute(update(Conversation).values(expires_at=utcnow() - timedelta(minutes=1)))
    assert "passed this to the caseworker" in run(sms, "any news?")
    assert "A caseworker has your enquiry" in run(sms, "HUMAN")
    with app.extensions["intake"].sessions() as session:
        notes = [n.author for n in session.scalars(select(Enquiry)).one().notes]
    assert notes == ["parent (message)", "parent (message)"]


def test_withdrawing_also_deletes_messages_sent_after_the_claim(app, sms: SmsActions) -> None:
    from intake import queue
    from intake.db import unit_of_work

    sms.hand_off()
    with unit_of_work(app.extensions["intake"].sessions) as session:
        queue.claim(session, "alice")
    run(sms, "my new number is 07700 900456")
    run(sms, "FORGET")
    with app.extensions["intake"].sessions() as session:
        enquiry = session.scalars(select(Enquiry)).one()
        assert enquiry.notes == [] and enquiry.summary is None


def test_human_or_menu_in_the_middle_of_the_form_keeps_the_answers(chat: ChatActions) -> None:
    for message in ("HUMAN", "yes", "1", "My words about support"):
        chat.say(message)
    assert "carry on where we were" in chat.texts("speak to someone")
    paused = chat.texts("MENU")
    assert "paused" in paused
    resumed = chat.texts("HUMAN")
    assert "carry on" in resumed and "stage of education" in resumed
    for message in ("2", "2"):
        chat.say(message)
    assert "My words about support" in chat.texts("no")


def test_cancel_in_web_chat_leaves_the_form_not_the_chat(chat: ChatActions) -> None:
    chat.say("HUMAN")
    reply = chat.texts("cancel")
    assert "ended" not in reply and "Nothing was sent to a caseworker" in reply
    assert chat.post({"text": "hello"}).status_code == 200


def test_a_reference_is_recognised_from_the_menu_too(app, sms: SmsActions) -> None:
    reference = sms.hand_off()
    sms.send("MENU")
    assert reference in run(sms, f"my reference is {reference}")


def test_phone_punctuation_in_the_summary_keeps_texts_cheap(app, sms: SmsActions) -> None:
    from bot.content import sms_segments

    for message in ("HUMAN", "yes", "1", "school won’t help – he’s struggling", "2", "1"):
        sms.send(message)
    confirm = run(sms, "no")
    assert "school won't help - he's struggling" in confirm
    assert sms_segments(confirm) <= 3  # plain GSM-7, not UCS-2
    assert "CHANGE" in run(sms, "maybe later")  # the reminder names all three answers


def test_a_bare_yes_with_nothing_pending_gets_a_hint_not_a_guess(sms: SmsActions) -> None:
    sms.send("what is a senco")
    reply = run(sms, "yes")
    assert "MENU" in reply and "HUMAN" in reply and "Did you mean" not in reply


def test_no_to_keeping_details_is_recorded_in_the_ledger(app, sms: SmsActions) -> None:
    run(sms, "HUMAN", "no")
    assert consents(app) == [("keep_details", False, "intake-1", "sms")]


def test_back_leaves_the_phone_number_question(tmp_path) -> None:
    from tests.conftest import ALWAYS_OPEN, make_app

    chat = ChatActions(make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN).test_client()).open()  # "1": reply in the chat
    for message in ("HUMAN", "yes", "1", "help please with support", "2", "2", "yes"):
        chat.say(message)
    assert "type the phone number" in chat.texts("2")
    assert "reply BACK" in chat.texts("actually no")
    assert "How should we contact you" in chat.texts("back")
    assert "exactly what a caseworker will see" in chat.texts("1")


def test_what_is_it_about_is_one_text_by_sms_with_short_names_and_full_ones_for_the_caseworker(
    app, sms: SmsActions, chat: ChatActions
) -> None:
    from bot.content import sms_segments

    sms.send("hello")  # no topic yet, so the form asks what it is about
    sms.send("HUMAN")
    [question] = sms.send("yes")
    assert question.startswith("What is it mainly about?") and sms_segments(question) == 1, len(question)
    assert "\n2 EHC plans\n" in question and "EHC needs assessments" not in question
    confirm = run(sms, "2", "Please help with the plan", "2", "1", "no")
    assert "About: EHC needs assessments and plans" in confirm  # the caseworker sees the full name
    chat.say("HUMAN")
    labels = [c["label"] for m in chat.say("yes") for c in m["choices"]]
    assert labels[1] == "EHC needs assessments and plans"  # the web chat keeps the full names



def test_voicemail_is_asked_only_for_a_call_and_the_reference_is_checked_where_it_was_given(
    app, sms: SmsActions, chat: ChatActions
) -> None:
    run(sms, "HUMAN", "yes", "1", "Please help with support", "2", "1", "yes")
    assert "When is it safe" in run(sms, "1")  # text this number
    asked = run(sms, "1")  # mornings
    assert "say who we are" in asked and "voicemail" not in asked.lower()
    done = run(sms, "yes", "YES")
    assert "from this phone to check on it" in done and "chat" not in done
    called = SmsActions(sms.client, "+447700900777")
    run(called, "HUMAN", "yes", "1", "Please help with support", "2", "1", "yes", "2")  # call this number
    assert "voicemail" in run(called, "1")
    for message in ("HUMAN", "yes", "1", "Please help with support", "2", "1", "yes", "3"):  # a text message
        chat.say(message)
    assert "When is it safe" in chat.texts("07911 123457")
    asked = chat.texts("1")
    assert "say who we are" in asked and "voicemail" not in asked.lower()
    chat.say("yes")
    done = chat.texts("yes")
    assert "in this chat to check on it" in done and "phone" not in done
