"""The rule for offering a caseworker's reply in the web chat, at fixed times (no clock involved)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from intake.chat_reply import LIFETIME, in_time
from intake.hours import OfficeHours

LONDON = ZoneInfo("Europe/London")
HOURS = OfficeHours.parse("Mon-Fri 09:00-17:00", "Europe/London", ("2026-12-25",))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


@pytest.mark.parametrize(
    ("moment", "wait", "expected"),
    [
        ("2026-11-26 00:23", None, False),  # closed: a caseworker picks up from 9am, long after the chat closes
        ("2026-11-28 11:00", None, False),  # Saturday
        ("2026-12-25 11:00", None, False),  # a bank holiday
        ("2026-11-26 10:00", None, True),  # open, and no wait known yet
        ("2026-11-26 10:00", timedelta(minutes=30), True),
        ("2026-11-26 10:00", LIFETIME, False),  # the chat would have closed by then
        ("2026-11-26 10:00", timedelta(hours=3), False),
        ("2026-11-26 16:45", timedelta(minutes=30), False),  # the office closes first
        ("2026-11-26 16:15", timedelta(minutes=30), True),
    ],
)
def test_offered_only_when_a_caseworker_usually_picks_up_before_the_chat_and_the_office_close(
    moment: str, wait: timedelta | None, expected: bool
) -> None:
    assert in_time(HOURS, at(moment), wait) is expected
