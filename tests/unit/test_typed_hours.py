"""Office hours and closed days as a manager types them: the common forms read, ambiguous ones refused kindly."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from intake import closed_days, service_hours
from intake.hours import HoursError, OfficeHours
from intake.service_hours import validate

ZONE = "Europe/London"


def stored(hours: str, holidays: str = "") -> tuple[str, tuple[str, ...]]:
    """What would be stored: the weekly hours as the form shows them, and the closed days."""
    spec, days, _ = validate(hours, holidays, ZONE)
    return spec, days


@pytest.mark.parametrize(("typed", "expected"), [
    ("Mon-Fri 09:00-17:00", "Mon-Fri 09:00-17:00"),
    ("Mon-Fri 9am-5pm", "Mon-Fri 09:00-17:00"),
    ("mon-fri 9AM-5PM", "Mon-Fri 09:00-17:00"),
    ("Monday to Friday 9:00-17:00", "Mon-Fri 09:00-17:00"),
    ("Mon-Fri 9.30am-4.30pm", "Mon-Fri 09:30-16:30"),
    ("Mon–Fri 9am–5pm", "Mon-Fri 09:00-17:00"),  # en dashes, as a word processor types them
    ("Mon - Fri, 9 am - 5 pm", "Mon-Fri 09:00-17:00"),
    ("Mondays to Fridays from 9.30 a.m. to 4.30 p.m.", "Mon-Fri 09:30-16:30"),
    ("Mon-Fri: 9-5pm", "Mon-Fri 09:00-17:00"),  # the pm carries back: 9 to 5pm is 9am to 5pm
    ("Sat 1-5pm", "Sat 13:00-17:00"),  # ... and 1 to 5pm is 1pm to 5pm
    ("weekdays 0900-1700", "Mon-Fri 09:00-17:00"),
    ("Mon 9-17", "Mon 09:00-17:00"),  # 17 can only be the 24-hour clock
    ("Mon-Thu 9am-5pm, Fri 9am-4.30pm", "Mon-Thu 09:00-17:00; Fri 09:00-16:30"),
    ("Mon-Thu 09:00-17:00; Fri 09:00-16:30", "Mon-Thu 09:00-17:00; Fri 09:00-16:30"),
    ("Mon-Fri 9am-5pm; Fri 9am-4pm", "Mon-Thu 09:00-17:00; Fri 09:00-16:00"),  # a later entry wins
    ("Mon, Wed and Fri 10:00-14:00", "Mon 10:00-14:00; Wed 10:00-14:00; Fri 10:00-14:00"),
    ("Tues & Thurs 10am-2pm", "Tue 10:00-14:00; Thu 10:00-14:00"),
    ("every day 10am to noon", "Mon-Sun 10:00-12:00"),
    ("weekends 10am-12pm", "Sat-Sun 10:00-12:00"),
    ("Mon-Sun 00:00-23:59", "Mon-Sun 00:00-23:59"),
    # Hours that run to midnight: 24:00, as the form shows them and OFFICE_HOURS takes them.
    ("Mon-Sun 00:00-24:00", "Mon-Sun 00:00-24:00"),
    ("every day midnight to midnight", "Mon-Sun 00:00-24:00"),
    ("Fri 6pm-midnight", "Fri 18:00-24:00"),
    ("Mon-Fri 9am-12am", "Mon-Fri 09:00-24:00"),  # 12am closing is midnight at the end of the day
    ("Sat 0900-2400", "Sat 09:00-24:00"),
    ("Sun 10:00-00:00", "Sun 10:00-24:00"),  # closing at 00:00 can only be the end of the day
])
def test_common_ways_of_writing_the_hours_are_read(typed: str, expected: str) -> None:
    assert stored(typed)[0] == expected
    assert OfficeHours.parse(expected) == validate(typed, "", ZONE)[2]  # what is stored reads back the same


@pytest.mark.parametrize(("typed", "message"), [
    ("Mon-Fri 9-5", "in 'Mon-Fri 9-5', is 5 in the morning or the afternoon? Add am or pm"),
    ("weekdays 9 to 12", "is 12 in the morning or the afternoon?"),
    ("Mon 9am-5", "is 5 in the morning or the afternoon?"),
    ("9.30am-4.30pm", "say which days '9.30am-4.30pm' is for, e.g. 'Mon-Fri 9.30am-4.30pm'"),
    ("Mon-Fri 9am-12pm, 1pm-5pm", "Only one opening and one closing time can be set for each day"),
    ("Sat", "'Sat' has days but no times"),
    ("Mon 9am", "give an opening and a closing time"),
    ("Mon 9.30-4.30", "the closing time is not after the opening time (if you mean the afternoon, write 4.30pm"),
    ("Mon 5pm-9am", "the closing time is not after the opening time"),
    ("Fri-Mon 09:00-17:00", "the days in 'Fri-Mon' run backwards"),
    ("Sat 25:00-26:00", "cannot read 'Sat 25:00-26:00': 25:00 is not a time of day"),
    ("Mon 13pm-5pm", "13pm is not a time of day"),
    ("Mon 9:75-17:00", "9:75 is not a time of day"),
    ("Mon 9am-24:30", "24:30 is not a time of day"),
    ("Mon 24:00-17:00", "24:00 is the end of the day: to open at midnight write 00:00"),
    ("Mon-Fri 9am-5pm, Sat closed", "no need to write 'closed'"),
    ("Mon lunch 9am-5pm", "cannot read 'lunch': it is not a day or a time"),
    ("Mon-Fri 9am-5pm 25/12/2026", "dates go in the box for bank holidays"),
    ("Mon-Fri 9am-5pm?", "cannot read '?'"),
    ("", "enter at least one day and its times"),
])
def test_unclear_hours_are_refused_with_a_reason_and_an_example(typed: str, message: str) -> None:
    with pytest.raises(HoursError) as refused:
        validate(typed, "", ZONE)
    said = str(refused.value)
    assert said.startswith("Office hours:") and message in said
    assert "e.g. 'Mon-Fri" in said or "e.g. 'Sat" in said  # always an example to copy


LONDON = ZoneInfo(ZONE)


@pytest.mark.parametrize("spec", ["Mon-Sun 00:00-24:00", "mon-sun 00:00-00:00"])
def test_hours_to_midnight_are_open_to_the_last_moment_of_the_day(spec: str) -> None:
    always = OfficeHours.parse(spec)
    for moment in ("2026-11-26 23:59:00", "2026-11-26 23:59:59.999999", "2026-11-27 00:00", "2026-11-26 12:00",
                   "2026-03-29 01:30", "2026-10-25 01:30"):  # the clocks going forward and back in London
        assert always.is_open(datetime.fromisoformat(moment).replace(tzinfo=LONDON)), moment
    assert always.describe() == "Monday to Sunday, all day"  # what parents are told: {office_hours}
    assert service_hours.describe(always) == "Mon-Sun 00:00-24:00"  # what the console shows and stores
    at = datetime(2026, 11, 26, 23, 59, 30, tzinfo=LONDON)
    assert always.closes_after(at) > at + timedelta(days=7)  # it never closes: a chat reply is offered at 23:59


def test_hours_to_midnight_are_said_as_midnight_and_close_then() -> None:
    late = OfficeHours.parse("Mon-Fri 09:00-17:00; Sat 18:00-24:00; Sun 00:00-02:00")
    assert late.describe() == "Monday to Friday, 9am to 5pm; Saturday, 6pm to midnight; Sunday, 12am to 2am"
    saturday = datetime(2026, 11, 28, 23, 59, 59, tzinfo=LONDON)
    assert late.is_open(saturday) and late.is_open(saturday + timedelta(seconds=1))  # Sunday 00:00
    assert late.closes_after(saturday) == datetime(2026, 11, 29, 2, 0, tzinfo=LONDON)  # runs on into Sunday
    assert not late.is_open(datetime(2026, 11, 27, 17, 0, tzinfo=LONDON))
    friday = OfficeHours.parse("Fri 18:00-24:00")  # nothing on Saturday morning: it closes at midnight
    assert friday.closes_after(datetime(2026, 11, 27, 23, 0, tzinfo=LONDON)) == datetime(2026, 11, 28, tzinfo=LONDON)
    assert not friday.is_open(datetime(2026, 11, 28, 0, 0, tzinfo=LONDON))


@pytest.mark.parametrize(("spec", "message"), [
    ("Mon 09:00-24:30", "'mon 09:00-24:30': 24:30 is not a time of day"),
    ("Mon 24:00-17:00", "24:00 is not a time of day"),  # opening at the end of the day
])
def test_office_hours_that_are_not_times_of_day_are_refused(spec: str, message: str) -> None:
    with pytest.raises(HoursError, match=message):
        OfficeHours.parse(spec)


@pytest.mark.parametrize(("typed", "expected"), [
    ("2026-12-25", ("2026-12-25",)),
    ("24/12/2026", ("2026-12-24",)),
    ("24/12/26", ("2026-12-24",)),
    ("24.12.2026", ("2026-12-24",)),
    ("5/6/2026", ("2026-06-05",)),  # day first: 5 June
    ("24 Dec 2026", ("2026-12-24",)),
    ("24th December 2026", ("2026-12-24",)),
    ("Thursday 24 December 2026", ("2026-12-24",)),
    ("Dec 24, 2026", ("2026-12-24",)),
    ("1 Sept 2026", ("2026-09-01",)),
    ("25/12/2026, 28 Dec 2026; 2027-01-01", ("2026-12-25", "2026-12-28", "2027-01-01")),
    ("2026-12-25 2026-12-26", ("2026-12-25", "2026-12-26")),
    ("25 Dec 2026 and 26 Dec 2026\n1/1/2027", ("2026-12-25", "2026-12-26", "2027-01-01")),
    ("24/12/2026 to 27/12/2026", ("2026-12-24", "2026-12-25", "2026-12-26", "2026-12-27")),
    ("30 Dec 2026 – 2 Jan 2027", ("2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02")),
    ("25/12/2026, 25 Dec 2026", ("2026-12-25",)),  # the same day twice is one day
    ("", ()),
])
def test_closed_days_are_read_day_first(typed: str, expected: tuple[str, ...]) -> None:
    assert stored("Mon-Fri 9am-5pm", typed)[1] == expected


@pytest.mark.parametrize(("typed", "message"), [
    ("12/25/2026", "cannot read '12/25/2026' (there is no such date)"),  # American order: month 25
    ("2026-02-30", "cannot read '2026-02-30' (there is no such date)"),
    ("25 Dec", "cannot read '25 Dec' (give the year too)"),
    ("25/12", "cannot read '25/12' (give the year too)"),
    ("Friday 24 December 2026", "(24 Dec 2026 is a Thursday)"),
    ("Christmas 25 Dec 2026", "('Christmas' is not a day of the week)"),
    ("24 Decembre 2026", "('Decembre' is not a month)"),
    ("next Tuesday", "cannot read 'next Tuesday'"),
    ("2/1/2027 to 24/12/2026", "the closure from 2 Jan 2027 to 24 Dec 2026 must end after it starts"),
    ("1/1/2026 to 1/6/2026", "last at most 31 days"),
])
def test_unclear_dates_are_refused_with_a_reason_and_an_example(typed: str, message: str) -> None:
    with pytest.raises(HoursError) as refused:
        validate("Mon-Fri 9am-5pm", typed, ZONE)
    said = str(refused.value)
    assert said.startswith("Bank holidays:") and message in said
    if "closure" not in said:
        assert "like 25/12/2026 or 25 Dec 2026" in said


def days_from(first: str, count: int) -> list[date]:
    """`count` consecutive days from an ISO date."""
    return [date.fromisoformat(first) + timedelta(days=n) for n in range(count)]


@pytest.mark.parametrize(("days", "shown"), [
    (days_from("2026-12-24", 10), "Thu 24 Dec 2026 \u2013 Sat 2 Jan 2027"),
    ([date(2026, 12, 25), date(2026, 12, 28)], "Fri 25 Dec 2026, Mon 28 Dec 2026"),  # not consecutive
    ([*days_from("2026-12-24", 2), date(2027, 1, 1)], "Thu 24 Dec 2026 \u2013 Fri 25 Dec 2026, Fri 1 Jan 2027"),
    ([date(2027, 5, 3)], "Mon 3 May 2027"),
    # Longer than one typed closure may be (32 days): cut where the form can read it back.
    (days_from("2026-12-01", 40), "Tue 1 Dec 2026 \u2013 Fri 1 Jan 2027, Sat 2 Jan 2027 \u2013 Sat 9 Jan 2027"),
    ([], ""),
])
def test_consecutive_closed_days_are_shown_as_a_range_the_form_reads_back(days: list[date], shown: str) -> None:
    assert closed_days.closed_days_text(reversed(days)) == shown
    assert stored("Mon-Fri 9am-5pm", shown)[1] == tuple(d.isoformat() for d in sorted(days))


def test_closed_days_before_today_are_told_apart_from_those_to_come() -> None:
    days = [date(2026, 12, 24), date(2025, 12, 24), date(2026, 11, 26), date(2026, 11, 25)]
    assert closed_days.split_past(days, date(2026, 11, 26)) == (
        (date(2026, 11, 26), date(2026, 12, 24)), (date(2025, 12, 24), date(2026, 11, 25)))
