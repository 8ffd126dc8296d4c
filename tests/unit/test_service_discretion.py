"""The check that keeps the service's name and office number out of a text or e-mail to a parent who did not
agree to it (policy 2.1), in the wordings a caseworker actually types, without refusing ordinary words."""

from __future__ import annotations

import pytest

from intake.outreach import names_the_service, service_mention

NAME, OFFICE = "Testshire SENDIASS", "01632 960000"  # as tests/conftest.py configures the service


@pytest.mark.parametrize(("text", "shown"), [
    ("Hello, this is Testshire Send Information Advice and Support about your enquiry.",
     "Send Information Advice and Support"),
    ("your caseworker at the Information, Advice & Support Service.", "Information, Advice & Support Service"),
    ("Sam from the IAS service here", "IAS service"),
    ("Sam at Information Advice and Support Services", "Information Advice and Support Services"),
    ("Sam from the sendiass here", "sendiass"),
    ("Sam from SEND IASS here", "SEND IASS"),
    ("Sam from S.E.N.D.I.A.S.S here", "S.E.N.D.I.A.S.S"),
    ("Sam from Parent Partnership here", "Parent Partnership"),
    ("Sam from the send-information-advice-and-support-service", "send-information-advice-and-support-service"),
    ("Hello from testshire sendiass", "testshire sendiass"),
    ("Call me on 01632 960000", "01632 960000"),
    ("Call me on 01632960000.", "01632960000"),
    ("Call me on +44 1632 960 000", "+44 1632 960 000"),
    ("Call me on (01632) 960-000", "(01632) 960-000"),
])
def test_the_service_in_other_words_is_found_and_shown_as_written(text: str, shown: str) -> None:
    found = service_mention(text, NAME, [OFFICE])
    assert found is not None and found.shown == shown and found.number == shown[-1].isdigit()
    assert names_the_service(text, NAME, [OFFICE])


@pytest.mark.parametrize("text", [
    "I will send you the information about support at school",
    "Please send us a time that suits",
    "I can give you some advice and support with the plan",
    "Here is the information you asked for",
    "We can give you information, advice and support",
    "Call me on my direct line, 01632 960123",
    "Your reference is 7Q4K; reply to this number",
])
def test_ordinary_words_and_a_caseworkers_own_line_are_not_the_service(text: str) -> None:
    assert service_mention(text, NAME, [OFFICE]) is None
