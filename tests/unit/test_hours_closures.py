"""The hours parents are told include the office's coming closed days, grouped as people say them."""

from __future__ import annotations

from datetime import UTC, datetime

from intake.hours import OfficeHours

WEEKDAYS = "Mon-Fri 09:00-17:00"
WEDNESDAY_EVENING = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)


def hours(*closed: str) -> OfficeHours:
    return OfficeHours.parse(WEEKDAYS, holidays=closed)


def test_no_closures_coming_says_the_weekly_hours_only() -> None:
    assert hours("2027-03-01").describe_at(WEDNESDAY_EVENING) == "Monday to Friday, 9am to 5pm"


def test_two_closed_days_this_week_are_one_run() -> None:
    said = hours("2026-11-26", "2026-11-27").describe_at(WEDNESDAY_EVENING)
    assert said == "Monday to Friday, 9am to 5pm; closed Thu 26 Nov to Fri 27 Nov"


def test_a_weekend_inside_a_closure_does_not_split_it() -> None:
    christmas = ("2026-12-24", "2026-12-25", "2026-12-28", "2026-12-29", "2026-12-30", "2026-12-31", "2027-01-01")
    said = hours(*christmas).describe_at(datetime(2026, 12, 20, 12, 0, tzinfo=UTC))
    assert said.endswith("; closed Thu 24 Dec to Fri 1 Jan")


def test_separate_closures_are_listed_in_order() -> None:
    said = hours("2026-11-26", "2026-12-01", "2026-12-03").describe_at(WEDNESDAY_EVENING)
    assert said.endswith("; closed Thu 26 Nov, Tue 1 Dec and Thu 3 Dec")


def test_a_closed_day_the_office_never_opens_on_is_not_mentioned() -> None:
    assert "closed" not in hours("2026-11-28", "2026-11-29").describe_at(WEDNESDAY_EVENING)  # a weekend


def test_a_closure_today_is_still_mentioned_and_past_ones_are_not() -> None:
    said = hours("2026-11-24", "2026-11-25").describe_at(datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
    assert said.endswith("; closed Wed 25 Nov")


def test_closures_beyond_two_weeks_wait_until_they_are_near() -> None:
    assert "closed" not in hours("2026-12-24").describe_at(WEDNESDAY_EVENING)
