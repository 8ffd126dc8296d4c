"""Office hours and bank holidays a manager sets in the console, over the env default (OFFICE_HOURS, BANK_HOLIDAYS).

Every channel and the console ask `current(session, default)` when they need the hours, so a change made in
the console applies to every worker at its next turn: one primary-key read, and the parse is cached per value.
The time zone stays the service's (TIMEZONE): only the opening times and the bank holidays are changed here.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from sqlalchemy.orm import Session

from intake import audit
from intake.hours import DAYS, HoursError, OfficeHours
from intake.models import ServiceSetting, utcnow

log = logging.getLogger(__name__)

NAME = "office_hours"
MAX_HOURS_TEXT = 200
MAX_HOLIDAYS = 200
EXAMPLE = "use e.g. 'Mon-Fri 09:00-17:00' or 'Mon-Thu 09:00-17:00; Fri 09:00-16:30'"


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


# -- reading what a manager typed ---------------------------------------------------------------------

def _holidays(text: str) -> tuple[str, ...]:
    found: set[date] = set()
    for item in filter(None, re.split(r"[\s,;]+", text.strip())):
        try:
            found.add(date.fromisoformat(item))
        except ValueError:
            raise HoursError(f"Bank holidays: cannot read {item!r}; use dates like 2026-12-25, "
                             "separated by commas") from None
    if len(found) > MAX_HOLIDAYS:
        raise HoursError(f"Bank holidays: at most {MAX_HOLIDAYS} dates, please remove past ones")
    return tuple(d.isoformat() for d in sorted(found))


def _check_part(part: str, zone: str) -> None:
    try:
        windows = OfficeHours.parse(part, zone).windows
    except ValueError:  # HoursError, or a time such as 25:00 that datetime.time refuses
        raise HoursError(f"Office hours: cannot read {part!r}; {EXAMPLE}") from None
    if not windows:
        raise HoursError(f"Office hours: the days in {part!r} run backwards; write them Monday first, "
                         "e.g. 'Mon-Fri', or give each day separately")
    opens, closes = next(iter(windows.values()))
    if opens >= closes:
        raise HoursError(f"Office hours: in {part!r} the closing time is not after the opening time")


def validate(hours_text: str, holidays_text: str, zone: str) -> tuple[str, tuple[str, ...], OfficeHours]:
    """Check a manager's entry; returns (hours, bank holidays, parsed) or raises HoursError naming the problem."""
    spec = " ".join(hours_text.split())
    if not spec:
        raise HoursError(f"Office hours: enter at least one day and its times; {EXAMPLE}")
    if len(spec) > MAX_HOURS_TEXT:
        raise HoursError(f"Office hours: keep it under {MAX_HOURS_TEXT} characters")
    for part in filter(None, (p.strip() for p in re.split(r"[;,]", spec))):
        _check_part(part, zone)
    holidays = _holidays(holidays_text)
    try:
        hours = OfficeHours.parse(spec, zone, holidays)
    except ValueError as exc:  # the checks above should have caught it; say what parse said
        raise HoursError(str(exc).replace("OFFICE_HOURS", "Office hours")
                         .replace("BANK_HOLIDAYS", "Bank holidays")) from None
    return describe(hours), holidays, hours


def _audit_detail(spec: str, holidays: tuple[str, ...]) -> str:
    detail = f"{spec}; bank holidays: {', '.join(holidays) or 'none'}"
    if len(detail) <= 200:
        return detail
    summary = f"{spec}; {len(holidays)} bank holidays {holidays[0]}..{holidays[-1]}"
    return summary[:200]


def save(session: Session, actor: str, hours_text: str, holidays_text: str, default: OfficeHours) -> OfficeHours:
    """Validate and store new hours (nothing changes if they do not read); audited with the values."""
    spec, holidays, hours = validate(hours_text, holidays_text, _zone(default))
    value = {"hours": spec, "bank_holidays": list(holidays), "updated_by": actor}
    row = session.get(ServiceSetting, NAME)
    if row is None:
        session.add(ServiceSetting(name=NAME, value=value, updated_at=utcnow()))
    else:
        row.value, row.updated_at = value, utcnow()
    audit.record(session, actor, "office_hours_set", None, _audit_detail(spec, holidays))
    return hours


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
        parts.append(f"{days} {window[0]:%H:%M}-{window[1]:%H:%M}")
        day = last + 1
    return "; ".join(parts)


def holidays_text(hours: OfficeHours) -> str:
    """The bank holidays, in date order, comma separated."""
    return ", ".join(d.isoformat() for d in sorted(hours.holidays))
