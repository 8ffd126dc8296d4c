"""Where the caseworker form starts it says, once and plainly, that unfinished answers are deleted after the
configured quiet time (CONVERSATION_IDLE_MINUTES), so a parent coming back a day later is not surprised. By SMS the
first question stays within the texts it took before. ("stop" is an SMS opt-out word, so: "don't reply".)"""

from __future__ import annotations

from pathlib import Path

from bot.content import sms_segments
from tests.conftest import ALWAYS_OPEN, ChatActions, SmsActions, make_app
from tests.integration.test_urgent_contact_after_disclosure import RISK

NOTICE = "If you don't reply for more than {quiet}, we delete your answers for your privacy and you can start again."
SMS_NOTICE = "If you don't reply for {quiet}, we delete your answers."  # the first texts' privacy line still fits
PRIVACY_LINE = "Private: no need to give your name."


def test_the_sms_form_says_at_its_start_that_answers_go_after_two_hours(tmp_path: Path) -> None:
    sms = SmsActions(make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN).test_client())
    [question] = sms.send("HUMAN")
    assert SMS_NOTICE.format(quiet="2 hours") in question and "Reply YES or NO" in question
    assert question.startswith(PRIVACY_LINE) and sms_segments(question) <= 3  # the texts it took without it
    following = "\n".join(sms.send("yes") + sms.send("1"))
    assert "If you don't reply" not in following  # said once


def test_the_notice_uses_the_configured_quiet_time(tmp_path: Path) -> None:
    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN, CONVERSATION_IDLE_MINUTES="45")
    chat = ChatActions(app.test_client()).open()
    assert NOTICE.format(quiet="45 minutes") in chat.texts("HUMAN")


def test_the_contact_questions_after_a_disclosure_say_it_too(tmp_path: Path) -> None:
    sms = SmsActions(make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN).test_client())
    sms.send(RISK)
    intro, *_ = sms.send("HUMAN")
    assert SMS_NOTICE.format(quiet="2 hours") in intro and sms_segments(intro) <= 2
