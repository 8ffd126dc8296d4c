"""Incidental personal details in a parent's own words are found (and ordinary words are not)."""

from __future__ import annotations

import pytest

from intake.minimise import describe, find_personal_data, redact


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("My son Jake Smith is 7", "a name"),
        ("my daughter is called lily", "a name"),
        ("call me on 07700 900123", "a phone number"),
        ("email jo.bloggs@example.com please", "an e-mail address"),
        ("we are in SW1A 1AA", "a postcode"),
        ("she was born 12/03/2018", "a date of birth"),
        ("we live at 12 High Street", "an address"),
    ],
)
def test_personal_details_are_found(text: str, found: str) -> None:
    findings = find_personal_data(text)
    assert describe(findings) == found
    assert "removed]" in redact(text, findings)


@pytest.mark.parametrize(
    "text",
    [
        "the school called me yesterday",
        "my son is in year 5 and has an EHC plan",
        "they called back about the annual review",
        "the council refused to assess after 6 weeks",
    ],
)
def test_ordinary_send_words_are_left_alone(text: str) -> None:
    assert find_personal_data(text) == []
