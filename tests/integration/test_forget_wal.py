"""What a parent deletes is gone from disk at once (README, policy 4.7): after FORGET or STOP by text, the web
chat's FORGET or quick exit, and an erasure, the parent's words are in neither the SQLite file nor its
write-ahead log (-wal), decrypted with the app's own keys or not."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from flask import Flask

from tests.conftest import ALWAYS_OPEN, ChatActions, SmsActions, make_app
from tests.integration.test_chat_exit import quick_exit
from tests.integration.test_console import AuthActions, add_caseworker
from tests.integration.test_erase_wal import readable_on_disk

SUMMARY = "My son Tommy Smith at Oakfield Primary, call me on 07700 900999"
# Looked for in lower case. The summary as sent, and what the form keeps of it when it takes details out.
WORDS = ("tommy smith", "oakfield primary", "07700 900999")
FORM_START = ("HUMAN", "yes", "1")  # as SmsActions.hand_off: up to the question that takes the summary
# The rest of hand_off's answers, after YES to keeping the details the summary names.
REST = ("yes", "2", "1", "no", "yes")


def hand_off(app: Flask) -> str:
    """The reviewer's case: a text enquiry whose summary, kept as the parent wrote it, names a child and a school."""
    sms = SmsActions(app.test_client())
    reply: list[str] = []
    for message in (*FORM_START, SUMMARY, *REST):
        reply = sms.send(message)
    found = re.search(r"reference is ([A-Z]{3}-\d{3})", "\n".join(reply))
    assert found, reply
    return found.group(1)


def left_on_disk(app: Flask) -> list[str]:
    on_disk = readable_on_disk(app)
    return [word for word in WORDS if word in on_disk]


def on_disk_before(app: Flask) -> None:
    """The words were written (in the conversation's state or the case), so their absence later means something."""
    assert left_on_disk(app), "the summary never reached the disk: the test would prove nothing"


def part_way_through_the_form(app: Flask, send: Callable[[str], object]) -> None:
    """The summary typed into the form, not yet sent: it is in the conversation's state on disk."""
    for message in (*FORM_START, SUMMARY):
        send(message)
    on_disk_before(app)


def test_forget_by_text_after_a_hand_off_leaves_the_summary_on_disk_nowhere(tmp_path: Path) -> None:
    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)
    hand_off(app)
    on_disk_before(app)
    assert "deleted" in " ".join(SmsActions(app.test_client()).send("FORGET")).lower()
    assert left_on_disk(app) == []


def test_stop_by_text_part_way_through_the_form_leaves_its_answers_on_disk_nowhere(tmp_path: Path) -> None:
    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)
    sms = SmsActions(app.test_client())
    part_way_through_the_form(app, sms.send)
    sms.send("STOP")
    assert left_on_disk(app) == []


def test_forget_in_the_web_chat_leaves_the_summary_on_disk_nowhere(tmp_path: Path) -> None:
    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)
    chat = ChatActions(app.test_client()).open()
    part_way_through_the_form(app, chat.say)
    chat.say("FORGET")
    assert left_on_disk(app) == []


def test_the_chat_quick_exit_leaves_the_unfinished_form_on_disk_nowhere(tmp_path: Path) -> None:
    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)
    chat = ChatActions(app.test_client()).open()
    part_way_through_the_form(app, chat.say)
    assert quick_exit(chat, token=chat.token).status_code == 204
    assert left_on_disk(app) == []


def test_an_erased_text_enquiry_leaves_the_summary_on_disk_nowhere(tmp_path: Path) -> None:
    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)
    reference = hand_off(app)
    on_disk_before(app)
    manager = AuthActions(app.test_client(), app, "mona", add_caseworker(app, "mona", "manager"))
    assert manager.login().status_code == 302
    erased = manager.post(f"/caseworker/case/{reference}/erase", confirm=reference, identity="in_person")
    assert erased.status_code == 302
    assert left_on_disk(app) == []


def test_no_to_keeping_the_details_the_summary_names_leaves_them_on_disk_nowhere(tmp_path: Path) -> None:
    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)
    sms = SmsActions(app.test_client())
    part_way_through_the_form(app, sms.send)
    sms.send("no")  # "Reply YES to keep it, or NO and we will take it out."
    assert left_on_disk(app) == []


def test_sending_nothing_at_the_last_step_leaves_the_answers_on_disk_nowhere(tmp_path: Path) -> None:
    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)
    sms = SmsActions(app.test_client())
    for message in (*FORM_START, SUMMARY, *REST[:-1]):
        sms.send(message)
    on_disk_before(app)
    sms.send("no")  # "Reply YES to send it, CHANGE to change something, or NO to send nothing."
    assert left_on_disk(app) == []
