"""Anonymised statistics with small-number suppression (policy 4.6), for the period a manager reports on."""

from __future__ import annotations

import csv
import io
import re
import statistics as stats
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

# The same day-first reading of a typed date as the office-hours page (25/12/2026, 25 Dec 2026, 2026-12-25).
from intake.closed_days import _DATE, _date, _NotADate
from intake.models import Enquiry, utcnow

SUPPRESS_BELOW = 5
SUPPRESSED = "<5"
SECONDARY = "hidden"  # hidden so that a "<5" beside it cannot be worked out from the total

# Policy 4.6: a report must not let anyone work out one family's enquiry by setting it beside another report.
# Counts under 5 are hidden within a report, but two reports whose periods differ by a day or two can be
# subtracted (a topic at 6 in one, 5 in the other: one enquiry, its topic and its day). So every period's
# edges are fixed, never "up to today": typed periods and "so far" periods are whole calendar months (up to the
# end of last month), and the rolling periods are whole weeks, Monday to Sunday, ending the Sunday before this
# week. Their lengths, 6 and 10 weeks, are chosen so that no run of weeks lies within a week of the length of
# any run of whole months (28-31 days, 59-62, 89-92, ...): a 4-week period could sit inside a month two days
# longer, and 12 weeks inside a quarter 6 days longer. So no two allowed periods, one inside the other, differ
# by less than a week (tests/integration/test_stats_fixed_periods.py checks every pair over years).
ROLLING_WEEKS = (6, 10)
DEFAULT_CHOICE = f"{ROLLING_WEEKS[-1]}w"
FY_FIRST_MONTH = 4  # councils and commissioners report by financial year, April to March
BY_WEEK_UP_TO = 92  # days: a period up to a quarter long is broken down by week, a longer one by month
MAX_YEARS = 5
EARLIEST = date(2000, 1, 1)
DATE_EXAMPLE = "write it day first, like 01/04/2026 or 1 Apr 2026"
WHOLE_MONTHS = ("Figures are given for whole calendar months, so that no family can be picked out by setting two "
                "reports side by side: start on the 1st of a month and end on the last day of a month "
                "(for example 01/08/2026 to 31/10/2026).")
# The keys of `choices`: "10w" (the last 10 whole weeks), "m-2026-10", "q-2026-3" (quarter 3 of 2026/27), "fy-2026".
_CHOICE = re.compile(r"(?P<weeks>\d{1,2})w|m-(?P<my>\d{4})-(?P<m>\d{1,2})"
                     r"|q-(?P<qy>\d{4})-(?P<q>[1-4])|fy-(?P<fy>\d{4})")


class PeriodError(ValueError):
    """Why the period asked for cannot be shown, in words for the manager."""


@dataclass(frozen=True)
class Period:
    """The days a report covers, `first` to `last` inclusive (local dates); `last` may be after today."""

    kind: str  # "weeks", "month", "quarter", "year" or "dates"
    first: date
    last: date
    weeks: int = 0

    @property
    def key(self) -> str:
        """The choice as the statistics page's period list names it ("dates" for From/To dates)."""
        if self.kind == "weeks":
            return f"{self.weeks}w"
        if self.kind == "month":
            return f"m-{self.first:%Y-%m}"
        if self.kind == "quarter":
            return f"q-{self.fy_start}-{self.quarter}"
        return f"fy-{self.fy_start}" if self.kind == "year" else "dates"

    @property
    def query(self) -> dict[str, str]:
        """The URL parameters that choose this period again (for the CSV link)."""
        if self.kind == "dates":
            return {"period": "dates", "from": self.first.isoformat(), "to": self.last.isoformat()}
        return {"period": self.key}

    @property
    def fy_start(self) -> int:
        """The calendar year the financial year holding `first` starts in."""
        return _fy_and_quarter(self.first)[0]

    @property
    def financial_year(self) -> str:
        """E.g. "2026/27"."""
        return f"{self.fy_start}/{(self.fy_start + 1) % 100:02d}"

    @property
    def quarter(self) -> int:
        """1-4 within the financial year (1 = April to June)."""
        return _fy_and_quarter(self.first)[1]

    @property
    def by_month(self) -> bool:
        """Longer than a quarter: the figures over time are by month, not by week."""
        return (self.last - self.first).days + 1 > BY_WEEK_UP_TO


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _month_end(first: date, months: int) -> date:
    """The last day of the `months` months starting with `first` (the 1st of a month)."""
    year, month = divmod(first.month - 1 + months, 12)
    return date(first.year + year, month + 1, 1) - timedelta(days=1)


def last_weeks(weeks: int, today: date) -> Period:
    """The `weeks` whole weeks (Monday to Sunday) before this one: fixed for the week, never up to today."""
    monday = _monday(today)
    return Period("weeks", monday - timedelta(weeks=weeks), monday - timedelta(days=1), weeks)


def whole_months_to(today: date) -> date:
    """The last day of last month: a month, quarter or year still going is reported up to here, not today."""
    return today.replace(day=1) - timedelta(days=1)


def covered(period: Period, today: date) -> date:
    """The last day a report of `period` counts on `today`: its last day, or the end of last month while a month,
    quarter or year is still going (whole weeks have ended before they are offered)."""
    return min(period.last, today if period.kind == "weeks" else whole_months_to(today))


def month(year: int, number: int) -> Period:
    """One calendar month."""
    first = date(year, number, 1)
    return Period("month", first, _month_end(first, 1))


def quarter(fy_start: int, number: int) -> Period:
    """Quarter `number` (1-4) of the financial year starting in April of `fy_start`."""
    year, month0 = divmod(FY_FIRST_MONTH - 1 + 3 * (number - 1), 12)
    first = date(fy_start + year, month0 + 1, 1)
    return Period("quarter", first, _month_end(first, 3))


def financial_year(fy_start: int) -> Period:
    """April of `fy_start` to March of the next year."""
    first = date(fy_start, FY_FIRST_MONTH, 1)
    return Period("year", first, _month_end(first, 12))


def _fy_and_quarter(day: date) -> tuple[int, int]:
    """The year the financial year holding `day` starts in, and its quarter there (1-4)."""
    since = (day.year * 12 + day.month - 1) - (FY_FIRST_MONTH - 1)  # months from January of year 0 to FY start
    return since // 12, since % 12 // 3 + 1


def choices(today: date) -> dict[str, list[Period]]:
    """The periods the statistics page offers, newest first in each group."""
    months = [divmod(today.year * 12 + today.month - 1 - i, 12) for i in range(1, 5)]  # this month has not ended
    fy, q = _fy_and_quarter(today)
    quarters = [divmod(fy * 4 + q - 1 - i, 4) for i in range(5)]
    begun = whole_months_to(today)  # a quarter or year is offered once a whole month of it has passed
    return {
        "weeks": [last_weeks(weeks, today) for weeks in ROLLING_WEEKS],
        "months": [month(year, m0 + 1) for year, m0 in months],
        "quarters": [p for p in (quarter(year, q0 + 1) for year, q0 in quarters) if p.first <= begun],
        "years": [p for p in (financial_year(fy - i) for i in range(3)) if p.first <= begun],
    }


def _typed_date(text: str, which: str) -> date:
    """A From or To date as typed (or as a date picker sends it); PeriodError says kindly what is wrong."""
    text = text.strip()
    if not text:
        raise PeriodError(f"Give a {which} date: {DATE_EXAMPLE}.")
    match = _DATE.fullmatch(text)
    if match is None:
        raise PeriodError(f"The {which} date {text[:40]!r} is not one we can read: {DATE_EXAMPLE}.")
    try:
        return _date(match)
    except _NotADate as exc:
        raise PeriodError(f"The {which} date {text[:40]!r} is not a date ({exc}): {DATE_EXAMPLE}.") from None


def chosen(choice: str, today: date, first: str = "", last: str = "") -> Period:
    """The period a manager chose: a key from `choices`, or "dates" with From and To dates as typed.

    PeriodError says, in words for the manager, why it cannot be shown.
    """
    if choice == "dates":
        period = Period("dates", _typed_date(first, "From"), _typed_date(last, "To"))
        if period.last < period.first:
            raise PeriodError("The To date is before the From date: swap them round.")
        if (period.last - period.first).days >= 365 * MAX_YEARS + 1:
            raise PeriodError(f"Choose a period of at most {MAX_YEARS} years.")
        if period.first.day != 1 or (period.last + timedelta(days=1)).day != 1:
            raise PeriodError(WHOLE_MONTHS)
    else:
        found = _CHOICE.fullmatch(choice)
        try:
            if found is None:
                raise ValueError(choice)
            if found["weeks"]:
                if int(found["weeks"]) not in ROLLING_WEEKS:
                    raise ValueError(choice)
                period = last_weeks(int(found["weeks"]), today)
            elif found["m"]:
                period = month(int(found["my"]), int(found["m"]))
            elif found["q"]:
                period = quarter(int(found["qy"]), int(found["q"]))
            else:
                period = financial_year(int(found["fy"]))
        except ValueError:
            raise PeriodError("Choose a period from the list, or give From and To dates.") from None
    if period.first > today:
        raise PeriodError("That period has not started yet: choose one that starts today or earlier.")
    if period.first < EARLIEST:
        raise PeriodError(f"Choose a period from {EARLIEST.year} on.")
    if period.kind != "weeks" and period.first > whole_months_to(today):
        raise PeriodError("No whole month of that period has passed yet: figures are given for whole months, "
                          "so choose one that starts last month or earlier.")
    return period


def suppress(count: int) -> str:
    """Counts under 5 are shown as '<5' so no family can be picked out."""
    return SUPPRESSED if 0 < count < SUPPRESS_BELOW else str(count)


def by_topic_and_channel(session: Session) -> dict[tuple[str, str], str]:
    """Enquiry counts by topic and channel, suppressed."""
    rows = session.execute(
        select(Enquiry.topic, Enquiry.channel, func.count()).group_by(Enquiry.topic, Enquiry.channel)
    ).all()
    return {(topic, channel): suppress(int(count)) for topic, channel, count in rows}


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: its label, the number shown (maybe '<5'), and its length as a share of the longest."""

    label: str
    shown: str
    share: float
    median: str = ""


@dataclass
class Report:
    """What the manager's statistics page and CSV show; every count already suppressed.

    `covered_to` is the last day the figures include: the period's last day, or the end of last month while it
    is still going (never today: see ROLLING_WEEKS).
    """

    period: Period
    covered_to: date
    total: str = ""
    by_topic: list[Bar] = field(default_factory=list)
    by_channel: list[Bar] = field(default_factory=list)
    over_time: list[Bar] = field(default_factory=list)  # by week starting, or by month for a long period
    median_first_contact: str = ""

    @property
    def so_far(self) -> bool:
        """The period has not ended yet: the figures go up to today."""
        return self.covered_to < self.period.last


def _bars(counts: dict[str, int], medians: dict[str, str] | None = None) -> list[Bar]:
    # One hidden count in a breakdown could be worked out from the total by subtraction: hide the
    # next-smallest one too ("secondary suppression").
    hidden = {label for label, n in counts.items() if 0 < n < SUPPRESS_BELOW}
    others = sorted((n, label) for label, n in counts.items() if n >= SUPPRESS_BELOW)
    also_hidden = {others[0][1]} if len(hidden) == 1 and others else set()
    # A hidden count draws no bar: its length would give the number away.
    longest = max((n for label, n in counts.items() if n >= SUPPRESS_BELOW and label not in also_hidden), default=0)
    bars = []
    for label, n in counts.items():
        if label in also_hidden:
            bars.append(Bar(label, SECONDARY, 0.0, (medians or {}).get(label, "")))
            continue
        share = n / longest if longest and n >= SUPPRESS_BELOW else 0.0
        bars.append(Bar(label, suppress(n), share, (medians or {}).get(label, "")))
    return bars


def _median(waits: list[timedelta]) -> str:
    """The median wait in hours and minutes; not shown when fewer than 5 cases make it up."""
    if len(waits) < SUPPRESS_BELOW:
        return "not shown (fewer than 5 cases)"
    minutes = int(stats.median(w.total_seconds() for w in waits) // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _step(day: date, period: Period) -> date:
    """The first day of the week (Monday) or month holding `day`, but not before the period starts."""
    return max(day.replace(day=1) if period.by_month else _monday(day), period.first)


def _next_step(day: date, period: Period) -> date:
    """The first day of the week or month after the one holding `day`."""
    if period.by_month:
        return _month_end(day.replace(day=1), 1) + timedelta(days=1)
    return _monday(day) + timedelta(weeks=1)


def _step_label(day: date, period: Period) -> str:
    return day.strftime("%b %Y" if period.by_month else "%d %b %Y")


def report(session: Session, zone: str, period: Period | None = None, now: datetime | None = None,
           topic_name: Callable[[str], str] = str) -> Report:
    """Enquiries received in `period` (the last 10 whole weeks when none) by topic, channel and week or month, and
    the median time to first contact.

    `topic_name` turns a stored topic code into the words a manager reads (its title).
    """
    tz = ZoneInfo(zone)
    today = (now or utcnow()).astimezone(tz).date()
    period = period or last_weeks(ROLLING_WEEKS[-1], today)
    covered_to = covered(period, today)
    # A range on the created_at index: the rows read grow with the period, never with the years kept.
    rows = session.execute(
        select(Enquiry.topic, Enquiry.channel, Enquiry.created_at, Enquiry.first_contact_at)
        .where(Enquiry.created_at >= datetime.combine(period.first, time(), tzinfo=tz),
               Enquiry.created_at < datetime.combine(covered_to + timedelta(days=1), time(), tzinfo=tz))
    ).all()
    steps, day = [], period.first
    while day <= covered_to:
        steps.append(_step_label(day, period))
        day = _next_step(day, period)
    per_step: dict[str, int] = dict.fromkeys(steps, 0)
    waits_by_step: dict[str, list[timedelta]] = {label: [] for label in steps}
    waits: list[timedelta] = []
    for _topic, _channel, created, contacted in rows:
        label = _step_label(_step(created.astimezone(tz).date(), period), period)
        per_step[label] = per_step.get(label, 0) + 1
        if contacted:
            waits.append(contacted - created)
            waits_by_step.setdefault(label, []).append(contacted - created)
    topics = Counter(topic_name(topic) for topic, *_ in rows)
    channels = Counter(channel for _, channel, *_ in rows)
    return Report(
        period=period,
        covered_to=covered_to,
        total=suppress(len(rows)),
        by_topic=_bars(dict(sorted(topics.items()))),
        by_channel=_bars(dict(sorted(channels.items()))),
        over_time=_bars(per_step, {label: _median(w) for label, w in waits_by_step.items()}),
        median_first_contact=_median(waits),
    )


def _cell(value: str) -> str:
    # A spreadsheet runs a cell starting with = + - @ as a formula; quote it as text.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def to_csv(result: Report) -> str:
    """The report as CSV: measure, group, value (counts under 5 shown as '<5'); the period covered first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["measure", "group", "value"])
    writer.writerow(["period covered", "from", result.period.first.isoformat()])
    writer.writerow(["period covered", "to", result.covered_to.isoformat()])
    writer.writerow(["enquiries", "all", result.total])
    step = "month" if result.period.by_month else "week starting"
    for measure, bars in (("enquiries by topic", result.by_topic), ("enquiries by channel", result.by_channel),
                          (f"enquiries by {step}", result.over_time)):
        writer.writerows([measure, _cell(bar.label), bar.shown] for bar in bars)
    writer.writerows([f"median time to first contact by {step}", bar.label, bar.median] for bar in result.over_time)
    writer.writerow(["median time to first contact", "all", result.median_first_contact])
    return out.getvalue()
