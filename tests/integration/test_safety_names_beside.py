"""Names a risk message gives with no "my son Tom" cue are kept nowhere either: not in the quotes, nor in the note.

"Darren, my ex, hits my son" (a name set beside who they are), "her stepdad Will" (a word of the rules written as a
name), "my ex and Darren hit our son" (a capitalised word the quotes left out). Who did what stays for the duty
caseworker: "my ex", "stepdad", "our son". Through the real signed SMS webhook and the web chat.
"""

from __future__ import annotations

import pytest
from flask import Flask

from tests.conftest import ChatActions, SmsActions
from tests.integration.test_safety_trigger_names import case_record, named


@pytest.mark.parametrize(
    ("message", "names", "trigger", "note"),
    [
        ("Darren, my ex, hits my son", ("Darren",), "physical harm: 'ex, hits my son'",
         "[name removed], my ex, hits my son"),
        ("her stepdad Will hit her again", ("Will",), "physical harm: 'stepdad [name removed] hit her'",
         "her stepdad [name removed] hit her again"),
        ("my ex and Will hit our son", ("Will",), "physical harm: 'ex and [name removed] hit our son'",
         "my ex and [name removed] hit our son"),
        ("my ex and Darren hit our son", ("Darren",), "physical harm: 'ex and [...] hit our son'",
         "my ex and [name removed] hit our son"),
        ("the teacher Mrs May grabbed him by the arm", ("May",), "physical harm: 'teacher [name removed] grabbed him'",
         "the teacher Mrs [name removed] grabbed him by the arm"),
    ],
)
def test_by_sms_a_name_without_a_cue_is_in_no_trigger_or_note(
    app: Flask, sms: SmsActions, message: str, names: tuple[str, ...], trigger: str, note: str
) -> None:
    assert "999" in "\n".join(sms.send(message))
    _, triggers, notes = case_record(app)
    assert triggers == [trigger]
    assert notes == [note]
    assert not named("\n".join(triggers + notes), names)


def test_in_the_web_chat_a_name_beside_a_relation_is_left_out(app: Flask, chat: ChatActions) -> None:
    assert "999" in chat.say("Will, my ex, hits my son and he said he will do it again")[0]["text"]
    _, triggers, notes = case_record(app)
    assert notes == ["[name removed], my ex, hits my son and he said he will do it again"]  # the verb stays
    assert not named("\n".join(triggers), ("Will",))


def test_the_word_will_and_a_capital_at_a_sentence_start_are_kept(app: Flask, sms: SmsActions) -> None:
    sms.send("my ex hits our son. Will he stop if i leave?")
    _, triggers, notes = case_record(app)
    assert triggers == ["physical harm: 'ex hits our son'"]
    assert notes == ["my ex hits our son. Will he stop if i leave?"]
