"""Office hours set by a manager in the console: validated, audited, and used at once by every channel."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from bot import create_app
from intake import closed_days, service_hours
from intake.db import unit_of_work
from intake.hours import DAYS, OfficeHours
from intake.models import ServiceSetting
from tests import conftest
from tests.conftest import ALWAYS_OPEN, SmsActions, make_app
from tests.integration.test_console import AuthActions, add_caseworker, audit_rows, set_clock, svc
from tests.integration.test_console_manage import signed_in
from tests.integration.test_voice import CallActions

# Text this number, weekday mornings, do not say who we are (no voicemail question for a text), then send it.
HAND_OFF = ("HUMAN", "yes", "1", "Please help with support", "2", "1", "yes", "1", "1", "no", "yes")


def closed_today() -> tuple[str, str]:
    """Hours that keep the office shut now: open only tomorrow's weekday 10-11, and today a bank holiday."""
    today = datetime.now(UTC).astimezone(ZoneInfo("Europe/London")).date()
    tomorrow = today + timedelta(days=1)
    return f"{DAYS[tomorrow.weekday()].title()} 10:00-11:00", today.isoformat()


def text(response: Any) -> str:
    """A page's text with HTML entities decoded."""
    return html.unescape(response.data.decode())


def shown(iso: str) -> str:
    """A closed day as the hours page shows it: 2026-12-24 as "Thu 24 Dec 2026"."""
    day = date.fromisoformat(iso)
    return f"{day:%a} {day.day} {day:%b %Y}"


def stored(app: Flask) -> ServiceSetting | None:
    with unit_of_work(svc(app).sessions) as session:
        row = session.get(ServiceSetting, service_hours.NAME)
        if row is not None:
            session.expunge(row)
        return row


def finish_sms_intake(app: Flask, number: str = "+447700900123") -> str:
    sms = SmsActions(app.test_client(), number)
    reply: list[str] = []
    for message in HAND_OFF:
        reply = sms.send(message)
    return "\n".join(reply)


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    """The env says the office is always open, so only the console's setting can close it. The console's clock
    (sign-in and the nightly lock as well as the pages) is TODAY at 10am, so the dates below are to come."""
    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)
    set_clock(app, "2026-11-26 10:00")
    return app


@pytest.fixture
def manager(app: Flask) -> AuthActions:
    return signed_in(app, "morgan", "manager")


def test_manager_sees_the_hours_in_force_and_that_they_come_from_the_environment(manager: AuthActions) -> None:
    page = text(manager.client.get("/caseworker/hours"))
    assert f'<dd id="hours-weekly">{ALWAYS_OPEN}</dd>' in page  # "Mon-Sun 00:00-24:00": to midnight, as typed
    assert "the environment (OFFICE_HOURS, BANK_HOLIDAYS)" in page
    assert "Europe/London" in page and f'value="{ALWAYS_OPEN}"' in page
    assert "Office hours</a>" in text(manager.client.get("/caseworker/queue"))  # in the managers' menu


def test_closing_the_office_in_the_console_applies_at_once_to_sms_and_voice(app: Flask, manager: AuthActions) -> None:
    caller = CallActions(app.test_client(), "+447700900555")
    assert "not available right now" not in caller.call()  # open, by the env's hours
    weekly, today = closed_today()
    later = (date.fromisoformat(today) + timedelta(days=30)).isoformat()  # never in the past, whenever this runs

    response = manager.post("/caseworker/hours", hours=weekly.lower(), bank_holidays=f" {today} ,{later}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/caseworker/hours")
    page = text(manager.client.get("/caseworker/hours"))
    assert "Office hours saved" in page and weekly in page and shown(today) in page
    assert "the console by morgan" in page and "Closed: we reopen 10am tomorrow" in page
    row = stored(app)
    assert row is not None and row.value["hours"] == weekly
    assert row.value["bank_holidays"] == sorted([today, later])

    done = finish_sms_intake(app)
    assert "We are closed now" in done and "10am tomorrow" in done

    said = CallActions(app.test_client(), "+447700900666").call()
    assert "not available right now" in said and "next available 10am tomorrow" in said

    answer = "\n".join(SmsActions(app.test_client(), "+447700900777").send("what are your opening hours"))
    described = OfficeHours.parse(weekly).describe()
    assert f"open {described}" in answer and "{office_hours}" not in answer  # the answer follows the console

    [event] = audit_rows(app, "office_hours_set")
    assert event.actor == "morgan" and event.reference is None
    assert event.detail is not None and weekly in event.detail and today in event.detail


def test_every_worker_sees_the_change_on_its_next_turn(tmp_path: Path, app: Flask, manager: AuthActions) -> None:
    other_worker = create_app(conftest.test_env(tmp_path, OFFICE_HOURS=ALWAYS_OPEN))  # same database, its own services
    other_worker.config["TESTING"] = True
    weekly, today = closed_today()
    assert manager.post("/caseworker/hours", hours=weekly, bank_holidays=today).status_code == 302
    assert "We are closed now" in finish_sms_intake(other_worker, "+447700900777")


@pytest.mark.parametrize(("hours", "holidays", "message"), [
    ("", "", "Office hours: enter at least one day"),
    ("weekdays 9-5", "", "Office hours: in 'weekdays 9-5', is 5 in the morning or the afternoon?"),
    ("9.30am-4.30pm", "", "Office hours: say which days '9.30am-4.30pm' is for, e.g. 'Mon-Fri 9.30am-4.30pm'"),
    ("Mon-Fri 09:00-17:00; Sat 25:00-26:00", "", "Office hours: cannot read 'Sat 25:00-26:00'"),
    ("Mon 17:00-09:00", "", "closing time is not after the opening time"),
    ("Fri-Mon 09:00-17:00", "", "run backwards"),
    ("Mon-Fri 09:00-17:00", "2026-12-25, 12/25/2026", "Bank holidays: cannot read '12/25/2026'"),
    ("Mon-Fri 09:00-17:00", "25 Dec", "Bank holidays: cannot read '25 Dec' (give the year too)"),
    ("Mon-Fri 09:00-17:00", "2026-02-30", "Bank holidays: cannot read '2026-02-30'"),
])
def test_bad_hours_are_refused_with_a_reason_and_change_nothing(
    app: Flask, manager: AuthActions, hours: str, holidays: str, message: str,
) -> None:
    assert manager.post("/caseworker/hours", hours="Mon-Fri 09:00-17:00", bank_holidays="").status_code == 302
    response = manager.post("/caseworker/hours", hours=hours, bank_holidays=holidays)
    assert response.status_code == 400
    page = text(response)
    assert "Nothing was changed." in page and message in page
    assert f'value="{hours}"' in page  # what was typed stays in the form to be corrected
    row = stored(app)
    assert row is not None and row.value == {"hours": "Mon-Fri 09:00-17:00", "bank_holidays": [],
                                             "updated_by": "morgan"}
    assert len(audit_rows(app, "office_hours_set")) == 1


def test_hours_and_closed_days_typed_the_everyday_way_are_saved_and_shown_the_forms_way(
    app: Flask, manager: AuthActions,
) -> None:
    set_clock(app, "2026-11-26 10:00")  # the dates below are to come, whenever this runs
    response = manager.post("/caseworker/hours", hours="Monday to Friday 9.30am-4.30pm",
                            bank_holidays="24/12/2026, 28 Dec 2026\n31/12/2026 to 1/1/2027")
    assert response.status_code == 302
    page = text(manager.client.get("/caseworker/hours"))
    assert ("Office hours saved: Mon-Fri 09:30-16:30; closed Thu 24 Dec 2026, Mon 28 Dec 2026, "
            "Thu 31 Dec 2026 – Fri 1 Jan 2027.") in page
    assert '<dd id="hours-weekly">Mon-Fri 09:30-16:30</dd>' in page
    assert "Thu 24 Dec 2026, Mon 28 Dec 2026, Thu 31 Dec 2026 – Fri 1 Jan 2027</dd>" in page
    row = stored(app)
    assert row is not None and row.value["hours"] == "Mon-Fri 09:30-16:30"
    assert row.value["bank_holidays"] == ["2026-12-24", "2026-12-28", "2026-12-31", "2027-01-01"]


def test_closed_days_are_shown_as_staff_write_them_and_stored_as_iso(app: Flask, manager: AuthActions) -> None:
    set_clock(app, "2026-11-26 10:00")
    assert manager.post("/caseworker/hours", hours="Mon-Fri 9am-5pm",
                        bank_holidays="2026-12-25, 24/12/2026, 1 Jan 2027").status_code == 302
    page = text(manager.client.get("/caseworker/hours"))
    closed = "Thu 24 Dec 2026 – Fri 25 Dec 2026, Fri 1 Jan 2027"
    assert f'<dd id="hours-holidays">{closed}</dd>' in page  # in force now
    assert f">{closed}</textarea>" in page  # and in the form, ready to change
    before_hint = page.split('id="holidays-hint"')[0]  # the hint shows 2026-12-25 as one way to type a date
    assert "2026-12-2" not in before_hint and "2027-01-01" not in before_hint
    row = stored(app)
    assert row is not None and row.value["bank_holidays"] == ["2026-12-24", "2026-12-25", "2027-01-01"]
    # Saving the form as it is shown changes nothing: the page's way of writing a date reads back.
    assert manager.post("/caseworker/hours", hours="Mon-Fri 9am-5pm", bank_holidays=closed).status_code == 302
    row = stored(app)
    assert row is not None and row.value["bank_holidays"] == ["2026-12-24", "2026-12-25", "2027-01-01"]


def test_closed_days_from_the_environment_are_shown_as_staff_write_them(tmp_path: Path) -> None:
    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN, BANK_HOLIDAYS="2026-12-25,2026-12-28")
    set_clock(app, "2026-11-26 10:00")
    page = text(signed_in(app, "morgan", "manager").client.get("/caseworker/hours"))
    assert '<dd id="hours-holidays">Fri 25 Dec 2026, Mon 28 Dec 2026</dd>' in page
    assert ">Fri 25 Dec 2026, Mon 28 Dec 2026</textarea>" in page


def test_a_christmas_closure_is_one_range_wherever_the_page_lists_closed_days(app: Flask, manager: AuthActions) -> None:
    set_clock(app, "2026-11-26 10:00")
    response = manager.post("/caseworker/hours", hours="Mon-Fri 9am-5pm",
                            bank_holidays="24/12/2026 to 2/1/2027, 5 Apr 2027, 2027-04-06")
    assert response.status_code == 302
    page = text(manager.client.get("/caseworker/hours"))
    closed = "Thu 24 Dec 2026 – Sat 2 Jan 2027, Mon 5 Apr 2027 – Tue 6 Apr 2027"
    assert f"Office hours saved: Mon-Fri 09:00-17:00; closed {closed}. Every channel" in page  # the message
    assert f'<dd id="hours-holidays">{closed}</dd>' in page  # in force now
    assert f">{closed}</textarea>" in page  # the form
    christmas = [(date(2026, 12, 24) + timedelta(days=n)).isoformat() for n in range(10)]
    row = stored(app)
    assert row is not None and row.value["bank_holidays"] == [*christmas, "2027-04-05", "2027-04-06"]
    # The ranges the form shows read back as the same days: saving it unchanged changes nothing.
    assert manager.post("/caseworker/hours", hours="Mon-Fri 9am-5pm", bank_holidays=closed).status_code == 302
    row = stored(app)
    assert row is not None and row.value["bank_holidays"] == [*christmas, "2027-04-05", "2027-04-06"]


def test_past_closed_days_are_not_saved_and_the_manager_is_told_which(app: Flask, manager: AuthActions) -> None:
    set_clock(app, "2026-11-26 10:00")  # a Thursday
    typed = "24/12/2025, 25/11/2026, 26/11/2026, 24/12/2026 to 25/12/2026"  # a wrong year, yesterday, today, Christmas
    refused = manager.post("/caseworker/hours", hours="Mon-Fri 9-5", bank_holidays=typed)
    assert refused.status_code == 400 and f">{typed}</textarea>" in text(refused)  # a mistake elsewhere: all kept

    assert manager.post("/caseworker/hours", hours="Mon-Fri 9am-5pm", bank_holidays=typed).status_code == 302
    page = text(manager.client.get("/caseworker/hours"))
    assert ("Office hours saved: Mon-Fri 09:00-17:00; closed Thu 26 Nov 2026, Thu 24 Dec 2026 – Fri 25 Dec 2026. "
            "Every channel uses them from now on.") in page
    assert ("Not saved, because they are in the past: Wed 24 Dec 2025, Wed 25 Nov 2026. If you meant a day still "
            "to come, check the year and add it again.") in page
    row = stored(app)
    assert row is not None and row.value["hours"] == "Mon-Fri 09:00-17:00"
    assert row.value["bank_holidays"] == ["2026-11-26", "2026-12-24", "2026-12-25"]

    assert manager.post("/caseworker/hours", hours="Mon-Fri 9am-5pm", bank_holidays="1 Jan 2026").status_code == 302
    page = text(manager.client.get("/caseworker/hours"))
    assert "; no closed days." in page and "Not saved, because it is in the past: Thu 1 Jan 2026." in page
    row = stored(app)
    assert row is not None and row.value["bank_holidays"] == []


def test_closed_days_once_past_drop_off_the_page_and_are_not_reported_at_the_next_save(
    app: Flask, manager: AuthActions,
) -> None:
    set_clock(app, "2026-11-26 10:00")
    assert manager.post("/caseworker/hours", hours="Mon-Fri 9am-5pm",
                        bank_holidays="24/12/2026 to 2/1/2027, 5 Apr 2027").status_code == 302
    set_clock(app, "2027-01-02 10:00")  # the last day of the Christmas closure: still to come today
    assert manager.login().status_code == 302  # a new day: yesterday's login has ended
    page = text(manager.client.get("/caseworker/hours"))
    assert '<dd id="hours-holidays">Sat 2 Jan 2027, Mon 5 Apr 2027</dd>' in page
    set_clock(app, "2027-01-04 10:00")
    assert manager.login().status_code == 302
    page = text(manager.client.get("/caseworker/hours"))
    assert '<dd id="hours-holidays">Mon 5 Apr 2027</dd>' in page and ">Mon 5 Apr 2027</textarea>" in page
    assert manager.post("/caseworker/hours", hours="Mon-Fri 9am-4pm", bank_holidays="Mon 5 Apr 2027").status_code == 302
    page = text(manager.client.get("/caseworker/hours"))
    assert "Office hours saved: Mon-Fri 09:00-16:00; closed Mon 5 Apr 2027." in page and "Not saved" not in page


def test_an_unclear_entry_keeps_both_boxes_as_typed_and_shows_an_example(app: Flask, manager: AuthActions) -> None:
    response = manager.post("/caseworker/hours", hours="Mon-Fri 9-5", bank_holidays="24 Dec 2026, 28/12/2026")
    assert response.status_code == 400
    page = text(response)
    assert "Nothing was changed. Office hours: in 'Mon-Fri 9-5', is 5 in the morning or the afternoon?" in page
    assert "e.g. 'Mon-Fri 9am-5pm' or 'Mon-Fri 09:00-17:00'" in page
    assert 'value="Mon-Fri 9-5"' in page and ">24 Dec 2026, 28/12/2026</textarea>" in page
    assert stored(app) is None and audit_rows(app, "office_hours_set") == []


def test_caseworkers_cannot_see_or_change_the_hours(app: Flask) -> None:
    alex = signed_in(app, "alex")
    assert alex.client.get("/caseworker/hours").status_code == 403
    assert alex.post("/caseworker/hours", hours="Mon 10:00-11:00", bank_holidays="").status_code == 403
    assert alex.post("/caseworker/hours/reset").status_code == 403
    assert "Office hours</a>" not in text(alex.client.get("/caseworker/queue"))
    assert stored(app) is None and audit_rows(app, "office_hours_set") == []


def test_the_form_needs_its_csrf_token(app: Flask, manager: AuthActions) -> None:
    response = manager.client.post("/caseworker/hours", data={"hours": "Mon 10:00-11:00", "bank_holidays": ""})
    assert response.status_code == 400 and stored(app) is None


def test_reset_goes_back_to_the_environment_and_is_audited(app: Flask, manager: AuthActions) -> None:
    weekly, today = closed_today()
    manager.post("/caseworker/hours", hours=weekly, bank_holidays=today)
    assert manager.post("/caseworker/hours/reset").status_code == 302
    page = text(manager.client.get("/caseworker/hours"))
    assert "The office hours from the environment apply again." in page and ALWAYS_OPEN in page
    assert stored(app) is None
    [event] = audit_rows(app, "office_hours_reset")
    assert event.actor == "morgan"
    assert "We are closed now" not in finish_sms_intake(app)


def test_console_sign_in_follows_the_console_hours(app: Flask, manager: AuthActions) -> None:
    weekly, today = closed_today()
    manager.post("/caseworker/hours", hours=weekly, bank_holidays=today)
    off_duty = AuthActions(app.test_client(), app, "sam", add_caseworker(app, "sam", on_duty=False))
    response = off_duty.login()
    assert response.status_code == 401 and "closed out of hours" in text(response)


def test_a_setting_that_no_longer_reads_falls_back_to_the_environment(app: Flask) -> None:
    default = OfficeHours.parse(ALWAYS_OPEN)
    with unit_of_work(svc(app).sessions) as session:
        session.add(ServiceSetting(name=service_hours.NAME, value={"hours": "nonsense"}))
    with unit_of_work(svc(app).sessions) as session:
        found = service_hours.source(session, default)
    assert found.origin == "environment" and found.hours is default


def test_describe_gives_back_what_the_form_takes() -> None:
    hours = OfficeHours.parse("Mon-Thu 09:00-17:00; Fri 09:00-16:30; Sun 10:00-12:00")
    assert service_hours.describe(hours) == "Mon-Thu 09:00-17:00; Fri 09:00-16:30; Sun 10:00-12:00"
    assert OfficeHours.parse(service_hours.describe(hours)) == hours


# ---- the limit on closed days counts only days still to come ----

TODAY = date(2026, 11, 26)  # set_clock(app, "2026-11-26 10:00"), a Thursday


def days_from(first: date, count: int, step: int = 2) -> list[date]:
    """`count` closed days from `first`, one every `step` days: none run together, so each is listed on its own."""
    return [first + timedelta(days=n * step) for n in range(count)]


def typed(days: list[date]) -> str:
    """Closed days as a manager would type them."""
    return ", ".join(f"{d:%d/%m/%Y}" for d in days)


def history(count: int = 260) -> list[date]:
    """An old service's record of past closures: every few days back over several years."""
    return [TODAY - timedelta(days=3 + n * 9) for n in range(count)]


def test_past_closed_days_do_not_count_towards_the_limit_and_are_not_kept(app: Flask, manager: AuthActions) -> None:
    set_clock(app, "2026-11-26 10:00")
    coming = days_from(TODAY, closed_days.MAX_HOLIDAYS)  # today and 199 more: exactly the limit
    past = history()
    entry = typed(past + coming)
    page = text(manager.client.get("/caseworker/hours"))
    assert f'maxlength="{closed_days.MAX_TEXT}"' in page and len(entry) <= closed_days.MAX_TEXT  # fits the box
    assert f"Up to {closed_days.MAX_HOLIDAYS} closed days from today on" in page  # said before it is reached

    assert manager.post("/caseworker/hours", hours="Mon-Fri 9am-5pm", bank_holidays=entry).status_code == 302
    row = stored(app)
    assert row is not None and row.value["bank_holidays"] == [d.isoformat() for d in coming]  # pruned: not kept
    page = text(manager.client.get("/caseworker/hours"))
    assert "Office hours saved: Mon-Fri 09:00-17:00; closed Thu 26 Nov 2026, Sat 28 Nov 2026," in page
    latest = ", ".join(shown(d.isoformat()) for d in sorted(past)[-closed_days.PAST_SHOWN:])
    oldest = sorted(past)[0]
    assert (f"Not saved, because they are in the past: {len(past)} days from {shown(oldest.isoformat())} to "
            f"Mon 23 Nov 2026, the latest {latest}. If you meant a day still to come") in page

    # The form shows the 200 days to come, and saves again as it is shown.
    form = page.split('name="bank_holidays"')[1].split(">", 1)[1].split("</textarea>")[0]
    assert form.count(",") == closed_days.MAX_HOLIDAYS - 1 and len(form) <= closed_days.MAX_TEXT
    assert manager.post("/caseworker/hours", hours="Mon-Fri 9am-5pm", bank_holidays=form).status_code == 302
    row = stored(app)
    assert row is not None and row.value["bank_holidays"] == [d.isoformat() for d in coming]


def test_a_closed_day_once_past_frees_its_place_for_a_new_one(app: Flask, manager: AuthActions) -> None:
    set_clock(app, "2026-11-26 10:00")
    coming = days_from(TODAY, closed_days.MAX_HOLIDAYS)
    assert manager.post("/caseworker/hours", hours="Mon-Fri 9am-5pm", bank_holidays=typed(coming)).status_code == 302
    later = coming[-1] + timedelta(days=7)
    assert manager.post("/caseworker/hours", hours="Mon-Fri 9am-5pm",
                        bank_holidays=typed([*coming, later])).status_code == 400  # full today

    set_clock(app, "2026-11-27 10:00")  # the next day: 26 Nov is history, and the same entry fits
    assert manager.login().status_code == 302  # a new day: yesterday's login has ended
    assert manager.post("/caseworker/hours", hours="Mon-Fri 9am-5pm",
                        bank_holidays=typed([*coming, later])).status_code == 302
    row = stored(app)
    assert row is not None and row.value["bank_holidays"] == [d.isoformat() for d in [*coming[1:], later]]
    assert "Not saved, because it is in the past: Thu 26 Nov 2026." in text(manager.client.get("/caseworker/hours"))


def test_one_closed_day_too_many_is_refused_saying_so_and_keeping_what_was_typed(
    app: Flask, manager: AuthActions,
) -> None:
    set_clock(app, "2026-11-26 10:00")
    assert manager.post("/caseworker/hours", hours="Mon-Fri 9am-5pm", bank_holidays="25/12/2026").status_code == 302
    coming = days_from(TODAY, closed_days.MAX_HOLIDAYS + 1)
    entry = typed(history() + coming)
    response = manager.post("/caseworker/hours", hours="Mon-Fri 9am-4pm", bank_holidays=entry)
    assert response.status_code == 400
    page = text(response)
    assert ("Nothing was changed. Bank holidays: at most 200 closed days from today on can be kept, and this list "
            f"has 201, from Thu 26 Nov 2026 to {shown(coming[-1].isoformat())} (days already past do not count); "
            "remove some, or add the later ones nearer the time") in page
    assert 'value="Mon-Fri 9am-4pm"' in page and f">{entry}</textarea>" in page  # both boxes as typed
    row = stored(app)
    assert row is not None and row.value["hours"] == "Mon-Fri 09:00-17:00"
    assert row.value["bank_holidays"] == ["2026-12-25"]
    assert len(audit_rows(app, "office_hours_set")) == 1


def test_a_list_longer_than_the_box_takes_is_refused_kindly(app: Flask, manager: AuthActions) -> None:
    set_clock(app, "2026-11-26 10:00")
    entry = typed(history(closed_days.MAX_TEXT // 12 + 1))
    assert len(entry) > closed_days.MAX_TEXT
    response = manager.post("/caseworker/hours", hours="Mon-Fri 9am-5pm", bank_holidays=entry)
    assert response.status_code == 400 and stored(app) is None
    assert "Bank holidays: keep the list under 20,000 characters; days already past need not be typed" in text(response)
