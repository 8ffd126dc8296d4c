"""The case page says up front when the parent's number texted STOP, before anyone types a text."""

from __future__ import annotations

from flask import Flask

from tests.conftest import SmsActions
from tests.integration.test_console import AuthActions, set_clock
from tests.integration.test_console_rights import MORNING, PARENT, claimed, sms_enquiry


def case_page(app: Flask, auth: AuthActions, reference: str) -> bytes:
    """The case page as its caseworker sees it."""
    response = auth.client.get(f"/caseworker/case/{reference}")
    assert response.status_code == 200
    return bytes(response.data)


def test_a_parent_who_texted_stop_is_shown_as_such_and_the_text_box_is_gone(app: Flask, sms: SmsActions) -> None:
    set_clock(app, MORNING)
    reference = sms_enquiry(app)
    assert sms.send("STOP", number=PARENT) == []
    auth = claimed(app, reference)
    page = case_page(app, auth, reference)
    assert b"the parent texted STOP" in page
    assert b"no text can be sent until they text START" in page
    assert b'id="sms-text"' not in page and b"Send the text" not in page


def test_after_start_the_text_box_is_back(app: Flask, sms: SmsActions) -> None:
    set_clock(app, MORNING)
    reference = sms_enquiry(app)
    sms.send("STOP", number=PARENT)
    sms.send("START", number=PARENT)
    auth = claimed(app, reference)
    page = case_page(app, auth, reference)
    assert b"texted STOP" not in page
    assert b'id="sms-text"' in page and b"Send the text" in page


def test_a_stop_from_another_number_does_not_hide_the_text_box(app: Flask, sms: SmsActions) -> None:
    set_clock(app, MORNING)
    reference = sms_enquiry(app)
    sms.send("STOP", number="+447700900999")
    auth = claimed(app, reference)
    page = case_page(app, auth, reference)
    assert b"texted STOP" not in page and b'id="sms-text"' in page
