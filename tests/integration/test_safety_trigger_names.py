"""A person named in a risk message is kept nowhere: not in the detected phrases, the note, the case page or export.

The urgent case is kept without a consent question (policy 7.1), so what it keeps is minimised (1.1): the phrases
the detector matched are quoted from the parent's own text, with names and numbers left out, as in the note.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select

from intake.models import Enquiry
from tests.conftest import SmsActions
from tests.integration.test_console_rights import claimed, signed_in

REFERENCE = re.compile(r"\b([A-Z]{3}-\d{3})\b")


def case_record(app: Flask) -> tuple[str, list[str], list[str]]:
    """The one case's reference, its stored triggers and its notes (decrypted)."""
    keys = app.extensions["intake"].keys
    with app.extensions["intake"].sessions() as session:
        [case] = session.scalars(select(Enquiry)).all()
        assert case.priority == "urgent"
        triggers = keys.decrypt_json(case.safeguarding) if case.safeguarding else []
        return case.reference, triggers, [keys.decrypt(note.body) for note in case.notes]


def named(text: str, names: tuple[str, ...]) -> list[str]:
    """Which of the names appear in the text as words."""
    return [name for name in names if re.search(rf"\b{re.escape(name)}\b", text)]


@pytest.mark.parametrize(
    ("message", "names", "trigger"),
    [
        ("my ex Darren hits our son Kieran", ("Darren", "Kieran"), "physical harm: 'ex [...] hits our son'"),
        ("my ex darren hits our son", ("darren",), "physical harm: 'ex [...] hits our son'"),
        ("my son Will was hit by his dad", ("Will",), "physical harm: 'son [name removed] was hit by his dad'"),
        ("Mr Okafor hit my son", ("Okafor",), "physical harm: 'Mr [...] hit my son'"),
        ("her stepdad Gary Brennan 07911 222333 hit her", ("Gary", "Brennan", "07911"),
         "physical harm: 'stepdad [...] hit her'"),
    ],
)
def test_a_name_in_a_risk_text_is_in_no_trigger_note_case_page_or_export(
    app: Flask, sms: SmsActions, message: str, names: tuple[str, ...], trigger: str
) -> None:
    """Through the real webhook: the urgent reply, then nothing stored or shown names the person."""
    assert "999" in "\n".join(sms.send(message))
    reference, triggers, notes = case_record(app)
    assert triggers == [trigger]
    assert notes and not named("\n".join(notes), names), notes
    caseworker = claimed(app, reference)
    page = caseworker.client.get(f"/caseworker/case/{reference}").get_data(as_text=True)
    assert "Why it was flagged" in page and not named(page, names)
    manager = signed_in(app, "morgan", "manager")  # a copy of a child-protection case is a manager's to make
    for fmt in ("txt", "html"):
        export = manager.post(f"/caseworker/case/{reference}/export", format=fmt, identity="in_person")
        assert export.status_code == 200 and not named(export.get_data(as_text=True), names), fmt


def test_a_name_added_to_an_urgent_case_later_is_left_out_too(app: Flask, sms: SmsActions) -> None:
    """A second disclosure (concerns.add_disclosure) is minimised as the first."""
    sms.send("my partner hits the kids")
    sms.send("and my ex Darren punched our son Kieran last night")
    _, triggers, notes = case_record(app)
    assert triggers == ["physical harm: 'partner hits the kids'", "physical harm: 'ex [...] punched our son'"]
    assert not named("\n".join(triggers + notes), ("Darren", "Kieran"))


def test_a_name_in_a_message_the_parent_confirms_is_left_out(app: Flask, sms: SmsActions) -> None:
    """The question first ("is a child in danger?"), then YES: the pending message's name is not kept either."""
    assert "Reply YES or NO" in "\n".join(sms.send("John Smith at 4 Elm Road hits Jamie with a belt"))
    assert "999" in "\n".join(sms.send("yes"))
    _, triggers, notes = case_record(app)
    assert triggers == ["possible harm: 'hits [...] with a belt'", "parent confirmed a risk"]
    assert "Elm Road" not in "\n".join(triggers + notes)  # the address goes from both
    assert "Jamie" not in "\n".join(triggers)  # no cue names him: the note keeps his name, the quote does not


def test_texted_at_home_with_an_at_sign_is_urgent_and_quoted_as_typed(app: Flask, sms: SmsActions) -> None:
    """'hes gettin hurt @ home' gets the urgent reply straight away, not the question."""
    replies = "\n".join(sms.send("hes gettin hurt @ home"))
    assert "999" in replies and "Reply YES or NO" not in replies and REFERENCE.search(replies)
    assert case_record(app)[1] == ["physical harm: 'hes gettin hurt @ home'"]
