"""Office hours and bank holidays a manager sets in the console, over the env default (OFFICE_HOURS, BANK_HOLIDAYS).

Every channel and the console ask `current(session, default)` when they need the hours, so a change made in
the console applies to every worker at its next turn: one primary-key read, and the parse is cached per value.
The time zone stays the service's (TIMEZONE): only the opening times and the bank holidays are changed here.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from intake import audit
from intake.hours import DAYS, HoursError, OfficeHours
from intake.models import ServiceSetting, utcnow
from intake.typed_hours import DAY_WORDS, EXAMPLE, read_week

log = logging.getLogger(__name__)

NAME = "office_hours"
MAX_HOURS_TEXT = 200
MAX_HOLIDAYS = 200


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

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
DATE_EXAMPLE = "write dates day first, like 25/12/2026 or 25 Dec 2026 (or 2026-12-25), separated by commas"
MAX_RUN = 31  # days in one "from - to" closure, so a mistyped year cannot close the office for a decade
_WORDY = r"(?:(?P<{w}>[a-z]+),?\s+)?"
_DATE = re.compile(
    r"(?P<iso>\d{4}-\d{1,2}-\d{1,2})"
    r"|(?P<d1>\d{1,2})[/.-](?P<m1>\d{1,2})[/.-](?P<y1>\d{4}|\d{2})"
    + "|" + _WORDY.format(w="w2") + r"(?P<d2>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>[a-z]+)\.?,?\s+(?P<y2>\d{4})"
    + "|" + _WORDY.format(w="w3") + r"(?P<m3>[a-z]+)\.?\s+(?P<d3>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y3>\d{4})",
    re.IGNORECASE,
)
_NO_YEAR = re.compile(r"(?:[a-z]+,?\s+)?\d{1,2}(?:st|nd|rd|th)?(?:\s+(?:of\s+)?[a-z]+\.?|[/.]\d{1,2})", re.I)
# Between two dates: commas, semicolons, "and", or "-"/"to"/"until" for every day from one to the other.
_BETWEEN = re.compile(r"(?:[\s,;]+|\band\b)*(?P<run>-|\bto\b|\buntil\b|\btill\b)?\s*", re.IGNORECASE)


def _month(word: str) -> int:
    """1-12 for "Dec", "dec.", "December" or "Sept"; 0 when the word is not a month."""
    word = word.lower()
    return next((n for n, name in enumerate(MONTHS, 1) if len(word) >= 3 and name.startswith(word)), 0)


def _day(moment: date) -> str:
    """24 Dec 2026."""
    return f"{moment.day} {moment:%b %Y}"


class _NotADate(ValueError):
    """Why a typed date is not one, in words for the manager."""


def _date(match: re.Match[str]) -> date:
    """The date a match names (UK order: day first); _NotADate says why it is not one."""
    found = match.groupdict()
    try:
        if found["iso"]:
            return date.fromisoformat("-".join(part.zfill(2) for part in found["iso"].split("-")))
        if found["d1"]:
            year = int(found["y1"]) + (2000 if len(found["y1"]) == 2 else 0)
            return date(year, int(found["m1"]), int(found["d1"]))
        n = "2" if found["d2"] else "3"
        month, weekday = _month(found["m" + n]), found["w" + n]
        if not month:
            raise _NotADate(f"{found['m' + n]!r} is not a month")
        moment = date(int(found["y" + n]), month, int(found["d" + n]))
    except _NotADate:
        raise
    except ValueError:
        raise _NotADate("there is no such date") from None
    if weekday and weekday.lower() not in DAY_WORDS:
        raise _NotADate(f"{weekday!r} is not a day of the week")
    if weekday and moment.weekday() != DAY_WORDS[weekday.lower()]:
        raise _NotADate(f"{_day(moment)} is a {moment:%A}")
    return moment


def _holiday_dates(text: str) -> list[tuple[date, bool]]:
    """Each date typed, and whether it ends a "from - to" run; HoursError names what could not be read."""
    found: list[tuple[date, bool]] = []
    at = 0
    while at < len(text):
        gap = _BETWEEN.match(text, at)
        run = bool(gap and gap.group("run"))
        at = gap.end() if gap else at
        if at >= len(text):
            break
        match = _DATE.match(text, at)
        if match is None:
            item = re.split(r"[,;\n]", text[at:], maxsplit=1)[0].strip()
            hint = " (give the year too)" if _NO_YEAR.fullmatch(item) else ""
            raise HoursError(f"Bank holidays: cannot read {item!r}{hint}; {DATE_EXAMPLE}")
        try:
            found.append((_date(match), run))
        except _NotADate as exc:
            raise HoursError(f"Bank holidays: cannot read {match.group().strip()!r} ({exc}); {DATE_EXAMPLE}") from None
        at = match.end()
    return found


def _holidays(text: str) -> tuple[str, ...]:
    days: set[date] = set()
    previous: date | None = None
    for day, ends_run in _holiday_dates(text.translate({0x2013: "-", 0x2014: "-"})):
        if ends_run and previous is not None:  # "24/12/2026 - 1/1/2027": every day from the one before
            if not previous < day <= previous + timedelta(days=MAX_RUN):
                raise HoursError(f"Bank holidays: the closure from {_day(previous)} to {_day(day)} must end "
                                 f"after it starts and last at most {MAX_RUN} days")
            days.update(previous + timedelta(days=n) for n in range((day - previous).days + 1))
        days.add(day)
        previous = day
    if len(days) > MAX_HOLIDAYS:
        raise HoursError(f"Bank holidays: at most {MAX_HOLIDAYS} dates, please remove past ones")
    return tuple(d.isoformat() for d in sorted(days))


def validate(hours_text: str, holidays_text: str, zone: str) -> tuple[str, tuple[str, ...], OfficeHours]:
    """Check a manager's entry; returns (hours, bank holidays, parsed) or raises HoursError naming the problem."""
    spec = " ".join(hours_text.split())
    if not spec:
        raise HoursError(f"Office hours: enter at least one day and its times; {EXAMPLE}")
    if len(spec) > MAX_HOURS_TEXT:
        raise HoursError(f"Office hours: keep it under {MAX_HOURS_TEXT} characters")
    windows = read_week(spec)
    holidays = _holidays(holidays_text)
    hours = OfficeHours(windows, ZoneInfo(zone), frozenset(date.fromisoformat(d) for d in holidays))
    # Stored as the form shows it ("Mon-Fri 09:00-17:00"), which OfficeHours.parse and OFFICE_HOURS also read.
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


def closed_day(moment: date) -> str:
    """A closed day as UK staff write it, "Thu 24 Dec 2026" (stored as 2026-12-24; the form reads it back)."""
    return f"{moment:%a} {moment.day} {moment:%b %Y}"


def holidays_text(hours: OfficeHours) -> str:
    """The bank holidays, in date order, comma separated, as staff write them: "Thu 24 Dec 2026, Fri 25 Dec 2026"."""
    return ", ".join(closed_day(d) for d in sorted(hours.holidays))
