"""A parent contacted by text was never asked about voicemail: the case page says so rather than "NO"."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.integration.test_console import enquire
from tests.integration.test_console_rights import claimed, sms_enquiry


def voicemail_answer(page: bytes) -> str:
    """What the case page says under "Voicemail or message"."""
    found = re.search(rb'<dd id="voicemail">(.*?)</dd>', page, re.S)
    assert found, "no voicemail row on the case page"
    return " ".join(found.group(1).decode().split())


@pytest.mark.parametrize("method", ["sms_this", "sms_other"])
def test_text_contact_reads_not_asked(app: Flask, method: str) -> None:
    reference = sms_enquiry(app, method)
    page = claimed(app, reference).client.get(f"/caseworker/case/{reference}").data
    assert voicemail_answer(page) == "not asked (contact by text)"
    assert b"No consent to leave a voicemail" not in page


def test_a_callback_still_reads_no_when_voicemail_was_refused(app: Flask) -> None:
    reference = enquire(app, contact={"method": "call", "number": "+447700900123"})
    page = claimed(app, reference).client.get(f"/caseworker/case/{reference}").data
    assert voicemail_answer(page) == "NO"
    assert b"No consent to leave a voicemail" in page

