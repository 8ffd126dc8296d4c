"""The phone line as a caller hears it: a person asked for is offered what the phone can do (a call back, by
key or by "yes"), nothing tells the caller to reply, text, type, click or read a web address, the safety words
after 0 can be heard again (and are, before the goodbye, if the caller stays silent), and every phone number is
read in the groups people write it down in.

Through real signed Twilio voice webhooks (tests/integration/test_voice.py), nothing patched.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bot.voice_keypad import phone_spoken
from tests.conftest import ALWAYS_OPEN, make_app
from tests.integration.test_voice import CallActions

SAFETY = "If a child is in immediate danger, please hang up and call 9 9 9 now."
CONSENT = "To pass your question to a caseworker, we need to keep a few details."
OFFICE = "0 1 6 3 2, 9 6 0, 0 0 0"  # SERVICE_PHONE 01632 960000 (tests/conftest.py)
MASH = "0 1 6 3 2, 9 6 0, 9 9 9"  # MASH_PHONE 01632 960999
# Written for a text or a screen: never said on the phone. ("Text us the reference" is how a caller checks on
# an enquiry: the phone line takes no references, tests/integration/test_voice_status_wording.py.)
WRITTEN_FOR_TEXT = re.compile(
    r"\breply\b|\btext [A-Z]{3,}\b|\btype [A-Z]{3,}\b|\bclick|\bwww\b|\bdot (org|com|u ?k)\b"
    r"|\bpass your question on now\b|\b0\d{3,4} ?\d{3}",  # the last: a number written, not grouped to be said
    re.IGNORECASE,
)


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    """An app whose office is open whenever the tests run."""
    return make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)


def reference_words(said: str) -> str:
    """The reference as read out ("G, H, H, 8, 2, 8")."""
    found = re.search(r"Your reference is ([A-Z0-9](?:, [A-Z0-9])+)", said)
    assert found, said
    return found.group(1)


@pytest.mark.parametrize("words", ["can I speak to a real person", "I want to talk to a real person please"])
def test_asking_for_a_person_is_offered_a_call_back_and_yes_starts_it(client: FlaskClient, words: str) -> None:
    caller = CallActions(client)
    caller.call()
    said = caller.say(words)
    assert "pass your question on now" not in said and "01632" not in said and OFFICE not in said  # on that line
    assert "call you back" in said and "say yes" in said
    assert CONSENT in caller.say("yes")  # the call-back request (key 2 at the main menu)


def test_a_person_asked_for_gets_the_call_back_by_key_1_or_the_main_menu_by_9(client: FlaskClient) -> None:
    caller = CallActions(client)
    caller.call()
    caller.say("can I speak to a real person")
    assert CONSENT in caller.press("1")
    caller = CallActions(client)
    caller.call()
    caller.say("can I speak to a real person")
    assert "For general information" in caller.press("9")  # or the main menu


def test_nothing_said_on_the_phone_is_written_for_a_text(client: FlaskClient) -> None:
    """Every subject, every topic, and the confidentiality words, as a caller hears them (a new call for each
    topic: one caller pressing through them all would be slowed down as a flood)."""
    caller = CallActions(client)
    caller.call()
    heard = [caller.press("3")]
    subjects = len(re.findall(r"press \d", caller.press("1"))) - 1  # all but 9, the main menu
    for subject in range(1, subjects + 1):
        topics = len(re.findall(r"press \d", caller.press(str(subject)))) - 1
        for topic in range(1, topics + 1):
            caller = CallActions(client, f"+4477009{subject:02d}{topic:03d}")
            caller.call()
            caller.press("1")
            caller.press(str(subject))
            heard.append(caller.press(str(topic)))
        caller.press("9")
        caller.press("1")
    assert subjects >= 3 and len(heard) > 20
    wrong = [found.group(0) for said in heard for found in [WRITTEN_FOR_TEXT.search(said)] if found]
    assert not wrong, wrong


def test_after_0_star_says_the_safety_words_and_the_reference_again(app: Flask, client: FlaskClient) -> None:
    caller = CallActions(client)
    caller.call()
    said = caller.press("0")
    reference = reference_words(said)
    assert "To hear this again, with your reference, press star." in said
    again = caller.press("*")
    assert again.startswith(SAFETY) and f"Your reference is {reference}." in again
    assert "press 2 at the main menu" in again and "press 1" in again  # the next step, then the choices
    assert "Choose a subject" in caller.press("1")  # and the choices work as before


def test_after_0_a_silent_caller_hears_the_reference_again_before_the_goodbye(client: FlaskClient) -> None:
    caller = CallActions(client)
    caller.call()
    reference = reference_words(caller.press("0"))
    said = caller.wait()
    assert f"Your reference is {reference}." in said and SAFETY in said and not caller.hung_up
    said = caller.wait()
    assert caller.hung_up and "9 9 9" in said


def test_the_reference_in_the_answers_read_back_is_read_one_character_at_a_time(client: FlaskClient) -> None:
    caller = CallActions(client)
    caller.call()
    reference = reference_words(caller.press("0"))
    said = caller.press("2")  # a call back, so the duty caseworker can reach them
    for _ in range(8):
        if "A caseworker will see this" in said:
            break
        said = caller.press("1")
    assert f"About: what you told us, ref {reference}." in said
    assert not re.search(r"[A-Z]{3}-\d{3}", said)


def test_phone_numbers_are_read_in_groups(client: FlaskClient) -> None:
    caller = CallActions(client)
    caller.call()
    said = caller.press("0")
    assert f"Local children's services are on {MASH}." in said
    assert "0 8 0 8, 8 0 0, 5 0 0 0" in said  # the NSPCC, as before
    caller = CallActions(client)
    caller.call()
    assert f"Our phone number is {OFFICE}." in caller.say("what are your opening times")
    caller.wait()
    assert f"call the office on {OFFICE}." in caller.wait()  # the goodbye


def test_numbers_from_config_are_read_in_groups(tmp_path: Path) -> None:
    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN, SERVICE_PHONE="020 7946 0018", MASH_PHONE="0113 496 0123")
    caller = CallActions(app.test_client())
    caller.call()
    assert "Local children's services are on 0 1 1 3, 4 9 6, 0 1 2 3." in caller.press("0")
    caller.wait()
    assert "call the office on 0 2 0, 7 9 4 6, 0 0 1 8." in caller.wait()


@pytest.mark.parametrize(("number", "said"), [
    ("01632 960000", "0 1 6 3 2, 9 6 0, 0 0 0"),
    ("01632960999", "0 1 6 3 2, 9 6 0, 9 9 9"),
    ("+44 1632 960000", "0 1 6 3 2, 9 6 0, 0 0 0"),
    ("0808 800 5000", "0 8 0 8, 8 0 0, 5 0 0 0"),
    ("020 7946 0018", "0 2 0, 7 9 4 6, 0 0 1 8"),
    ("07700 900123", "0 7 7 0 0, 9 0 0, 1 2 3"),
    ("0113 496 0123", "0 1 1 3, 4 9 6, 0 1 2 3"),
    ("the council's children's services", "the council's children's services"),
])
def test_phone_spoken_groups_uk_numbers(number: str, said: str) -> None:
    assert phone_spoken(number) == said
