"""Anonymised statistics with small-number suppression (policy 4.6)."""

from __future__ import annotations

import csv
import io
import statistics as stats
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from intake.models import Enquiry, utcnow

SUPPRESS_BELOW = 5
SUPPRESSED = "<5"
SECONDARY = "hidden"  # hidden so that a "<5" beside it cannot be worked out from the total


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
    """What the manager's statistics page and CSV show; every count already suppressed."""

    since: datetime
    weeks: int
    by_topic: list[Bar] = field(default_factory=list)
    by_channel: list[Bar] = field(default_factory=list)
    by_week: list[Bar] = field(default_factory=list)
    median_first_contact: str = ""


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


def week_start(moment: datetime, zone: ZoneInfo) -> datetime:
    """Monday 00:00 (local) of the week holding `moment`."""
    local = moment.astimezone(zone).date()
    return datetime.combine(local - timedelta(days=local.weekday()), time(), tzinfo=zone)


def report(session: Session, zone: str, weeks: int = 12, now: datetime | None = None,
           topic_name: Callable[[str], str] = str) -> Report:
    """Enquiries by topic, channel and week, and the median time to first contact, over the last `weeks`.

    `topic_name` turns a stored topic code into the words a manager reads (its title).
    """
    tz = ZoneInfo(zone)
    since = week_start(now or utcnow(), tz) - timedelta(weeks=weeks - 1)
    rows = session.execute(
        select(Enquiry.topic, Enquiry.channel, Enquiry.created_at, Enquiry.first_contact_at)
        .where(Enquiry.created_at >= since)
    ).all()
    labels = [(since + timedelta(weeks=i)).strftime("%d %b %Y") for i in range(weeks)]
    per_week: dict[str, int] = dict.fromkeys(labels, 0)
    waits_by_week: dict[str, list[timedelta]] = {label: [] for label in labels}
    waits: list[timedelta] = []
    for _topic, _channel, created, contacted in rows:
        label = week_start(created, tz).strftime("%d %b %Y")
        per_week[label] = per_week.get(label, 0) + 1
        if contacted:
            waits.append(contacted - created)
            waits_by_week.setdefault(label, []).append(contacted - created)
    topics = Counter(topic_name(topic) for topic, *_ in rows)
    channels = Counter(channel for _, channel, *_ in rows)
    return Report(
        since=since,
        weeks=weeks,
        by_topic=_bars(dict(sorted(topics.items()))),
        by_channel=_bars(dict(sorted(channels.items()))),
        by_week=_bars(per_week, {label: _median(w) for label, w in waits_by_week.items()}),
        median_first_contact=_median(waits),
    )


def _cell(value: str) -> str:
    # A spreadsheet runs a cell starting with = + - @ as a formula; quote it as text.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def to_csv(result: Report) -> str:
    """The report as CSV: measure, group, value (counts under 5 shown as '<5')."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["measure", "group", "value"])
    for measure, bars in (("enquiries by topic", result.by_topic), ("enquiries by channel", result.by_channel),
                          ("enquiries by week starting", result.by_week)):
        writer.writerows([measure, _cell(bar.label), bar.shown] for bar in bars)
    writer.writerows(["median time to first contact by week starting", bar.label, bar.median]
                     for bar in result.by_week)
    writer.writerow(["median time to first contact", "all", result.median_first_contact])
    return out.getvalue()
