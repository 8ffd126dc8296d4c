"""The rights-request deadline: one calendar month from the day a request arrived (UK GDPR Art. 12(3)), three
when extended; a month with no such day ends on its last day; never a count of 30 days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake.access_requests import RequestError, add_months, due_date, parse_day


@pytest.mark.parametrize(("received", "due"), [
    (date(2027, 1, 31), date(2027, 2, 28)),  # February has no 31st: its last day
    (date(2028, 1, 31), date(2028, 2, 29)),  # a leap year
    (date(2028, 1, 29), date(2028, 2, 29)),
    (date(2027, 1, 29), date(2027, 2, 28)),
    (date(2027, 1, 28), date(2027, 2, 28)),
    (date(2027, 2, 28), date(2027, 3, 28)),  # not the end of March: the same day of the month
    (date(2028, 2, 29), date(2028, 3, 29)),
    (date(2027, 3, 31), date(2027, 4, 30)),
    (date(2027, 8, 31), date(2027, 9, 30)),
    (date(2026, 11, 30), date(2026, 12, 30)),
    (date(2026, 12, 15), date(2027, 1, 15)),  # into the next year
    (date(2026, 12, 31), date(2027, 1, 31)),
    (date(2100, 1, 31), date(2100, 2, 28)),  # a century year is not a leap year...
    (date(2000, 1, 31), date(2000, 2, 29)),  # ...unless it divides by 400
])
def test_one_calendar_month_from_the_day_it_arrived(received: date, due: date) -> None:
    assert due_date(received) == due


@pytest.mark.parametrize(("received", "due"), [
    (date(2027, 1, 31), date(2027, 4, 30)),  # extended: three months from receipt, not from the first due date
    (date(2027, 11, 30), date(2028, 2, 29)),
    (date(2026, 11, 30), date(2027, 2, 28)),
    (date(2026, 10, 15), date(2027, 1, 15)),
])
def test_an_extension_gives_two_more_months(received: date, due: date) -> None:
    assert due_date(received, extended=True) == due


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(9000, 12, 31)), st.integers(min_value=0, max_value=36))
def test_the_due_day_is_the_same_day_of_the_month_or_that_months_last(received: date, months: int) -> None:
    due = add_months(received, months)
    assert (due.year * 12 + due.month) - (received.year * 12 + received.month) == months
    if due.day != received.day:  # only when the month is too short, and then its last day
        assert due.day < received.day and (due + timedelta(days=1)).day == 1


@pytest.mark.parametrize(("typed", "day"), [
    ("2026-11-02", date(2026, 11, 2)), ("2/11/2026", date(2026, 11, 2)), (" 26/11/2026 ", date(2026, 11, 26))])
def test_the_day_it_arrived_as_the_browser_sends_it_or_typed_day_first(typed: str, day: date) -> None:
    assert parse_day(typed, date(2026, 11, 26)) == day


@pytest.mark.parametrize("typed", ["27/11/2026", "2026-12-01", "31/2/2026", "yesterday", "11/2026"])
def test_a_day_after_today_or_not_a_day_is_refused(typed: str) -> None:
    with pytest.raises(RequestError):
        parse_day(typed, date(2026, 11, 26))
