"""A parent told when to call hears about the closed days a manager set, so they do not ring a closed office."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.conftest import ALWAYS_OPEN, ChatActions, SmsActions, make_app
from tests.integration.test_console_manage import signed_in


def next_weekdays(count: int) -> list[date]:
    """The next `count` weekdays after today (London), so the test reads the same any day it runs."""
    day = datetime.now(UTC).astimezone(ZoneInfo("Europe/London")).date()
    found: list[date] = []
    while len(found) < count:
        day += timedelta(days=1)
        if day.weekday() < 5:
            found.append(day)
    return found


def short(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def test_closed_days_set_in_the_console_are_in_the_hours_parents_are_given(tmp_path: Path) -> None:
    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)
    first, second = next_weekdays(2)
    manager = signed_in(app, "morgan", "manager")
    typed = f"{first:%d/%m/%Y}, {second:%d/%m/%Y}"
    assert manager.post("/caseworker/hours", hours="Mon-Fri 9am-5pm", bank_holidays=typed).status_code == 302

    by_text = "\n".join(SmsActions(app.test_client()).send("what are your opening hours"))
    in_chat = ChatActions(app.test_client()).open().texts("what are your opening hours")
    for reply in (by_text, in_chat):
        assert "Monday to Friday, 9am to 5pm" in reply
        assert f"closed {short(first)}" in reply and short(second) in reply


def test_without_closed_days_parents_hear_the_weekly_hours_only(tmp_path: Path) -> None:
    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)
    manager = signed_in(app, "morgan", "manager")
    assert manager.post("/caseworker/hours", hours="Mon-Fri 9am-5pm", bank_holidays="").status_code == 302
    reply = "\n".join(SmsActions(app.test_client()).send("what are your opening hours"))
    assert "Monday to Friday, 9am to 5pm" in reply and "closed" not in reply
