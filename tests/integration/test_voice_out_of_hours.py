"""Out of hours the phone line says truly what happens: ordinary call backs wait for a safe time after opening,
and urgent concerns about a child still go to the duty caseworker (README "Out of hours", `set-duty`).

Through real signed Twilio voice webhooks (tests/integration/test_voice.py), nothing patched.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from tests.conftest import dispose, make_app
from tests.integration.test_voice import CallActions

DUTY = "Urgent concerns about a child's safety still go to our duty caseworker, out of hours too."
URGENT_CALL_BACK = (
    "Your concern is already marked urgent for our duty caseworker, who covers urgent concerns out of hours."
)
CALL_BACK = "Caseworkers will call back from 9am tomorrow, at the times you choose."


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """An app whose office is closed now and opens at 9am tomorrow."""
    tomorrow = (datetime.now(ZoneInfo("Europe/London")) + timedelta(days=1)).strftime("%a")
    app = make_app(tmp_path, OFFICE_HOURS=f"{tomorrow} 09:00-17:00")
    yield app
    dispose(app)


def test_the_closed_greeting_says_when_caseworkers_are_back_and_that_urgent_concerns_still_go_to_duty(
    app: Flask
) -> None:
    said = CallActions(app.test_client()).call()
    assert "not available right now. They are next available 9am tomorrow." in said
    assert "You can still ask for a caseworker to call you back." in said
    assert DUTY in said and said.index(DUTY) < said.index("If a child is in danger, press 0.")
    assert "call you tonight" not in said and "call you now" not in said  # no call nobody will make


def test_a_call_back_out_of_hours_after_a_concern_says_duty_has_it_and_when_the_call_back_comes(
    app: Flask
) -> None:
    ordinary = CallActions(app.test_client(), "+447700900301")
    ordinary.call()
    said = ordinary.press("2")
    assert said.startswith(CALL_BACK) and "urgent" not in said  # nothing of the kind was raised on this call
    worried = CallActions(app.test_client(), "+447700900302")
    worried.call()
    worried.say("my partner hurts my son")
    said = worried.press("2")
    assert said.startswith(f"{URGENT_CALL_BACK} {CALL_BACK}")  # duty has the concern; the call back, at a safe time
    assert "Would you like a caseworker to contact you?" in said  # then how to reach them safely
