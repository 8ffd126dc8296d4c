"""What the review of the everyday yes/no reader found: a hesitation is never consent, CHANGE wins at the confirm
step, "never mind" answers a yes/no question instead of deleting the enquiry, and a numbered choice may be named
in words ("five", "option 5") only where a numbered choice is asked.

Through the signed SMS webhook, the web chat and the signed voice webhook, as a parent would reply.
"""

from __future__ import annotations

import pytest
from flask import Flask

from tests.conftest import ChatActions, SmsActions
from tests.integration.test_form_everyday_yes_no import consents, enquiries, to_contact_question
from tests.integration.test_voice import CallActions

LEFT = "Nothing was sent to a caseworker"
KEEP_AGAIN = "Is it OK for us to keep these details for a caseworker?"
CONTACT_AGAIN = "Would you like a caseworker to contact you?"
CONFIRM = "This is exactly what a caseworker will see"
HESITATIONS = ["1 sec", "ok wait", "ok hang on", "k let me think", "ok ill think about it", "agree to disagree",
               "y do u need that", "y do u need them", "K, one moment", "yes I'll get back to you"]


def to_confirm(sms: SmsActions) -> str:
    to_contact_question(sms)
    return "\n".join(sms.send("no"))


# -- 1. a hesitation is not consent ------------------------------------------------------------------------
@pytest.mark.parametrize("answer", HESITATIONS)
def test_a_hesitation_to_keeping_details_is_asked_again_not_taken_as_yes(app: Flask, sms: SmsActions,
                                                                        answer: str) -> None:
    sms.send("HUMAN")
    replies = sms.send(answer)
    assert KEEP_AGAIN in replies[0] and "What is it mainly about?" not in "\n".join(replies)
    assert consents(app) == []


@pytest.mark.parametrize("answer", ["ok wait", "1 sec", "k let me think", "y do u need that"])
def test_a_hesitation_to_being_contacted_is_not_a_yes(app: Flask, sms: SmsActions, answer: str) -> None:
    to_contact_question(sms)
    [again] = sms.send(answer)
    assert CONTACT_AGAIN in again and "How should we contact you?" not in again
    assert ("contact", True) not in consents(app)
    assert "How should we contact you?" in sms.send("yes I would")[0]


# Not a bare "1" by SMS, where the question lists no numbers (tests/integration/test_form_numbers_shown.py).
@pytest.mark.parametrize("answer", ["yh", "yeh", "yes pls", "ok go on", "Yeah that's fine thanks", "yes it is",
                                    "Y", "k"])
def test_an_everyday_yes_still_goes_on(sms: SmsActions, answer: str) -> None:
    sms.send("HUMAN")
    assert sms.send(answer)[0].startswith("What is it mainly about?")


def test_a_hesitation_in_the_web_chat_gets_the_short_question_with_buttons(app: Flask, chat: ChatActions) -> None:
    chat.say("HUMAN")
    [again] = chat.say("ok hang on")
    assert KEEP_AGAIN in again["text"] and [c["label"] for c in again["choices"]] == ["Yes", "No"]
    assert consents(app) == []


def test_a_hesitation_said_on_the_phone_is_not_a_yes(app: Flask, client) -> None:
    caller = CallActions(client)
    caller.call()
    caller.press("2")  # a call back
    said = caller.say("ok hang on")
    assert "What is it mainly about?" not in said and "Press 1 if that's OK" in said
    assert consents(app) == []


# -- 2. CHANGE wins over a yes at the confirm step ----------------------------------------------------------
@pytest.mark.parametrize("answer", ["ok change the school stage", "yes but the school stage is wrong",
                                    "thats not right", "Yes, edit it", "ok the school is wrong"])
def test_a_change_at_the_confirm_step_is_never_sent(app: Flask, sms: SmsActions, answer: str) -> None:
    assert CONFIRM in to_confirm(sms)
    replies = "\n".join(sms.send(answer))
    assert "What do you want to change?" in replies and "reference is" not in replies
    assert enquiries(app) == []
    assert "Which stage of education" in "\n".join(sms.send("3"))  # school stage and EHC plan, asked again


def test_change_the_school_stage_in_the_web_chat(app: Flask, chat: ChatActions) -> None:
    for message in ("HUMAN", "yes", "5", "hes been excluded 3 times this term", "3", "2", "no"):
        chat.say(message)
    assert "What do you want to change?" in chat.texts("ok change the school stage")
    assert enquiries(app) == []


# -- 3. "never mind" at a yes/no question is a no to it, not leaving ----------------------------------------
@pytest.mark.parametrize("answer", ["no dont worry", "nah dont bother", "its ok never mind", "never mind",
                                    "just leave it", "no thanks"])
def test_letting_the_contact_question_go_is_a_no_and_the_enquiry_stays(app: Flask, sms: SmsActions,
                                                                      answer: str) -> None:
    to_contact_question(sms)
    replies = "\n".join(sms.send(answer))
    assert LEFT not in replies and "we've stopped" not in replies
    assert CONFIRM in replies and "Contact: No, I will contact you" in replies
    assert "reference is" in sms.send("yes")[0]
    assert len(enquiries(app)) == 1


@pytest.mark.parametrize("answer", ["just leave it", "no dont worry", "nah dont bother"])
def test_just_leave_it_at_shall_we_keep_it_takes_the_number_out(app: Flask, sms: SmsActions, answer: str) -> None:
    for message in ("HUMAN", "yes", "5"):
        sms.send(message)
    assert "Shall we keep it" in sms.send("hes been excluded, ring me on 07700 900456")[0]
    replies = "\n".join(sms.send(answer))
    assert LEFT not in replies and "stage of education" in replies
    for message in ("3", "2"):
        sms.send(message)
    confirm = "\n".join(sms.send("no"))
    assert CONFIRM in confirm and "900456" not in confirm
    assert "reference is" in sms.send("yes")[0]
    assert ("pii_keep", False) in consents(app)


@pytest.mark.parametrize("answer", ["forget it", "cancel that", "ok forget about it"])
def test_words_that_say_leave_still_leave_at_a_yes_no_question(app: Flask, sms: SmsActions, answer: str) -> None:
    to_contact_question(sms)
    [left] = sms.send(answer)
    assert LEFT in left
    assert enquiries(app) == []


def test_never_mind_at_a_question_that_is_not_yes_no_still_leaves(app: Flask, sms: SmsActions) -> None:
    for message in ("HUMAN", "yes", "5", "hes been excluded 3 times this term"):
        sms.send(message)
    assert LEFT in sms.send("never mind")[0]  # at the school stage
    assert enquiries(app) == []


def test_exit_in_the_web_chat_at_a_yes_no_question_leaves(app: Flask, chat: ChatActions) -> None:
    chat.say("HUMAN")
    assert LEFT in chat.texts("exit")
    assert enquiries(app) == []


# -- 5. numbers in words, only where a numbered choice is asked ---------------------------------------------
@pytest.mark.parametrize("answer", ["five", "option 5", "Number five", "Option five."])
def test_a_school_stage_named_in_words_is_taken(sms: SmsActions, answer: str) -> None:
    for message in ("HUMAN", "yes", "5", "hes been excluded 3 times this term"):
        sms.send(message)
    assert "EHC plan" in sms.send(answer)[0]
    sms.send("2")
    assert "Education: Not in school or education" in "\n".join(sms.send("no"))


def test_option_5_at_the_words_question_is_not_kept_as_what_help_is_wanted(sms: SmsActions) -> None:
    for message in ("HUMAN", "yes", "5"):
        sms.send(message)
    replies = "\n".join(sms.send("option 5"))
    assert "Please tell us a little more" in replies and "stage of education" not in replies
    assert "stage of education" in sms.send("hes been excluded 3 times this term")[0]


def test_option_three_at_the_change_question(sms: SmsActions) -> None:
    to_confirm(sms)
    sms.send("CHANGE")
    assert "Which stage of education" in "\n".join(sms.send("option three"))


# -- a re-review: "no problem" is not a no, and leaving after a disclosure says the concern stays ---------
@pytest.mark.parametrize("answer", ["no problem", "no worries", "no probs", "no bother", "no thats fine"])
def test_no_problem_at_the_confirm_step_throws_nothing_away(app: Flask, sms: SmsActions, answer: str) -> None:
    assert CONFIRM in to_confirm(sms)
    reply = "\n".join(sms.send(answer))
    assert "we have not sent anything" not in reply.lower() and not enquiries(app), reply
    done = "\n".join(sms.send("yes"))  # asked again, the parent says yes, and it is sent
    assert "Your reference is" in done and len(enquiries(app)) == 1


@pytest.mark.parametrize("answer", ["no problem", "no worries"])
def test_no_problem_to_keeping_details_is_asked_again_not_a_refusal(app: Flask, sms: SmsActions, answer: str) -> None:
    sms.send("HUMAN")
    reply = "\n".join(sms.send(answer))
    assert KEEP_AGAIN in reply and "we won't keep anything" not in reply.lower(), reply


def test_leaving_the_form_after_a_disclosure_says_the_concern_is_still_with_the_duty_caseworker(
    app: Flask, sms: SmsActions
) -> None:
    for message in ("HUMAN", "yes", "1"):
        sms.send(message)
    sms.send("his dad hits him and school wont help")
    [concern] = [e for e in enquiries(app) if e.priority == "urgent"]
    reply = "\n".join(sms.send("never mind"))
    assert LEFT not in reply and concern.reference in reply and "duty caseworker" in reply, reply
