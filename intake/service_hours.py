"""Office hours and bank holidays a manager sets in the console, over the env default (OFFICE_HOURS, BANK_HOLIDAYS).

Every channel and the console ask `current(session, default)` when they need the hours, so a change made in
the console applies to every worker at its next turn: one primary-key read, and the parse is cached per value.
The time zone stays the service's (TIMEZONE): only the opening times and the bank holidays are changed here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from intake import audit, closed_days
from intake.hours import DAYS, END_OF_DAY, HoursError, OfficeHours
from intake.models import ServiceSetting, utcnow
from intake.typed_hours import EXAMPLE, read_week

log = logging.getLogger(__name__)

NAME = "office_hours"
MAX_HOURS_TEXT = 200


@dataclass(frozen=True)
class HoursSource:
    """The hours in force, and where they come from ("console" or "environment")."""

    hours: OfficeHours
    origin: str
    updated_at: datetime | None = None
    updated_by: str | None = None


@lru_cache(maxsize=32)
def _parse(spec: str, holidays: tuple[str, ...], zone: str) -> OfficeHours:
    return OfficeHours.parse(spec, zone, holidays)


def _zone(default: OfficeHours) -> str:
    return str(default.zone.key)


def source(session: Session, default: OfficeHours) -> HoursSource:
    """The stored hours if a manager has set them (and they still read), else the env default."""
    row = session.get(ServiceSetting, NAME)
    if row is None:
        return HoursSource(default, "environment")
    value = row.value or {}
    try:
        hours = _parse(str(value["hours"]), tuple(str(d) for d in value.get("bank_holidays", ())), _zone(default))
    except (KeyError, TypeError, ValueError):
        # A setting edited by hand into nonsense must not stop the bot answering: use the env hours.
        log.warning("service_setting %r cannot be read; using the office hours from the environment", NAME)
        return HoursSource(default, "environment")
    return HoursSource(hours, "console", row.updated_at, value.get("updated_by"))


def current(session: Session, default: OfficeHours) -> OfficeHours:
    """The office hours in force now: the console's setting, or the env default."""
    return source(session, default).hours


# -- a manager's entry ---------------------------------------------------------------------------------

def validate(
    hours_text: str, holidays_text: str, zone: str, today: date | None = None,
) -> tuple[str, tuple[str, ...], OfficeHours]:
    """Check a manager's entry; returns (hours, bank holidays, parsed) or raises HoursError naming the problem.

    With `today`, the limit on closed days counts only those from today on (closed_days.read)."""
    spec = " ".join(hours_text.split())
    if not spec:
        raise HoursError(f"Office hours: enter at least one day and its times; {EXAMPLE}")
    if len(spec) > MAX_HOURS_TEXT:
        raise HoursError(f"Office hours: keep it under {MAX_HOURS_TEXT} characters")
    windows = read_week(spec)
    holidays = closed_days.read(holidays_text, today)
    hours = OfficeHours(windows, ZoneInfo(zone), frozenset(date.fromisoformat(d) for d in holidays))
    # Stored as the form shows it ("Mon-Fri 09:00-17:00"), which OfficeHours.parse and OFFICE_HOURS also read.
    return describe(hours), holidays, hours


def _audit_detail(spec: str, holidays: tuple[str, ...]) -> str:
    detail = f"{spec}; bank holidays: {', '.join(holidays) or 'none'}"
    if len(detail) <= 200:
        return detail
    summary = f"{spec}; {len(holidays)} bank holidays {holidays[0]}..{holidays[-1]}"
    return summary[:200]


@dataclass(frozen=True)
class Saved:
    """What a manager's entry stored, and the closed days typed that had already passed (not stored)."""

    hours: OfficeHours
    past: tuple[date, ...]


def save(
    session: Session, actor: str, hours_text: str, holidays_text: str, default: OfficeHours, now: datetime,
) -> Saved:
    """Validate and store new hours (nothing changes if they do not read); audited with the values.

    Closed days before today (in the service's zone) are left out and returned, for the manager to be told:
    a mistyped year must not pass silently, and the rest of the entry is still saved.
    """
    today = now.astimezone(default.zone).date()
    spec, _, typed = validate(hours_text, holidays_text, _zone(default), today)
    coming, past = closed_days.split_past(typed.holidays, today)
    hours = replace(typed, holidays=frozenset(coming))
    holidays = tuple(d.isoformat() for d in coming)
    value = {"hours": spec, "bank_holidays": list(holidays), "updated_by": actor}
    row = session.get(ServiceSetting, NAME)
    if row is None:
        session.add(ServiceSetting(name=NAME, value=value, updated_at=utcnow()))
    else:
        row.value, row.updated_at = value, utcnow()
    audit.record(session, actor, "office_hours_set", None, _audit_detail(spec, holidays))
    return Saved(hours, past)


def reset(session: Session, actor: str) -> bool:
    """Go back to the env hours; audited. False if the console had not set any."""
    row = session.get(ServiceSetting, NAME)
    if row is None:
        return False
    session.delete(row)
    audit.record(session, actor, "office_hours_reset", None, "back to the environment's hours")
    return True


# -- showing the hours ------------------------------------------------------------------------------

def describe(hours: OfficeHours) -> str:
    """The weekly hours as the form takes them, e.g. "Mon-Thu 09:00-17:00; Fri 09:00-16:30"."""
    parts: list[str] = []
    day = 0
    while day < 7:
        window = hours.windows.get(day)
        if window is None:
            day += 1
            continue
        last = day
        while last + 1 < 7 and hours.windows.get(last + 1) == window:
            last += 1
        days = DAYS[day].title() + (f"-{DAYS[last].title()}" if last > day else "")
        parts.append(f"{days} {_hhmm(window[0])}-{_hhmm(window[1])}")
        day = last + 1
    return "; ".join(parts)


def _hhmm(moment: time) -> str:
    """A time as the form and OFFICE_HOURS write it: "09:00", and "24:00" for hours that run to midnight."""
    return "24:00" if moment == END_OF_DAY else f"{moment:%H:%M}"


def holidays_text(hours: OfficeHours, today: date | None = None) -> str:
    """The bank holidays (from `today` on, when given) in date order as staff write them, consecutive days as
    one range: "Thu 24 Dec 2026 – Sat 2 Jan 2027, Mon 5 Apr 2027"."""
    days = hours.holidays if today is None else closed_days.split_past(hours.holidays, today)[0]
    return closed_days.closed_days_text(days)
