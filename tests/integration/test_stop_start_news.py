"""STOP turns our texts off, it does not withdraw an enquiry: after START the parent hears where it is."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from intake.models import Enquiry
from tests.conftest import ALWAYS_OPEN, SmsActions, make_app


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    """Always open: where an enquiry is in the queue never depends on the hour."""
    return make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)


def said(sms: SmsActions, message: str) -> str:
    return "\n".join(sms.send(message))


def statuses(app: Flask) -> list[str]:
    with app.extensions["intake"].sessions() as session:
        return [e.status for e in session.scalars(select(Enquiry))]


def test_any_news_after_stop_and_start_says_where_the_enquiry_is(app: Flask, sms: SmsActions) -> None:
    reference = sms.hand_off()
    assert sms.send("STOP") == []
    back = said(sms, "START")
    assert "Welcome back" in back and reference in back
    news = said(sms, "any news?")
    assert f"No news yet: your enquiry {reference} is still waiting for a caseworker" in news
    assert "number 1 in the queue" in news
    assert statuses(app) == ["queued"]


def test_after_stop_and_start_what_the_parent_adds_joins_the_enquiry(app: Flask, sms: SmsActions) -> None:
    reference = sms.hand_off()
    sms.send("STOP")
    sms.send("start")
    added = said(sms, "i forgot to say she also has epilepsy")
    assert f"We have added this to your enquiry {reference}" in added


def test_forget_after_stop_and_start_still_withdraws_the_enquiry(app: Flask, sms: SmsActions) -> None:
    reference = sms.hand_off()
    sms.send("STOP")
    sms.send("START")
    gone = said(sms, "FORGET")
    assert f"We have withdrawn enquiry {reference}" in gone
    assert statuses(app) in ([], ["closed"])
    assert "still waiting" not in said(sms, "any news?")
