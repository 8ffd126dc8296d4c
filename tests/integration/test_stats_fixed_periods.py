"""Statistics cannot be set side by side to pick out one enquiry (policy 4.6): every period the page allows has
fixed edges (whole weeks, whole months), so two reports never differ by a day or two, and a typed period that
is not whole months is refused kindly, keeping what was typed."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from flask import Flask

from intake import statistics
from tests.integration.test_console import audit_rows, set_clock
from tests.integration.test_console_manage import signed_in
from tests.integration.test_console_stats_period import received, rows_of


def offered_on(today: date) -> set[tuple[date, date]]:
    """The days (first, last counted) of every period on the page's list on `today`."""
    spans = set()
    for group in statistics.choices(today).values():
        for offered in group:
            period = statistics.chosen(offered.key, today)
            spans.add((period.first, statistics.covered(period, today)))
    return spans


def typed_on(today: date) -> set[tuple[date, date]]:
    """The days (first, last counted) of every From and To the page accepts on `today`, from 2025 on."""
    spans = set()
    ends = [date(year, month, 1) - timedelta(days=1) for year in range(2025, today.year + 6) for month in range(1, 13)]
    for first in (end + timedelta(days=1) for end in ends if end < today):
        for last in (end for end in ends if first < end <= first + timedelta(days=366 * 5)):
            try:
                period = statistics.chosen("dates", today, first.strftime("%d/%m/%Y"), last.strftime("%d/%m/%Y"))
            except statistics.PeriodError:
                continue
            spans.add((period.first, statistics.covered(period, today)))
    return spans


def test_no_two_periods_allowed_on_any_day_of_three_years_differ_by_less_than_a_week() -> None:
    spans: set[tuple[date, date]] = set()
    day = date(2026, 1, 1)
    while day < date(2029, 1, 1):
        spans |= offered_on(day)
        if day.day in (1, 28):  # what may be typed changes only when a month ends
            spans |= typed_on(day)
        day += timedelta(days=1)
    by_length: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for first, last in spans:
        by_length[(last - first).days + 1].append((first, last))
    close = [(inner, outer) for length, outers in by_length.items() for outer in outers
             for shorter in range(length - 6, length) for inner in by_length.get(shorter, [])
             if outer[0] <= inner[0] and inner[1] <= outer[1]]
    # one inside the other, a day to six days apart: subtracting them would show a few days' enquiries
    assert not close, close[:5]
    # November is allowed, so "the last 4 weeks" (2 to 29 Nov, two days shorter) could not be
    assert (date(2026, 11, 1), date(2026, 11, 30)) in spans
    assert (date(2026, 11, 2), date(2026, 11, 29)) not in spans


def test_two_exports_a_day_apart_show_the_same_figures_for_every_period(app: Flask) -> None:
    for moment in ("2026-08-03 10:00", "2026-10-06 10:00", "2026-11-10 10:00", "2026-11-17 10:00"):
        received(app, moment, 6, topic="exclusions")
    received(app, "2026-11-26 10:00", topic="exclusions")  # today's one enquiry: on no report until its week ends
    manager = signed_in(app, "morgan", "manager")
    exports: dict[str, list[list[str]]] = {}
    for today in ("2026-11-26 12:00", "2026-11-27 12:00"):  # a Thursday and the Friday after
        set_clock(app, today)
        assert manager.login().status_code == 302  # the console's clock moved a day: a new day's sign-in
        words = manager.client.get("/caseworker/stats").get_data(as_text=True)
        keys = [part.split('"')[0] for part in words.split('<option value="')[1:]]
        assert keys and "Last 10 whole weeks" in words
        for key in keys:
            rows = rows_of(manager.client.get(f"/caseworker/stats.csv?period={key}"))
            assert exports.setdefault(key, rows) == rows, key  # the same figures, the same days: nothing to subtract
    assert ["period covered", "to", "2026-11-22"] in exports["6w"]  # the Sunday before this week
    assert ["enquiries by topic", "Exclusions and part-time timetables", "12"] in exports["6w"]
    assert ["period covered", "to", "2026-10-31"] in exports["q-2026-3"]  # the quarter so far: to the end of October


def test_a_typed_period_that_is_not_whole_months_is_refused_kindly_keeping_what_was_typed(app: Flask) -> None:
    set_clock(app, "2026-11-26 12:00")
    manager = signed_in(app, "morgan", "manager")
    page = manager.client.get("/caseworker/stats?period=dates&from=1+Aug+2026&to=25/08/2026")
    words = page.get_data(as_text=True)
    assert page.status_code == 400
    assert ("Figures are given for whole calendar months, so that no family can be picked out by setting two "
            "reports side by side: start on the 1st of a month and end on the last day of a month") in words
    assert 'value="1 Aug 2026"' in words and 'value="25/08/2026"' in words
    csv = manager.client.get("/caseworker/stats.csv?period=dates&from=1+Aug+2026&to=25/08/2026")
    assert csv.status_code == 400 and "whole calendar months" in csv.get_data(as_text=True)
    assert audit_rows(app, "stats_export") == []
    whole = manager.client.get("/caseworker/stats?period=dates&from=1+Aug+2026&to=30/09/2026")
    assert whole.status_code == 200 and "<h2>01 Aug 2026 to 30 Sep 2026</h2>" in whole.get_data(as_text=True)
