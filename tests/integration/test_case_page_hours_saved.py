"""The "saved" message on the hours page names the closed days that were saved with the hours."""

from __future__ import annotations

from flask import Flask

from tests.integration.test_console import set_clock
from tests.integration.test_console_manage import signed_in


def test_the_saved_message_names_the_closed_days(app: Flask) -> None:
    set_clock(app, "2026-11-26 10:00")  # the days saved are to come, whenever this runs
    manager = signed_in(app, "morgan", "manager")
    response = manager.post("/caseworker/hours", hours="Mon-Fri 09:00-17:00", bank_holidays="2027-12-24, 2027-12-29")
    assert response.status_code == 302
    page = manager.client.get("/caseworker/hours").data.decode()
    saved = page[page.index("Office hours saved"):].split("</")[0]
    assert "closed Fri 24 Dec 2027, Wed 29 Dec 2027" in saved


def test_the_saved_message_says_when_there_are_no_closed_days(app: Flask) -> None:
    manager = signed_in(app, "morgan", "manager")
    assert manager.post("/caseworker/hours", hours="Mon-Fri 09:00-17:00", bank_holidays="").status_code == 302
    page = manager.client.get("/caseworker/hours").data.decode()
    assert "no closed days" in page[page.index("Office hours saved"):].split("</")[0]


def test_the_saved_message_gives_consecutive_closed_days_as_one_range(app: Flask) -> None:
    set_clock(app, "2026-11-26 10:00")
    manager = signed_in(app, "morgan", "manager")
    response = manager.post("/caseworker/hours", hours="Mon-Fri 09:00-17:00", bank_holidays="24/12/2026 to 2/1/2027")
    assert response.status_code == 302
    page = manager.client.get("/caseworker/hours").data.decode()
    saved = page[page.index("Office hours saved"):].split("</")[0]
    assert "closed Thu 24 Dec 2026 \u2013 Sat 2 Jan 2027." in saved and "Fri 25 Dec" not in saved
