"""The SMS webhook: signatures, idempotency, answers from the first message, STOP/START."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from intake.models import Conversation, OptOut, ProcessedMessage
from tests.conftest import PUBLIC_BASE, SmsActions, twiml_messages


def count(app, model) -> int:
    with app.extensions["intake"].sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_first_message_gets_the_answer_with_one_privacy_line(sms: SmsActions) -> None:
    replies = sms.send("How long does the council have to decide on an EHC assessment?")
    assert len(replies) == 1
    first_line, answer = replies[0].split("\n", 1)
    assert "no need to give your name" in first_line
    assert "6 weeks" in answer
    assert "HUMAN" in answer  # every answer ends with how to get more help


def test_privacy_line_only_on_the_first_message(sms: SmsActions) -> None:
    sms.send("hello")
    second = sms.send("what is a senco")
    assert "no need to give your name" not in second[0]


LINE = "Private: no need to give your name. Reply PRIVACY to learn more."


def test_menu_as_a_first_text_is_one_text_and_the_privacy_line_comes_with_the_first_answer(sms: SmsActions) -> None:
    from bot.content import sms_segments

    [menu] = sms.send("MENU")
    assert sms_segments(menu) == 1 and "no need to give your name" not in menu, (len(menu), menu)
    assert "\n7 Privacy, contact us" in menu  # where to read about privacy, in the menu itself
    [sub_menu] = sms.send("2")  # another question with no room for the line: it waits again
    assert sms_segments(sub_menu) == 1 and "no need to give your name" not in sub_menu
    [answer] = sms.send("3")  # an answer: the parent may stop here, so the line comes now
    assert answer.startswith(LINE + "\n") and "6 weeks" in answer and sms_segments(answer) <= 3
    assert answer.count("no need to give your name") == 1
    assert all("no need to give your name" not in r for r in sms.send("2"))  # once only


def test_privacy_line_is_not_owed_after_the_parent_read_the_notice(sms: SmsActions) -> None:
    sms.send("MENU")
    assert "we keep only" in "\n".join(sms.send("PRIVACY"))
    assert all("no need to give your name" not in r for r in sms.send("what is a senco"))


def test_a_first_answer_carries_the_line_in_the_texts_it_takes_anyway_when_there_is_room(sms: SmsActions) -> None:
    from bot.content import sms_segments

    [first] = sms.send("what is disagreement resolution")
    [again] = sms.send("what is disagreement resolution")  # the same answer, without the line
    assert first == f"{LINE}\n{again}"
    assert sms_segments(again + "\n" + LINE) == sms_segments(again)  # there was room...
    assert sms_segments(first) == sms_segments(again)  # ...so it cost the parent nothing


def test_the_line_rides_on_whichever_first_reply_has_room(sms: SmsActions) -> None:
    from bot.content import sms_segments

    replies = sms.send("hi can someone ring me")  # the consent question has room in its three texts
    assert sum("no need to give your name" in r for r in replies) == 1
    assert sum(sms_segments(r) for r in replies) <= 3


@pytest.mark.parametrize(
    ("signature", "url"),
    [
        ("", None),  # missing
        ("bm90LWEtc2lnbmF0dXJl", None),  # forged
        (None, "https://evil.example.org/twilio/sms"),  # signed for another URL
        (None, "http://intake.example.org/twilio/sms"),  # http instead of https
    ],
)
def test_unsigned_or_forged_requests_get_403_and_change_nothing(app, sms: SmsActions, signature, url) -> None:
    params = sms.params("what is sen support")
    response = sms.post(params, signature=signature, url=url)
    assert response.status_code == 403
    assert count(app, Conversation) == 0
    assert count(app, ProcessedMessage) == 0


def test_tampered_body_is_refused(app, sms: SmsActions) -> None:
    params = sms.params("what is sen support")
    signature = sms.validator.compute_signature(PUBLIC_BASE + "/twilio/sms", params)
    params["Body"] = "something else"
    assert sms.post(params, signature=signature).status_code == 403
    assert count(app, Conversation) == 0


def test_same_message_sid_is_answered_once(app, sms: SmsActions) -> None:
    first = sms.send("what is a senco", sid="SM" + "a" * 32)
    again = sms.send("what is a senco", sid="SM" + "a" * 32)
    assert first and "SENCO" in first[0].upper()
    assert again == []
    assert count(app, ProcessedMessage) == 1


def test_signature_checked_against_public_url_with_query(sms: SmsActions) -> None:
    params = sms.params("hello")
    url = PUBLIC_BASE + "/twilio/sms?source=main"
    signature = sms.validator.compute_signature(url, params)
    response = sms.client.post("/twilio/sms?source=main", data=params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200


def test_stop_means_no_reply_until_start(app, sms: SmsActions) -> None:
    sms.send("hello")
    assert sms.send("STOP") == []
    assert count(app, OptOut) == 1
    assert sms.send("what is a senco") == []
    back = sms.send("START")
    assert back and "Welcome back" in back[0]
    assert sms.send("what is a senco")
    assert count(app, OptOut) == 0


def test_empty_body_gets_a_kind_prompt(sms: SmsActions) -> None:
    replies = sms.send("")
    assert replies and ("empty" in replies[0].lower() or "menu" in replies[0].lower())


def test_missing_from_is_answered_with_empty_twiml(sms: SmsActions) -> None:
    params = sms.params("hello")
    del params["From"]
    response = sms.post(params)
    assert response.status_code == 200
    assert twiml_messages(response.data) == []


def test_number_is_never_stored(app, sms: SmsActions) -> None:
    sms.send("what is sen support", number="+447700900555")
    db_path = app.extensions["intake"].settings.database_url.removeprefix("sqlite:///")
    with open(db_path, "rb") as handle:
        raw = handle.read()
    for suffix in ("", "-wal"):
        try:
            with open(db_path + suffix, "rb") as handle:
                raw += handle.read()
        except FileNotFoundError:
            pass
    assert b"7700900555" not in raw


@pytest.mark.parametrize("first", ["hi", "hello there"])
def test_hello_by_sms_is_one_text_per_message_and_the_menu_numbers_still_open_their_topics(
    sms: SmsActions, first: str
) -> None:
    from bot.content import sms_segments

    greeting, menu = sms.send(first)
    assert [sms_segments(greeting), sms_segments(menu)] == [1, 1], (len(greeting), len(menu))
    assert "\n2 EHC plans\n" in menu and "\n7 Privacy, contact us" in menu
    opened = sms.send("2")[0]
    assert opened.startswith("EHC plans.")  # 2 still means the EHC topics


def test_the_menu_fits_one_text_when_asked_for_again_and_mid_form(sms: SmsActions) -> None:
    from bot.content import sms_segments

    sms.send("what is a senco")
    assert [sms_segments(m) for m in sms.send("MENU")] == [1]
    sms.send("HUMAN")
    menu, paused = sms.send("MENU")  # a form in progress: the menu, then "paused" as its own text
    assert sms_segments(menu) == 1 and "paused" in paused


@pytest.mark.parametrize("number", range(1, 8))
def test_every_sub_menu_by_sms_is_one_text_with_short_names_and_the_same_numbers(
    sms: SmsActions, chat, number: int
) -> None:
    from bot.content import sms_segments

    sms.send("hello")
    sms.send("MENU")
    [by_sms] = sms.send(str(number))
    assert sms_segments(by_sms) == 1, (len(by_sms), by_sms)
    chat.say("MENU")
    [by_chat] = chat.say(str(number))
    full = [c["label"] for c in by_chat["choices"]]
    shown = by_sms.split("\n")[1:]
    assert [line.split(" ", 1)[0] for line in shown] == [str(i) for i in range(1, len(full) + 1)]
    # The same number opens the same topic by SMS as in the web chat, whose menu keeps the full names.
    last = str(len(full))
    assert sms.send(last)[0].split("\n")[0] in chat.texts(last)


def test_the_ehc_sub_menu_shows_short_names_by_sms_and_full_names_in_the_web_chat(sms: SmsActions, chat) -> None:
    sms.send("MENU")
    [by_sms] = sms.send("2")
    assert "\n4 Council said no\n" in by_sms and "Council refused" not in by_sms
    chat.say("MENU")
    labels = [c["label"] for c in chat.say("2")[0]["choices"]]
    assert labels[3] == "Council refused to assess or issue a plan"


def start_a_form(sms: SmsActions) -> list[str]:
    """Ask for a caseworker and answer as far as the school stage question; return every reply."""
    replies: list[str] = []
    for message in ("HUMAN", "yes", "1", "Please help with support"):
        replies += sms.send(message)
    return replies


def test_every_form_question_that_says_how_to_leave_says_forget(sms: SmsActions) -> None:
    replies = start_a_form(sms)
    replies += sms.send("maybe")  # not one of the numbers
    replies += sms.send("MENU")
    said = "\n".join(replies)
    assert said.count("FORGET") >= 3  # the words question, the wrong answer, the paused form
    for word in ("STOP", "CANCEL", "END", "QUIT"):
        assert word not in said.upper().replace(",", " ").replace(".", " ").split()


@pytest.mark.parametrize("word", ["STOP", "cancel", "End", "QUIT"])
def test_an_opt_out_word_mid_form_deletes_the_answers_and_start_says_so(app, sms: SmsActions, word: str) -> None:
    from intake.models import Enquiry

    start_a_form(sms)
    [stopped] = sms.send(word)  # Twilio usually sends its own reply instead; this one says what happened here
    assert "deleted" in stopped and "nothing was sent" in stopped and "START" in stopped
    assert count(app, Conversation) == 0 and count(app, Enquiry) == 0 and count(app, OptOut) == 1
    assert sms.send("2") == []  # no texts while opted out
    back = "\n".join(sms.send("START"))
    assert "Welcome back" in back and "not passed on" in back and "enquiry" not in back
    assert "Which stage of education" not in "\n".join(sms.send("2"))  # the form does not come back
    assert count(app, Enquiry) == 0


def test_stop_after_sending_keeps_the_enquiry_and_start_says_where_it_is(app, sms: SmsActions) -> None:
    from intake.models import Enquiry

    reference = sms.hand_off()
    assert sms.send("STOP") == []  # nothing unfinished to tell them about: Twilio's own reply is enough
    back = "\n".join(sms.send("START"))
    assert f"enquiry {reference}" in back and "still with us" in back and "FORGET" in back
    with app.extensions["intake"].sessions() as session:
        assert session.scalars(select(Enquiry)).one().status == "queued"


def test_start_without_stop_does_not_claim_anything_was_deleted(sms: SmsActions) -> None:
    sms.send("hello")
    again = "\n".join(sms.send("START"))
    assert "MENU" in again and "deleted" not in again


@pytest.mark.parametrize("words", ["stop texting me", "Stop please", "no more texts", "leave me alone!",
                                   "Please don\u2019t text me again"])
def test_asking_in_own_words_to_stop_texts_gets_one_discreet_reply_saying_how(sms: SmsActions, words: str) -> None:
    sms.send("hello")
    [reply] = sms.send(words)
    assert reply == "To stop all texts from this number, reply STOP."  # one text, nothing about SEND
    assert count(sms.client.application, OptOut) == 0  # only the opt-out word itself turns texts off


def test_a_message_that_only_mentions_stopping_is_still_answered(sms: SmsActions) -> None:
    sms.send("hello")
    reply = "\n".join(sms.send("the school keeps sending him home, how do I stop it"))
    assert "reply STOP" not in reply


def test_asking_to_stop_texts_mid_form_is_not_taken_as_an_answer(sms: SmsActions) -> None:
    start_a_form(sms)
    replies = sms.send("stop texting me")
    assert replies[0] == "To stop all texts from this number, reply STOP."
    assert "Which stage of education" in replies[-1]  # the same question again, nothing saved


def test_asking_to_stop_texts_after_the_claim_is_not_passed_to_the_caseworker(app, sms: SmsActions) -> None:
    from intake import queue
    from intake.db import unit_of_work
    from intake.models import Enquiry

    sms.hand_off()
    with unit_of_work(app.extensions["intake"].sessions) as session:
        queue.claim(session, "alice")
    assert sms.send("no more texts") == ["To stop all texts from this number, reply STOP."]
    with app.extensions["intake"].sessions() as session:
        assert session.scalars(select(Enquiry)).one().notes == []
